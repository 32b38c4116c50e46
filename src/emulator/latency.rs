//! How long each resource type takes to provision: the time a synchronous write waits before it
//! answers, and the minimum age of a long-running operation before a poll may report it done.

use std::collections::BTreeMap;
use std::time::Duration;

/// Durations per ARM resource type (`Microsoft.X/type[/child]`, compared ignoring case).
#[derive(Clone, Debug, PartialEq)]
pub struct LatencyProfile {
    by_type: BTreeMap<String, Duration>,
    default: Duration,
}

/// Soft-delete purges are operations on a pseudo type; named here so the profile can time them.
pub(crate) const APIM_PURGE: &str = "Microsoft.ApiManagement/locations/deletedservices";
pub(crate) const ACCOUNT_PURGE: &str =
    "Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts";
/// Not a provisioning time: how long after a new custom table reports `Succeeded` a data
/// collection rule that sends to it is still refused with `InvalidOutputTable`.
pub(crate) const DCR_OUTPUT_TABLE: &str = "Microsoft.Insights/dataCollectionRules#outputTable";

/// Realistic durations in seconds. Ratios matter more than values: API Management dominates a
/// fresh deployment (a StandardV2 service takes minutes), Cognitive Services accounts and model
/// deployments take tens of seconds, everything in APIM after the service and all monitoring
/// resources take a second or two.
const REALISTIC: &[(&str, u64)] = &[
    ("Microsoft.Resources/resourceGroups", 1),
    ("Microsoft.ManagedIdentity/userAssignedIdentities", 1),
    ("Microsoft.OperationalInsights/workspaces", 10),
    ("Microsoft.OperationalInsights/workspaces/tables", 5),
    ("Microsoft.Insights/dataCollectionEndpoints", 2),
    ("Microsoft.Insights/dataCollectionRules", 2),
    ("Microsoft.CognitiveServices/accounts", 30),
    ("Microsoft.CognitiveServices/accounts/projects", 20),
    ("Microsoft.CognitiveServices/accounts/deployments", 30),
    ("Microsoft.Authorization/roleAssignments", 1),
    ("Microsoft.ApiManagement/service", 300),
    ("Microsoft.ApiManagement/service/apis", 2),
    ("Microsoft.ApiManagement/service/apis/operations", 2),
    ("Microsoft.ApiManagement/service/apis/policies", 2),
    ("Microsoft.ApiManagement/service/policies", 2),
    ("Microsoft.ApiManagement/service/policyFragments", 2),
    ("Microsoft.ApiManagement/service/backends", 2),
    ("Microsoft.ApiManagement/service/namedValues", 2),
    (APIM_PURGE, 60),
    (ACCOUNT_PURGE, 10),
    // "If it fails, just wait a few minutes and run again" (hashicorp/terraform-provider-azurerm
    // #21897); a first deploy fails at the DCR and a rerun succeeds
    // (alan-turing-institute/data-safe-haven#2220); tables "may still be in a transitioning state
    // when the DCR deployment starts" although reported Succeeded
    // (ssc-spc-ccoe-cei/azure-guardrails-solution-accelerator#824). "A few minutes": 3.
    (DCR_OUTPUT_TABLE, 180),
];

impl LatencyProfile {
    /// Everything immediate: long-running operations finish on their first poll (see
    /// `lro_polls`). The default, for tests.
    pub fn instant() -> Self {
        LatencyProfile {
            by_type: BTreeMap::new(),
            default: Duration::ZERO,
        }
    }

    /// Durations close to what Azure takes (table in `docs/emulator.md`); unknown types 1 s.
    pub fn realistic() -> Self {
        LatencyProfile {
            by_type: REALISTIC
                .iter()
                .map(|(t, s)| (t.to_ascii_lowercase(), Duration::from_secs(*s)))
                .collect(),
            default: Duration::from_secs(1),
        }
    }

    /// Every duration multiplied by `factor` (negative, NaN or infinite factors count as 0).
    pub fn scaled(self, factor: f64) -> Self {
        let factor = if factor.is_finite() && factor > 0.0 {
            factor
        } else {
            0.0
        };
        let scale =
            |d: Duration| Duration::try_from_secs_f64(d.as_secs_f64() * factor).unwrap_or(d);
        LatencyProfile {
            by_type: self
                .by_type
                .into_iter()
                .map(|(t, d)| (t, scale(d)))
                .collect(),
            default: scale(self.default),
        }
    }

    /// Sets one type's duration (e.g. to slow down only model deployments in a test).
    pub fn with(mut self, resource_type: &str, duration: Duration) -> Self {
        self.by_type
            .insert(resource_type.to_ascii_lowercase(), duration);
        self
    }

    /// How long after a new custom table reports `Succeeded` Azure Monitor still refuses a data
    /// collection rule that sends to it (400 `InvalidOutputTable`). Realistic: 3 minutes.
    pub fn with_output_table_delay(self, delay: Duration) -> Self {
        self.with(DCR_OUTPUT_TABLE, delay)
    }

    pub fn output_table_delay(&self) -> Duration {
        self.duration_for(DCR_OUTPUT_TABLE)
    }

    pub fn duration_for(&self, resource_type: &str) -> Duration {
        self.by_type
            .get(&resource_type.to_ascii_lowercase())
            .copied()
            .unwrap_or(self.default)
    }
}

impl Default for LatencyProfile {
    fn default() -> Self {
        LatencyProfile::instant()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realistic_ratios_and_scaling() {
        let profile = LatencyProfile::realistic();
        assert_eq!(
            profile.duration_for("microsoft.apimanagement/SERVICE"),
            Duration::from_secs(300)
        );
        let fast = profile.scaled(0.01);
        assert_eq!(
            fast.duration_for("Microsoft.CognitiveServices/accounts"),
            Duration::from_millis(300)
        );
        assert_eq!(fast.duration_for("Unknown/type"), Duration::from_millis(10));
        assert_eq!(
            LatencyProfile::realistic()
                .scaled(f64::NAN)
                .duration_for("Microsoft.ApiManagement/service"),
            Duration::ZERO
        );
        assert_eq!(
            LatencyProfile::instant().duration_for("Microsoft.ApiManagement/service"),
            Duration::ZERO
        );
        assert_eq!(
            LatencyProfile::realistic().scaled(0.1).output_table_delay(),
            Duration::from_secs(18)
        );
        assert_eq!(
            LatencyProfile::instant().output_table_delay(),
            Duration::ZERO
        );
    }
}
