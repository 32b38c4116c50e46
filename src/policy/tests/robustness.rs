//! Arbitrary input never panics, and masking keeps every offset.

use proptest::prelude::*;

use super::super::*;
use crate::source::SourceFile;

fn as_api(text: &str) -> PolicyFile {
    PolicyFile {
        path: "p.xml".to_string(),
        kind: PolicyKind::Api {
            api_id: "openai".to_string(),
        },
        text: text.to_string(),
    }
}

fn as_fragment(id: &str, text: &str) -> PolicyFile {
    PolicyFile {
        path: format!("fragments/{id}.xml"),
        kind: PolicyKind::Fragment { id: id.to_string() },
        text: text.to_string(),
    }
}

/// Runs every entry point on `text`; they must return, whatever it is.
fn exercise(text: &str) {
    let scanned = scan(&SourceFile::new("p.xml", text));
    assert_eq!(scanned.masked.len(), text.len());
    let newlines = |s: &str| -> Vec<usize> { s.match_indices('\n').map(|(i, _)| i).collect() };
    assert_eq!(newlines(&scanned.masked), newlines(text));
    for d in &scanned.problems {
        let span = d.span.unwrap_or_default();
        assert!(
            span.start <= span.end && span.end <= text.len().max(1),
            "{d:?}"
        );
    }
    let files = vec![
        as_fragment("aigw-route", text),
        as_fragment(USAGE_ROW_FRAGMENT, text),
        as_api(text),
    ];
    for diagnostics in check(&files) {
        let _ = diagnostics.render(false);
    }
    let _ = named_values_used(&files);
    let _ = normalize_xml(text);
    let _ = usage_fields(&files[1]);
    if let Ok(Some(rule)) = pool_rule(&files[..1]) {
        let _ = rule.pool_id("a.b");
    }
}

#[test]
fn an_expression_closing_at_the_end_of_the_text_is_reported_inside_it() {
    // Found by tricky_text_never_panics: the "text follows" span pointed one byte past the end.
    exercise("/><set-variable name=\"a\" value=\"@{}");
}

/// Characters that matter to the scanner and the XML parser.
fn tricky() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("@(".to_string()),
            Just("@{".to_string()),
            Just("\"".to_string()),
            Just("'".to_string()),
            Just("<".to_string()),
            Just(">".to_string()),
            Just("</".to_string()),
            Just("/>".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just("{".to_string()),
            Just("}".to_string()),
            Just("{{".to_string()),
            Just("}}".to_string()),
            Just("$\"".to_string()),
            Just("@\"".to_string()),
            Just("\\".to_string()),
            Just("/*".to_string()),
            Just("//".to_string()),
            Just("\n".to_string()),
            Just("<!--".to_string()),
            Just("-->".to_string()),
            Just("<![CDATA[".to_string()),
            Just("<policies>".to_string()),
            Just("<inbound>".to_string()),
            Just("<fragment>".to_string()),
            Just("<set-variable name=\"a\" value=\"".to_string()),
            Just("é".to_string()),
            "[a-z =]{0,3}".prop_map(|s| s),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        exercise(&text);
    }

    #[test]
    fn tricky_text_never_panics(text in tricky()) {
        exercise(&text);
    }

    #[test]
    fn mutated_shipped_policies_never_panic(
        which in 0usize..9,
        at in any::<prop::sample::Index>(),
        cut in 0usize..40,
        insert in tricky(),
    ) {
        let files = embedded();
        let text = &files[which % files.len()].text;
        let mut start = at.index(text.len().max(1)).min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (start + cut).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mutated = format!("{}{}{}", &text[..start], insert, &text[end.max(start)..]);
        exercise(&mutated);
    }
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let depth = 5000;
    let text = format!(
        "<policies><inbound>{}{}</inbound></policies>",
        "<retry condition=\"@(true)\" count=\"1\" interval=\"0\">".repeat(depth),
        "</retry>".repeat(depth)
    );
    let all = check(&[as_api(&text)]);
    let codes: Vec<&str> = all
        .iter()
        .flat_map(|d| d.items.iter().map(|i| i.code))
        .collect();
    assert_eq!(codes, ["policy-nesting"]);
}

#[test]
fn deeply_parenthesised_usage_row_value_is_an_error_not_a_crash() {
    let row = embedded()
        .into_iter()
        .find(|f| f.fragment_id() == Some(USAGE_ROW_FRAGMENT))
        .unwrap_or_else(|| panic!("no usage row"));
    let deep = format!(
        "{}context.Deployment.Region{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let text = row
        .text
        .replacen("context.Deployment.Region;", &format!("{deep};"), 1);
    let fragment = as_fragment(USAGE_ROW_FRAGMENT, &text);
    assert!(usage_fields(&fragment).is_err());
}
