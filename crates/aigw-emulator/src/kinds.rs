//! The resource types the emulator knows, and per type: canonical name, long-running style,
//! in-progress states, built-in api-versions, and which error shape validation failures use.

/// How a PUT answers and how the client learns that it finished (specs README, "Facts").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lro {
    /// 200/201 with the final resource.
    Sync,
    /// 201 (create) / 200 (update) + `Location`; the Location URL answers 202 while running, then
    /// 200 with the resource (Cognitive Services accounts and projects).
    Location,
    /// 202 + `Location`, no body (APIM named values and policy fragments).
    LocationAccepted,
    /// 201/200 + `Azure-AsyncOperation` status document (model deployments).
    AsyncOperation,
    /// 202 + `Azure-AsyncOperation` and `Location`, no body (Log Analytics tables).
    AsyncOperationAccepted,
    /// 201/200 with an in-progress `provisioningState` and no polling header: the client GETs
    /// the resource until the state is terminal (APIM service, Log Analytics workspace).
    ResourceState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    ResourceGroup,
    Identity,
    Workspace,
    Table,
    DataCollectionEndpoint,
    DataCollectionRule,
    Account,
    Project,
    Deployment,
    RoleAssignment,
    ApimService,
    ApimApi,
    ApimOperation,
    /// `.../policies/policy` at service, API or operation level.
    ApimPolicy,
    ApimPolicyFragment,
    ApimBackend,
    ApimNamedValue,
    /// Any other type the specification files define a PUT for: stored and validated, synchronous.
    Other,
}

const KNOWN: &[(&str, Kind)] = &[
    ("Microsoft.Resources/resourceGroups", Kind::ResourceGroup),
    (
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        Kind::Identity,
    ),
    ("Microsoft.OperationalInsights/workspaces", Kind::Workspace),
    (
        "Microsoft.OperationalInsights/workspaces/tables",
        Kind::Table,
    ),
    (
        "Microsoft.Insights/dataCollectionEndpoints",
        Kind::DataCollectionEndpoint,
    ),
    (
        "Microsoft.Insights/dataCollectionRules",
        Kind::DataCollectionRule,
    ),
    ("Microsoft.CognitiveServices/accounts", Kind::Account),
    (
        "Microsoft.CognitiveServices/accounts/projects",
        Kind::Project,
    ),
    (
        "Microsoft.CognitiveServices/accounts/deployments",
        Kind::Deployment,
    ),
    (
        "Microsoft.Authorization/roleAssignments",
        Kind::RoleAssignment,
    ),
    ("Microsoft.ApiManagement/service", Kind::ApimService),
    ("Microsoft.ApiManagement/service/apis", Kind::ApimApi),
    (
        "Microsoft.ApiManagement/service/apis/operations",
        Kind::ApimOperation,
    ),
    (
        "Microsoft.ApiManagement/service/apis/policies",
        Kind::ApimPolicy,
    ),
    ("Microsoft.ApiManagement/service/policies", Kind::ApimPolicy),
    (
        "Microsoft.ApiManagement/service/apis/operations/policies",
        Kind::ApimPolicy,
    ),
    (
        "Microsoft.ApiManagement/service/policyFragments",
        Kind::ApimPolicyFragment,
    ),
    (
        "Microsoft.ApiManagement/service/backends",
        Kind::ApimBackend,
    ),
    (
        "Microsoft.ApiManagement/service/namedValues",
        Kind::ApimNamedValue,
    ),
];

const RESOURCE_GROUP_VERSIONS: &[&str] = &[
    "2021-04-01",
    "2022-09-01",
    "2023-07-01",
    "2024-03-01",
    "2024-07-01",
    "2024-11-01",
    "2025-03-01",
    "2025-04-01",
];
const APIM_VERSIONS: &[&str] = &["2022-08-01", "2023-05-01-preview", "2024-05-01"];
const COGNITIVE_VERSIONS: &[&str] = &["2023-05-01", "2024-10-01", "2025-06-01", "2025-09-01"];
const PROJECT_VERSIONS: &[&str] = &["2025-06-01", "2025-09-01"];
const LOG_ANALYTICS_VERSIONS: &[&str] = &["2022-10-01", "2023-09-01", "2025-02-01"];
const MONITOR_VERSIONS: &[&str] = &["2022-06-01", "2023-03-11", "2024-03-11"];
const IDENTITY_VERSIONS: &[&str] = &["2023-01-31", "2024-11-30"];
pub(crate) const ROLE_ASSIGNMENT_VERSIONS: &[&str] = &["2020-04-01-preview", "2022-04-01"];
/// `GET /subscriptions/{id}`.
pub(crate) const SUBSCRIPTION_VERSIONS: &[&str] =
    &["2016-06-01", "2020-01-01", "2021-01-01", "2022-12-01"];
/// `GET /subscriptions/{id}/providers/{ns}` and `.../register` share the resource group versions.
pub(crate) const PROVIDER_VERSIONS: &[&str] = RESOURCE_GROUP_VERSIONS;
pub(crate) const APIM_DELETED_VERSIONS: &[&str] = APIM_VERSIONS;
pub(crate) const ACCOUNT_DELETED_VERSIONS: &[&str] = COGNITIVE_VERSIONS;

impl Kind {
    pub fn from_type(resource_type: &str) -> Kind {
        KNOWN
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(resource_type))
            .map_or(Kind::Other, |(_, k)| *k)
    }

    /// The type in its canonical casing, for a type this module knows.
    pub fn canonical_type(resource_type: &str) -> Option<&'static str> {
        KNOWN
            .iter()
            .find(|(t, _)| t.eq_ignore_ascii_case(resource_type))
            .map(|(t, _)| *t)
    }

    pub fn lro(self) -> Lro {
        match self {
            Kind::Account | Kind::Project => Lro::Location,
            Kind::ApimNamedValue | Kind::ApimPolicyFragment => Lro::LocationAccepted,
            Kind::Deployment => Lro::AsyncOperation,
            Kind::Table => Lro::AsyncOperationAccepted,
            Kind::ApimService | Kind::Workspace => Lro::ResourceState,
            _ => Lro::Sync,
        }
    }

    /// `provisioningState` while a create / an update runs (values from each type's enum).
    pub fn in_progress_state(self, create: bool) -> &'static str {
        match (self, create) {
            (Kind::ApimService, true) => "Activating",
            (Kind::Account | Kind::Project | Kind::Deployment, true) => "Creating",
            (Kind::Account | Kind::Project | Kind::Deployment, false) => "Accepted",
            (Kind::Table, true) => "InProgress",
            (Kind::Workspace, true) => "Creating",
            (Kind::ApimNamedValue | Kind::ApimPolicyFragment, _) => "InProgress",
            _ => "Updating",
        }
    }

    /// Whether GET shows `properties.provisioningState` (identities, role assignments, backends,
    /// operations and policies have none in ARM: a synchronous 200/201 is simply done).
    pub fn has_provisioning_state(self) -> bool {
        !matches!(
            self,
            Kind::Identity
                | Kind::RoleAssignment
                | Kind::ApimApi
                | Kind::ApimOperation
                | Kind::ApimPolicy
                | Kind::ApimBackend
        )
    }

    /// Api-versions accepted even when no specification file lists them.
    pub fn builtin_api_versions(self) -> &'static [&'static str] {
        match self {
            Kind::ResourceGroup => RESOURCE_GROUP_VERSIONS,
            Kind::Identity => IDENTITY_VERSIONS,
            Kind::Workspace | Kind::Table => LOG_ANALYTICS_VERSIONS,
            Kind::DataCollectionEndpoint | Kind::DataCollectionRule => MONITOR_VERSIONS,
            Kind::Account | Kind::Deployment => COGNITIVE_VERSIONS,
            Kind::Project => PROJECT_VERSIONS,
            Kind::RoleAssignment => ROLE_ASSIGNMENT_VERSIONS,
            Kind::ApimService
            | Kind::ApimApi
            | Kind::ApimOperation
            | Kind::ApimPolicy
            | Kind::ApimPolicyFragment
            | Kind::ApimBackend
            | Kind::ApimNamedValue => APIM_VERSIONS,
            Kind::Other => &[],
        }
    }

    /// Top-level resources that require `location` (structural check without specs).
    pub fn is_tracked(self) -> bool {
        matches!(
            self,
            Kind::ResourceGroup
                | Kind::Identity
                | Kind::Workspace
                | Kind::DataCollectionEndpoint
                | Kind::DataCollectionRule
                | Kind::Account
                | Kind::ApimService
        )
    }

    /// Writes to these are serialised per Cognitive Services account (409 `RequestConflict`).
    pub fn locks_account(self) -> bool {
        matches!(self, Kind::Account | Kind::Project | Kind::Deployment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_map_to_kinds_ignoring_case() {
        assert_eq!(
            Kind::from_type("microsoft.cognitiveservices/ACCOUNTS/deployments"),
            Kind::Deployment
        );
        assert_eq!(
            Kind::from_type("Microsoft.Storage/storageAccounts"),
            Kind::Other
        );
        assert_eq!(
            Kind::canonical_type("microsoft.apimanagement/service/policyfragments"),
            Some("Microsoft.ApiManagement/service/policyFragments")
        );
        assert_eq!(Kind::Deployment.lro(), Lro::AsyncOperation);
        assert!(!Kind::Identity.has_provisioning_state());
    }
}
