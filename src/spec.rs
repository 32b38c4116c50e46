//! The validated description of one stack: what `params` produces and `plan` consumes.
//!
//! Every value here has passed validation; nothing downstream re-checks it.

use std::collections::BTreeMap;

use crate::naming::Names;

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StackSpec {
    pub environment: String,
    pub suffix: String,
    /// Region of the resource group and every shared resource.
    pub location: String,
    pub names: Names,
    pub publisher: Publisher,
    pub tags: BTreeMap<String, String>,
    /// In `openAILocations` order.
    pub regions: Vec<RegionSpec>,
    /// Circuit breakers trip and the policies fail over on 500–599 as well as on 429
    /// (`tripOnServerErrors`, default true); false keeps the original plan's 429-only rule.
    pub trip_on_server_errors: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Publisher {
    pub email: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegionSpec {
    /// ARM location name, e.g. `swedencentral`.
    pub name: String,
    /// Short code used in resource names, e.g. `sec`.
    pub abbreviation: String,
    pub deployments: Vec<ModelDeploymentSpec>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelDeploymentSpec {
    pub name: String,
    pub model_name: String,
    pub model_version: String,
    pub sku_name: String,
    pub sku_capacity: u32,
    /// Pool priority of this region's backends for this deployment (lower is tried first).
    pub priority: u8,
}

/// One backend pool: every region serving one deployment name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSpec<'a> {
    pub deployment_name: &'a str,
    /// Ordered by priority, then by `openAILocations` order.
    pub members: Vec<PoolMemberSpec<'a>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolMemberSpec<'a> {
    pub region: &'a RegionSpec,
    pub priority: u8,
}

impl StackSpec {
    /// One pool per distinct deployment name, in order of first appearance.
    pub fn pools(&self) -> Vec<PoolSpec<'_>> {
        let mut pools: Vec<PoolSpec<'_>> = Vec::new();
        for region in &self.regions {
            for deployment in &region.deployments {
                let member = PoolMemberSpec {
                    region,
                    priority: deployment.priority,
                };
                match pools
                    .iter_mut()
                    .find(|p| p.deployment_name == deployment.name)
                {
                    Some(pool) => pool.members.push(member),
                    None => pools.push(PoolSpec {
                        deployment_name: &deployment.name,
                        members: vec![member],
                    }),
                }
            }
        }
        for pool in &mut pools {
            // Stable sort keeps openAILocations order among equal priorities.
            pool.members.sort_by_key(|m| m.priority);
        }
        pools
    }

    pub fn deployment_count(&self) -> usize {
        self.regions.iter().map(|r| r.deployments.len()).sum()
    }
}
