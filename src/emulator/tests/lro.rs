//! Long-running operations in each style, computed values, and the busy-account conflict.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::emulator::{Fault, LatencyProfile, Matcher, RequestKind};

#[tokio::test]
async fn identity_is_synchronous_with_stable_computed_ids() {
    let (_emulator, arm) = start(builder().tenant_id("22222222-2222-2222-2222-222222222222")).await;
    resource_group(&arm).await;
    let created = arm
        .put(
            &identity_id(),
            MI_V,
            json!({ "location": "westeurope", "tags": tags() }),
        )
        .await
        .expect(201);
    assert!(
        created.header("location").is_none() && created.header("azure-asyncoperation").is_none()
    );
    let props = &created.body["properties"];
    assert_eq!(props["tenantId"], "22222222-2222-2222-2222-222222222222");
    assert!(
        props.get("provisioningState").is_none(),
        "identities have none: {props}"
    );
    for field in ["principalId", "clientId"] {
        assert!(uuid::Uuid::parse_str(props[field].as_str().unwrap_or("")).is_ok());
    }
    let updated = arm
        .put(&identity_id(), MI_V, json!({ "location": "westeurope" }))
        .await
        .expect(200);
    assert_eq!(
        updated.body["properties"]["principalId"],
        props["principalId"]
    );
    assert_eq!(updated.body["properties"]["clientId"], props["clientId"]);
    assert!(updated.body.get("tags").is_none());
    assert!(updated.body["systemData"]["createdAt"].is_string());
}

#[tokio::test]
async fn account_polls_through_location_until_done() {
    let (emulator, arm) = start(builder().lro_polls(2)).await;
    resource_group(&arm).await;
    let put = arm
        .put(&account_id(), CS_V, account_body())
        .await
        .expect(201);
    assert_eq!(put.state(), "Creating");
    assert_eq!(put.header("retry-after"), Some("0"));
    let location = put
        .header("location")
        .unwrap_or_else(|| panic!("no Location: {put:#?}"))
        .to_string();
    assert!(
        location.starts_with(&emulator.url()),
        "absolute: {location}"
    );
    assert!(location.contains("api-version=2025-06-01"), "{location}");

    let first = arm.send("GET", &location, None, &[]).await.expect(202);
    assert_eq!(first.header("location"), Some(location.as_str()));
    assert!(first.header("retry-after").is_some());
    let done = arm.send("GET", &location, None, &[]).await.expect(200);
    assert_eq!(done.state(), "Succeeded");
    let props = &done.body["properties"];
    assert_eq!(
        props["endpoint"],
        "https://cog-test.cognitiveservices.azure.com/"
    );
    assert_eq!(
        props["endpoints"]["OpenAI Language Model Instance API"],
        "https://cog-test.openai.azure.com/"
    );
    assert_eq!(
        props["endpoints"]["AI Foundry API"],
        "https://cog-test.services.ai.azure.com/"
    );
    assert_eq!(
        props["networkAcls"]["defaultAction"], "Allow",
        "a server default"
    );
    assert!(done.body["identity"]["principalId"].is_string());

    let polls: Vec<RequestKind> = emulator
        .requests()
        .iter()
        .filter(|r| r.path.contains("operationResults"))
        .map(|r| r.kind)
        .collect();
    assert_eq!(polls, [RequestKind::Poll, RequestKind::Poll]);

    // A project: its endpoint is under the account's subdomain.
    let project_id = format!("{}/projects/proj-test", account_id());
    let project = arm
        .create(
            &project_id,
            CS_V,
            json!({ "location": "swedencentral", "identity": { "type": "SystemAssigned" }, "properties": {} }),
        )
        .await;
    assert_eq!(
        project["properties"]["endpoints"]["AI Foundry API"],
        "https://cog-test.services.ai.azure.com/api/projects/proj-test"
    );
    let account = arm.get(&account_id(), CS_V).await.expect(200);
    assert_eq!(
        account.body["properties"]["associatedProjects"],
        json!(["proj-test"])
    );
}

#[tokio::test]
async fn deployment_polls_through_azure_async_operation() {
    let (_emulator, arm) = start(builder().lro_polls(3)).await;
    resource_group(&arm).await;
    arm.create(&account_id(), CS_V, account_body()).await;
    let id = format!("{}/deployments/gpt-4o", account_id());
    let put = arm.put(&id, CS_V, deployment_body()).await.expect(201);
    assert_eq!(put.state(), "Creating");
    let status_url = put
        .header("azure-asyncoperation")
        .unwrap_or_else(|| panic!("no Azure-AsyncOperation: {put:#?}"))
        .to_string();
    let running = arm.send("GET", &status_url, None, &[]).await.expect(200);
    assert_eq!(running.body["status"], "InProgress");
    assert!(running.header("retry-after").is_some());
    assert_eq!(arm.get(&id, CS_V).await.expect(200).state(), "Creating");
    // The resource GET above was the second poll, this is the third.
    let done = arm.send("GET", &status_url, None, &[]).await.expect(200);
    assert_eq!(done.body["status"], "Succeeded");
    assert!(done.body["endTime"].is_string());
    let deployment = arm.get(&id, CS_V).await.expect(200);
    assert_eq!(deployment.state(), "Succeeded");
    assert_eq!(deployment.body["properties"]["currentCapacity"], 10);
    let update = arm.put(&id, CS_V, deployment_body()).await.expect(200);
    assert_eq!(update.state(), "Accepted");
}

#[tokio::test]
async fn writes_under_a_busy_account_conflict() {
    let latency = LatencyProfile::instant()
        .with(
            "Microsoft.CognitiveServices/accounts",
            Duration::from_secs(30),
        )
        .with(
            "Microsoft.CognitiveServices/accounts/projects",
            Duration::from_secs(20),
        );
    let (emulator, arm) = start(builder().manual_clock().latency(latency)).await;
    resource_group(&arm).await;
    let account_put = arm
        .put(&account_id(), CS_V, account_body())
        .await
        .expect(201);
    let project = format!("{}/projects/proj", account_id());
    let body = json!({ "location": "swedencentral", "properties": {} });
    let conflict = arm
        .put(&project, CS_V, body.clone())
        .await
        .expect_error(409, "RequestConflict");
    assert!(
        conflict
            .message()
            .contains("Another operation is being performed on the parent resource"),
        "{conflict:#?}"
    );
    arm.put(&account_id(), CS_V, account_body())
        .await
        .expect_error(409, "RequestConflict");
    emulator.advance(Duration::from_secs(30));
    arm.wait(&account_id(), CS_V, account_put).await.expect(200);
    let project_put = arm.put(&project, CS_V, body).await.expect(201);
    arm.put(
        &format!("{}/deployments/d", account_id()),
        CS_V,
        deployment_body(),
    )
    .await
    .expect_error(409, "RequestConflict");
    emulator.advance(Duration::from_secs(20));
    arm.wait(&project, CS_V, project_put).await.expect(200);
    arm.put(
        &format!("{}/deployments/d", account_id()),
        CS_V,
        deployment_body(),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn apim_service_is_polled_by_getting_the_resource() {
    let (_emulator, arm) = start(builder().lro_polls(2)).await;
    identity(&arm).await;
    let put = arm.put(&apim_id(), APIM_V, apim_body()).await.expect(201);
    assert!(put.header("location").is_none() && put.header("azure-asyncoperation").is_none());
    assert_eq!(put.state(), "Activating");
    assert_eq!(
        put.body["properties"]["targetProvisioningState"],
        "Activating"
    );
    assert_eq!(arm.get(&apim_id(), APIM_V).await.state(), "Activating");
    let done = arm.get(&apim_id(), APIM_V).await.expect(200);
    assert_eq!(done.state(), "Succeeded");
    assert_eq!(done.body["properties"]["targetProvisioningState"], "");
    assert_eq!(
        done.body["properties"]["gatewayUrl"],
        "https://apim-test.azure-api.net"
    );
    // The identity key comes back with `resourcegroups`: compare ids ignoring case.
    let assigned = done.body["identity"]["userAssignedIdentities"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let (key, value) = assigned
        .iter()
        .next()
        .unwrap_or_else(|| panic!("no identity"));
    assert_ne!(key, &identity_id());
    assert!(key.eq_ignore_ascii_case(&identity_id()));
    assert!(key.contains("/resourcegroups/"));
    let identity = arm.get(&identity_id(), MI_V).await;
    assert_eq!(
        value["principalId"],
        identity.body["properties"]["principalId"]
    );
    assert_eq!(value["clientId"], identity.body["properties"]["clientId"]);

    let update = arm.put(&apim_id(), APIM_V, apim_body()).await.expect(200);
    assert_eq!(update.state(), "Updating");
}

#[tokio::test]
async fn workspace_table_and_named_value_styles() {
    let (_emulator, arm) = start(builder()).await;
    apim(&arm).await;
    let workspace = format!("{RG}/providers/Microsoft.OperationalInsights/workspaces/log-test");
    let put = arm
        .put(
            &workspace,
            LA_V,
            json!({ "location": "westeurope", "properties": { "sku": { "name": "PerGB2018" }, "retentionInDays": 30 } }),
        )
        .await
        .expect(201);
    assert_eq!(put.state(), "Creating");
    let done = arm.wait(&workspace, LA_V, put).await.expect(200);
    assert!(done.body["properties"]["customerId"].is_string());

    let table = format!("{workspace}/tables/Usage_CL");
    let put = arm
        .put(
            &table,
            LA_V,
            json!({ "properties": { "schema": { "name": "Usage_CL", "columns": [
                { "name": "TimeGenerated", "type": "dateTime" } ] } } }),
        )
        .await
        .expect(202);
    assert!(put.header("azure-asyncoperation").is_some() && put.header("location").is_some());
    assert_eq!(arm.wait(&table, LA_V, put).await.state(), "Succeeded");
    let got = arm.get(&table, LA_V).await;
    assert_eq!(
        got.body["properties"]["schema"]["columns"][0]["isHidden"],
        false
    );
    assert_eq!(got.body["properties"]["retentionInDaysAsDefault"], true);

    let named = format!("{}/namedValues/stream-name", apim_id());
    let put = arm
        .put(
            &named,
            APIM_V,
            json!({ "properties": { "displayName": "stream-name", "value": "Custom-Usage_CL" } }),
        )
        .await
        .expect(202);
    assert!(put.body.is_null());
    let done = arm.wait(&named, APIM_V, put).await.expect(200);
    assert_eq!(done.body["properties"]["value"], "Custom-Usage_CL");
}

#[tokio::test]
async fn failed_operations_report_the_error() {
    let failing =
        Matcher::method("PUT").resource_type("Microsoft.CognitiveServices/accounts/deployments");
    let (_emulator, arm) = start(builder().fault(Fault::FailLongRunning {
        matcher: failing,
        code: "InsufficientQuota".into(),
        message: "Not enough quota".into(),
    }))
    .await;
    resource_group(&arm).await;
    arm.create(&account_id(), CS_V, account_body()).await;
    let id = format!("{}/deployments/gpt-4o", account_id());
    let put = arm.put(&id, CS_V, deployment_body()).await.expect(201);
    let status = arm.wait(&id, CS_V, put).await.expect(200);
    assert_eq!(status.body["status"], "Failed");
    assert_eq!(status.body["error"]["code"], "InsufficientQuota");
    assert_eq!(arm.get(&id, CS_V).await.state(), "Failed");

    // The Location style: the result URL answers with the error.
    let (_emulator, arm) = start(builder().fault(Fault::FailLongRunning {
        matcher: Matcher::any().name("cog-test"),
        code: "CustomDomainInUse".into(),
        message: "taken".into(),
    }))
    .await;
    resource_group(&arm).await;
    let put = arm
        .put(&account_id(), CS_V, account_body())
        .await
        .expect(201);
    arm.wait(&account_id(), CS_V, put)
        .await
        .expect_error(400, "CustomDomainInUse");
    assert_eq!(arm.get(&account_id(), CS_V).await.state(), "Failed");
}

#[tokio::test]
async fn latency_holds_operations_and_synchronous_writes() {
    let latency = LatencyProfile::instant()
        .with(
            "Microsoft.CognitiveServices/accounts",
            Duration::from_millis(300),
        )
        .with(
            "Microsoft.ManagedIdentity/userAssignedIdentities",
            Duration::from_millis(150),
        );
    let (emulator, arm) = start(builder().latency(latency)).await;
    resource_group(&arm).await;
    arm.put(&identity_id(), MI_V, json!({ "location": "westeurope" }))
        .await
        .expect(201);
    let identity_put = emulator
        .requests()
        .into_iter()
        .find(|r| r.path.contains("userAssignedIdentities"))
        .unwrap_or_else(|| panic!("not logged"));
    assert!(identity_put.finished - identity_put.started >= Duration::from_millis(150));

    let put = arm
        .put(&account_id(), CS_V, account_body())
        .await
        .expect(201);
    let location = put.header("location").unwrap_or_default().to_string();
    arm.send("GET", &location, None, &[]).await.expect(202);
    tokio::time::sleep(Duration::from_millis(350)).await;
    // Polled once before, old enough now: done on this poll.
    arm.send("GET", &location, None, &[]).await.expect(200);
}

#[tokio::test]
async fn operations_finish_by_time_without_being_polled() {
    let latency = LatencyProfile::instant().with(
        "Microsoft.CognitiveServices/accounts",
        Duration::from_secs(30),
    );
    let (emulator, arm) = start(builder().manual_clock().latency(latency)).await;
    resource_group(&arm).await;
    let put = arm
        .put(&account_id(), CS_V, account_body())
        .await
        .expect(201);
    assert_eq!(put.state(), "Creating");
    let state = |emulator: &crate::emulator::RunningEmulator| {
        emulator.resource(&account_id()).unwrap_or_default()["properties"]["provisioningState"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    emulator.advance(Duration::from_secs(29));
    assert_eq!(state(&emulator), "Creating");
    let project = format!("{}/projects/proj", account_id());
    let body = json!({ "location": "swedencentral", "properties": {} });
    arm.put(&project, CS_V, body.clone())
        .await
        .expect_error(409, "RequestConflict");
    emulator.advance(Duration::from_secs(1));
    // Nobody polled: the operation is finished because its time is up, as in ARM.
    assert_eq!(state(&emulator), "Succeeded");
    assert!(
        !emulator
            .requests()
            .iter()
            .any(|r| r.kind == RequestKind::Poll),
        "no poll was made"
    );
    arm.put(&project, CS_V, body).await.expect(201);
}

#[tokio::test]
async fn a_lost_put_response_leaves_the_write_done_and_a_retry_finds_it() {
    let latency = LatencyProfile::instant().with(
        "Microsoft.CognitiveServices/accounts",
        Duration::from_secs(30),
    );
    let (emulator, arm) = start(builder().manual_clock().latency(latency).fault(
        Fault::LoseResponse {
            matcher: Matcher::method("PUT").name("cog-test"),
            times: 1,
        },
    ))
    .await;
    resource_group(&arm).await;
    let url = format!("{}{}", emulator.url(), with_version(&account_id(), CS_V));
    let lost = arm
        .http
        .put(&url)
        .bearer_auth(TOKEN)
        .json(&account_body())
        .send()
        .await;
    assert!(lost.is_err(), "expected no answer, got {lost:?}");
    let logged = emulator.requests();
    assert_eq!(logged.last().map(|r| r.status), Some(0));
    // The write happened: the account exists and is being created.
    let account = emulator.resource(&account_id()).unwrap_or_default();
    assert_eq!(account["properties"]["provisioningState"], "Creating");
    // A retry while the operation runs meets the conflict ARM answers...
    arm.put(&account_id(), CS_V, account_body())
        .await
        .expect_error(409, "RequestConflict");
    // ...and once the operation's time is up, the retry is an ordinary update.
    emulator.advance(Duration::from_secs(30));
    let retried = arm
        .put(&account_id(), CS_V, account_body())
        .await
        .expect(200);
    assert_eq!(retried.state(), "Accepted");
}
