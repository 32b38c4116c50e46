//! The stack: the top-level parameters, read in one pass into a [`StackSpec`], with the
//! cross-region and derived-name checks run once the parts they need are read.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use super::hints::MORE;
use super::{At, Validator};
use crate::diagnostic::{Diagnostic, shown};
use crate::naming::{NameKind, NameOverrides, Names};
use crate::params::catalog;
use crate::params::value::Param;
use crate::source::Span;
use crate::spec::{Publisher, StackSpec};

impl Validator<'_> {
    pub(super) fn stack(&mut self, params: &[Param]) -> Option<StackSpec> {
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
}
