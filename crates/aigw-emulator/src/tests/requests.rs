//! The request log: order, kinds, bodies, client request ids, concurrent writes.

use std::time::Duration;

use serde_json::json;

use super::*;
use crate::{LatencyProfile, RequestKind};

#[tokio::test]
async fn log_records_requests_in_arrival_order() {
    let (emulator, arm) = start(builder()).await;
    arm.send(
        "PUT",
        &with_version(RG, RG_V),
        Some(&json!({ "location": "westeurope" })),
        &[("x-ms-client-request-id", "abc")],
    )
    .await
    .expect(201);
    arm.create(&account_id(), CS_V, account_body()).await;
    arm.get(&account_id(), CS_V).await.expect(200);
    let log = emulator.requests();
    let summary: Vec<(&str, RequestKind, u16)> = log
        .iter()
        .map(|r| (r.method.as_str(), r.kind, r.status))
        .collect();
    assert_eq!(
        summary,
        [
            ("PUT", RequestKind::Write, 201),
            ("PUT", RequestKind::Write, 201),
            ("GET", RequestKind::Poll, 200),
            ("GET", RequestKind::Read, 200),
        ]
    );
    assert_eq!(log[0].client_request_id.as_deref(), Some("abc"));
    assert_eq!(log[0].api_version.as_deref(), Some(RG_V));
    assert_eq!(log[0].body, Some(json!({ "location": "westeurope" })));
    assert_eq!(log[0].path, RG);
    assert_eq!(log[0].query, format!("api-version={RG_V}"));
    assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
    assert!(log.iter().all(|r| r.finished >= r.started));
}

#[tokio::test]
async fn concurrent_writes_are_measured() {
    let latency = LatencyProfile::instant().with(
        "Microsoft.ManagedIdentity/userAssignedIdentities",
        Duration::from_millis(200),
    );
    let (emulator, arm) = start(builder().latency(latency)).await;
    resource_group(&arm).await;
    assert_eq!(emulator.max_writes_in_flight(), 1);
    let put = |name: &'static str| {
        let arm = &arm;
        async move {
            arm.put(
                &format!("{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"),
                MI_V,
                json!({ "location": "westeurope" }),
            )
            .await
            .expect(201)
        }
    };
    let _ = tokio::join!(put("a"), put("b"), put("c"));
    assert_eq!(emulator.max_writes_in_flight(), 3);
    assert_eq!(emulator.resources().len(), 4);
}
