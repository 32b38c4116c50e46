//! Regions and deployments: each entry of `openAILocations` and of its `deployments` read into
//! raw values (every field checked on its own, priorities resolved), and, once every check has
//! passed, turned into [`RegionSpec`]s. What must hold across entries is `unique`'s job.

use serde_json::json;

use super::hints::MORE;
use super::{At, Validator, join, name_diagnostic};
use crate::diagnostic::{Diagnostic, shown};
use crate::naming::NameKind;
use crate::params::catalog::{self, DEPLOYMENT_SKUS};
use crate::params::value::Node;
use crate::spec::{ModelDeploymentSpec, RegionSpec};

/// APIM pools accept priorities 0–100 (BackendPoolItem.priority in the 2024-05-01 spec).
const PRIORITY_RANGE: std::ops::RangeInclusive<i64> = 0..=100;
/// `sku.capacity` is `int32` in the Cognitive Services spec (2025-06-01, definitions `Sku`), and
/// a deployment needs some capacity.
const CAPACITY_RANGE: std::ops::RangeInclusive<i64> = 1..=i32::MAX as i64;

/// One region as read, before cross-region checks.
pub(super) struct RawRegion {
    pub(super) path: String,
    pub(super) name: Option<At<String>>,
    pub(super) abbreviation: Option<At<String>>,
    pub(super) deployments: Vec<RawDeployment>,
}

pub(super) struct RawDeployment {
    pub(super) path: String,
    pub(super) name: Option<At<String>>,
    pub(super) model_name: Option<At<String>>,
    pub(super) model_version: Option<At<String>>,
    pub(super) sku_name: Option<At<String>>,
    pub(super) sku_capacity: Option<u32>,
    /// The effective priority and where it was written (the deployment, the region, or neither).
    pub(super) priority: Option<At<i64>>,
    pub(super) priority_path: String,
}

impl Validator<'_> {
    pub(super) fn regions(&mut self, node: &Node) -> Option<Vec<RawRegion>> {
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

    pub(super) fn finish_regions(&mut self, raw: Vec<RawRegion>) -> Option<Vec<RegionSpec>> {
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
