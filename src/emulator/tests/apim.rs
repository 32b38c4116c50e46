//! API Management save-time rules: policies, fragments, named values, backends, operations.

use serde_json::{Value, json};

use super::*;

fn policy_id(api: &str) -> String {
    format!("{}/apis/{api}/policies/policy", apim_id())
}

fn policy(xml: &str) -> Value {
    json!({ "properties": { "format": "rawxml", "value": xml } })
}

async fn api(arm: &Arm, name: &str) {
    arm.create(
        &format!("{}/apis/{name}", apim_id()),
        APIM_V,
        json!({ "properties": { "displayName": name, "path": name, "protocols": ["https"] } }),
    )
    .await;
}

fn details(resp: &Resp) -> Vec<String> {
    resp.body["error"]["details"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|d| d["message"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn policies_need_their_named_values_and_fragments() {
    let (_emulator, arm) = start(builder()).await;
    apim(&arm).await;
    api(&arm, "openai").await;
    let xml = "<policies>\n  <inbound>\n    <base/>\n    <include-fragment fragment-id=\"frag\" />\n    \
               <set-header name=\"x\"><value>{{missing-value}}</value></set-header>\n  </inbound>\n</policies>";
    let rejected = arm
        .put(&policy_id("openai"), APIM_V, policy(xml))
        .await
        .expect_error(400, "ValidationError");
    let messages = details(&rejected);
    assert!(
        messages.contains(&"Cannot find a property 'missing-value'".to_string()),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("'frag'")),
        "{messages:?}"
    );

    arm.put(
        &policy_id("openai"),
        APIM_V,
        policy("<inbound><base/></inbound>"),
    )
    .await
    .expect_error(400, "ValidationError");

    arm.create(
        &format!("{}/namedValues/missing-value", apim_id()),
        APIM_V,
        json!({ "properties": { "displayName": "missing-value", "value": "s3cret", "secret": true } }),
    )
    .await;
    let fragment = format!("{}/policyFragments/frag", apim_id());
    let fragment_put = arm
        .put(
            &fragment,
            APIM_V,
            json!({ "properties": { "format": "rawxml", "value": "<fragment><include-fragment fragment-id=\"x\" /></fragment>" } }),
        )
        .await
        .expect_error(400, "ValidationError");
    assert!(
        details(&fragment_put)[0].contains("cannot include"),
        "{fragment_put:#?}"
    );
    arm.create(
        &fragment,
        APIM_V,
        json!({ "properties": { "format": "rawxml", "value": "<fragment>\n<set-variable name=\"a\" value=\"{{missing-value}}\"/>\n</fragment>", "description": "d" } }),
    )
    .await;
    arm.put(&policy_id("openai"), APIM_V, policy(xml))
        .await
        .expect(201);

    // Read back: the raw format on request, without `format` (a write instruction APIM does not
    // store), in APIM's layout; a plain GET says `xml`.
    let raw = arm
        .get(&format!("{}?format=rawxml", policy_id("openai")), APIM_V)
        .await
        .expect(200);
    assert_eq!(raw.body["properties"].get("format"), None, "{raw:#?}");
    let value = raw.body["properties"]["value"].as_str().unwrap_or_default();
    assert_ne!(value, xml);
    assert!(value.contains("<base />\r\n"), "{value}");
    let plain = arm.get(&policy_id("openai"), APIM_V).await.expect(200);
    assert_eq!(plain.body["properties"]["format"], "xml");

    // A secret named value's value is never returned.
    let named = arm
        .get(&format!("{}/namedValues/missing-value", apim_id()), APIM_V)
        .await
        .expect(200);
    assert!(
        named.body["properties"].get("value").is_none(),
        "{named:#?}"
    );
    assert_eq!(named.body["properties"]["secret"], true);
}

#[tokio::test]
async fn named_values_count_only_once_created() {
    let latency = crate::emulator::LatencyProfile::instant().with(
        "Microsoft.ApiManagement/service/namedValues",
        std::time::Duration::from_secs(2),
    );
    let (emulator, arm) = start(builder().manual_clock().latency(latency)).await;
    apim(&arm).await;
    api(&arm, "v1").await;
    arm.put(
        &format!("{}/namedValues/late", apim_id()),
        APIM_V,
        json!({ "properties": { "displayName": "late", "value": "v" } }),
    )
    .await
    .expect(202);
    arm.put(
        &policy_id("v1"),
        APIM_V,
        policy("<policies><inbound>{{late}}</inbound></policies>"),
    )
    .await
    .expect_error(400, "ValidationError");
    emulator.advance(std::time::Duration::from_secs(2));
    arm.put(
        &policy_id("v1"),
        APIM_V,
        policy("<policies><inbound>{{late}}</inbound></policies>"),
    )
    .await
    .expect(201);
}

#[tokio::test]
async fn backends_and_pools() {
    let (_emulator, arm) = start(builder()).await;
    apim(&arm).await;
    let backend = |name: &str| format!("{}/backends/{name}", apim_id());
    let single = arm
        .create(
            &backend("b1"),
            APIM_V,
            json!({ "properties": { "type": "Single", "url": "https://a.openai.azure.com/openai", "protocol": "http" } }),
        )
        .await;
    assert_eq!(
        single["properties"]["tls"]["validateCertificateChain"], true,
        "a server default"
    );
    assert!(single["properties"].get("provisioningState").is_none());
    let pool_body = |members: Vec<String>, url: bool| {
        let mut body = json!({ "properties": { "type": "Pool", "pool": { "services":
            members.iter().map(|m| json!({ "id": m, "priority": 1, "weight": 1 })).collect::<Vec<_>>() } } });
        if url {
            body["properties"]["url"] = json!("https://x");
        }
        body
    };
    let rejected = arm
        .put(
            &backend("pool"),
            APIM_V,
            pool_body(vec![backend("b1"), backend("b2")], true),
        )
        .await
        .expect_error(400, "ValidationError");
    let messages = details(&rejected);
    assert!(
        messages.contains(&"Url is not supported for backend pool.".to_string()),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"Backend Entity 'b2' not found.".to_string()),
        "{messages:?}"
    );
    // Member ids compare ignoring case.
    arm.put(
        &backend("pool"),
        APIM_V,
        pool_body(vec![backend("B1").to_lowercase()], false),
    )
    .await
    .expect(201);
    arm.put(
        &backend("pool2"),
        APIM_V,
        pool_body(vec![backend("pool")], false),
    )
    .await
    .expect_error(400, "ValidationError");
}

#[tokio::test]
async fn operations_declare_their_template_parameters() {
    let (_emulator, arm) = start(builder()).await;
    apim(&arm).await;
    api(&arm, "openai").await;
    let id = format!("{}/apis/openai/operations/post", apim_id());
    let body = |declared: bool| {
        let mut body = json!({ "properties": { "displayName": "POST", "method": "POST",
            "urlTemplate": "/deployments/{deployment-id}/*" } });
        if declared {
            body["properties"]["templateParameters"] =
                json!([{ "name": "deployment-id", "type": "string", "required": true }]);
        }
        body
    };
    arm.put(&id, APIM_V, body(false))
        .await
        .expect_error(400, "ValidationError");
    arm.put(&id, APIM_V, body(true)).await.expect(201);
}
