use serde_json::json;

use super::*;

/// The spec directory; tests that need it fail loudly when it is missing.
pub(crate) fn specs() -> SpecSet {
    let dir = find_dir(std::env::var(SPECS_DIR_VAR).ok().as_deref()).unwrap_or_else(|| {
        panic!("Azure specs not found: set {SPECS_DIR_VAR} (see README, Building and testing)")
    });
    SpecSet::load(&dir).unwrap_or_else(|e| panic!("{e}"))
}

const ACCOUNT: &str =
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/cog-a";

#[test]
fn finds_the_put_for_a_path_and_version() {
    let specs = specs();
    let op = specs
        .put_operation(ACCOUNT, "2025-06-01")
        .unwrap_or_else(|| panic!("no PUT"));
    assert!(op.template.ends_with("/accounts/{accountName}"));
    assert_eq!(specs.long_running(&op), Some("original-uri".into()));
    assert!(specs.put_operation(ACCOUNT, "2019-01-01").is_none());
    assert!(
        specs
            .api_versions_for(ACCOUNT)
            .contains(&"2025-06-01".to_string())
    );
}

#[test]
fn reports_unknown_wrong_typed_enum_and_read_only_properties() {
    let specs = specs();
    let op = specs
        .put_operation(ACCOUNT, "2025-06-01")
        .unwrap_or_else(|| panic!("no PUT"));
    let body = json!({
        "location": "westeurope",
        "kind": "AIServices",
        "sku": { "capacity": "one" },
        "identity": { "type": "Sometimes" },
        "properties": { "disableLocalAuth": "yes", "endpoint": "x", "allowProjectManagment": true }
    });
    let mut got: Vec<String> = specs
        .validate_put(&op, ACCOUNT, &body)
        .into_iter()
        .map(|v| v.path)
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            "identity.type",
            "properties.allowProjectManagment",
            "properties.disableLocalAuth",
            "properties.endpoint",
            "sku.capacity",
            "sku.name"
        ]
    );
}

#[test]
fn path_parameters_are_checked() {
    let specs = specs();
    let bad =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/-bad";
    let op = specs
        .put_operation(bad, "2025-06-01")
        .unwrap_or_else(|| panic!("no PUT"));
    let violations = specs.validate_put(&op, bad, &json!({ "location": "westeurope" }));
    assert_eq!(
        violations
            .iter()
            .map(|v| v.path.as_str())
            .collect::<Vec<_>>(),
        ["{accountName}"]
    );
}
