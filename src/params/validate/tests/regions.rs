//! Regions and deployments: required fields, SKUs, capacities, priorities, deployment names.

use super::*;

#[test]
fn priority_defaults_to_the_region_then_to_the_position() {
    let text = EXAMPLE
        .replace("    priority: 1\n", "")
        .replace("    priority: 2\n", "")
        .replace("    priority: 3\n", "");
    let spec = check(&text).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let priorities: Vec<u8> = spec
        .regions
        .iter()
        .map(|r| r.deployments[0].priority)
        .collect();
    assert_eq!(priorities, [1, 2, 3]);

    let text = example_with(
        "skuCapacity: 30\n",
        "skuCapacity: 30\n        priority: 7\n",
    );
    let spec = check(&text).unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert_eq!(spec.regions[2].deployments[0].priority, 7);
    assert_eq!(spec.regions[2].deployments[1].priority, 3);
}

#[test]
fn sku_and_capacity_and_model_fields() {
    let text = example_with("skuName: 'GlobalStandard'", "skuName: 'GlobalStandart'");
    let diagnostics = check(&text)
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert_eq!(diagnostics.items[0].code, "unknown-sku");
    assert_eq!(
        diagnostics.items[0].help.as_deref(),
        Some("did you mean 'GlobalStandard'?")
    );

    let text = example_with("skuCapacity: 50", "skuCapacity: 0");
    assert_eq!(only_problem(&text).1, "out-of-range");
    let text = example_with("skuCapacity: 50", "skuCapacity: '50'");
    let diagnostics = check(&text)
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert_eq!(
        diagnostics.items[0].help.as_deref(),
        Some("remove the quotes: 50")
    );
    let text = example_with("modelName: 'gpt-5.1'", "modelName: ''");
    let (path, code, _) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code),
        ("openAILocations[0].deployments[0].modelName", "empty-value")
    );
}

#[test]
fn deployment_names_must_make_valid_apim_ids() {
    let text = EXAMPLE.replace("deploymentName: 'gpt-5.1'", "deploymentName: 'gpt_5.1'");
    let (path, code, _) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code),
        (
            "openAILocations[0].deployments[0].deploymentName",
            "derived-name-invalid"
        )
    );
}

#[test]
fn at_least_one_region_and_one_deployment() {
    let start = EXAMPLE.find("param openAILocations").unwrap_or_default();
    let text = format!("{}param openAILocations = []\n", &EXAMPLE[..start]);
    assert_eq!(only_problem(&text).1, "empty-value");
    let text = format!(
        "{}param openAILocations = [ {{ name: 'westeurope', abbreviation: 'weu', deployments: [] }} ]\n",
        &EXAMPLE[..start]
    );
    let (path, code, _) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code),
        ("openAILocations[0].deployments", "empty-value")
    );
}

#[test]
fn unknown_fields_inside_regions_and_deployments() {
    let text = example_with("abbreviation: 'weu'", "abbreviation: 'weu'\n    prority: 1");
    let diagnostics = check(&text)
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert_eq!(
        diagnostics.items[0].path.as_deref(),
        Some("openAILocations[0].prority")
    );
    assert_eq!(
        diagnostics.items[0].help.as_deref(),
        Some("did you mean `priority`?")
    );
}

#[test]
fn capacities_beyond_32_bits_name_the_real_range() {
    for (capacity, expected) in [
        (
            "4294967296",
            "capacity 4294967296 is larger than 2147483647",
        ),
        (
            "2147483648",
            "capacity 2147483648 is larger than 2147483647",
        ),
        ("-1", "capacity -1 must be greater than 0"),
    ] {
        let text = example_with("skuCapacity: 50", &format!("skuCapacity: {capacity}"));
        let d = errors(check(&text));
        assert_eq!(d.items[0].code, "out-of-range");
        assert!(
            d.items[0].message.starts_with(expected),
            "{}",
            d.items[0].message
        );
    }
    let text = example_with("skuCapacity: 50", "skuCapacity: 2147483647");
    assert!(check(&text).is_ok());
}
