//! Body validation against the real specification files, the built-in schemas, structural
//! checks without specs, and cross-resource rules.

use std::time::Duration;

use serde_json::{Value, json};

use crate::emulator::LatencyProfile;

use super::*;

#[tokio::test]
async fn invalid_bodies_list_every_violation() {
    let (_emulator, arm) = start(builder()).await;
    resource_group(&arm).await;
    let bad = arm
        .put(
            &account_id(),
            CS_V,
            json!({
                "location": "westeurope",
                "kind": "AIServices",
                "sku": { "capacity": "one" },
                "properties": { "disableLocalAuth": "yes", "allowProjectManagment": true }
            }),
        )
        .await
        .expect_error(400, "InvalidRequestContent");
    let mut targets: Vec<String> = bad.body["error"]["details"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d["target"].as_str().map(str::to_string))
        .collect();
    targets.sort();
    assert_eq!(
        targets,
        [
            "properties.allowProjectManagment",
            "properties.disableLocalAuth",
            "sku.capacity",
            "sku.name"
        ],
        "{bad:#?}"
    );
    assert!(bad.message().contains("sku.name"), "{bad:#?}");

    arm.put(
        &format!("{RG}/providers/Microsoft.CognitiveServices/accounts/-bad"),
        CS_V,
        account_body(),
    )
    .await
    .expect_error(400, "InvalidResourceName");

    arm.send("PUT", &with_version(&identity_id(), MI_V), None, &[])
        .await
        .expect_error(400, "InvalidRequestContent");
}

#[tokio::test]
async fn apim_answers_validation_error_with_details() {
    let (_emulator, arm) = start(builder()).await;
    apim(&arm).await;
    let bad = arm
        .put(
            &format!("{}/backends/b1", apim_id()),
            APIM_V,
            json!({ "properties": { "url": "https://x", "protocol": "ftp", "colour": "blue" } }),
        )
        .await
        .expect_error(400, "ValidationError");
    let details = bad.body["error"]["details"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(details.len(), 2, "{bad:#?}");
    assert!(
        details
            .iter()
            .all(|d| d["code"] == "ValidationError" && d["target"].is_string())
    );

    // No spec copy for policy fragments: the built-in schema applies.
    arm.put(
        &format!("{}/policyFragments/f1", apim_id()),
        APIM_V,
        json!({ "properties": { "format": "json" } }),
    )
    .await
    .expect_error(400, "ValidationError");
}

#[tokio::test]
async fn without_specs_only_structure_is_checked() {
    let (_emulator, arm) = start(Emulator::builder().token(TOKEN)).await;
    resource_group(&arm).await;
    arm.put(&account_id(), CS_V, json!({ "kind": "AIServices" }))
        .await
        .expect_error(400, "InvalidRequestContent");
    arm.put(
        &account_id(),
        CS_V,
        json!({ "location": "westeurope", "properties": { "unknownButAccepted": 1 } }),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn data_collection_rule_needs_its_table_and_endpoint() {
    let (_emulator, arm) = start(builder()).await;
    resource_group(&arm).await;
    let workspace = format!("{RG}/providers/Microsoft.OperationalInsights/workspaces/log-test");
    let dce = format!("{RG}/providers/Microsoft.Insights/dataCollectionEndpoints/dce-test");
    let dcr = format!("{RG}/providers/Microsoft.Insights/dataCollectionRules/dcr-test");
    let dcr_body = json!({
        "location": "westeurope",
        "properties": {
            "dataCollectionEndpointId": dce,
            "streamDeclarations": { "Custom-Usage_CL": { "columns": [
                { "name": "TimeGenerated", "type": "datetime" } ] } },
            "destinations": { "logAnalytics": [ { "workspaceResourceId": workspace, "name": "ws" } ] },
            "dataFlows": [ { "streams": ["Custom-Usage_CL"], "destinations": ["ws"],
                "transformKql": "source", "outputStream": "Custom-Usage_CL" } ]
        }
    });
    let invalid = arm
        .put(&dcr, MON_V, dcr_body.clone())
        .await
        .expect_error(400, "InvalidPayload");
    assert_eq!(
        invalid.body["error"]["details"].as_array().map(Vec::len),
        Some(2)
    );

    arm.create(&workspace, LA_V, json!({ "location": "westeurope" }))
        .await;
    let created = arm
        .create(&dce, MON_V, json!({ "location": "westeurope" }))
        .await;
    let endpoint = created["properties"]["logsIngestion"]["endpoint"]
        .as_str()
        .unwrap_or_default();
    assert!(
        endpoint.starts_with("https://dce-test-")
            && endpoint.ends_with(".westeurope-1.ingest.monitor.azure.com"),
        "{endpoint}"
    );
    let invalid = arm
        .put(&dcr, MON_V, dcr_body.clone())
        .await
        .expect_error(400, "InvalidPayload");
    assert_eq!(
        invalid.body["error"]["details"][0]["code"],
        "InvalidOutputTable"
    );

    let table = format!("{workspace}/tables/Usage_CL");
    arm.put(
        &table,
        LA_V,
        json!({ "properties": { "schema": { "name": "Usage_CL", "columns": [
            { "name": "Time", "type": "dateTime" } ] } } }),
    )
    .await
    .expect_error(400, "InvalidParameter");
    arm.create(
        &table,
        LA_V,
        json!({ "properties": { "schema": { "name": "Usage_CL", "columns": [
            { "name": "TimeGenerated", "type": "dateTime" } ] } } }),
    )
    .await;
    let rule = arm.create(&dcr, MON_V, dcr_body).await;
    let immutable = rule["properties"]["immutableId"]
        .as_str()
        .unwrap_or_default();
    assert!(
        immutable.starts_with("dcr-") && immutable.len() == 36,
        "{immutable}"
    );
}

/// A workspace, endpoint and new table `Usage_CL` (finished), and the DCR body sending to it.
async fn monitoring_with_new_table(arm: &Arm) -> (String, Value) {
    resource_group(arm).await;
    let workspace = format!("{RG}/providers/Microsoft.OperationalInsights/workspaces/log-test");
    let dce = format!("{RG}/providers/Microsoft.Insights/dataCollectionEndpoints/dce-test");
    arm.create(&workspace, LA_V, json!({ "location": "westeurope" }))
        .await;
    arm.create(&dce, MON_V, json!({ "location": "westeurope" }))
        .await;
    arm.create(
        &format!("{workspace}/tables/Usage_CL"),
        LA_V,
        json!({ "properties": { "schema": { "name": "Usage_CL", "columns": [
            { "name": "TimeGenerated", "type": "dateTime" } ] } } }),
    )
    .await;
    let dcr = format!("{RG}/providers/Microsoft.Insights/dataCollectionRules/dcr-test");
    let body = json!({
        "location": "westeurope",
        "properties": {
            "dataCollectionEndpointId": dce,
            "streamDeclarations": { "Custom-Usage_CL": { "columns": [
                { "name": "TimeGenerated", "type": "datetime" } ] } },
            "destinations": { "logAnalytics": [ { "workspaceResourceId": workspace, "name": "ws" } ] },
            "dataFlows": [ { "streams": ["Custom-Usage_CL"], "destinations": ["ws"],
                "transformKql": "source", "outputStream": "Custom-Usage_CL" } ]
        }
    });
    (dcr, body)
}

#[tokio::test]
async fn a_new_table_is_refused_as_a_dcr_output_for_a_while() {
    // Still inside the window: the table reports Succeeded, the rule is refused as if it
    // did not exist.
    let (_emulator, arm) = start(
        builder()
            .latency(LatencyProfile::instant().with_output_table_delay(Duration::from_secs(3600))),
    )
    .await;
    let (dcr, body) = monitoring_with_new_table(&arm).await;
    let refused = arm
        .put(&dcr, MON_V, body)
        .await
        .expect_error(400, "InvalidPayload");
    assert_eq!(
        refused.body["error"]["details"][0]["code"],
        "InvalidOutputTable"
    );
    assert!(
        refused.body["error"]["details"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("'Custom-Usage_CL' is not available")),
        "{refused:#?}"
    );

    // After the window the same rule is accepted.
    let (_emulator, arm) = start(
        builder()
            .latency(LatencyProfile::instant().with_output_table_delay(Duration::from_millis(20))),
    )
    .await;
    let (dcr, body) = monitoring_with_new_table(&arm).await;
    tokio::time::sleep(Duration::from_millis(40)).await;
    arm.create(&dcr, MON_V, body).await;
}

#[tokio::test]
async fn referenced_identities_must_exist() {
    let (_emulator, arm) = start(builder()).await;
    resource_group(&arm).await;
    arm.put(&apim_id(), APIM_V, apim_body())
        .await
        .expect_error(400, "FailedIdentityOperation");
}
