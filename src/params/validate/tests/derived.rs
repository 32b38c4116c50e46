//! Derived names: a part that breaks a name is reported once, where it is written.

use super::*;

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
