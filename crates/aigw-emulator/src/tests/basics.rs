//! ARM's request rules: authentication, api-version, request-id headers, subscription and
//! provider endpoints, resource groups, parents, case-insensitive ids.

use serde_json::json;

use super::*;

#[tokio::test]
async fn authentication_is_required_and_checked() {
    let (_emulator, mut arm) = start(builder()).await;
    arm.token = None;
    let missing = arm
        .get(&format!("/subscriptions/{SUB}"), "2022-12-01")
        .await
        .expect_error(401, "AuthenticationFailed");
    assert!(
        missing
            .header("www-authenticate")
            .is_some_and(|h| h.starts_with("Bearer"))
    );
    arm.token = Some("someone-else".into());
    arm.get(&format!("/subscriptions/{SUB}"), "2022-12-01")
        .await
        .expect_error(401, "InvalidAuthenticationToken");

    let (_emulator, mut any) = start(Emulator::builder()).await;
    any.token = Some("anything".into());
    any.get(&format!("/subscriptions/{SUB}"), "2022-12-01")
        .await
        .expect(200);
}

#[tokio::test]
async fn api_version_is_required_and_must_be_supported() {
    let (_emulator, arm) = start(builder()).await;
    arm.send("GET", RG, None, &[])
        .await
        .expect_error(400, "MissingApiVersionParameter");
    let wrong = arm
        .get(&account_id(), "2019-01-01")
        .await
        .expect_error(400, "InvalidApiVersionParameter");
    assert!(wrong.message().contains("'2019-01-01'"), "{wrong:#?}");
    assert!(wrong.message().contains("2025-06-01"), "{wrong:#?}");
    arm.get(RG, "1999-01-01")
        .await
        .expect_error(400, "InvalidApiVersionParameter");
    arm.put(
        &format!("{RG}/providers/Microsoft.Storage/storageAccounts/st"),
        "2023-01-01",
        json!({ "location": "westeurope" }),
    )
    .await
    .expect_error(400, "InvalidResourceType");
}

#[tokio::test]
async fn every_answer_carries_request_ids_and_echoes_the_client_id() {
    let (_emulator, arm) = start(builder()).await;
    let answer = arm
        .send(
            "GET",
            &with_version(&format!("/subscriptions/{SUB}"), "2022-12-01"),
            None,
            &[
                ("x-ms-client-request-id", "client-1"),
                ("x-ms-correlation-request-id", "corr-1"),
            ],
        )
        .await
        .expect(200);
    assert!(answer.header("x-ms-request-id").is_some());
    assert_eq!(answer.header("x-ms-correlation-request-id"), Some("corr-1"));
    assert_eq!(answer.header("x-ms-client-request-id"), Some("client-1"));
    let error = arm.get(RG, "2021-04-01").await.expect(404);
    assert!(error.header("x-ms-request-id").is_some());
    assert!(error.header("x-ms-correlation-request-id").is_some());
    arm.get("/nothing/here", "2021-04-01")
        .await
        .expect_error(404, "InvalidRequestUri");
}

#[tokio::test]
async fn subscription_and_provider_registration() {
    let (_emulator, arm) = start(
        builder()
            .tenant_id("11111111-1111-1111-1111-111111111111")
            .unregistered("Microsoft.CognitiveServices"),
    )
    .await;
    let subscription = arm
        .get(&format!("/subscriptions/{SUB}"), "2022-12-01")
        .await
        .expect(200);
    assert_eq!(subscription.body["subscriptionId"], SUB);
    assert_eq!(subscription.body["state"], "Enabled");
    assert_eq!(
        subscription.body["tenantId"],
        "11111111-1111-1111-1111-111111111111"
    );

    let provider = format!("/subscriptions/{SUB}/providers/Microsoft.CognitiveServices");
    let state = |r: &Resp| {
        r.body["registrationState"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(
        state(&arm.get(&provider, "2021-04-01").await.expect(200)),
        "NotRegistered"
    );
    assert_eq!(
        state(
            &arm.get(
                &format!("/subscriptions/{SUB}/providers/Microsoft.Insights"),
                "2021-04-01"
            )
            .await
        ),
        "Registered"
    );
    resource_group(&arm).await;
    arm.put(&account_id(), CS_V, account_body())
        .await
        .expect_error(409, "MissingSubscriptionRegistration");
    let registering = arm
        .send(
            "POST",
            &with_version(&format!("{provider}/register"), "2021-04-01"),
            None,
            &[],
        )
        .await
        .expect(200);
    assert_eq!(state(&registering), "Registering");
    assert_eq!(state(&arm.get(&provider, "2021-04-01").await), "Registered");
    arm.put(&account_id(), CS_V, account_body())
        .await
        .expect(201);
}

#[tokio::test]
async fn only_the_configured_subscription_is_served() {
    let (_emulator, arm) = start(builder().subscription_id(SUB)).await;
    arm.get("/subscriptions/other", "2022-12-01")
        .await
        .expect_error(404, "SubscriptionNotFound");
    arm.get(&format!("/subscriptions/{SUB}"), "2022-12-01")
        .await
        .expect(200);
}

#[tokio::test]
async fn resource_groups_create_update_read_delete() {
    let (emulator, arm) = start(builder()).await;
    arm.get(RG, RG_V)
        .await
        .expect_error(404, "ResourceGroupNotFound");
    arm.send("HEAD", &with_version(RG, RG_V), None, &[])
        .await
        .expect(404);
    arm.put(RG, RG_V, json!({ "tags": {} }))
        .await
        .expect_error(400, "InvalidRequestContent");
    let created = arm
        .put(
            RG,
            RG_V,
            json!({ "location": "westeurope", "tags": { "a": "1" } }),
        )
        .await
        .expect(201);
    assert_eq!(created.body["id"], RG);
    assert_eq!(created.body["type"], "Microsoft.Resources/resourceGroups");
    assert_eq!(created.state(), "Succeeded");
    let updated = arm
        .put(RG, "2024-11-01", json!({ "location": "westeurope" }))
        .await
        .expect(200);
    assert!(
        updated.body.get("tags").is_none(),
        "PUT replaces: {updated:#?}"
    );
    arm.put(RG, RG_V, json!({ "location": "eastus" }))
        .await
        .expect_error(409, "InvalidResourceGroupLocation");
    arm.send("HEAD", &with_version(RG, RG_V), None, &[])
        .await
        .expect(204);

    // Ids and names ignore case; the stored id keeps ARM's casing.
    let shouted = RG
        .to_uppercase()
        .replace("RESOURCEGROUPS", "resourcegroups");
    let got = arm.get(&shouted, RG_V).await.expect(200);
    assert_eq!(got.body["id"], RG);
    assert!(emulator.resource(&RG.to_lowercase()).is_some());

    arm.create(&identity_id(), MI_V, json!({ "location": "westeurope" }))
        .await;
    arm.delete(RG, RG_V).await.expect(200);
    arm.delete(RG, RG_V).await.expect(204);
    assert!(emulator.resources().is_empty(), "delete removes children");
}

#[tokio::test]
async fn writes_need_the_resource_group_and_the_parent() {
    let (_emulator, arm) = start(builder()).await;
    arm.put(&identity_id(), MI_V, json!({ "location": "westeurope" }))
        .await
        .expect_error(404, "ResourceGroupNotFound");
    resource_group(&arm).await;
    let deployment = format!("{}/deployments/gpt-4o", account_id());
    let missing = arm
        .put(&deployment, CS_V, deployment_body())
        .await
        .expect_error(404, "ParentResourceNotFound");
    assert!(missing.message().contains("'cog-test'"), "{missing:#?}");
    arm.get(&account_id(), CS_V)
        .await
        .expect_error(404, "ResourceNotFound");
    arm.send("PATCH", &with_version(RG, RG_V), Some(&json!({})), &[])
        .await
        .expect_error(405, "MethodNotAllowed");
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let (emulator, arm) = start(builder()).await;
    arm.get(&format!("/subscriptions/{SUB}"), "2022-12-01")
        .await
        .expect(200);
    let url = emulator.url();
    emulator.shutdown().await;
    let after = reqwest::Client::new()
        .get(format!("{url}/subscriptions/{SUB}?api-version=2022-12-01"))
        .send()
        .await;
    assert!(after.is_err(), "still answering: {after:?}");
}
