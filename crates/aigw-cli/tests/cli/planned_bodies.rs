//! The example plan, written in order with deferred values resolved, then the policy fragments
//! and both API policies from `policies/`: every request body aigw plans passes validation
//! against the real specs and the emulator's cross-resource rules. Written by a plain client,
//! not aigw's engine, so the bodies alone are under test. Each policy read back as `rawxml`, in
//! the layout API Management gives it, is the policy aigw sent by aigw's normalisation, and its
//! default export is well-formed XML: the emulator finds the expressions with its own reader, so
//! this checks that reader against aigw's.

use std::collections::BTreeMap;

use aigw::params::{LoadOptions, ParamFormat, load_text};
use aigw::plan::{self, DeferredRef};
use aigw::source::SourceFile;
use aigw_emulator::{Emulator, Fault};
use serde_json::Value;

use crate::support::raw_arm::RawArm;

const EXAMPLE: &str = include_str!("../../../../examples/main.acc.parameters.bicepparam");
const SUB: &str = "00000000-0000-0000-0000-000000000001";
const TOKEN: &str = "test-token";
const APIM_V: &str = "2024-05-01";

/// Replaces `{"$deferred": key}` with the value produced earlier.
fn resolve(body: &Value, outputs: &BTreeMap<String, Value>) -> Value {
    match body {
        Value::Object(map) => {
            if let Some(key) = map.get(plan::deferred::MARKER).and_then(Value::as_str) {
                return outputs
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| panic!("deferred {key} not produced yet"));
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(v, outputs)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| resolve(v, outputs)).collect()),
        other => other.clone(),
    }
}

#[tokio::test]
async fn the_example_plan_deploys_with_its_policies() {
    let spec = load_text(
        SourceFile::new("example.bicepparam", EXAMPLE),
        ParamFormat::Bicepparam,
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let plan = plan::build(&spec, SUB, &aigw::policy::embedded());
    let specs = Emulator::specs().unwrap_or_else(|e| panic!("{e}"));
    let emulator = Emulator::builder()
        .specs(specs)
        .token(TOKEN)
        .retry_after_secs(0)
        .fault(Fault::PrincipalNotFound { times: 1 })
        .start()
        .await
        .unwrap_or_else(|e| panic!("emulator did not start: {e}"));
    let arm = RawArm::new(&emulator.url(), TOKEN);

    let mut outputs: BTreeMap<String, Value> = BTreeMap::new();
    let mut apim = String::new();
    for (_, operation) in plan.operations() {
        let body = resolve(&operation.body, &outputs);
        let mut put = arm
            .put(&operation.id, operation.api_version(), body.clone())
            .await;
        if put.code() == "PrincipalNotFound" {
            put = arm.put(&operation.id, operation.api_version(), body).await;
        }
        assert!(put.status < 300, "PUT {}: {put:#?}", operation.id);
        let done = arm.wait(&operation.id, operation.api_version(), put).await;
        assert!(done.status < 300, "{}: {done:#?}", operation.id);
        let shown = arm
            .get(&operation.id, operation.api_version())
            .await
            .expect(200);
        for output in &operation.outputs {
            let value = shown
                .body
                .pointer(output.json_pointer())
                .cloned()
                .unwrap_or_else(|| panic!("{} has no {}", operation.id, output.json_pointer()));
            outputs.insert(output.key(), value);
        }
        if let Some(sent) = operation
            .body
            .pointer("/properties/value")
            .and_then(Value::as_str)
            && operation.body.pointer("/properties/format") == Some(&Value::from("rawxml"))
        {
            let raw = arm
                .get(
                    &format!("{}?format=rawxml", operation.id),
                    operation.api_version(),
                )
                .await
                .expect(200);
            let stored = raw
                .body
                .pointer("/properties/value")
                .and_then(Value::as_str);
            assert!(
                stored.is_some_and(|xml| xml.contains("\r\n\t<")),
                "{}: not in APIM's layout: {stored:?}",
                operation.id
            );
            assert_eq!(
                stored.map(aigw::policy::normalize_xml),
                Some(aigw::policy::normalize_xml(sent)),
                "{}",
                operation.id
            );
            // The default export escapes every expression: plain XML any parser reads.
            let exported = arm
                .get(&operation.id, operation.api_version())
                .await
                .expect(200);
            let xml = exported
                .body
                .pointer("/properties/value")
                .and_then(Value::as_str);
            let parsed = roxmltree::Document::parse(xml.unwrap_or_default());
            assert!(parsed.is_ok(), "{}: {parsed:?}\n{xml:?}", operation.id);
        }
        if operation.kind == aigw::kind::ResourceKind::ApiManagement {
            apim = operation.id.clone();
        }
    }
    assert!(outputs.contains_key(&DeferredRef::GatewayUrl.key()));

    // The plan's last stage attached both API policies after their fragments.
    for api in ["openai", "v1"] {
        arm.get(&format!("{apim}/apis/{api}/policies/policy"), APIM_V)
            .await
            .expect(200);
    }

    assert_eq!(
        emulator.max_writes_in_flight(),
        1,
        "the test client writes one at a time"
    );
    let accounts = emulator
        .resources()
        .into_iter()
        .filter(|(_, r)| r["type"] == "Microsoft.CognitiveServices/accounts")
        .count();
    assert_eq!(accounts, 3);
}
