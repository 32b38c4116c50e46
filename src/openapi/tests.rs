use serde_json::{Value, json};

use super::*;

/// The specifications built into aigw.
pub(crate) fn specs() -> Arc<SpecSet> {
    SpecSet::embedded().unwrap_or_else(|e| panic!("{e}"))
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

/// Files the vendored ones reference that upstream keeps elsewhere or that were not available to
/// vendor (specs/azure/README.md): references into them resolve to nothing, so the validator
/// accepts anything there or, for the common types, uses the stand-ins in `schema.rs`.
const NOT_VENDORED: &[&str] = &[
    "specification/common-types/",
    "specification/apimanagement/resource-manager/Microsoft.ApiManagement/ApiManagement/stable/2024-05-01/apimanagement.json",
    "specification/operationalinsights/resource-manager/Microsoft.OperationalInsights/OperationalInsights/common/v1/types.json",
];

/// Every `$ref` in `value` (examples excepted: they are documentation, not schema).
fn references<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner) {
                    ("$ref", Value::String(reference)) => out.push(reference),
                    ("x-ms-examples", _) => {}
                    _ => references(inner, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| references(item, out)),
        _ => {}
    }
}

/// References that resolve to nothing (`file: reference`), and how many were checked.
fn unresolved_references(specs: &SpecSet) -> (Vec<String>, usize) {
    let mut unresolved = Vec::new();
    let mut checked = 0;
    for (file, document) in &specs.documents {
        let mut found = Vec::new();
        references(document, &mut found);
        for reference in found {
            let target = match reference.split_once('#') {
                Some(("", _)) => Some(file.clone()),
                Some((relative, _)) => join(file, relative),
                None => join(file, reference),
            };
            let absent_by_design = target
                .as_deref()
                .is_some_and(|t| NOT_VENDORED.iter().any(|n| t.starts_with(n)));
            if absent_by_design {
                continue;
            }
            checked += 1;
            if specs.resolve(file, reference).is_none() {
                unresolved.push(format!("{file}: {reference}"));
            }
        }
    }
    (unresolved, checked)
}

#[test]
fn every_reference_resolves_inside_the_embedded_files() {
    // A file missing from specs/azure (a definitions.json, a common-types.json) would otherwise
    // go unnoticed: the validator accepts any value where a reference resolves to nothing.
    let (unresolved, checked) = unresolved_references(&specs());
    assert!(unresolved.is_empty(), "{unresolved:#?}");
    assert!(checked > 1000, "only {checked} references checked");
}

#[test]
fn a_missing_file_leaves_references_unresolved() {
    let without_definitions =
        SpecSet::from_files(embedded::FILES.iter().copied().filter(|(file, _)| {
            !file.ends_with("ApiManagement/stable/2024-05-01/definitions.json")
        }))
        .unwrap_or_else(|e| panic!("{e}"));
    let (unresolved, _) = unresolved_references(&without_definitions);
    assert!(
        unresolved
            .iter()
            .any(|u| u.ends_with("./definitions.json#/definitions/BackendContract")),
        "{unresolved:#?}"
    );
}

#[test]
fn relative_paths_join_like_upstream() {
    let from = "specification/a/stable/2024-05-01/x.json";
    assert_eq!(
        join(from, "./y.json").as_deref(),
        Some("specification/a/stable/2024-05-01/y.json")
    );
    assert_eq!(
        join(from, "../../common/v1/types.json").as_deref(),
        Some("specification/a/common/v1/types.json")
    );
    assert_eq!(join(from, "../../../../../x.json"), None);
}
