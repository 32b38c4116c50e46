//! Every fault variant and route overrides.

use serde_json::json;

use super::*;
use crate::{Fault, Matcher, OverrideResponse, RequestKind};

#[tokio::test]
async fn throttle_then_recover() {
    let (emulator, arm) = start(builder().fault(Fault::Throttle {
        matcher: Matcher::method("PUT").resource_type("Microsoft.Resources/resourceGroups"),
        times: 2,
        retry_after_secs: 7,
    }))
    .await;
    for _ in 0..2 {
        let throttled = arm
            .put(RG, RG_V, json!({ "location": "westeurope" }))
            .await
            .expect_error(429, "TooManyRequests");
        assert_eq!(throttled.header("retry-after"), Some("7"));
    }
    arm.put(RG, RG_V, json!({ "location": "westeurope" }))
        .await
        .expect(201);
    arm.get(RG, RG_V).await.expect(200);
    let statuses: Vec<u16> = emulator.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 429, 201, 200]);
}

#[tokio::test]
async fn server_errors_are_arm_shaped() {
    let (_emulator, arm) = start(
        builder()
            .fault(Fault::ServerError {
                matcher: Matcher::any().name("rg-test"),
                times: 1,
                status: 503,
            })
            .fault(Fault::ServerError {
                matcher: Matcher::any().name("rg-test"),
                times: 1,
                status: 500,
            }),
    )
    .await;
    arm.get(RG, RG_V)
        .await
        .expect_error(503, "ServiceUnavailable");
    arm.get(RG, RG_V)
        .await
        .expect_error(500, "InternalServerError");
    arm.get(RG, RG_V)
        .await
        .expect_error(404, "ResourceGroupNotFound");
}

#[tokio::test]
async fn dropped_connections_get_no_response() {
    let (emulator, arm) = start(builder().fault(Fault::DropConnection {
        matcher: Matcher::method("PUT"),
        times: 1,
    }))
    .await;
    let url = format!("{}{}", emulator.url(), with_version(RG, RG_V));
    let dropped = arm
        .http
        .put(&url)
        .bearer_auth(TOKEN)
        .json(&json!({ "location": "westeurope" }))
        .send()
        .await;
    assert!(
        dropped.is_err(),
        "expected a transport error, got {dropped:?}"
    );
    arm.put(RG, RG_V, json!({ "location": "westeurope" }))
        .await
        .expect(201);
    let log = emulator.requests();
    assert_eq!(log[0].status, 0);
    assert_eq!(log[0].kind, RequestKind::Write);
}

#[tokio::test]
async fn reject_and_conflict() {
    let deployments =
        Matcher::method("PUT").resource_type("Microsoft.CognitiveServices/accounts/deployments");
    let (_emulator, arm) = start(
        builder()
            .fault(Fault::Conflict {
                matcher: Matcher::writes().name("cog-test"),
                times: 1,
            })
            .fault(Fault::Reject {
                matcher: deployments,
                status: 400,
                code: "InsufficientQuota".into(),
                message: "This operation require 10 new capacity in quota Tokens Per Minute".into(),
                times: None,
            }),
    )
    .await;
    resource_group(&arm).await;
    arm.put(&account_id(), CS_V, account_body())
        .await
        .expect_error(409, "RequestConflict");
    arm.create(&account_id(), CS_V, account_body()).await;
    let id = format!("{}/deployments/gpt-4o", account_id());
    for _ in 0..3 {
        let rejected = arm
            .put(&id, CS_V, deployment_body())
            .await
            .expect_error(400, "InsufficientQuota");
        assert!(rejected.message().contains("quota"));
    }
}

#[tokio::test]
async fn faults_can_be_added_while_running() {
    let (emulator, arm) = start(builder()).await;
    resource_group(&arm).await;
    emulator.add_fault(Fault::Reject {
        matcher: Matcher::method("GET"),
        status: 403,
        code: "AuthorizationFailed".into(),
        message: "no".into(),
        times: Some(1),
    });
    arm.get(RG, RG_V)
        .await
        .expect_error(403, "AuthorizationFailed");
    arm.get(RG, RG_V).await.expect(200);
}

#[tokio::test]
async fn overrides_answer_first() {
    let (emulator, arm) = start(builder().route_override(|request| {
        (request.method == "GET" && request.path.ends_with("/special")).then(|| {
            OverrideResponse::json(418, json!({ "teapot": request.query.clone() }))
                .header("x-custom", "yes")
        })
    }))
    .await;
    let answer = arm
        .send("GET", "/anything/special?q=1", None, &[])
        .await
        .expect(418);
    assert_eq!(answer.body["teapot"], "q=1");
    assert_eq!(answer.header("x-custom"), Some("yes"));
    assert!(answer.header("x-ms-request-id").is_some());
    arm.get(RG, RG_V).await.expect(404);
    assert_eq!(emulator.requests().len(), 2);
}
