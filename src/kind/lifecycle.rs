//! How resources of each kind are found, written and deleted: how an existing one is recognised,
//! how a write finishes, which errors only mean "not ready yet", and soft delete.

use super::{ResourceKind, api_versions};

/// How aigw recognises that a resource it plans already exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchedBy {
    /// The resource at the planned id.
    Id,
    /// An assignment of the same role to the same principal at the same scope, whatever its name
    /// (made by hand or by another tool): ARM allows only one (409 `RoleAssignmentExists`).
    Grant,
}

/// How a PUT of this kind finishes, as its Azure REST specification declares it. The follower
/// (`arm::lro`) follows whatever headers an answer carries, as ARM requires of clients
/// (https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations); this
/// says which writes take long, for scheduling and estimates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LongRunning {
    /// Not a long-running operation: the 200/201 answer is final.
    No,
    /// `x-ms-long-running-operation` with `final-state-via: azure-async-operation`: a status
    /// document says when it is done, then the resource is read.
    AsyncOperation,
    /// `x-ms-long-running-operation` with `final-state-via: location`: the `Location` URL answers
    /// 202 until it is done.
    Location,
    /// `x-ms-long-running-operation` with ARM's default final state: the resource itself, read
    /// until its `provisioningState` is terminal.
    ResourceState,
}

/// A deleted resource that keeps its name for a while: creating the name again fails until it
/// is purged (or restored).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoftDelete {
    /// A deleted API Management service is kept for 48 hours; creating the name again fails with
    /// `ServiceAlreadyExistsInSoftDeletedState` until it is purged
    /// (https://learn.microsoft.com/azure/api-management/soft-delete; purge: `DELETE
    /// .../deletedservices/{name}`, 202 + `Location`, 204 when it does not exist).
    ApiManagement,
    /// A deleted Azure AI services account is kept for 48 hours; creating the name again fails
    /// with `FlagMustBeSetForRestore` until it is purged or restored
    /// (https://learn.microsoft.com/azure/ai-services/recover-purge-resources).
    CognitiveServicesAccount,
}

/// Where a soft-deleted resource was: what its listing path is made of.
#[derive(Clone, Copy, Debug)]
pub struct DeletedAt<'a> {
    pub subscription_id: &'a str,
    pub resource_group: &'a str,
    pub location: &'a str,
    pub name: &'a str,
}

impl SoftDelete {
    /// The soft-deleted copy: a GET finds it, a DELETE purges it.
    pub fn deleted_path(self, at: DeletedAt<'_>) -> String {
        let DeletedAt {
            subscription_id,
            resource_group,
            location,
            name,
        } = at;
        match self {
            SoftDelete::ApiManagement => format!(
                "/subscriptions/{subscription_id}/providers/Microsoft.ApiManagement/locations/{location}/deletedservices/{name}"
            ),
            SoftDelete::CognitiveServicesAccount => format!(
                "/subscriptions/{subscription_id}/providers/Microsoft.CognitiveServices/locations/{location}/resourceGroups/{resource_group}/deletedAccounts/{name}"
            ),
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            SoftDelete::ApiManagement => api_versions::API_MANAGEMENT,
            SoftDelete::CognitiveServicesAccount => api_versions::COGNITIVE_SERVICES,
        }
    }
}

/// An error a write of this kind meets for a while after an earlier write, until Azure has
/// caught up: aigw waits for it (within `--resource-timeout`, shown as waiting) instead of
/// failing or retrying blindly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotReadyYet {
    /// 400 `PrincipalNotFound` for the identity created moments before: "If you are creating
    /// this principal and then immediately assigning a role, this error might be related to a
    /// replication delay" (Azure's message;
    /// https://learn.microsoft.com/azure/role-based-access-control/troubleshooting). aigw sends
    /// `principalType`, which shortens the delay but does not remove it.
    PrincipalNotReplicated,
    /// 400 `InvalidOutputTable` for a data collection rule whose custom table was created
    /// moments before, although the table reports `Succeeded` (MicrosoftDocs/azure-docs#113557,
    /// hashicorp/terraform-provider-azurerm#21897; details in `deploy::output_table`).
    OutputTableNotAccepted,
}

impl NotReadyYet {
    /// The ARM error code that says it.
    pub fn code(self) -> &'static str {
        match self {
            NotReadyYet::PrincipalNotReplicated => "PrincipalNotFound",
            NotReadyYet::OutputTableNotAccepted => "InvalidOutputTable",
        }
    }
}

impl ResourceKind {
    pub fn matched_by(self) -> MatchedBy {
        match self {
            ResourceKind::RoleAssignment => MatchedBy::Grant,
            ResourceKind::ResourceGroup
            | ResourceKind::ManagedIdentity
            | ResourceKind::LogAnalyticsWorkspace
            | ResourceKind::CustomTable
            | ResourceKind::DataCollectionEndpoint
            | ResourceKind::DataCollectionRule
            | ResourceKind::FoundryAccount
            | ResourceKind::FoundryProject
            | ResourceKind::ModelDeployment
            | ResourceKind::ApiManagement
            | ResourceKind::Api
            | ResourceKind::ApiOperation
            | ResourceKind::ApiPolicy
            | ResourceKind::PolicyFragment
            | ResourceKind::Backend
            | ResourceKind::BackendPool
            | ResourceKind::NamedValue => MatchedBy::Id,
        }
    }

    /// From the vendored specifications (`specs/azure`): the PUT's `x-ms-long-running-operation`
    /// and `final-state-via`.
    pub fn long_running(self) -> LongRunning {
        match self {
            // Synchronous PUTs: resource groups (Resources 2021-04-01, 200/201), identities
            // (ManagedIdentity.json), DCE and DCR (2024-03-11), role assignments (2022-04-01),
            // API operations, policies and backends (apimanagement 2024-05-01).
            ResourceKind::ResourceGroup
            | ResourceKind::ManagedIdentity
            | ResourceKind::DataCollectionEndpoint
            | ResourceKind::DataCollectionRule
            | ResourceKind::RoleAssignment
            | ResourceKind::ApiOperation
            | ResourceKind::ApiPolicy
            | ResourceKind::Backend
            | ResourceKind::BackendPool => LongRunning::No,
            // Tables.json; cognitiveservices.json (deployments).
            ResourceKind::CustomTable | ResourceKind::ModelDeployment => {
                LongRunning::AsyncOperation
            }
            // apimapis.json, apimnamedvalues.json. Policy fragments: their spec file is not
            // vendored; the SDKs create them with a long-running `begin_create_or_update` and
            // the emulator answers 202 + `Location` (docs/emulator.md).
            ResourceKind::Api | ResourceKind::NamedValue | ResourceKind::PolicyFragment => {
                LongRunning::Location
            }
            // Workspaces.json, cognitiveservices.json (accounts, projects),
            // apimdeployment.json: long-running without `final-state-via`.
            ResourceKind::LogAnalyticsWorkspace
            | ResourceKind::FoundryAccount
            | ResourceKind::FoundryProject
            | ResourceKind::ApiManagement => LongRunning::ResourceState,
        }
    }

    /// Whether a deleted resource of this kind keeps its name, and how to find and purge it.
    pub fn soft_delete(self) -> Option<SoftDelete> {
        match self {
            ResourceKind::ApiManagement => Some(SoftDelete::ApiManagement),
            ResourceKind::FoundryAccount => Some(SoftDelete::CognitiveServicesAccount),
            ResourceKind::ResourceGroup
            | ResourceKind::ManagedIdentity
            | ResourceKind::LogAnalyticsWorkspace
            | ResourceKind::CustomTable
            | ResourceKind::DataCollectionEndpoint
            | ResourceKind::DataCollectionRule
            | ResourceKind::FoundryProject
            | ResourceKind::ModelDeployment
            | ResourceKind::RoleAssignment
            | ResourceKind::Api
            | ResourceKind::ApiOperation
            | ResourceKind::ApiPolicy
            | ResourceKind::PolicyFragment
            | ResourceKind::Backend
            | ResourceKind::BackendPool
            | ResourceKind::NamedValue => None,
        }
    }

    /// Errors a write of this kind may meet while Azure catches up with an earlier write.
    pub fn not_ready_yet(self) -> &'static [NotReadyYet] {
        match self {
            ResourceKind::RoleAssignment => &[NotReadyYet::PrincipalNotReplicated],
            ResourceKind::DataCollectionRule => &[NotReadyYet::OutputTableNotAccepted],
            ResourceKind::ResourceGroup
            | ResourceKind::ManagedIdentity
            | ResourceKind::LogAnalyticsWorkspace
            | ResourceKind::CustomTable
            | ResourceKind::DataCollectionEndpoint
            | ResourceKind::FoundryAccount
            | ResourceKind::FoundryProject
            | ResourceKind::ModelDeployment
            | ResourceKind::ApiManagement
            | ResourceKind::Api
            | ResourceKind::ApiOperation
            | ResourceKind::ApiPolicy
            | ResourceKind::PolicyFragment
            | ResourceKind::Backend
            | ResourceKind::BackendPool
            | ResourceKind::NamedValue => &[],
        }
    }
}
