//! The ARM api-version used for each resource type (reasons in the README, "API versions").
//!
//! Rule: the newest stable version that has every property aigw sets and is in wide use.

/// Microsoft.Resources/resourceGroups: the long-standing version every tool uses; nothing newer is needed.
pub const RESOURCE_GROUPS: &str = "2021-04-01";
/// Microsoft.ManagedIdentity/userAssignedIdentities: newest stable.
pub const MANAGED_IDENTITY: &str = "2024-11-30";
/// Microsoft.OperationalInsights/workspaces and workspaces/tables: newest stable.
pub const LOG_ANALYTICS: &str = "2025-02-01";
/// Microsoft.Insights/dataCollectionEndpoints and dataCollectionRules: newest stable.
pub const DATA_COLLECTION: &str = "2024-03-11";
/// Microsoft.CognitiveServices accounts, projects and deployments: the first stable version with
/// projects and `allowProjectManagement`; 2026-09-01 exists but is not yet in wide use.
pub const COGNITIVE_SERVICES: &str = "2025-06-01";
/// Microsoft.Authorization/roleAssignments: the version every current tool uses.
pub const ROLE_ASSIGNMENTS: &str = "2022-04-01";
/// Microsoft.ApiManagement: newest stable; needed for StandardV2, backend pools and circuit breakers.
pub const API_MANAGEMENT: &str = "2024-05-01";
