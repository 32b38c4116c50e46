//! Checks of the Azure names derived from the parameters: each failure is reported once, at the
//! parameter that causes it (usually `suffix`, or one region's abbreviation), not per resource.

use std::collections::HashSet;

use super::regions::RawRegion;
use super::{At, Validator, join};
use crate::diagnostic::{Diagnostic, shown};
use crate::naming::{self, NameKind, Names};
use crate::source::Span;

impl Validator<'_> {
    /// Checks every derived name; each failure is reported once, at the parameter that causes it.
    pub(super) fn derived_names(
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
                too_long.push(format!("{kind} `{}` ({len} > {})", shown(name), rule.max));
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
                too_long.push(format!(
                    "{kind} `{}` ({len} > {})",
                    shown(&example),
                    kind.rule().max
                ));
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
                                shown(&abbr.value),
                                shown(&names.account(&abbr.value))
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
                        shown(&suffix.value),
                        too_long.len(),
                        too_long.join("; ")
                    ),
                )
                .path("suffix")
                .at(suffix_span)
                .help(help),
            );
        }

        // Deployment names become APIM backend and pool ids (checked once per spelling).
        let mut checked: HashSet<&str> = HashSet::new();
        for region in regions {
            let abbr = region
                .abbreviation
                .as_ref()
                .map_or("xxx", |a| a.value.as_str());
            for deployment in &region.deployments {
                let Some(name) = &deployment.name else {
                    continue;
                };
                if !checked.insert(&name.value) {
                    continue;
                }
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
                            format!("`{}` {}", shown(id), what.join(", "))
                        })
                    })
                    .collect();
                if !bad.is_empty() {
                    self.report(
                        Diagnostic::new(
                            "derived-name-invalid",
                            format!("deployment name `{}` gives API Management ids Azure rejects: {}", shown(&name.value), bad.join("; ")),
                        )
                        .path(join(&deployment.path, "deploymentName"))
                        .at(name.span)
                        .help("API Management backend and pool ids allow letters, digits and '-' ('.' becomes '-dot-'), up to 80 characters; rename the deployment"),
                    );
                }
            }
        }
    }
}
