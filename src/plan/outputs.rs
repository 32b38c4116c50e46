//! Stage 11: what a deploy reports (DESIGN.md), as values with deferred placeholders.

use serde_json::{Map, Value, json};

use super::{Context, DeferredRef, PlannedOutput};
use crate::naming;

pub(super) fn outputs(
    ctx: &Context<'_>,
    policies: &[crate::policy::PolicyFile],
) -> Vec<PlannedOutput> {
    let spec = ctx.spec;
    let mut project_ids = Map::new();
    let mut project_endpoints = Map::new();
    let mut account_endpoints = Map::new();
    let mut deployment_counts = Map::new();
    for region in &spec.regions {
        project_ids.insert(
            region.name.clone(),
            json!(ctx.ids.project(&region.abbreviation)),
        );
        project_endpoints.insert(
            region.name.clone(),
            DeferredRef::ProjectEndpoint(region.abbreviation.clone()).placeholder(),
        );
        account_endpoints.insert(
            region.name.clone(),
            DeferredRef::AccountEndpoint(region.abbreviation.clone()).placeholder(),
        );
        deployment_counts.insert(region.name.clone(), json!(region.deployments.len()));
    }
    // The id of each API's policy once attached (`null` when the run did not get that far).
    let mut policies_attached = Map::new();
    for file in policies {
        if let crate::policy::PolicyKind::Api { api_id } = &file.kind {
            policies_attached.insert(
                api_id.clone(),
                DeferredRef::PolicyAttached(api_id.clone()).placeholder(),
            );
        }
    }
    let pool_names: Vec<String> = spec
        .pools()
        .iter()
        .map(|p| naming::pool_id(p.deployment_name))
        .collect();
    let output = |name: &'static str, value: Value| PlannedOutput { name, value };
    vec![
        output("gatewayUrl", DeferredRef::GatewayUrl.placeholder()),
        output(
            "identityClientId",
            DeferredRef::IdentityClientId.placeholder(),
        ),
        output(
            "identityPrincipalId",
            DeferredRef::IdentityPrincipalId.placeholder(),
        ),
        output("resourceGroup", json!(spec.names.resource_group())),
        output("apimName", json!(spec.names.api_management())),
        output("projectIds", Value::Object(project_ids)),
        output("projectEndpoints", Value::Object(project_endpoints)),
        output("accountEndpoints", Value::Object(account_endpoints)),
        output("poolNames", json!(pool_names)),
        output(
            "dceIngestionEndpoint",
            DeferredRef::DceLogsIngestionEndpoint.placeholder(),
        ),
        output("dcrImmutableId", DeferredRef::DcrImmutableId.placeholder()),
        output("deploymentCounts", Value::Object(deployment_counts)),
        output("policiesAttached", Value::Object(policies_attached)),
    ]
}
