//! Stages 1 and 2: resource group, managed identity, and the usage-logging pipeline.

use serde_json::json;

use super::{Context, DeferredRef, Operation};
use crate::kind::ResourceKind;
use crate::naming;
use crate::usage;

pub(super) fn foundation(ctx: &Context<'_>) -> Vec<Operation> {
    let names = &ctx.spec.names;
    let location = &ctx.spec.location;
    vec![
        Operation::new(
            ctx.ids.resource_group(),
            ResourceKind::ResourceGroup,
            names.resource_group(),
            ctx.with_tags(json!({ "location": location })),
        )
        .located(location),
        Operation::new(
            ctx.ids.identity(),
            ResourceKind::ManagedIdentity,
            names.identity(),
            ctx.with_tags(json!({ "location": location })),
        )
        .located(location)
        .provides([
            DeferredRef::IdentityPrincipalId,
            DeferredRef::IdentityClientId,
        ])
        .setting(
            "used by",
            "API Management, for every backend and Logs Ingestion call",
        ),
    ]
}

pub(super) fn monitoring(ctx: &Context<'_>) -> Vec<Operation> {
    let names = &ctx.spec.names;
    let location = &ctx.spec.location;
    let workspace = Operation::new(
        ctx.ids.workspace(),
        ResourceKind::LogAnalyticsWorkspace,
        names.log_analytics_workspace(),
        ctx.with_tags(json!({
            "location": location,
            "properties": { "sku": { "name": "PerGB2018" }, "retentionInDays": 30 }
        })),
    )
    .located(location)
    .setting("sku", "PerGB2018")
    .setting("retention", "30 days");

    let table = Operation::new(
        ctx.ids.usage_table(),
        ResourceKind::CustomTable,
        naming::USAGE_TABLE,
        json!({
            "properties": {
                "schema": { "name": naming::USAGE_TABLE, "columns": usage::table_columns() },
                "plan": "Analytics"
            }
        }),
    )
    .setting("columns", usage::COLUMNS.len().to_string())
    .setting("plan", "Analytics");

    let endpoint = Operation::new(
        ctx.ids.data_collection_endpoint(),
        ResourceKind::DataCollectionEndpoint,
        names.data_collection_endpoint(),
        ctx.with_tags(json!({
            "location": location,
            "properties": { "networkAcls": { "publicNetworkAccess": "Enabled" } }
        })),
    )
    .located(location)
    .provides([DeferredRef::DceLogsIngestionEndpoint])
    .setting(
        "public network access",
        "Enabled (APIM posts usage rows to it)",
    );

    let rule = Operation::new(
        ctx.ids.data_collection_rule(),
        ResourceKind::DataCollectionRule,
        names.data_collection_rule(),
        ctx.with_tags(json!({
            "location": location,
            "properties": {
                "dataCollectionEndpointId": ctx.ids.data_collection_endpoint(),
                "streamDeclarations": {
                    naming::USAGE_STREAM: { "columns": usage::stream_columns() }
                },
                "destinations": {
                    "logAnalytics": [
                        { "workspaceResourceId": ctx.ids.workspace(), "name": naming::WORKSPACE_DESTINATION }
                    ]
                },
                "dataFlows": [
                    {
                        "streams": [naming::USAGE_STREAM],
                        "destinations": [naming::WORKSPACE_DESTINATION],
                        "transformKql": "source",
                        "outputStream": naming::USAGE_STREAM
                    }
                ]
            }
        })),
    )
    .located(location)
    .provides([DeferredRef::DcrImmutableId])
    .setting("stream", format!("{} → {}", naming::USAGE_STREAM, naming::USAGE_TABLE));

    vec![workspace, table, endpoint, rule]
}
