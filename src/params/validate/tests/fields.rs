//! Field checks: name overrides, region names, the publisher's email, tags, control characters.

use super::*;

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
