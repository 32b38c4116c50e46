//! The kinds of ARM resources aigw writes, and every fact aigw knows about each: what people
//! call it, its ARM type and api-version, where it sits ([`ResourceKind::parent`]) and what it
//! refers to, whose writes it must not overlap, how a read is compared with what aigw wants,
//! whether a deleted one stays soft-deleted, how its writes finish, and which errors only mean
//! "Azure is not ready yet".
//!
//! Pure data: no I/O, nothing from `deploy` or `arm`. The plan, the engine, and later teardown and
//! the parallel scheduler read these facts here instead of comparing type strings. Every fact is
//! an exhaustive `match` without a fallback arm, so a new kind does not compile until each one is
//! decided. Adding a kind: a variant, its place in [`ResourceKind::ALL`] (a test checks that ALL is
//! exactly the kinds the example plan writes, in its order), then what the compiler asks for; the
//! tests check that the facts agree with each other and with the plan's ids and bodies.

pub mod api_versions;
mod compare;
mod lifecycle;

pub use compare::{Comparison, FieldPattern, Step, When, WriteOnly};
pub use lifecycle::{DeletedAt, LongRunning, MatchedBy, NotReadyYet, SoftDelete};

/// One kind of resource aigw writes. Usually one ARM type; backends that are pools have a kind
/// of their own (other references, deleted before their members).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    ResourceGroup,
    ManagedIdentity,
    LogAnalyticsWorkspace,
    CustomTable,
    DataCollectionEndpoint,
    DataCollectionRule,
    FoundryAccount,
    FoundryProject,
    ModelDeployment,
    RoleAssignment,
    ApiManagement,
    Api,
    ApiOperation,
    ApiPolicy,
    PolicyFragment,
    Backend,
    BackendPool,
    NamedValue,
}

impl ResourceKind {
    /// Every kind, in the order the plan first writes one.
    pub const ALL: [ResourceKind; 18] = [
        ResourceKind::ResourceGroup,
        ResourceKind::ManagedIdentity,
        ResourceKind::LogAnalyticsWorkspace,
        ResourceKind::CustomTable,
        ResourceKind::DataCollectionEndpoint,
        ResourceKind::DataCollectionRule,
        ResourceKind::FoundryAccount,
        ResourceKind::FoundryProject,
        ResourceKind::RoleAssignment,
        ResourceKind::ApiManagement,
        ResourceKind::Api,
        ResourceKind::ApiOperation,
        ResourceKind::ModelDeployment,
        ResourceKind::Backend,
        ResourceKind::BackendPool,
        ResourceKind::NamedValue,
        ResourceKind::PolicyFragment,
        ResourceKind::ApiPolicy,
    ];

    /// The ARM resource type, as the plan's JSON and ARM ids spell it.
    pub fn arm_type(self) -> &'static str {
        match self {
            ResourceKind::ResourceGroup => "Microsoft.Resources/resourceGroups",
            ResourceKind::ManagedIdentity => "Microsoft.ManagedIdentity/userAssignedIdentities",
            ResourceKind::LogAnalyticsWorkspace => "Microsoft.OperationalInsights/workspaces",
            ResourceKind::CustomTable => "Microsoft.OperationalInsights/workspaces/tables",
            ResourceKind::DataCollectionEndpoint => "Microsoft.Insights/dataCollectionEndpoints",
            ResourceKind::DataCollectionRule => "Microsoft.Insights/dataCollectionRules",
            ResourceKind::FoundryAccount => "Microsoft.CognitiveServices/accounts",
            ResourceKind::FoundryProject => "Microsoft.CognitiveServices/accounts/projects",
            ResourceKind::ModelDeployment => "Microsoft.CognitiveServices/accounts/deployments",
            ResourceKind::RoleAssignment => "Microsoft.Authorization/roleAssignments",
            ResourceKind::ApiManagement => "Microsoft.ApiManagement/service",
            ResourceKind::Api => "Microsoft.ApiManagement/service/apis",
            ResourceKind::ApiOperation => "Microsoft.ApiManagement/service/apis/operations",
            ResourceKind::ApiPolicy => "Microsoft.ApiManagement/service/apis/policies",
            ResourceKind::PolicyFragment => "Microsoft.ApiManagement/service/policyFragments",
            ResourceKind::Backend | ResourceKind::BackendPool => {
                "Microsoft.ApiManagement/service/backends"
            }
            ResourceKind::NamedValue => "Microsoft.ApiManagement/service/namedValues",
        }
    }

    /// What people call it (plans, progress, summaries).
    pub fn label(self) -> &'static str {
        match self {
            ResourceKind::ResourceGroup => "resource group",
            ResourceKind::ManagedIdentity => "managed identity",
            ResourceKind::LogAnalyticsWorkspace => "Log Analytics workspace",
            ResourceKind::CustomTable => "custom table",
            ResourceKind::DataCollectionEndpoint => "data collection endpoint",
            ResourceKind::DataCollectionRule => "data collection rule",
            ResourceKind::FoundryAccount => "AI Foundry account",
            ResourceKind::FoundryProject => "AI Foundry project",
            ResourceKind::ModelDeployment => "model deployment",
            ResourceKind::RoleAssignment => "role assignment",
            ResourceKind::ApiManagement => "API Management",
            ResourceKind::Api => "API",
            ResourceKind::ApiOperation => "API operation",
            ResourceKind::ApiPolicy => "API policy",
            ResourceKind::PolicyFragment => "policy fragment",
            ResourceKind::Backend => "backend",
            ResourceKind::BackendPool => "backend pool",
            ResourceKind::NamedValue => "named value",
        }
    }

    /// The api-version aigw reads and writes it with (reasons in [`api_versions`]).
    pub fn api_version(self) -> &'static str {
        match self {
            ResourceKind::ResourceGroup => api_versions::RESOURCE_GROUPS,
            ResourceKind::ManagedIdentity => api_versions::MANAGED_IDENTITY,
            ResourceKind::LogAnalyticsWorkspace | ResourceKind::CustomTable => {
                api_versions::LOG_ANALYTICS
            }
            ResourceKind::DataCollectionEndpoint | ResourceKind::DataCollectionRule => {
                api_versions::DATA_COLLECTION
            }
            ResourceKind::FoundryAccount
            | ResourceKind::FoundryProject
            | ResourceKind::ModelDeployment => api_versions::COGNITIVE_SERVICES,
            ResourceKind::RoleAssignment => api_versions::ROLE_ASSIGNMENTS,
            ResourceKind::ApiManagement
            | ResourceKind::Api
            | ResourceKind::ApiOperation
            | ResourceKind::ApiPolicy
            | ResourceKind::PolicyFragment
            | ResourceKind::Backend
            | ResourceKind::BackendPool
            | ResourceKind::NamedValue => api_versions::API_MANAGEMENT,
        }
    }

    /// The resource provider namespace, e.g. `Microsoft.CognitiveServices`.
    pub fn namespace(self) -> &'static str {
        self.arm_type()
            .split_once('/')
            .map_or(self.arm_type(), |(namespace, _)| namespace)
    }

    /// Whether every subscription has the kind's resource provider registered: `Microsoft.Resources`
    /// and `Microsoft.Authorization` are "registered by default"
    /// (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-services-resource-providers);
    /// the others are registered before the first write (`deploy::preflight`).
    pub fn provider_registered_by_default(self) -> bool {
        match self {
            ResourceKind::ResourceGroup | ResourceKind::RoleAssignment => true,
            ResourceKind::ManagedIdentity
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
            | ResourceKind::NamedValue => false,
        }
    }

    /// The kind of a type string, ignoring case as ARM does. A backend type is [`Backend`]
    /// (only the body tells a pool apart).
    ///
    /// [`Backend`]: ResourceKind::Backend
    pub fn from_arm_type(resource_type: &str) -> Option<ResourceKind> {
        ResourceKind::ALL
            .into_iter()
            .filter(|k| *k != ResourceKind::BackendPool)
            .find(|k| k.arm_type().eq_ignore_ascii_case(resource_type))
    }

    /// The resource this one lives in: part of its id, created before it, deleted with it.
    /// `None` for the resource group and for role assignments (an extension resource on any
    /// scope: the scopes are in [`ResourceKind::refers_to`]).
    pub fn parent(self) -> Option<ResourceKind> {
        match self {
            ResourceKind::ResourceGroup | ResourceKind::RoleAssignment => None,
            ResourceKind::ManagedIdentity
            | ResourceKind::LogAnalyticsWorkspace
            | ResourceKind::DataCollectionEndpoint
            | ResourceKind::DataCollectionRule
            | ResourceKind::FoundryAccount
            | ResourceKind::ApiManagement => Some(ResourceKind::ResourceGroup),
            ResourceKind::CustomTable => Some(ResourceKind::LogAnalyticsWorkspace),
            ResourceKind::FoundryProject | ResourceKind::ModelDeployment => {
                Some(ResourceKind::FoundryAccount)
            }
            ResourceKind::Api
            | ResourceKind::PolicyFragment
            | ResourceKind::Backend
            | ResourceKind::BackendPool
            | ResourceKind::NamedValue => Some(ResourceKind::ApiManagement),
            ResourceKind::ApiOperation | ResourceKind::ApiPolicy => Some(ResourceKind::Api),
        }
    }

    /// Other kinds a resource of this kind needs to exist first, because its body names them (an
    /// id, a deferred value, a table, fragment or named value it uses) or, for a role assignment,
    /// because they are its scope or principal. Writes go after these, deletes before them.
    pub fn refers_to(self) -> &'static [ResourceKind] {
        match self {
            ResourceKind::ResourceGroup
            | ResourceKind::ManagedIdentity
            | ResourceKind::LogAnalyticsWorkspace
            | ResourceKind::CustomTable
            | ResourceKind::DataCollectionEndpoint
            | ResourceKind::FoundryAccount
            | ResourceKind::FoundryProject
            | ResourceKind::ModelDeployment
            | ResourceKind::Api
            | ResourceKind::ApiOperation
            // A backend's URL is made from the account's name, not read from the account.
            | ResourceKind::Backend => &[],
            // `dataCollectionEndpointId`, the destination workspace, the output table.
            ResourceKind::DataCollectionRule => &[
                ResourceKind::DataCollectionEndpoint,
                ResourceKind::LogAnalyticsWorkspace,
                ResourceKind::CustomTable,
            ],
            // The principal, and every scope aigw grants a role on.
            ResourceKind::RoleAssignment => &[
                ResourceKind::ManagedIdentity,
                ResourceKind::FoundryAccount,
                ResourceKind::FoundryProject,
                ResourceKind::DataCollectionEndpoint,
                ResourceKind::DataCollectionRule,
            ],
            // The user-assigned identity.
            ResourceKind::ApiManagement => &[ResourceKind::ManagedIdentity],
            // `include-fragment`, `{{named-value}}`, `set-backend-service` to a pool.
            ResourceKind::ApiPolicy => &[
                ResourceKind::PolicyFragment,
                ResourceKind::NamedValue,
                ResourceKind::BackendPool,
            ],
            ResourceKind::PolicyFragment => &[ResourceKind::NamedValue, ResourceKind::BackendPool],
            // Pool members.
            ResourceKind::BackendPool => &[ResourceKind::Backend],
            // The DCE endpoint, the DCR immutable id, the identity's client id.
            ResourceKind::NamedValue => &[
                ResourceKind::DataCollectionEndpoint,
                ResourceKind::DataCollectionRule,
                ResourceKind::ManagedIdentity,
            ],
        }
    }

    /// The resource whose writes, its own and those of everything in it, must not overlap:
    /// Azure refuses a second one while the first runs. `None`: writes of this kind may overlap
    /// with any other.
    ///
    /// - AI Foundry account: "Another operation is being performed on the parent resource"
    ///   (409 `RequestConflict`) for concurrent deployments of one account
    ///   (hashicorp/terraform-provider-azurerm#22607, Azure/azure-dev#9398).
    /// - API Management service: 409 `PessimisticConcurrencyConflict` while another change to
    ///   the service is applied (Azure/apiops#497).
    /// - Log Analytics workspace: concurrent changes fail with `Conflict` "newer data exists"
    ///   (Azure/Azure-Sentinel#9546); DESIGN.md names the workspace as a parent whose writes
    ///   never overlap.
    pub fn write_domain(self) -> Option<ResourceKind> {
        match self {
            ResourceKind::ResourceGroup
            | ResourceKind::ManagedIdentity
            | ResourceKind::DataCollectionEndpoint
            | ResourceKind::DataCollectionRule
            | ResourceKind::RoleAssignment => None,
            ResourceKind::LogAnalyticsWorkspace | ResourceKind::CustomTable => {
                Some(ResourceKind::LogAnalyticsWorkspace)
            }
            ResourceKind::FoundryAccount
            | ResourceKind::FoundryProject
            | ResourceKind::ModelDeployment => Some(ResourceKind::FoundryAccount),
            ResourceKind::ApiManagement
            | ResourceKind::Api
            | ResourceKind::ApiOperation
            | ResourceKind::ApiPolicy
            | ResourceKind::PolicyFragment
            | ResourceKind::Backend
            | ResourceKind::BackendPool
            | ResourceKind::NamedValue => Some(ResourceKind::ApiManagement),
        }
    }

    /// The id of the resource that [`ResourceKind::write_domain`] names, taken from `id` (the id
    /// of a resource of this kind): two writes with the same domain id must not overlap.
    pub fn write_domain_id(self, id: &str) -> Option<&str> {
        let domain = self.write_domain()?;
        ancestor_id(id, domain.arm_type())
    }

    /// Kinds in the order teardown deletes them: each wave only holds kinds that nothing in a
    /// later wave refers to or lives in, so a wave's deletes may run together. Derived from
    /// [`ResourceKind::parent`] and [`ResourceKind::refers_to`].
    pub fn teardown_waves() -> Vec<Vec<ResourceKind>> {
        let needed_by = |kind: ResourceKind| {
            ResourceKind::ALL.into_iter().filter(move |other| {
                other.parent() == Some(kind) || other.refers_to().contains(&kind)
            })
        };
        let mut left: Vec<ResourceKind> = ResourceKind::ALL.to_vec();
        let mut waves = Vec::new();
        while !left.is_empty() {
            let wave: Vec<ResourceKind> = left
                .iter()
                .copied()
                .filter(|kind| needed_by(*kind).all(|other| !left.contains(&other)))
                .collect();
            if wave.is_empty() {
                // A cycle in the facts (a test rules it out): delete the rest together.
                waves.push(left);
                break;
            }
            left.retain(|kind| !wave.contains(kind));
            waves.push(wave);
        }
        waves
    }
}

impl std::fmt::Display for ResourceKind {
    /// The [`ResourceKind::label`] (padding and alignment apply).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.label())
    }
}

/// The prefix of `id` that is the resource of type `ancestor` (`Namespace/type[/child...]`), e.g.
/// the account in a deployment's id. Segments compare ignoring case, as ARM ids do.
fn ancestor_id<'a>(id: &'a str, ancestor: &str) -> Option<&'a str> {
    let (namespace, types) = ancestor.split_once('/')?;
    let marker = format!("/providers/{namespace}/");
    let start = id
        .to_ascii_lowercase()
        .rfind(&marker.to_ascii_lowercase())?;
    let mut end = start + marker.len();
    let rest = &id[end..];
    let mut segments = rest.split('/');
    for (index, type_name) in types.split('/').enumerate() {
        let found = segments.next()?;
        let name = segments.next()?;
        if !found.eq_ignore_ascii_case(type_name) || name.is_empty() {
            return None;
        }
        // "type/name", plus the slash before it after the first pair.
        end += found.len() + 1 + name.len() + usize::from(index > 0);
    }
    Some(&id[..end])
}

#[cfg(test)]
mod tests;
