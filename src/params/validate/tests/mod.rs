//! Tests of parameter validation: whole files here, each seam's checks in the module of its name.

mod derived;
mod fields;
mod regions;
mod unique;

use std::collections::BTreeMap;

use crate::diagnostic::Diagnostics;
use crate::params::{LoadOptions, ParamFormat, ValidateOptions, load_text};
use crate::source::SourceFile;
use crate::spec::StackSpec;

const EXAMPLE: &str = include_str!("../../../../examples/main.acc.parameters.bicepparam");
const EXAMPLE_JSON: &str = include_str!("../../../../examples/main.acc.parameters.json");

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
