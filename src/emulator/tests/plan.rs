//! The example plan, written in order with deferred values resolved, then the policy fragments
//! and both API policies from `policies/`: every request body aigw plans passes validation
//! against the real specs and the emulator's cross-resource rules.

use std::collections::BTreeMap;

use serde_json::Value;

use super::*;
use crate::params::{LoadOptions, ParamFormat, load_text};
use crate::plan::{self, DeferredRef};
use crate::source::SourceFile;

const EXAMPLE: &str = include_str!("../../../examples/main.acc.parameters.bicepparam");

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
    let plan = plan::build(&spec, SUB, &crate::policy::embedded());
    let (emulator, arm) =
        start(builder().fault(crate::emulator::Fault::PrincipalNotFound { times: 1 })).await;

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
        if operation.kind == crate::kind::ResourceKind::ApiManagement {
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
