//! Checks across regions and deployments: uniqueness (ignoring case, as Azure does) and what
//! the members of one pool must agree on.

use super::*;

#[test]
fn region_names_and_abbreviations_are_unique() {
    let text = example_with("name: 'francecentral'", "name: 'westeurope'");
    let (path, code, _) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code),
        ("openAILocations[2].name", "duplicate-region")
    );
    let text = example_with("abbreviation: 'frc'", "abbreviation: 'weu'");
    let (path, code, _) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code),
        ("openAILocations[2].abbreviation", "duplicate-abbreviation")
    );
}

#[test]
fn a_pool_must_not_mix_models() {
    // The third region's gpt-5.1 gets another version.
    let idx = EXAMPLE
        .rfind("modelVersion: '2025-11-13'")
        .unwrap_or_default();
    let text = format!(
        "{}modelVersion: '2024-08-06'{}",
        &EXAMPLE[..idx],
        &EXAMPLE[idx + "modelVersion: '2025-11-13'".len()..]
    );
    let (path, code, line) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code, line),
        (
            "openAILocations[2].deployments[0].modelVersion",
            "pool-model-mismatch",
            Some(line_of(&text, "2024-08-06"))
        )
    );
}

#[test]
fn priorities_are_distinct_per_deployment_and_in_range() {
    let text = example_with("priority: 3", "priority: 2");
    let got: Vec<String> = problems(&text)
        .into_iter()
        .map(|(p, c, _)| format!("{p}:{c}"))
        .collect();
    // Both deployments of the third region inherit the clashing region priority; one report each.
    assert_eq!(
        got,
        [
            "openAILocations[2].priority:duplicate-priority",
            "openAILocations[2].priority:duplicate-priority"
        ]
    );

    let text = example_with("priority: 3", "priority: 101");
    let (path, code, _) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code),
        ("openAILocations[2].priority", "out-of-range")
    );
}

#[test]
fn a_pool_has_at_most_thirty_members() {
    let regions: Vec<String> = crate::regions::KNOWN_REGIONS[..16]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            format!(
                "{{ name: '{name}', abbreviation: 'r{i}', deployments: [ {{ deploymentName: 'mm', modelName: 'm', modelVersion: '1', skuName: 'Standard', skuCapacity: 1 }} ] }}"
            )
        })
        .collect();
    let text = format!(
        "param environment = 'acc'\nparam suffix = 'x'\nparam apimPublisherEmail = 'a@b.co'\nparam apimPublisherName = 'n'\nparam openAILocations = [\n{}\n]\n",
        regions.join("\n")
    );
    let (path, code, _) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code),
        (
            "openAILocations[15].deployments[0].deploymentName",
            "pool-too-large"
        )
    );
}

#[test]
fn deployments_that_would_share_an_apim_id_are_refused() {
    let text = example_with(
        "deploymentName: 'gpt-5.1'\n",
        "deploymentName: 'gpt-5-dot-4-mini'\n",
    );
    let (path, code, _) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code),
        (
            "openAILocations[0].deployments[1].deploymentName",
            "derived-name-collision"
        )
    );
}

#[test]
fn deployment_names_that_differ_only_in_case_clash_in_a_region() {
    let text = example_with(
        "deploymentName: 'gpt-5.4-mini'",
        "deploymentName: 'GPT-5.1'",
    );
    let d = errors(check(&text));
    let first_line = line_of(&text, "deploymentName: 'gpt-5.1'");
    assert_eq!(
        with_related(&d),
        [(
            "openAILocations[0].deployments[1].deploymentName".to_string(),
            "duplicate-deployment",
            line_of(&text, "'GPT-5.1'"),
            Some(first_line)
        )],
        "{}",
        d.render(false)
    );
    assert!(
        d.items[0].message.contains("only in case"),
        "{}",
        d.items[0].message
    );
}

#[test]
fn a_deployment_name_spelt_differently_in_two_regions_is_refused() {
    // The second region's gpt-5.1 becomes GPT-5.1: pool-GPT-5-dot-1 and pool-gpt-5-dot-1 are
    // one APIM pool.
    let idx = EXAMPLE
        .match_indices("deploymentName: 'gpt-5.1'\n")
        .nth(1)
        .map_or(0, |(i, _)| i);
    let text = format!(
        "{}deploymentName: 'GPT-5.1'\n{}",
        &EXAMPLE[..idx],
        &EXAMPLE[idx + "deploymentName: 'gpt-5.1'\n".len()..]
    );
    let d = errors(check(&text));
    assert_eq!(
        with_related(&d),
        [(
            "openAILocations[1].deployments[0].deploymentName".to_string(),
            "deployment-name-case",
            line_of(&text, "'GPT-5.1'"),
            Some(line_of(&text, "deploymentName: 'gpt-5.1'"))
        )],
        "{}",
        d.render(false)
    );
    let message = &d.items[0].message;
    assert!(
        message.contains("`pool-GPT-5-dot-1` and `pool-gpt-5-dot-1` would be one pool"),
        "{message}"
    );
}

#[test]
fn region_names_and_abbreviations_name_the_first_occurrence() {
    let text = example_with("name: 'francecentral'", "name: 'westeurope'");
    let d = errors(check(&text));
    assert_eq!(
        d.items[0]
            .related
            .as_ref()
            .map(|r| d.file.line_col(r.span.start).line),
        Some(line_of(&text, "name: 'westeurope'"))
    );
}
