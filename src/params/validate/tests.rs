use std::collections::BTreeMap;

use crate::diagnostic::Diagnostics;
use crate::params::{LoadOptions, ParamFormat, ValidateOptions, load_text};
use crate::source::SourceFile;
use crate::spec::StackSpec;

const EXAMPLE: &str = include_str!("../../../examples/main.acc.parameters.bicepparam");
const EXAMPLE_JSON: &str = include_str!("../../../examples/main.acc.parameters.json");

fn check_with(text: &str, options: &LoadOptions) -> Result<StackSpec, Diagnostics> {
    load_text(
        SourceFile::new("test.bicepparam", text),
        ParamFormat::Bicepparam,
        options,
    )
}

fn check(text: &str) -> Result<StackSpec, Diagnostics> {
    check_with(text, &LoadOptions::default())
}

/// The example with `from` replaced by `to` (which must occur).
fn example_with(from: &str, to: &str) -> String {
    assert!(EXAMPLE.contains(from), "example has no {from:?}");
    EXAMPLE.replacen(from, to, 1)
}

/// (path, code, line) of every problem.
fn problems(text: &str) -> Vec<(String, &'static str, Option<usize>)> {
    match check(text) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .items
            .iter()
            .map(|p| {
                (
                    p.path.clone().unwrap_or_default(),
                    p.code,
                    d.location(p).map(|l| l.line),
                )
            })
            .collect(),
    }
}

fn only_problem(text: &str) -> (String, &'static str, Option<usize>) {
    let all = problems(text);
    assert_eq!(all.len(), 1, "expected one problem, got {all:#?}");
    all.into_iter().next().unwrap_or_default()
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no {needle}"))
}

#[test]
fn the_example_is_valid_and_reads_as_written() {
    let spec = check(EXAMPLE).unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert_eq!(spec.environment, "acc");
    assert_eq!(spec.location, "westeurope");
    assert_eq!(spec.regions.len(), 3);
    assert_eq!(spec.regions[1].name, "swedencentral");
    assert_eq!(spec.regions[1].deployments[1].name, "gpt-5.4-mini");
    assert_eq!(spec.regions[2].deployments[0].priority, 3);
    assert_eq!(
        spec.tags.get("environment").map(String::as_str),
        Some("acc")
    );
    assert_eq!(spec.deployment_count(), 6);
}

#[test]
fn json_and_bicepparam_examples_describe_the_same_stack() {
    let bicep = check(EXAMPLE).unwrap_or_else(|d| panic!("{}", d.render(false)));
    let json = load_text(
        SourceFile::new("p.json", EXAMPLE_JSON),
        ParamFormat::Json,
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert_eq!(bicep, json);
}

#[test]
fn unknown_parameters_suggest_the_intended_one() {
    let text = example_with(
        "param suffix = 'x7k'",
        "param suffix = 'x7k'\nparam sufix = 'x'",
    );
    let (path, code, line) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code, line),
        ("sufix", "unknown-parameter", Some(line_of(&text, "sufix")))
    );
    let diagnostics = check(&text)
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert_eq!(
        diagnostics.items[0].help.as_deref(),
        Some("did you mean `suffix`?")
    );
}

#[test]
fn missing_required_parameters_are_each_reported() {
    let text = "using 'main.bicep'\nparam environment = 'acc'\n";
    let got: Vec<String> = problems(text)
        .into_iter()
        .map(|(p, c, _)| format!("{p}:{c}"))
        .collect();
    assert_eq!(
        got,
        [
            "suffix:missing-field",
            "apimPublisherEmail:missing-field",
            "apimPublisherName:missing-field",
            "openAILocations:missing-field"
        ]
    );
}

#[test]
fn a_bad_suffix_is_reported_once_at_suffix() {
    let text = example_with("param suffix = 'x7k'", "param suffix = 'X7_k'");
    let (path, code, line) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code, line),
        (
            "suffix",
            "invalid-name-part",
            Some(line_of(&text, "param suffix"))
        )
    );
}

#[test]
fn a_long_suffix_is_reported_once_with_every_name_it_breaks() {
    let long = "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq";
    let text = example_with("param suffix = 'x7k'", &format!("param suffix = '{long}'"));
    let diagnostics = check(&text)
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert_eq!(diagnostics.len(), 1, "{}", diagnostics.render(false));
    let d = &diagnostics.items[0];
    assert_eq!(
        (d.path.as_deref(), d.code),
        (Some("suffix"), "derived-name-too-long")
    );
    assert!(
        d.message.contains("API Management service name"),
        "{}",
        d.message
    );
    assert!(
        d.message.contains("data collection endpoint name"),
        "{}",
        d.message
    );
    assert!(
        d.message.contains("AI Foundry account name"),
        "{}",
        d.message
    );
    // The fix names a length that actually works.
    let budget: usize = d
        .help
        .as_deref()
        .and_then(|h| h.split("at most ").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no budget in {:?}", d.help));
    let fixed = example_with(
        "param suffix = 'x7k'",
        &format!("param suffix = '{}'", &long[..budget]),
    );
    assert!(
        check(&fixed).is_ok(),
        "suffix of {budget} characters should fit"
    );
    let too_long = example_with(
        "param suffix = 'x7k'",
        &format!("param suffix = '{}'", &long[..budget + 1]),
    );
    assert!(
        check(&too_long).is_err(),
        "suffix of {} characters should not fit",
        budget + 1
    );
}

#[test]
fn a_long_abbreviation_is_reported_at_that_region() {
    let text = example_with(
        "abbreviation: 'sec'",
        "abbreviation: 'sweden-central-region-with-a-very-long-code'",
    );
    let (path, code, line) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code, line),
        (
            "openAILocations[1].abbreviation",
            "derived-name-too-long",
            Some(line_of(&text, "sweden-central-region"))
        )
    );
}

#[test]
fn override_names_are_checked_against_their_own_rules() {
    let text = example_with(
        "param location",
        "param apimName = '1-apim'\nparam dataCollectionEndpointName = 'dce_x'\nparam location",
    );
    let got: Vec<String> = problems(&text)
        .into_iter()
        .map(|(p, c, _)| format!("{p}:{c}"))
        .collect();
    assert_eq!(
        got,
        [
            "apimName:invalid-name",
            "dataCollectionEndpointName:invalid-name"
        ]
    );
}

#[test]
fn regions_must_be_known_unless_allowed() {
    let text = example_with("name: 'swedencentral'", "name: 'Sweden Central'");
    let diagnostics = check(&text)
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert_eq!(diagnostics.items[0].code, "unknown-region");
    assert_eq!(
        diagnostics.items[0].help.as_deref(),
        Some("write the ARM location name 'swedencentral'")
    );

    let text = example_with("name: 'swedencentral'", "name: 'swedennorth'");
    let (path, code, _) = only_problem(&text);
    assert_eq!(
        (path.as_str(), code),
        ("openAILocations[1].name", "unknown-region")
    );
    let allowed = LoadOptions {
        env: BTreeMap::new(),
        validate: ValidateOptions {
            allowed_regions: vec!["swedennorth".into()],
        },
        policies_dir: None,
    };
    assert!(check_with(&text, &allowed).is_ok());

    let text = example_with(
        "param location = 'westeurope'",
        "param location = 'westeuropa'",
    );
    let diagnostics = check(&text)
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert!(
        diagnostics.items[0]
            .help
            .as_deref()
            .unwrap_or("")
            .contains("did you mean 'westeurope'?")
    );
}

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
fn publisher_email_must_be_an_address() {
    for bad in ["platform", "a@b", "a b@c.com", "a@b@c.com", "a@.com"] {
        let text = example_with("'platform-team@contoso.com'", &format!("'{bad}'"));
        let (path, code, _) = only_problem(&text);
        assert_eq!(
            (path.as_str(), code),
            ("apimPublisherEmail", "invalid-email"),
            "{bad}"
        );
    }
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
fn a_file_with_many_mistakes_reports_all_of_them_in_file_order() {
    let text = "\
using 'main.bicep'
param environment = 'ACC'
param suffix = 'x7k'
param location = 'westeuropa'
param apimPublisherEmail = 'not-an-email'
param apimPublisherName = 'Contoso'
param tags = { owner: 42 }
param openAILocations = [
  {
    name: 'westeurope'
    abbreviation: 'weu'
    deployments: [
      { deploymentName: 'gpt-4o', modelName: 'gpt-4o', modelVersion: '2024-11-20', skuName: 'Global', skuCapacity: 0 }
    ]
  }
  {
    name: 'westeurope'
    abbreviation: 'weu'
    deployments: [
      { deploymentName: 'gpt-4o', modelName: 'gpt-4o', modelVersion: '2024-08-06', skuName: 'Standard', skuCapacity: 10, priority: 1 }
    ]
  }
]
param extra = concat('a')
";
    let got: Vec<(String, &str, Option<usize>)> = problems(text);
    let expected: Vec<(String, &str, Option<usize>)> = vec![
        ("environment".into(), "invalid-name-part", Some(2)),
        ("location".into(), "unknown-region", Some(4)),
        ("apimPublisherEmail".into(), "invalid-email", Some(5)),
        ("tags.owner".into(), "wrong-type", Some(7)),
        (
            "openAILocations[0].deployments[0].skuName".into(),
            "unknown-sku",
            Some(13),
        ),
        (
            "openAILocations[0].deployments[0].skuCapacity".into(),
            "out-of-range",
            Some(13),
        ),
        (
            "openAILocations[1].name".into(),
            "duplicate-region",
            Some(17),
        ),
        (
            "openAILocations[1].abbreviation".into(),
            "duplicate-abbreviation",
            Some(18),
        ),
        (
            "openAILocations[1].deployments[0].modelVersion".into(),
            "pool-model-mismatch",
            Some(20),
        ),
        (
            "openAILocations[1].deployments[0].priority".into(),
            "duplicate-priority",
            Some(20),
        ),
        // A parameter whose value does not parse is still declared: unknown, and not missing.
        ("extra".into(), "unknown-parameter", Some(24)),
        (String::new(), "unsupported-construct", Some(24)),
    ];
    assert_eq!(got, expected);
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
fn trip_on_server_errors_is_a_boolean_defaulting_to_true_in_both_formats() {
    let spec = check(EXAMPLE).unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert!(spec.trip_on_server_errors);
    let spec = check(&format!("{EXAMPLE}\nparam tripOnServerErrors = false\n"))
        .unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert!(!spec.trip_on_server_errors);
    let json = EXAMPLE_JSON.replacen(
        "\"parameters\": {",
        "\"parameters\": {\n    \"tripOnServerErrors\": { \"value\": false },",
        1,
    );
    let spec = load_text(
        SourceFile::new("p.json", json),
        ParamFormat::Json,
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert!(!spec.trip_on_server_errors);

    let quoted = format!("{EXAMPLE}\nparam tripOnServerErrors = 'false'\n");
    let (path, code, line) = only_problem(&quoted);
    assert_eq!(
        (path.as_str(), code, line),
        (
            "tripOnServerErrors",
            "wrong-type",
            Some(line_of(&quoted, "tripOnServerErrors"))
        )
    );
    let diagnostics = check(&quoted)
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert_eq!(
        diagnostics.items[0].help.as_deref(),
        Some("remove the quotes: false")
    );
    let number = format!("{EXAMPLE}\nparam tripOnServerErrors = 1\n");
    let diagnostics = check(&number)
        .err()
        .unwrap_or_else(|| panic!("expected errors"));
    assert_eq!(
        (
            diagnostics.items[0].message.as_str(),
            diagnostics.items[0].help.as_deref()
        ),
        (
            "expected a boolean, found an integer",
            Some("write true or false")
        )
    );
}

fn check_json(text: &str) -> Result<StackSpec, Diagnostics> {
    load_text(
        SourceFile::new("test.json", text),
        ParamFormat::Json,
        &LoadOptions::default(),
    )
}

fn errors(result: Result<StackSpec, Diagnostics>) -> Diagnostics {
    result.err().unwrap_or_else(|| panic!("expected errors"))
}

/// (path, code, line, line of the related position) of every problem.
fn with_related(d: &Diagnostics) -> Vec<(String, &'static str, usize, Option<usize>)> {
    d.items
        .iter()
        .map(|p| {
            (
                p.path.clone().unwrap_or_default(),
                p.code,
                d.location(p).map_or(0, |l| l.line),
                p.related
                    .as_ref()
                    .map(|r| d.file.line_col(r.span.start).line),
            )
        })
        .collect()
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
fn tag_names_that_differ_only_in_case_clash() {
    let text = example_with("param tags = {", "param tags = {\n  Environment: 'x'");
    let d = errors(check(&text));
    let found = with_related(&d);
    assert_eq!(found.len(), 1, "{}", d.render(false));
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("tags.environment", "duplicate-tag")
    );
    assert_eq!(found[0].3, Some(line_of(&text, "Environment: 'x'")));
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

#[test]
fn control_characters_in_free_text_are_refused() {
    for (value, escaped) in [
        (r"Contoso\n::warning title=x::pwned", r"\n"),
        (r"Contoso\u{1b}[31m", r"\u{1b}"),
        (r"Contoso\u{202e}", r"\u{202e}"),
        (r"Con\ttoso", r"\t"),
    ] {
        let text = example_with(
            "param apimPublisherName = 'Contoso Platform Engineering'",
            &format!("param apimPublisherName = '{value}'"),
        );
        let d = errors(check(&text));
        assert_eq!(
            (d.items[0].path.as_deref(), d.items[0].code),
            (Some("apimPublisherName"), "control-character"),
            "{value}"
        );
        assert!(
            d.items[0].message.contains(escaped),
            "{}",
            d.items[0].message
        );
        let rendered = d.render(false);
        assert!(
            !rendered.lines().any(|l| l.trim_start().starts_with("::")),
            "{rendered}"
        );
    }
    // The email check used to let ESC through (it only refused whitespace).
    let text = example_with(
        "'platform-team@contoso.com'",
        r"'platform\u{1b}@contoso.com'",
    );
    assert_eq!(only_problem(&text).1, "control-character");
    let text = example_with("param tags = {", "param tags = {\n  note: 'a\\nb'");
    assert_eq!(only_problem(&text).1, "control-character");
}

#[test]
fn hints_in_json_files_use_json_syntax() {
    let d = errors(check_json(
        r#"{ "parameters": { "environment": { "value": "acc" } } }"#,
    ));
    let helps: Vec<&str> = d.items.iter().filter_map(|p| p.help.as_deref()).collect();
    assert!(
        helps.contains(&r#"add `"suffix": { "value": "x7k" }` to `parameters`"#),
        "{helps:#?}"
    );
    assert!(helps.iter().all(|h| !h.contains("param ")), "{helps:#?}");
    let json = EXAMPLE_JSON.replacen("\"swedencentral\"", "\"Sweden Central\"", 1);
    let d = errors(check_json(&json));
    assert_eq!(
        d.items[0].help.as_deref(),
        Some("write the ARM location name \"swedencentral\"")
    );
    let json = EXAMPLE_JSON.replacen("\"abbreviation\": \"sec\",", "", 1);
    let d = errors(check_json(&json));
    assert_eq!(
        d.items[0].help.as_deref(),
        Some(r#"add "abbreviation": "sec""#),
        "{}",
        d.render(false)
    );
}

#[test]
fn json_files_with_a_byte_order_mark_are_read() {
    let with_bom = format!("\u{feff}{EXAMPLE_JSON}");
    let spec = check_json(&with_bom).unwrap_or_else(|d| panic!("{}", d.render(false)));
    assert_eq!(spec.regions.len(), 3);
}

#[test]
fn json_values_with_a_key_set_twice_are_reported() {
    let json = EXAMPLE_JSON.replacen(
        "\"abbreviation\": \"sec\",",
        "\"abbreviation\": \"sec\", \"abbreviation\": \"sdc\",",
        1,
    );
    let d = errors(check_json(&json));
    assert_eq!(
        d.items.iter().map(|p| p.code).collect::<Vec<_>>(),
        ["duplicate-property"]
    );
    assert!(d.items[0].related.is_some());
}

#[test]
fn a_parameter_that_fails_to_parse_is_not_also_missing() {
    let text = example_with("param suffix = 'x7k'", "param suffix = 'x7k");
    let got: Vec<&str> = problems(&text)
        .into_iter()
        .map(|(_, code, _)| code)
        .collect();
    assert_eq!(got, ["unterminated-string"]);
}

#[test]
fn thousands_of_problems_are_all_counted_and_the_first_hundred_shown() {
    let mut text = EXAMPLE.to_string();
    for i in 0..5_000 {
        text.push_str(&format!("param unknown{i} = 'v'\n"));
    }
    let d = errors(check(&text));
    assert_eq!(d.len(), 5_000);
    assert_eq!(d.located().len(), crate::diagnostic::MAX_SHOWN);
    assert!(d.render(false).contains("… and 4900 more problems"));
}
