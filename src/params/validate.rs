//! Turns parsed parameters into a [`StackSpec`], reporting every problem at once.
//!
//! Checks run per field first (types, required fields, ranges), then across fields (uniqueness,
//! pool consistency), then on derived Azure names. A derived name that breaks a rule is reported
//! once at the parameter that causes it (usually `suffix`), not once per resource.

use std::collections::BTreeMap;

use super::catalog::{self, DEPLOYMENT_SKUS};
use super::value::{Entry, Node, Param, Value};
use crate::diagnostic::Diagnostic;
use crate::naming::{self, NameKind, NameOverrides, NameProblem, Names};
use crate::regions;
use crate::source::Span;
use crate::spec::{ModelDeploymentSpec, Publisher, RegionSpec, StackSpec};

/// APIM pools accept priorities 0–100 (BackendPoolItem.priority in the 2024-05-01 spec).
const PRIORITY_RANGE: std::ops::RangeInclusive<i64> = 0..=100;
/// APIM allows at most 30 members per pool, and every region adds two.
const MAX_POOL_MEMBERS: usize = 30;
/// ARM allows 50 tags per resource; names up to 512 characters, values up to 256.
const MAX_TAGS: usize = 50;

#[derive(Clone, Debug, Default)]
pub struct ValidateOptions {
    /// Regions accepted although they are not in [`regions::KNOWN_REGIONS`].
    pub allowed_regions: Vec<String>,
}

pub fn validate(params: &[Param], options: &ValidateOptions) -> Result<StackSpec, Vec<Diagnostic>> {
    let mut v = Validator {
        problems: Vec::new(),
        options,
    };
    let spec = v.stack(params);
    match spec {
        Some(spec) if v.problems.is_empty() => Ok(spec),
        _ => Err(v.problems),
    }
}

struct Validator<'o> {
    problems: Vec<Diagnostic>,
    options: &'o ValidateOptions,
}

/// A value with the span of the text it came from.
#[derive(Clone, Debug)]
struct At<T> {
    value: T,
    span: Span,
}

/// The fields of one object, with unknown keys already reported.
struct Fields<'n> {
    entries: Vec<&'n Entry>,
    span: Span,
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }
}

/// One region as read, before cross-region checks.
struct RawRegion {
    path: String,
    name: Option<At<String>>,
    abbreviation: Option<At<String>>,
    deployments: Vec<RawDeployment>,
}

struct RawDeployment {
    path: String,
    name: Option<At<String>>,
    model_name: Option<At<String>>,
    model_version: Option<At<String>>,
    sku_name: Option<At<String>>,
    sku_capacity: Option<u32>,
    /// The effective priority and where it was written (the deployment, the region, or neither).
    priority: Option<At<i64>>,
    priority_path: String,
}

impl Validator<'_> {
    fn report(&mut self, diagnostic: Diagnostic) {
        self.problems.push(diagnostic);
    }

    fn type_error(&mut self, node: &Node, path: &str, expected: &str, example: &str) {
        self.report(
            Diagnostic::new(
                "wrong-type",
                format!("expected {expected}, found {}", node.value.kind()),
            )
            .path(path)
            .at(node.span)
            .help(format!("write {example}")),
        );
    }

    fn string(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        match &node.value {
            Value::String(s) => Some(At {
                value: s.clone(),
                span: node.span,
            }),
            _ => {
                self.type_error(node, path, "a string", "a quoted string");
                None
            }
        }
    }

    /// A string that must not be empty or only whitespace.
    fn text(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        let s = self.string(node, path)?;
        if s.value.trim().is_empty() {
            self.report(
                Diagnostic::new("empty-value", "must not be empty")
                    .path(path)
                    .at(node.span)
                    .help("give a value"),
            );
            return None;
        }
        if s.value.trim() != s.value {
            self.report(
                Diagnostic::new(
                    "surrounding-whitespace",
                    "has leading or trailing whitespace",
                )
                .path(path)
                .at(node.span)
                .help("remove the spaces around the value"),
            );
            return None;
        }
        Some(s)
    }

    fn int(&mut self, node: &Node, path: &str) -> Option<At<i64>> {
        match &node.value {
            Value::Int(i) => Some(At {
                value: *i,
                span: node.span,
            }),
            Value::String(s) if s.trim().parse::<i64>().is_ok() => {
                self.report(
                    Diagnostic::new("wrong-type", "expected an integer, found a string")
                        .path(path)
                        .at(node.span)
                        .help(format!("remove the quotes: {}", s.trim())),
                );
                None
            }
            _ => {
                self.type_error(node, path, "an integer", "a whole number such as 1");
                None
            }
        }
    }

    fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if matches!(s.trim(), "true" | "false") => {
                self.report(
                    Diagnostic::new("wrong-type", "expected a boolean, found a string")
                        .path(path)
                        .at(node.span)
                        .help(format!("remove the quotes: {}", s.trim())),
                );
                None
            }
            _ => {
                self.type_error(node, path, "a boolean", "true or false");
                None
            }
        }
    }

    fn array<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Array(items) => Some(items),
            _ => {
                self.type_error(node, path, "an array", "[ ... ]");
                None
            }
        }
    }

    /// The object's fields; unknown keys are reported with a suggestion.
    fn object<'n>(&mut self, node: &'n Node, path: &str, known: &[&str]) -> Option<Fields<'n>> {
        let Value::Object(entries) = &node.value else {
            self.type_error(node, path, "an object", "{ name: value }");
            return None;
        };
        for entry in entries {
            if !known.contains(&entry.key.as_str()) {
                let here = join(path, &entry.key);
                let mut diagnostic =
                    Diagnostic::new("unknown-field", format!("unknown field `{}`", entry.key))
                        .path(here)
                        .at(entry.key_span);
                diagnostic = match crate::suggest::closest(&entry.key, known.iter().copied()) {
                    Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
                    None => diagnostic.help(format!("the fields here are: {}", known.join(", "))),
                };
                self.report(diagnostic);
            }
        }
        Some(Fields {
            entries: entries
                .iter()
                .filter(|e| known.contains(&e.key.as_str()))
                .collect(),
            span: node.span,
        })
    }

    fn missing(&mut self, path: &str, span: Option<Span>, help: impl Into<String>) {
        let mut diagnostic = Diagnostic::new("missing-field", "is required but missing")
            .path(path)
            .help(help);
        if let Some(span) = span {
            diagnostic = diagnostic.at(span).label("in this object");
        }
        self.report(diagnostic);
    }

    fn stack(&mut self, params: &[Param]) -> Option<StackSpec> {
        let known = catalog::names(catalog::TOP_LEVEL);
        let mut by_name: BTreeMap<&str, &Param> = BTreeMap::new();
        for param in params {
            if known.contains(&param.name.as_str()) {
                by_name.insert(param.name.as_str(), param);
            } else {
                let mut diagnostic = Diagnostic::new(
                    "unknown-parameter",
                    format!("unknown parameter `{}`", param.name),
                )
                .path(param.name.clone())
                .at(param.name_span);
                diagnostic = match crate::suggest::closest(&param.name, known.iter().copied()) {
                    Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
                    None => diagnostic
                        .help(format!("aigw reads these parameters: {}", known.join(", "))),
                };
                self.report(diagnostic);
            }
        }
        let get = |name: &str| by_name.get(name).map(|p| &p.value);

        let environment = self.required_component(
            get("environment"),
            "environment",
            "param environment = 'acc'",
        );
        let suffix = self.required_component(get("suffix"), "suffix", "param suffix = 'x7k'");
        let location = match get("location") {
            Some(node) => self.region_name(node, "location"),
            None => Some(At {
                value: "westeurope".to_string(),
                span: Span::default(),
            }),
        };
        let overrides = NameOverrides {
            resource_group: self.override_name(
                get("resourceGroupName"),
                "resourceGroupName",
                NameKind::ResourceGroup,
            ),
            identity: self.override_name(
                get("identityName"),
                "identityName",
                NameKind::ManagedIdentity,
            ),
            log_analytics_workspace: self.override_name(
                get("logAnalyticsWorkspaceName"),
                "logAnalyticsWorkspaceName",
                NameKind::LogAnalyticsWorkspace,
            ),
            data_collection_endpoint: self.override_name(
                get("dataCollectionEndpointName"),
                "dataCollectionEndpointName",
                NameKind::DataCollectionEndpoint,
            ),
            data_collection_rule: self.override_name(
                get("dataCollectionRuleName"),
                "dataCollectionRuleName",
                NameKind::DataCollectionRule,
            ),
            api_management: self.override_name(
                get("apimName"),
                "apimName",
                NameKind::ApiManagementService,
            ),
        };
        let publisher_email = match get("apimPublisherEmail") {
            Some(node) => self.email(node, "apimPublisherEmail"),
            None => {
                self.missing(
                    "apimPublisherEmail",
                    None,
                    "add `param apimPublisherEmail = 'platform@example.com'`",
                );
                None
            }
        };
        let publisher_name = match get("apimPublisherName") {
            Some(node) => self.publisher_name(node),
            None => {
                self.missing(
                    "apimPublisherName",
                    None,
                    "add `param apimPublisherName = 'Contoso Platform'`",
                );
                None
            }
        };
        let tags = match get("tags") {
            Some(node) => self.tags(node),
            None => Some(BTreeMap::new()),
        };
        let trip_on_server_errors = match get("tripOnServerErrors") {
            Some(node) => self.boolean(node, "tripOnServerErrors"),
            None => Some(true),
        };
        let raw_regions = match get("openAILocations") {
            Some(node) => self.regions(node),
            None => {
                self.missing(
                    "openAILocations",
                    None,
                    "add `param openAILocations = [ { name: 'westeurope', abbreviation: 'weu', deployments: [ ... ] } ]`",
                );
                None
            }
        };
        if let Some(raw_regions) = &raw_regions {
            self.cross_region_checks(raw_regions);
        }

        // Derived names, once the parts they are made of are individually valid.
        if let (Some(environment), Some(suffix)) = (&environment, &suffix) {
            let names = Names::new(
                environment.value.clone(),
                suffix.value.clone(),
                overrides.clone(),
            );
            let suffix_param = by_name.get("suffix").map(|p| p.value.span);
            self.derived_names(
                &names,
                suffix,
                suffix_param,
                raw_regions.as_deref().unwrap_or(&[]),
            );
        }

        let regions = self.finish_regions(raw_regions?)?;
        Some(StackSpec {
            names: Names::new(
                environment.as_ref()?.value.clone(),
                suffix.as_ref()?.value.clone(),
                overrides,
            ),
            environment: environment?.value,
            suffix: suffix?.value,
            location: location?.value,
            publisher: Publisher {
                email: publisher_email?,
                name: publisher_name?,
            },
            tags: tags?,
            regions,
            trip_on_server_errors: trip_on_server_errors?,
        })
    }

    /// `environment`, `suffix` and abbreviations: the pieces every name is built from.
    fn required_component(
        &mut self,
        node: Option<&Node>,
        path: &str,
        example: &str,
    ) -> Option<At<String>> {
        let Some(node) = node else {
            self.missing(path, None, format!("add `{example}`"));
            return None;
        };
        let value = self.string(node, path)?;
        self.component(value, path)
    }

    fn component(&mut self, value: At<String>, path: &str) -> Option<At<String>> {
        let s = &value.value;
        let valid_chars = !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        let valid_shape = !s.starts_with('-') && !s.ends_with('-') && !s.contains("--");
        if valid_chars && valid_shape {
            return Some(value);
        }
        let fixed: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let fixed = fixed.trim_matches('-').to_string();
        let help = if fixed.is_empty() || fixed == *s {
            "use lower-case letters and digits, optionally joined by single hyphens".to_string()
        } else {
            format!(
                "use lower-case letters and digits, optionally joined by single hyphens, e.g. '{fixed}'"
            )
        };
        self.report(
            Diagnostic::new(
                "invalid-name-part",
                format!("`{s}` cannot be part of Azure resource names"),
            )
            .path(path)
            .at(value.span)
            .label("used in every resource name")
            .help(help),
        );
        None
    }

    fn region_name(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        let value = self.text(node, path)?;
        if regions::is_known(&value.value, &self.options.allowed_regions) {
            return Some(value);
        }
        let help = match regions::programmatic_name(&value.value) {
            Some(name) if name != value.value => format!("write the ARM location name '{name}'"),
            _ => {
                match crate::suggest::closest(&value.value, regions::KNOWN_REGIONS.iter().copied())
                {
                    Some(candidate) => format!(
                        "did you mean '{candidate}'? If `{}` is a new Azure region, pass --allow-region {}",
                        value.value, value.value
                    ),
                    None => format!(
                        "use an ARM location name such as 'westeurope'; if `{}` is a new Azure region, pass --allow-region {}",
                        value.value, value.value
                    ),
                }
            }
        };
        self.report(
            Diagnostic::new(
                "unknown-region",
                format!("`{}` is not a known Azure region", value.value),
            )
            .path(path)
            .at(value.span)
            .help(help),
        );
        None
    }

    fn override_name(&mut self, node: Option<&Node>, path: &str, kind: NameKind) -> Option<String> {
        let value = self.text(node?, path)?;
        let problems = kind.problems(&value.value);
        if problems.is_empty() {
            return Some(value.value);
        }
        self.report(
            name_diagnostic(kind, &value.value, &problems)
                .path(path)
                .at(value.span),
        );
        None
    }

    fn email(&mut self, node: &Node, path: &str) -> Option<String> {
        let value = self.text(node, path)?;
        let s = &value.value;
        let well_formed = match s.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
                    && !s
                        .chars()
                        .any(|c| c.is_whitespace() || c == ',' || c == ';' || c == '<' || c == '>')
            }
            None => false,
        };
        if !well_formed {
            self.report(
                Diagnostic::new("invalid-email", format!("`{s}` is not an email address"))
                    .path(path)
                    .at(value.span)
                    .help("write one address such as 'platform@example.com'"),
            );
            return None;
        }
        // publisherEmail maxLength 100 (ApiManagementServiceProperties, 2024-05-01).
        if s.chars().count() > 100 {
            self.report(
                Diagnostic::new("too-long", "is longer than 100 characters")
                    .path(path)
                    .at(value.span)
                    .help("API Management accepts publisher emails of up to 100 characters"),
            );
            return None;
        }
        Some(value.value)
    }

    fn publisher_name(&mut self, node: &Node) -> Option<String> {
        let value = self.text(node, "apimPublisherName")?;
        if value.value.chars().count() > 100 {
            self.report(
                Diagnostic::new("too-long", "is longer than 100 characters")
                    .path("apimPublisherName")
                    .at(value.span)
                    .help("API Management accepts publisher names of up to 100 characters"),
            );
            return None;
        }
        Some(value.value)
    }

    fn tags(&mut self, node: &Node) -> Option<BTreeMap<String, String>> {
        let Value::Object(entries) = &node.value else {
            self.type_error(node, "tags", "an object", "{ costCenter: '1234' }");
            return None;
        };
        let mut tags = BTreeMap::new();
        let mut ok = true;
        if entries.len() > MAX_TAGS {
            self.report(
                Diagnostic::new(
                    "too-many-tags",
                    format!(
                        "has {} tags; Azure allows at most {MAX_TAGS}",
                        entries.len()
                    ),
                )
                .path("tags")
                .at(node.span)
                .help("remove tags"),
            );
            ok = false;
        }
        for entry in entries {
            let path = format!("tags.{}", entry.key);
            if entry.key.is_empty()
                || entry.key.chars().count() > 512
                || entry.key.contains(['<', '>', '%', '&', '\\', '?', '/'])
            {
                self.report(
                    Diagnostic::new(
                        "invalid-tag-name",
                        format!("`{}` is not a valid tag name", entry.key),
                    )
                    .path(path.clone())
                    .at(entry.key_span)
                    .help("tag names are 1-512 characters without < > % & \\ ? /"),
                );
                ok = false;
            }
            match &entry.value.value {
                Value::String(s) if s.chars().count() <= 256 => {
                    tags.insert(entry.key.clone(), s.clone());
                }
                Value::String(_) => {
                    self.report(
                        Diagnostic::new("too-long", "tag values are at most 256 characters")
                            .path(path)
                            .at(entry.value.span)
                            .help("shorten the value"),
                    );
                    ok = false;
                }
                _ => {
                    self.type_error(&entry.value, &path, "a string", "a quoted string");
                    ok = false;
                }
            }
        }
        ok.then_some(tags)
    }

    fn regions(&mut self, node: &Node) -> Option<Vec<RawRegion>> {
        let items = self.array(node, "openAILocations")?;
        if items.is_empty() {
            self.report(
                Diagnostic::new("empty-value", "needs at least one region")
                    .path("openAILocations")
                    .at(node.span)
                    .help("add { name: 'westeurope', abbreviation: 'weu', deployments: [ ... ] }"),
            );
            return None;
        }
        let known = catalog::names(catalog::REGION);
        let mut regions = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("openAILocations[{i}]");
            let Some(fields) = self.object(item, &path, &known) else {
                continue;
            };
            let name = match fields.get("name") {
                Some(n) => self.region_name(n, &join(&path, "name")),
                None => {
                    self.missing(
                        &join(&path, "name"),
                        Some(fields.span),
                        "add name: 'swedencentral'",
                    );
                    None
                }
            };
            let abbreviation = match fields.get("abbreviation") {
                Some(n) => self
                    .string(n, &join(&path, "abbreviation"))
                    .and_then(|a| self.component(a, &join(&path, "abbreviation"))),
                None => {
                    self.missing(
                        &join(&path, "abbreviation"),
                        Some(fields.span),
                        "add abbreviation: 'sec'",
                    );
                    None
                }
            };
            let region_priority = match fields.get("priority") {
                Some(n) => self
                    .priority(n, &join(&path, "priority"))
                    .map(|p| (p, join(&path, "priority"))),
                // Default: the region's position, so openAILocations order is the priority order.
                None => Some((
                    At {
                        value: i as i64 + 1,
                        span: fields.span,
                    },
                    join(&path, "priority"),
                )),
            };
            let deployments = match fields.get("deployments") {
                Some(n) => self.deployments(n, &path, region_priority.as_ref()),
                None => {
                    self.missing(
                        &join(&path, "deployments"),
                        Some(fields.span),
                        "add deployments: [ { deploymentName: ..., ... } ]",
                    );
                    Vec::new()
                }
            };
            regions.push(RawRegion {
                path,
                name,
                abbreviation,
                deployments,
            });
        }
        Some(regions)
    }

    fn priority(&mut self, node: &Node, path: &str) -> Option<At<i64>> {
        let p = self.int(node, path)?;
        if !PRIORITY_RANGE.contains(&p.value) {
            self.report(
                Diagnostic::new(
                    "out-of-range",
                    format!("priority {} is outside 0–100", p.value),
                )
                .path(path)
                .at(p.span)
                .help("API Management pool priorities are 0 to 100; lower is tried first"),
            );
            return None;
        }
        Some(p)
    }

    fn deployments(
        &mut self,
        node: &Node,
        region_path: &str,
        region_priority: Option<&(At<i64>, String)>,
    ) -> Vec<RawDeployment> {
        let path = join(region_path, "deployments");
        let Some(items) = self.array(node, &path) else {
            return Vec::new();
        };
        if items.is_empty() {
            self.report(
                Diagnostic::new("empty-value", "needs at least one model deployment")
                    .path(path.clone())
                    .at(node.span)
                    .help("add a deployment, or remove the region"),
            );
        }
        let known = catalog::names(catalog::DEPLOYMENT);
        let mut out = Vec::new();
        for (j, item) in items.iter().enumerate() {
            let path = format!("{path}[{j}]");
            let Some(fields) = self.object(item, &path, &known) else {
                continue;
            };
            let required_text = |v: &mut Self, key: &str, example: &str| -> Option<At<String>> {
                match fields.get(key) {
                    Some(n) => v.text(n, &join(&path, key)),
                    None => {
                        v.missing(
                            &join(&path, key),
                            Some(fields.span),
                            format!("add {key}: {example}"),
                        );
                        None
                    }
                }
            };
            let name = required_text(self, "deploymentName", "'gpt-5.4-mini'");
            let model_name = required_text(self, "modelName", "'gpt-5.4-mini'");
            let model_version = required_text(self, "modelVersion", "'2026-03-17'");
            let sku_name = required_text(self, "skuName", "'GlobalStandard'")
                .and_then(|s| self.sku_name(s, &join(&path, "skuName")));
            let sku_capacity = match fields.get("skuCapacity") {
                Some(n) => self.capacity(n, &join(&path, "skuCapacity")),
                None => {
                    self.missing(
                        &join(&path, "skuCapacity"),
                        Some(fields.span),
                        "add skuCapacity: 10",
                    );
                    None
                }
            };
            let name = name.and_then(|n| self.deployment_name(n, &join(&path, "deploymentName")));
            let (priority, priority_path) = match fields.get("priority") {
                Some(n) => (
                    self.priority(n, &join(&path, "priority")),
                    join(&path, "priority"),
                ),
                None => match region_priority {
                    Some((p, p_path)) => (Some(p.clone()), p_path.clone()),
                    None => (None, join(&path, "priority")),
                },
            };
            out.push(RawDeployment {
                path,
                name,
                model_name,
                model_version,
                sku_name,
                sku_capacity,
                priority,
                priority_path,
            });
        }
        out
    }

    fn sku_name(&mut self, value: At<String>, path: &str) -> Option<At<String>> {
        if DEPLOYMENT_SKUS.contains(&value.value.as_str()) {
            return Some(value);
        }
        let help = match crate::suggest::closest(&value.value, DEPLOYMENT_SKUS.iter().copied()) {
            Some(candidate) => format!("did you mean '{candidate}'?"),
            None => format!("use one of: {}", DEPLOYMENT_SKUS.join(", ")),
        };
        self.report(
            Diagnostic::new(
                "unknown-sku",
                format!("`{}` is not a deployment SKU Azure accepts", value.value),
            )
            .path(path)
            .at(value.span)
            .help(help),
        );
        None
    }

    fn capacity(&mut self, node: &Node, path: &str) -> Option<u32> {
        let c = self.int(node, path)?;
        // sku.capacity is int32 in the Cognitive Services spec.
        match u32::try_from(c.value) {
            Ok(n) if n > 0 && c.value <= i64::from(i32::MAX) => Some(n),
            _ => {
                self.report(
                    Diagnostic::new(
                        "out-of-range",
                        format!("capacity {} must be greater than 0", c.value),
                    )
                    .path(path)
                    .at(c.span)
                    .help(
                        "give the capacity in the SKU's unit, e.g. 10 (thousand tokens per minute)",
                    ),
                );
                None
            }
        }
    }

    fn deployment_name(&mut self, value: At<String>, path: &str) -> Option<At<String>> {
        let problems = NameKind::ModelDeployment.problems(&value.value);
        if problems.is_empty() {
            return Some(value);
        }
        self.report(
            name_diagnostic(NameKind::ModelDeployment, &value.value, &problems)
                .path(path)
                .at(value.span),
        );
        None
    }

    fn cross_region_checks(&mut self, regions: &[RawRegion]) {
        // Region names and abbreviations are unique.
        for (i, region) in regions.iter().enumerate() {
            let earlier = &regions[..i];
            if let Some(name) = &region.name
                && let Some(first) = earlier
                    .iter()
                    .find(|r| r.name.as_ref().is_some_and(|n| n.value == name.value))
            {
                self.report(
                    Diagnostic::new(
                        "duplicate-region",
                        format!(
                            "region `{}` is listed twice (also {})",
                            name.value, first.path
                        ),
                    )
                    .path(join(&region.path, "name"))
                    .at(name.span)
                    .help("each region appears once; put all of its deployments in one entry"),
                );
            }
            if let Some(abbr) = &region.abbreviation
                && let Some(first) = earlier.iter().find(|r| {
                    r.abbreviation
                        .as_ref()
                        .is_some_and(|a| a.value == abbr.value)
                })
            {
                self.report(
                    Diagnostic::new(
                        "duplicate-abbreviation",
                        format!(
                            "abbreviation `{}` is already used by {}",
                            abbr.value, first.path
                        ),
                    )
                    .path(join(&region.path, "abbreviation"))
                    .at(abbr.span)
                    .help("abbreviations become part of resource names and must be unique"),
                );
            }
            // A deployment name appears once per region.
            for (j, deployment) in region.deployments.iter().enumerate() {
                let Some(name) = &deployment.name else {
                    continue;
                };
                if region.deployments[..j]
                    .iter()
                    .any(|d| d.name.as_ref().is_some_and(|n| n.value == name.value))
                {
                    self.report(
                        Diagnostic::new(
                            "duplicate-deployment",
                            format!("deployment `{}` appears twice in this region", name.value),
                        )
                        .path(join(&deployment.path, "deploymentName"))
                        .at(name.span)
                        .help("give each deployment in a region its own name"),
                    );
                }
            }
        }

        // Per deployment name across regions: one model, distinct priorities, at most 30 members.
        let mut seen: Vec<(&str, Vec<(&RawRegion, &RawDeployment)>)> = Vec::new();
        for region in regions {
            for deployment in &region.deployments {
                let Some(name) = &deployment.name else {
                    continue;
                };
                match seen.iter_mut().find(|(n, _)| *n == name.value) {
                    Some((_, members)) => members.push((region, deployment)),
                    None => seen.push((&name.value, vec![(region, deployment)])),
                }
            }
        }
        for (name, members) in &seen {
            let (first_region, first) = members[0];
            for (_, deployment) in &members[1..] {
                for (field, mine, theirs) in [
                    ("modelName", &deployment.model_name, &first.model_name),
                    (
                        "modelVersion",
                        &deployment.model_version,
                        &first.model_version,
                    ),
                ] {
                    if let (Some(mine), Some(theirs)) = (mine, theirs)
                        && mine.value != theirs.value
                    {
                        self.report(
                            Diagnostic::new(
                                "pool-model-mismatch",
                                format!(
                                    "deployment `{name}` uses {field} `{}` here but `{}` in {}",
                                    mine.value,
                                    theirs.value,
                                    first_region.name.as_ref().map_or(first_region.path.as_str(), |n| n.value.as_str())
                                ),
                            )
                            .path(join(&deployment.path, field))
                            .at(mine.span)
                            .help(format!(
                                "one pool serves every region of `{name}`, so all must run the same model; \
                                 use the same {field}, or give this deployment another deploymentName"
                            )),
                        );
                    }
                }
            }
            for (k, (_, deployment)) in members.iter().enumerate() {
                let Some(priority) = &deployment.priority else {
                    continue;
                };
                if let Some((other_region, _)) = members[..k].iter().find(|(_, d)| {
                    d.priority
                        .as_ref()
                        .is_some_and(|p| p.value == priority.value)
                }) {
                    let other = other_region
                        .name
                        .as_ref()
                        .map_or(other_region.path.as_str(), |n| n.value.as_str());
                    self.report(
                        Diagnostic::new(
                            "duplicate-priority",
                            format!("deployment `{name}` has priority {} here and in {other}", priority.value),
                        )
                        .path(deployment.priority_path.clone())
                        .at(priority.span)
                        .help("pools route strictly by priority (1 → 2 → 3); give each region of this deployment its own priority"),
                    );
                }
            }
            if members.len() * 2 > MAX_POOL_MEMBERS {
                let (_, extra) = members[MAX_POOL_MEMBERS / 2];
                let span = extra.name.as_ref().map(|n| n.span);
                let mut diagnostic = Diagnostic::new(
                    "pool-too-large",
                    format!(
                        "deployment `{name}` is in {} regions; its pool would have {} members, API Management allows {MAX_POOL_MEMBERS}",
                        members.len(),
                        members.len() * 2
                    ),
                )
                .path(join(&extra.path, "deploymentName"))
                .help(format!("serve `{name}` from at most {} regions", MAX_POOL_MEMBERS / 2));
                if let Some(span) = span {
                    diagnostic = diagnostic.at(span);
                }
                self.report(diagnostic);
            }
        }
    }

    /// Checks every derived name; each failure is reported once, at the parameter that causes it.
    fn derived_names(
        &mut self,
        names: &Names,
        suffix: &At<String>,
        suffix_span: Option<Span>,
        regions: &[RawRegion],
    ) {
        let suffix_span = suffix_span.unwrap_or(suffix.span);
        // Shared resources: too long because of environment + suffix.
        let stack_names = [
            (NameKind::ResourceGroup, names.resource_group()),
            (NameKind::ManagedIdentity, names.identity()),
            (
                NameKind::LogAnalyticsWorkspace,
                names.log_analytics_workspace(),
            ),
            (
                NameKind::DataCollectionEndpoint,
                names.data_collection_endpoint(),
            ),
            (NameKind::DataCollectionRule, names.data_collection_rule()),
            (NameKind::ApiManagementService, names.api_management()),
        ];
        let mut too_long: Vec<String> = Vec::new();
        let mut suffix_budget = usize::MAX;
        let suffix_len = suffix.value.chars().count();
        for (kind, name) in &stack_names {
            let rule = kind.rule();
            let len = name.chars().count();
            if len > rule.max {
                too_long.push(format!("{kind} `{name}` ({len} > {})", rule.max));
                suffix_budget = suffix_budget.min((rule.max + suffix_len).saturating_sub(len));
            }
        }
        // Regional resources: the abbreviation is to blame unless no abbreviation could fit.
        let per_region = [NameKind::CognitiveServicesAccount, NameKind::FoundryProject];
        let abbreviation_budget = per_region
            .iter()
            .map(|kind| {
                let fixed = match kind {
                    NameKind::CognitiveServicesAccount => names.account(""),
                    _ => names.project(""),
                };
                kind.rule().max.saturating_sub(fixed.chars().count())
            })
            .min()
            .unwrap_or(usize::MAX);
        let shortest_abbreviation = regions
            .iter()
            .filter_map(|r| r.abbreviation.as_ref().map(|a| a.value.chars().count()))
            .min()
            .unwrap_or(1);
        if abbreviation_budget < shortest_abbreviation.max(1) {
            for kind in per_region {
                let example = match kind {
                    NameKind::CognitiveServicesAccount => names.account("xx"),
                    _ => names.project("xx"),
                };
                let len = example.chars().count();
                too_long.push(format!("{kind} `{example}` ({len} > {})", kind.rule().max));
                suffix_budget =
                    suffix_budget.min((kind.rule().max + suffix_len).saturating_sub(len));
            }
        } else {
            for region in regions {
                let Some(abbr) = &region.abbreviation else {
                    continue;
                };
                if abbr.value.chars().count() > abbreviation_budget {
                    self.report(
                        Diagnostic::new(
                            "derived-name-too-long",
                            format!(
                                "abbreviation `{}` makes the AI Foundry account name `{}` too long",
                                abbr.value,
                                names.account(&abbr.value)
                            ),
                        )
                        .path(join(&region.path, "abbreviation"))
                        .at(abbr.span)
                        .help(format!("with this environment and suffix, abbreviations can have at most {abbreviation_budget} characters")),
                    );
                }
            }
        }
        if !too_long.is_empty() {
            let help = if suffix_budget == 0 {
                "shorten `environment` and `suffix`".to_string()
            } else {
                format!(
                    "shorten `suffix` to at most {suffix_budget} characters (or shorten `environment`)"
                )
            };
            self.report(
                Diagnostic::new(
                    "derived-name-too-long",
                    format!(
                        "`{}` makes {} derived name(s) too long: {}",
                        suffix.value,
                        too_long.len(),
                        too_long.join("; ")
                    ),
                )
                .path("suffix")
                .at(suffix_span)
                .help(help),
            );
        }

        self.unique_apim_ids(regions);

        // Deployment names become APIM backend and pool ids.
        let mut checked: Vec<&str> = Vec::new();
        for region in regions {
            let abbr = region
                .abbreviation
                .as_ref()
                .map_or("xxx", |a| a.value.as_str());
            for deployment in &region.deployments {
                let Some(name) = &deployment.name else {
                    continue;
                };
                if checked.contains(&name.value.as_str()) {
                    continue;
                }
                checked.push(&name.value);
                let ids = [
                    naming::aoai_backend_id(&name.value, abbr),
                    naming::oaiv1_backend_id(&name.value, abbr),
                    naming::pool_id(&name.value),
                ];
                let bad: Vec<String> = ids
                    .iter()
                    .filter_map(|id| {
                        let problems = NameKind::ApiManagementEntity.problems(id);
                        (!problems.is_empty()).then(|| {
                            let what: Vec<String> =
                                problems.iter().map(ToString::to_string).collect();
                            format!("`{id}` {}", what.join(", "))
                        })
                    })
                    .collect();
                if !bad.is_empty() {
                    self.report(
                        Diagnostic::new(
                            "derived-name-invalid",
                            format!("deployment name `{}` gives API Management ids Azure rejects: {}", name.value, bad.join("; ")),
                        )
                        .path(join(&deployment.path, "deploymentName"))
                        .at(name.span)
                        .help("API Management backend and pool ids allow letters, digits and '-' ('.' becomes '-dot-'), up to 80 characters; rename the deployment"),
                    );
                }
            }
        }
    }

    /// Different deployments must not end up with the same APIM id: `a.b` and `a-dot-b` give the
    /// same pool, and deployment/abbreviation splits such as `x-a`+`b` and `x`+`a-b` the same
    /// backend. One would overwrite the other on every run.
    fn unique_apim_ids(&mut self, regions: &[RawRegion]) {
        let mut owners: Vec<(String, String, String)> = Vec::new(); // (id, deployment, region)
        let mut reported: Vec<(String, String)> = Vec::new(); // one report per pair of names
        let mut abbreviations: Vec<&str> = Vec::new();
        for region in regions {
            let (Some(abbr), Some(region_name)) = (&region.abbreviation, &region.name) else {
                continue;
            };
            // A repeated abbreviation is reported as such; its ids clash for that reason alone.
            if abbreviations.contains(&abbr.value.as_str()) {
                continue;
            }
            abbreviations.push(&abbr.value);
            for deployment in &region.deployments {
                let Some(name) = &deployment.name else {
                    continue;
                };
                let ids = [
                    naming::pool_id(&name.value),
                    naming::aoai_backend_id(&name.value, &abbr.value),
                    naming::oaiv1_backend_id(&name.value, &abbr.value),
                ];
                for id in ids {
                    let clash = owners.iter().find(|(other_id, other_dep, other_region)| {
                        *other_id == id
                            && (other_dep != &name.value
                                || (other_region != &region_name.value && !id.starts_with("pool-")))
                    });
                    if let Some((_, other_dep, other_region)) = clash {
                        let pair = (other_dep.clone(), name.value.clone());
                        if reported.contains(&pair) {
                            break;
                        }
                        reported.push(pair);
                        let message = format!(
                            "deployment `{}` in {} and `{other_dep}` in {other_region} both become the API Management id `{id}`",
                            name.value, region_name.value
                        );
                        self.report(
                            Diagnostic::new("derived-name-collision", message)
                                .path(join(&deployment.path, "deploymentName"))
                                .at(name.span)
                                .help("rename one deployment (a '.' becomes '-dot-') or change a region abbreviation"),
                        );
                        break;
                    }
                    owners.push((id, name.value.clone(), region_name.value.clone()));
                }
            }
        }
    }

    fn finish_regions(&mut self, raw: Vec<RawRegion>) -> Option<Vec<RegionSpec>> {
        let mut regions = Vec::with_capacity(raw.len());
        for region in raw {
            let mut deployments = Vec::with_capacity(region.deployments.len());
            for d in region.deployments {
                deployments.push(ModelDeploymentSpec {
                    name: d.name?.value,
                    model_name: d.model_name?.value,
                    model_version: d.model_version?.value,
                    sku_name: d.sku_name?.value,
                    sku_capacity: d.sku_capacity?,
                    priority: u8::try_from(d.priority?.value).ok()?,
                });
            }
            regions.push(RegionSpec {
                name: region.name?.value,
                abbreviation: region.abbreviation?.value,
                deployments,
            });
        }
        Some(regions)
    }
}

fn join(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

fn name_diagnostic(kind: NameKind, name: &str, problems: &[NameProblem]) -> Diagnostic {
    let what: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let rule = kind.rule();
    Diagnostic::new(
        "invalid-name",
        format!("`{name}` is not a valid {kind}: it {}", what.join("; it ")),
    )
    .help(format!(
        "a {kind} has {}-{} characters: {}; it {}",
        rule.min, rule.max, rule.allowed, rule.edges
    ))
}

#[cfg(test)]
mod tests;
