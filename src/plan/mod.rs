//! The plan: a pure function from a validated [`StackSpec`] to ordered stages of resource writes.
//!
//! No I/O, no clock, no async here. Each operation carries the ARM id, its [`ResourceKind`] (type,
//! api-version and every other per-type fact) and the desired body; values that exist only after
//! an earlier write (principal ids, endpoints) are [`DeferredRef`] placeholders the engine
//! resolves. `plan --output json` serialises this value.

pub mod deferred;
mod foundation;
mod foundry;
mod gateway;
pub mod ids;
mod outputs;
mod policies;

use serde_json::Value;

pub use deferred::DeferredRef;
use ids::Ids;

use crate::kind::ResourceKind;
use crate::spec::StackSpec;

/// The stages of DESIGN.md, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StageName {
    Foundation,
    Monitoring,
    AiFoundry,
    Rbac,
    Apim,
    Models,
    Backends,
    Pools,
    Config,
    Policies,
}

impl StageName {
    pub fn as_str(self) -> &'static str {
        match self {
            StageName::Foundation => "foundation",
            StageName::Monitoring => "monitoring",
            StageName::AiFoundry => "ai-foundry",
            StageName::Rbac => "rbac",
            StageName::Apim => "apim",
            StageName::Models => "models",
            StageName::Backends => "backends",
            StageName::Pools => "pools",
            StageName::Config => "config",
            StageName::Policies => "policies",
        }
    }

    /// One line on what the stage does, for humans.
    pub fn description(self) -> &'static str {
        match self {
            StageName::Foundation => "resource group and the gateway's managed identity",
            StageName::Monitoring => {
                "Log Analytics workspace, usage table, data collection endpoint and rule"
            }
            StageName::AiFoundry => "an AI Foundry account and project per region",
            StageName::Rbac => "role assignments for the gateway identity",
            StageName::Apim => "API Management service and the `openai` and `v1` APIs",
            StageName::Models => "model deployments per region",
            StageName::Backends => "two backends per region and deployment, with circuit breakers",
            StageName::Pools => "one priority pool per deployment name",
            StageName::Config => "named values the policies read",
            StageName::Policies => "policy fragments, then the policies of both APIs",
        }
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Plan {
    #[serde(rename = "subscriptionId")]
    pub subscription_id: String,
    #[serde(rename = "resourceGroup")]
    pub resource_group: String,
    pub location: String,
    pub stages: Vec<Stage>,
    /// Values reported after a deploy (DESIGN.md stage 11); may contain deferred placeholders.
    pub outputs: Vec<PlannedOutput>,
    /// How requests are routed: one pool per deployment name and its members by priority.
    pub routing: Vec<PoolRoute>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PoolRoute {
    pub pool: String,
    pub deployment: String,
    pub members: Vec<RouteMember>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RouteMember {
    pub backend: String,
    pub region: String,
    pub priority: u8,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Stage {
    pub name: StageName,
    pub operations: Vec<Operation>,
}

/// One resource write: `PUT {id}?api-version={kind's api-version}` with `body`.
#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    /// What the resource is: its ARM type, api-version and how aigw treats it.
    pub kind: ResourceKind,
    pub name: String,
    /// What people recognise the resource by: its name, or for role assignments the role, the
    /// identity and the scope, for model deployments the deployment and its region. Renderers
    /// print it; `id` and `name` stay the machine's.
    pub title: String,
    /// `None` for resources without their own location (child and extension resources).
    pub location: Option<String>,
    pub body: Value,
    /// Deferred values this resource provides once it exists.
    pub outputs: Vec<DeferredRef>,
    /// Key settings for human-readable plans.
    pub settings: Vec<Setting>,
    /// The file the body comes from (policies), for messages that point into it.
    pub source_file: Option<String>,
}

/// An operation as `plan --output json` shows it: the kind becomes its ARM `type`, its
/// `apiVersion` and its label (`kind`), as before kinds were a type (a contract with users).
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct OperationJson<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    resource_type: &'static str,
    api_version: &'static str,
    name: &'a str,
    kind: &'static str,
    title: &'a str,
    location: Option<&'a str>,
    body: &'a Value,
    #[serde(skip_serializing_if = "<[DeferredRef]>::is_empty")]
    outputs: &'a [DeferredRef],
    #[serde(skip_serializing_if = "Option::is_none")]
    source_file: Option<&'a str>,
}

impl serde::Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        OperationJson {
            id: &self.id,
            resource_type: self.kind.arm_type(),
            api_version: self.kind.api_version(),
            name: &self.name,
            kind: self.kind.label(),
            title: &self.title,
            location: self.location.as_deref(),
            body: &self.body,
            outputs: &self.outputs,
            source_file: self.source_file.as_deref(),
        }
        .serialize(serializer)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    pub label: &'static str,
    pub value: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct PlannedOutput {
    pub name: &'static str,
    pub value: Value,
}

impl Operation {
    fn new(id: String, kind: ResourceKind, name: impl Into<String>, body: Value) -> Self {
        let name = name.into();
        Operation {
            id,
            kind,
            title: name.clone(),
            name,
            location: None,
            body,
            outputs: Vec::new(),
            settings: Vec::new(),
            source_file: None,
        }
    }

    /// The api-version of its kind.
    pub fn api_version(&self) -> &'static str {
        self.kind.api_version()
    }

    fn titled(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    fn located(mut self, location: &str) -> Self {
        self.location = Some(location.to_string());
        self
    }

    fn provides(mut self, outputs: impl IntoIterator<Item = DeferredRef>) -> Self {
        self.outputs.extend(outputs);
        self
    }

    fn with_source_file(mut self, path: &str) -> Self {
        self.source_file = Some(path.to_string());
        self
    }

    fn setting(mut self, label: &'static str, value: impl Into<String>) -> Self {
        self.settings.push(Setting {
            label,
            value: value.into(),
        });
        self
    }

    /// Deferred values the body needs before it can be written.
    pub fn needs(&self) -> Vec<DeferredRef> {
        deferred::references(&self.body)
    }
}

/// A short human name for an ARM resource type ("resource" for a type aigw does not write).
pub fn kind_label(resource_type: &str) -> &'static str {
    ResourceKind::from_arm_type(resource_type).map_or("resource", ResourceKind::label)
}

impl Plan {
    pub fn operations(&self) -> impl Iterator<Item = (&Stage, &Operation)> {
        self.stages
            .iter()
            .flat_map(|s| s.operations.iter().map(move |o| (s, o)))
    }

    pub fn operation_count(&self) -> usize {
        self.stages.iter().map(|s| s.operations.len()).sum()
    }
}

/// Builds the plan of `spec` in `subscription_id` (use [`ids::OFFLINE_SUBSCRIPTION`] offline).
/// `policies` are the policy files to attach ([`crate::policy::embedded`] unless overridden).
pub fn build(
    spec: &StackSpec,
    subscription_id: &str,
    policies: &[crate::policy::PolicyFile],
) -> Plan {
    let ids = Ids::new(subscription_id, &spec.names);
    let ctx = Context { spec, ids };
    let routing = routing(spec);
    let stages = vec![
        Stage {
            name: StageName::Foundation,
            operations: foundation::foundation(&ctx),
        },
        Stage {
            name: StageName::Monitoring,
            operations: foundation::monitoring(&ctx),
        },
        Stage {
            name: StageName::AiFoundry,
            operations: foundry::accounts_and_projects(&ctx),
        },
        Stage {
            name: StageName::Rbac,
            operations: foundry::role_assignments(&ctx),
        },
        Stage {
            name: StageName::Apim,
            operations: gateway::service_and_apis(&ctx),
        },
        Stage {
            name: StageName::Models,
            operations: foundry::model_deployments(&ctx),
        },
        Stage {
            name: StageName::Backends,
            operations: gateway::backends(&ctx),
        },
        Stage {
            name: StageName::Pools,
            operations: gateway::pools(&ctx, &routing),
        },
        Stage {
            name: StageName::Config,
            operations: gateway::named_values(&ctx),
        },
        Stage {
            name: StageName::Policies,
            operations: policies::policies(&ctx, policies),
        },
    ];
    Plan {
        subscription_id: subscription_id.to_string(),
        resource_group: spec.names.resource_group(),
        location: spec.location.clone(),
        stages,
        outputs: outputs::outputs(&ctx, policies),
        routing,
    }
}

fn routing(spec: &StackSpec) -> Vec<PoolRoute> {
    spec.pools()
        .iter()
        .map(|pool| PoolRoute {
            pool: crate::naming::pool_id(pool.deployment_name),
            deployment: pool.deployment_name.to_string(),
            members: pool
                .members
                .iter()
                .flat_map(|m| {
                    let abbr = &m.region.abbreviation;
                    [
                        crate::naming::aoai_backend_id(pool.deployment_name, abbr),
                        crate::naming::oaiv1_backend_id(pool.deployment_name, abbr),
                    ]
                    .map(|backend| RouteMember {
                        backend,
                        region: m.region.name.clone(),
                        priority: m.priority,
                    })
                })
                .collect(),
        })
        .collect()
}

/// What every stage builder reads.
struct Context<'a> {
    spec: &'a StackSpec,
    ids: Ids<'a>,
}

impl Context<'_> {
    /// Tags for resources that take them (omitted when empty so bodies stay minimal).
    fn with_tags(&self, mut body: Value) -> Value {
        if !self.spec.tags.is_empty()
            && let Some(object) = body.as_object_mut()
        {
            object.insert(
                "tags".into(),
                serde_json::to_value(&self.spec.tags).unwrap_or_default(),
            );
        }
        body
    }
}

#[cfg(test)]
pub(crate) mod tests;
