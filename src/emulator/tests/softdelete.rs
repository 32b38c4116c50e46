//! Soft-deleted APIM services and Cognitive Services accounts: listing, the 409 on re-create,
//! purge through a long-running operation, restore.

use serde_json::json;

use super::*;
use crate::emulator::Fault;

#[tokio::test]
async fn deleted_apim_blocks_recreation_until_purged() {
    let latency = crate::emulator::LatencyProfile::instant().with(
        crate::emulator::latency::APIM_PURGE,
        std::time::Duration::from_secs(60),
    );
    let (emulator, arm) = start(builder().manual_clock().latency(latency)).await;
    apim(&arm).await;
    arm.put(
        &format!("{}/namedValues/nv", apim_id()),
        APIM_V,
        json!({ "properties": { "displayName": "nv", "value": "v" } }),
    )
    .await
    .expect(202);
    arm.delete(&apim_id(), APIM_V).await.expect(200);
    arm.get(&format!("{}/namedValues/nv", apim_id()), APIM_V)
        .await
        .expect_error(404, "ResourceNotFound");

    let list = format!("/subscriptions/{SUB}/providers/Microsoft.ApiManagement/deletedservices");
    let listed = arm.get(&list, APIM_V).await.expect(200);
    assert_eq!(listed.body["value"][0]["name"], "apim-test");
    assert_eq!(
        listed.body["value"][0]["properties"]["serviceId"],
        apim_id()
    );

    let conflict = arm
        .put(&apim_id(), APIM_V, apim_body())
        .await
        .expect_error(409, "ServiceAlreadyExistsInSoftDeletedState");
    assert!(conflict.message().contains("apim-test"), "{conflict:#?}");

    let deleted = format!(
        "/subscriptions/{SUB}/providers/Microsoft.ApiManagement/locations/westeurope/deletedservices/apim-test"
    );
    arm.get(&deleted, APIM_V).await.expect(200);
    arm.get(&deleted.replace("westeurope", "eastus"), APIM_V)
        .await
        .expect(404);
    let purge = arm.delete(&deleted, APIM_V).await.expect(202);
    let location = purge.header("location").unwrap_or_default().to_string();
    // Still there until the purge operation has finished.
    arm.put(&apim_id(), APIM_V, apim_body())
        .await
        .expect_error(409, "ServiceAlreadyExistsInSoftDeletedState");
    arm.send("GET", &location, None, &[]).await.expect(202);
    emulator.advance(std::time::Duration::from_secs(60));
    arm.send("GET", &location, None, &[]).await.expect(204);
    let listed = arm.get(&list, APIM_V).await.expect(200);
    assert_eq!(listed.body["value"], json!([]));
    arm.put(&apim_id(), APIM_V, apim_body()).await.expect(201);
}

#[tokio::test]
async fn soft_deleted_accounts_need_restore_or_purge() {
    let (_emulator, arm) = start(builder().fault(Fault::SoftDeletedAccount {
        name: "cog-test".into(),
        location: "swedencentral".into(),
        resource_group: "rg-test".into(),
    }))
    .await;
    resource_group(&arm).await;
    let list =
        format!("/subscriptions/{SUB}/providers/Microsoft.CognitiveServices/deletedAccounts");
    let listed = arm.get(&list, CS_V).await.expect(200);
    assert_eq!(listed.body["value"][0]["name"], "cog-test");
    let conflict = arm
        .put(&account_id(), CS_V, account_body())
        .await
        .expect_error(409, "FlagMustBeSetForRestore");
    assert!(
        conflict
            .message()
            .contains("/locations/swedencentral/resourceGroups/rg-test/deletedAccounts/cog-test"),
        "{conflict:#?}"
    );
    let mut restore = account_body();
    restore["properties"]["restore"] = json!(true);
    let restored = arm.create(&account_id(), CS_V, restore).await;
    assert!(restored["properties"].get("restore").is_none());
    assert_eq!(arm.get(&list, CS_V).await.body["value"], json!([]));

    // Delete again: the entry keeps the account's values; purge it and create anew.
    arm.delete(&account_id(), CS_V).await.expect(200);
    let deleted = format!(
        "/subscriptions/{SUB}/providers/Microsoft.CognitiveServices/locations/swedencentral/resourceGroups/rg-test/deletedAccounts/cog-test"
    );
    let got = arm.get(&deleted, CS_V).await.expect(200);
    assert_eq!(got.body["properties"]["customSubDomainName"], "cog-test");
    assert!(got.body["properties"]["deletionDate"].is_string());
    let purge = arm.delete(&deleted, CS_V).await.expect(202);
    arm.send(
        "GET",
        purge.header("location").unwrap_or_default(),
        None,
        &[],
    )
    .await
    .expect(204);
    arm.put(&account_id(), CS_V, account_body())
        .await
        .expect(201);
}

#[tokio::test]
async fn configured_soft_deleted_apim() {
    let (_emulator, arm) = start(builder().fault(Fault::SoftDeletedApim {
        name: "apim-test".into(),
        location: "West Europe".into(),
    }))
    .await;
    identity(&arm).await;
    arm.put(&apim_id(), APIM_V, apim_body())
        .await
        .expect_error(409, "ServiceAlreadyExistsInSoftDeletedState");
    let mut restore = apim_body();
    restore["properties"]["restore"] = json!(true);
    arm.put(&apim_id(), APIM_V, restore).await.expect(201);
}
