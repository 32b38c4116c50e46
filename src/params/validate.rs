//! Turns parsed parameters into a [`StackSpec`], reporting every problem at once.
//!
//! Checks run per field first (types, required fields, ranges; this file), then across fields
//! (uniqueness, pool consistency: `unique`), then on derived Azure names (`derived`). A derived
//! name that breaks a rule is reported once at the parameter that causes it (usually `suffix`),
//! not once per resource. Help texts show examples in the syntax of the file (`hints`). Values
//! from the file are echoed through [`shown`] (escaped and cut). Every check is linear in the
//! size of the file, so a file with thousands of mistakes is checked as fast as a correct one.

mod derived;
mod hints;
mod unique;

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use super::ParamFormat;
use super::catalog::{self, DEPLOYMENT_SKUS};
use super::value::{Entry, Node, Param, Value};
use crate::diagnostic::{Diagnostic, shown};
use crate::naming::{NameKind, NameOverrides, NameProblem, Names};
use crate::regions;
use crate::source::Span;
use crate::spec::{ModelDeploymentSpec, Publisher, RegionSpec, StackSpec};
use hints::{Hints, MORE};

/// APIM pools accept priorities 0–100 (BackendPoolItem.priority in the 2024-05-01 spec).
const PRIORITY_RANGE: std::ops::RangeInclusive<i64> = 0..=100;
/// APIM allows at most 30 members per pool, and every region adds two.
const MAX_POOL_MEMBERS: usize = 30;
/// ARM allows 50 tags per resource; names up to 512 characters, values up to 256.
const MAX_TAGS: usize = 50;
/// `sku.capacity` is `int32` in the Cognitive Services spec (2025-06-01, definitions `Sku`), and
/// a deployment needs some capacity.
const CAPACITY_RANGE: std::ops::RangeInclusive<i64> = 1..=i32::MAX as i64;

#[derive(Clone, Debug, Default)]
pub struct ValidateOptions {
    /// Regions accepted although they are not in [`regions::KNOWN_REGIONS`].
    pub allowed_regions: Vec<String>,
}

/// Checks `params` read from a file in `format` (help texts use its syntax).
pub fn validate(
    params: &[Param],
    format: ParamFormat,
    options: &ValidateOptions,
) -> Result<StackSpec, Vec<Diagnostic>> {
    let mut v = Validator {
        problems: Vec::new(),
        options,
        hints: Hints(format),
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
    hints: Hints,
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

    /// `example` is a value in the file's syntax, or words such as "a quoted string".
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

    /// A string that must not be empty or only whitespace, nor hold control characters.
    fn text(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        let s = self.string(node, path)?;
        if !self.no_control_characters(&s, path) {
            return None;
        }
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

    /// Control characters (line breaks, tabs, ESC, ...) and invisible bidirectional controls have
    /// no place in a name, an address or a tag: they can only be a mistake (a line break from
    /// `readEnvironmentVariable`, a pasted value), and they would reach notification emails, the
    /// portal and logs. Azure checks only the length of free text such as the publisher name
    /// (`publisherName`: maxLength 100 in the API Management spec; hashicorp/
    /// terraform-provider-azurerm#2067), so aigw refuses them itself.
    fn no_control_characters(&mut self, value: &At<String>, path: &str) -> bool {
        let Some(c) = value
            .value
            .chars()
            .find(|c| c.is_control() || crate::diagnostic::is_escaped(*c))
        else {
            return true;
        };
        self.report(
            Diagnostic::new(
                "control-character",
                format!(
                    "`{}` contains the control character {} (U+{:04X})",
                    shown(&value.value),
                    c.escape_default(),
                    u32::from(c)
                ),
            )
            .path(path)
            .at(value.span)
            .help("remove it; line breaks, tabs and other control characters are not allowed here"),
        );
        false
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
                        .help(format!("remove the quotes: {}", shown(s.trim()))),
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
                let example = self.hints.value(&json!([MORE]));
                self.type_error(node, path, "an array", &example);
                None
            }
        }
    }

    /// The object's fields; unknown keys are reported with a suggestion.
    fn object<'n>(&mut self, node: &'n Node, path: &str, known: &[&str]) -> Option<Fields<'n>> {
        let Value::Object(entries) = &node.value else {
            let mut field = serde_json::Map::new();
            field.insert(known[0].to_string(), json!(MORE));
            let example = self.hints.value(&serde_json::Value::Object(field));
            self.type_error(node, path, "an object", &example);
            return None;
        };
        for entry in entries {
            if !known.contains(&entry.key.as_str()) {
                let here = join(path, &entry.key);
                let mut diagnostic = Diagnostic::new(
                    "unknown-field",
                    format!("unknown field `{}`", shown(&entry.key)),
                )
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
        // Declared parameters aigw reads; one without a value had its problem reported already.
        let mut by_name: HashMap<&str, &Param> = HashMap::new();
        for param in params {
            if known.contains(&param.name.as_str()) {
                by_name.insert(param.name.as_str(), param);
            } else {
                let mut diagnostic = Diagnostic::new(
                    "unknown-parameter",
                    format!("unknown parameter `{}`", shown(&param.name)),
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
        let get = |name: &str| by_name.get(name).and_then(|p| p.value.as_ref());
        // The value of a required parameter; "missing" only when it is not declared at all.
        let required =
            |v: &mut Self, name: &str, example: serde_json::Value| match by_name.get(name) {
                Some(param) => param.value.as_ref(),
                None => {
                    let help = v.hints.add_param(name, &example);
                    v.missing(name, None, help);
                    None
                }
            };

        let environment = required(self, "environment", json!("acc"))
            .and_then(|node| self.name_part(node, "environment"));
        let suffix =
            required(self, "suffix", json!("x7k")).and_then(|node| self.name_part(node, "suffix"));
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
        let publisher_email = required(self, "apimPublisherEmail", json!("platform@example.com"))
            .and_then(|node| self.email(node, "apimPublisherEmail"));
        let publisher_name = required(self, "apimPublisherName", json!("Contoso Platform"))
            .and_then(|node| self.publisher_name(node));
        let tags = match get("tags") {
            Some(node) => self.tags(node),
            None => Some(BTreeMap::new()),
        };
        let trip_on_server_errors = match get("tripOnServerErrors") {
            Some(node) => self.boolean(node, "tripOnServerErrors"),
            None => Some(true),
        };
        let raw_regions = required(
            self,
            "openAILocations",
            json!([{ "name": "westeurope", "abbreviation": "weu", "deployments": [MORE] }]),
        )
        .and_then(|node| self.regions(node));
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
            let suffix_param = get("suffix").map(|node| node.span);
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

    /// `environment` or `suffix`: pieces every name is built from.
    fn name_part(&mut self, node: &Node, path: &str) -> Option<At<String>> {
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
                "use lower-case letters and digits, optionally joined by single hyphens, e.g. {}",
                self.hints.string(&shown(&fixed))
            )
        };
        self.report(
            Diagnostic::new(
                "invalid-name-part",
                format!("`{}` cannot be part of Azure resource names", shown(s)),
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
        let name = shown(&value.value);
        let help = match regions::programmatic_name(&value.value) {
            Some(known) if known != value.value => {
                format!("write the ARM location name {}", self.hints.string(known))
            }
            _ => {
                match crate::suggest::closest(&value.value, regions::KNOWN_REGIONS.iter().copied())
                {
                    Some(candidate) => format!(
                        "did you mean {}? If `{name}` is a new Azure region, pass --allow-region {name}",
                        self.hints.string(candidate)
                    ),
                    None => format!(
                        "use an ARM location name such as {}; if `{name}` is a new Azure region, pass --allow-region {name}",
                        self.hints.string("westeurope")
                    ),
                }
            }
        };
        self.report(
            Diagnostic::new(
                "unknown-region",
                format!("`{name}` is not a known Azure region"),
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
                Diagnostic::new(
                    "invalid-email",
                    format!("`{}` is not an email address", shown(s)),
                )
                .path(path)
                .at(value.span)
                .help(format!(
                    "write one address such as {}",
                    self.hints.string("platform@example.com")
                )),
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
            let example = self.hints.value(&json!({ "costCenter": "1234" }));
            self.type_error(node, "tags", "an object", &example);
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
        // "Tag names are case-insensitive for operations" (Microsoft Learn, "Use tags to organize
        // your Azure resources": https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources):
        // `Owner` and `owner` are one tag, and one value would silently replace the other.
        let mut seen: HashMap<String, &Entry> = HashMap::new();
        for entry in entries {
            let path = format!("tags.{}", entry.key);
            let name = At {
                value: entry.key.clone(),
                span: entry.key_span,
            };
            if entry.key.is_empty()
                || entry.key.chars().count() > 512
                || entry.key.contains(['<', '>', '%', '&', '\\', '?', '/'])
            {
                self.report(
                    Diagnostic::new(
                        "invalid-tag-name",
                        format!("`{}` is not a valid tag name", shown(&entry.key)),
                    )
                    .path(path.clone())
                    .at(entry.key_span)
                    .help("tag names are 1-512 characters without < > % & \\ ? /"),
                );
                ok = false;
            } else if !self.no_control_characters(&name, &path) {
                ok = false;
            }
            match seen.get(&entry.key.to_lowercase()) {
                Some(first) => {
                    self.report(
                        Diagnostic::new(
                            "duplicate-tag",
                            format!(
                                "tag `{}` differs from `{}` only in case; Azure tag names ignore case, so one would replace the other",
                                shown(&entry.key),
                                shown(&first.key)
                            ),
                        )
                        .path(path.clone())
                        .at(entry.key_span)
                        .also(first.key_span, "the other")
                        .help("keep one of the two"),
                    );
                    ok = false;
                }
                None => {
                    seen.insert(entry.key.to_lowercase(), entry);
                }
            }
            match &entry.value.value {
                Value::String(s) if s.chars().count() <= 256 => {
                    let value = At {
                        value: s.clone(),
                        span: entry.value.span,
                    };
                    if self.no_control_characters(&value, &path) {
                        tags.insert(entry.key.clone(), value.value);
                    } else {
                        ok = false;
                    }
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
                    .help(format!(
                        "add {}",
                        self.hints.value(&json!({ "name": "westeurope", "abbreviation": "weu", "deployments": [MORE] }))
                    )),
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
                        format!("add {}", self.hints.field("name", &json!("swedencentral"))),
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
                        format!("add {}", self.hints.field("abbreviation", &json!("sec"))),
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
                        format!(
                            "add {}",
                            self.hints.field(
                                "deployments",
                                &json!([{ "deploymentName": MORE, "modelName": MORE }])
                            )
                        ),
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
                let example = json!(example);
                match fields.get(key) {
                    Some(n) => v.text(n, &join(&path, key)),
                    None => {
                        v.missing(
                            &join(&path, key),
                            Some(fields.span),
                            format!("add {}", v.hints.field(key, &example)),
                        );
                        None
                    }
                }
            };
            let name = required_text(self, "deploymentName", "gpt-5.4-mini");
            let model_name = required_text(self, "modelName", "gpt-5.4-mini");
            let model_version = required_text(self, "modelVersion", "2026-03-17");
            let sku_name = required_text(self, "skuName", "GlobalStandard")
                .and_then(|s| self.sku_name(s, &join(&path, "skuName")));
            let sku_capacity = match fields.get("skuCapacity") {
                Some(n) => self.capacity(n, &join(&path, "skuCapacity")),
                None => {
                    self.missing(
                        &join(&path, "skuCapacity"),
                        Some(fields.span),
                        format!("add {}", self.hints.field("skuCapacity", &json!(10))),
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
            Some(candidate) => format!("did you mean {}?", self.hints.string(candidate)),
            None => format!("use one of: {}", DEPLOYMENT_SKUS.join(", ")),
        };
        self.report(
            Diagnostic::new(
                "unknown-sku",
                format!(
                    "`{}` is not a deployment SKU Azure accepts",
                    shown(&value.value)
                ),
            )
            .path(path)
            .at(value.span)
            .help(help),
        );
        None
    }

    fn capacity(&mut self, node: &Node, path: &str) -> Option<u32> {
        let c = self.int(node, path)?;
        if let Ok(capacity) = u32::try_from(c.value)
            && CAPACITY_RANGE.contains(&c.value)
        {
            return Some(capacity);
        }
        let (message, help) = if c.value < *CAPACITY_RANGE.start() {
            (
                format!("capacity {} must be greater than 0", c.value),
                "give the capacity in the SKU's unit, e.g. 10 (thousand tokens per minute)",
            )
        } else {
            (
                format!(
                    "capacity {} is larger than {}, the largest capacity Azure accepts (a 32-bit integer)",
                    c.value,
                    CAPACITY_RANGE.end()
                ),
                "give the capacity in the SKU's unit, e.g. 10 (thousand tokens per minute); real capacities are far smaller",
            )
        };
        self.report(
            Diagnostic::new("out-of-range", message)
                .path(path)
                .at(c.span)
                .help(help),
        );
        None
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
        format!(
            "`{}` is not a valid {kind}: it {}",
            shown(name),
            what.join("; it ")
        ),
    )
    .help(format!(
        "a {kind} has {}-{} characters: {}; it {}",
        rule.min, rule.max, rule.allowed, rule.edges
    ))
}

#[cfg(test)]
mod tests;
