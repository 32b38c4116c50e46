//! Broken inputs each produce the right diagnostic at the right line and column.

use super::super::*;
use super::render;
use crate::diagnostic::Diagnostics;

/// An API policy with one statement at line 4, column 9 of its inbound section.
const TEMPLATE: &str = "<policies>
    <inbound>
        <base />
        STATEMENT
    </inbound>
    <backend>
        <base />
    </backend>
    <outbound>
        <base />
    </outbound>
    <on-error>
        <base />
    </on-error>
</policies>
";

const TEST_PATH: &str = "policies/test-policy.xml";

fn with_statement(statement: &str) -> String {
    TEMPLATE.replace("STATEMENT", statement)
}

/// The shipped fragments plus `text` as the `openai` API policy.
fn files_with_api(text: &str) -> Vec<PolicyFile> {
    let mut files: Vec<PolicyFile> = embedded()
        .into_iter()
        .filter(|f| f.fragment_id().is_some())
        .collect();
    files.push(PolicyFile {
        path: TEST_PATH.to_string(),
        kind: PolicyKind::Api {
            api_id: "openai".to_string(),
        },
        text: text.to_string(),
    });
    files
}

/// (code, line, column) of every problem in `path`.
fn problems_in(all: &[Diagnostics], path: &str) -> Vec<(&'static str, usize, usize)> {
    all.iter()
        .filter(|d| d.file.name() == path)
        .flat_map(|d| d.located())
        .map(|l| (l.code, l.line.unwrap_or(0), l.column.unwrap_or(0)))
        .collect()
}

fn problems(text: &str) -> Vec<(&'static str, usize, usize)> {
    let all = check(&files_with_api(text));
    let found = problems_in(&all, TEST_PATH);
    let elsewhere: Vec<&Diagnostics> = all.iter().filter(|d| d.file.name() != TEST_PATH).collect();
    assert!(elsewhere.is_empty(), "{}", render(&all));
    found
}

fn statement_problems(statement: &str) -> Vec<(&'static str, usize, usize)> {
    problems(&with_statement(statement))
}

fn diagnostics_for(statement: &str) -> Diagnostics {
    check(&files_with_api(&with_statement(statement)))
        .into_iter()
        .find(|d| d.file.name() == TEST_PATH)
        .unwrap_or_else(|| panic!("no problem found for {statement}"))
}

#[test]
fn the_template_itself_is_clean() {
    assert_eq!(
        statement_problems("<set-variable name=\"x\" value=\"1\" />"),
        []
    );
}

#[test]
fn unbalanced_expression_points_at_its_opening() {
    assert_eq!(
        statement_problems(
            r#"<set-variable name="x" value="@(context.Variables.ContainsKey("a")" />"#
        ),
        [("policy-expression-unbalanced", 4, 39)]
    );
}

#[test]
fn unclosed_string_in_an_expression_points_at_its_quote() {
    assert_eq!(
        statement_problems(r#"<set-variable name="x" value="@("abc)" />"#),
        [("policy-expression-string", 4, 41)]
    );
}

#[test]
fn unclosed_char_literal_is_reported() {
    assert_eq!(
        statement_problems(r#"<set-variable name="x" value="@('ab')" />"#),
        [("policy-expression-char", 4, 41)]
    );
}

#[test]
fn mismatched_bracket_points_at_the_closer() {
    let d = diagnostics_for(r#"<set-variable name="x" value="@(a[0)" />"#);
    assert_eq!(
        problems_in(std::slice::from_ref(&d), TEST_PATH),
        [("policy-expression-unbalanced", 4, 44)]
    );
    assert!(
        d.items[0]
            .message
            .contains("does not close the `[` at 4:42"),
        "{}",
        d.items[0].message
    );
}

#[test]
fn text_after_an_expression_is_reported() {
    assert_eq!(
        statement_problems(r#"<set-variable name="x" value="@(1) + 2" />"#),
        [("policy-expression-trailing", 4, 43)]
    );
}

#[test]
fn block_without_return_and_empty_expression_are_reported() {
    assert_eq!(
        statement_problems(r#"<set-variable name="x" value="@{ int a = 1; }" />"#),
        [("policy-expression-no-return", 4, 39)]
    );
    assert_eq!(
        statement_problems(r#"<set-variable name="x" value="@( )" />"#),
        [("policy-expression-empty", 4, 39)]
    );
}

#[test]
fn unknown_element_is_reported_with_a_suggestion() {
    let d = diagnostics_for(r#"<set-varible name="x" value="1" />"#);
    assert_eq!(
        problems_in(std::slice::from_ref(&d), TEST_PATH),
        [("policy-unknown-element", 4, 10)]
    );
    assert!(
        d.items[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("`set-variable`"))
    );
}

#[test]
fn forward_request_in_inbound_is_the_wrong_section() {
    let d = diagnostics_for("<forward-request />");
    assert_eq!(
        problems_in(std::slice::from_ref(&d), TEST_PATH),
        [("policy-wrong-section", 4, 10)]
    );
    assert!(d.items[0].message.contains("inbound"));
    assert!(
        d.items[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("backend"))
    );
}

#[test]
fn base_twice_in_a_section_is_reported_at_the_second() {
    assert_eq!(
        statement_problems("<base />"),
        [("policy-base-duplicate", 4, 10)]
    );
}

#[test]
fn base_inside_another_element_is_misplaced() {
    assert_eq!(
        statement_problems("<choose><when condition=\"@(true)\"><base /></when></choose>"),
        [("policy-base-misplaced", 4, 44)]
    );
}

#[test]
fn unknown_named_value_is_reported_with_a_suggestion() {
    let d = diagnostics_for(
        r#"<set-header name="x" exists-action="override"><value>{{dce-endpont}}</value></set-header>"#,
    );
    assert_eq!(
        problems_in(std::slice::from_ref(&d), TEST_PATH),
        [("policy-named-value-unknown", 4, 62)]
    );
    assert!(
        d.items[0]
            .help
            .as_deref()
            .is_some_and(|h| h.contains("{{dce-endpoint}}"))
    );
}

#[test]
fn named_values_inside_expressions_are_checked_too() {
    assert_eq!(
        statement_problems(r#"<set-variable name="x" value="@("{{nope}}")" />"#),
        [("policy-named-value-unknown", 4, 42)]
    );
}

#[test]
fn missing_fragment_points_at_the_fragment_id() {
    let d = diagnostics_for(r#"<include-fragment fragment-id="aigw-nope" />"#);
    assert_eq!(
        problems_in(std::slice::from_ref(&d), TEST_PATH),
        [("policy-fragment-missing", 4, 40)]
    );
}

#[test]
fn expression_in_a_literal_only_attribute_is_reported() {
    assert_eq!(
        statement_problems(r#"<include-fragment fragment-id="@("aigw-route")" />"#),
        [("policy-expression-not-allowed", 4, 40)]
    );
}

#[test]
fn wrong_root_is_reported() {
    let text = with_statement("<base />").replace("policies>", "policy>");
    assert_eq!(problems(&text), [("policy-root", 1, 2)]);
}

#[test]
fn fragment_with_a_policies_root_is_reported() {
    let mut files = embedded();
    for f in files.iter_mut() {
        if f.fragment_id() == Some("aigw-route") {
            f.text = f.text.replacen("<fragment>", "<policies>", 1);
            f.text = f.text.replacen("</fragment>", "</policies>", 1);
        }
    }
    let all = check(&files);
    assert_eq!(
        problems_in(&all, "policies/fragments/aigw-route.xml"),
        [("policy-root", 1, 2)]
    );
}

#[test]
fn xml_syntax_error_points_at_the_wrong_close_tag() {
    assert_eq!(
        statement_problems("<choose><when condition=\"@(true)\"></choose>"),
        [("policy-xml", 4, 43)]
    );
}

#[test]
fn sections_out_of_order_and_twice_are_reported() {
    let text = "<policies>\n    <outbound />\n    <inbound />\n    <outbound />\n    <in-bound />\n</policies>\n";
    assert_eq!(
        problems(text),
        [
            ("policy-section-order", 3, 6),
            ("policy-section-duplicate", 4, 6),
            ("policy-section-unknown", 5, 6)
        ]
    );
}

#[test]
fn children_out_of_statement_order_are_reported() {
    assert_eq!(
        statement_problems(
            r#"<return-response><set-body>x</set-body><set-status code="400" reason="Bad Request" /></return-response>"#
        ),
        [("policy-child-order", 4, 49)]
    );
}

#[test]
fn missing_required_attribute_is_reported() {
    assert_eq!(
        statement_problems(
            "<retry count=\"1\" interval=\"0\"><set-variable name=\"a\" value=\"1\" /></retry>"
        ),
        [("policy-missing-attribute", 4, 10)]
    );
}

#[test]
fn two_forward_requests_through_a_fragment_are_reported() {
    let mut files = files_with_api(
        &TEMPLATE
            .replace("STATEMENT", "")
            .replacen(
                "<backend>\n        <base />",
                "<backend>\n        <forward-request />\n        <include-fragment fragment-id=\"aigw-forward\" />",
                1,
            ),
    );
    files.push(PolicyFile {
        path: "policies/fragments/aigw-forward.xml".to_string(),
        kind: PolicyKind::Fragment {
            id: "aigw-forward".to_string(),
        },
        text: "<fragment>\n    <forward-request />\n</fragment>\n".to_string(),
    });
    let all = check(&files);
    assert_eq!(
        problems_in(&all, TEST_PATH),
        [("policy-forward-request-duplicate", 8, 40)],
        "{}",
        render(&all)
    );
}

#[test]
fn fragment_elements_are_checked_against_every_section_that_includes_them() {
    // aigw-error-response runs in inbound, outbound and on-error of both API policies.
    let mut files = embedded();
    let path = "policies/fragments/aigw-error-response.xml";
    for f in files.iter_mut().filter(|f| f.path == path) {
        f.text = f.text.replacen(
            "    <choose>",
            "    <rewrite-uri template=\"/x\" />\n    <choose>",
            1,
        );
    }
    let all = check(&files);
    assert_eq!(
        problems_in(&all, path),
        [
            ("policy-wrong-section", 60, 6),
            ("policy-wrong-section", 60, 6)
        ],
        "{}",
        render(&all)
    );
    let messages: Vec<String> = all
        .iter()
        .flat_map(|d| d.items.iter().map(|i| i.message.clone()))
        .collect();
    // The line of the include in the outbound section of aoai-policy.xml.
    let api = embedded()
        .into_iter()
        .find(|f| f.path.ends_with("aoai-policy.xml"))
        .map(|f| f.text)
        .unwrap_or_default();
    let outbound = api.find("<outbound>").unwrap_or_default();
    let include = outbound
        + api[outbound..]
            .find("fragment-id=\"aigw-error-response\"")
            .unwrap_or_default();
    let line = api[..include].lines().count();
    assert!(
        messages[0].contains("outbound")
            && messages[0].contains(&format!("policies/aoai-policy.xml:{line}:")),
        "{messages:?}"
    );
    assert!(messages[1].contains("on-error"), "{messages:?}");
}

#[test]
fn fragments_cannot_hold_base_sections_or_includes() {
    let mut files = embedded();
    let path = "policies/fragments/aigw-route.xml";
    for f in files.iter_mut().filter(|f| f.path == path) {
        f.text = f.text.replacen(
            "    <choose>",
            "    <base />\n    <include-fragment fragment-id=\"aigw-usage-row\" />\n    <inbound />\n    <choose>",
            1,
        );
    }
    let all = check(&files);
    let codes: Vec<(&str, usize)> = problems_in(&all, path)
        .into_iter()
        .map(|(code, line, _)| (code, line))
        .collect();
    assert_eq!(
        codes,
        [
            ("policy-fragment-forbidden", 21),
            ("policy-fragment-forbidden", 22),
            ("policy-fragment-forbidden", 23)
        ],
        "{}",
        render(&all)
    );
}

#[test]
fn rendering_shows_file_line_column_and_the_source_line() {
    let d = diagnostics_for("<forward-request />");
    let text = d.render(false);
    assert!(text.contains("policies/test-policy.xml:4:10"), "{text}");
    assert!(text.contains("<forward-request />"), "{text}");
    assert!(text.contains("policy-wrong-section"), "{text}");
}

#[test]
fn retry_count_outside_one_to_fifty_is_reported_at_the_value() {
    let retry = |count: &str| {
        statement_problems(&format!(
            r#"<retry condition="true" count="{count}" interval="1"><set-variable name="x" value="1" /></retry>"#
        ))
    };
    for bad in ["0", "51", "-1", "ten"] {
        assert_eq!(
            retry(bad),
            [("policy-attribute-range", 4, 40)],
            "count={bad}"
        );
    }
    for good in ["1", "50", "@(3)", "{{retries}}"] {
        let problems = retry(good);
        assert!(
            !problems.iter().any(|p| p.0 == "policy-attribute-range"),
            "count={good}: {problems:?}"
        );
    }
}

#[test]
fn wait_inside_retry_is_reported() {
    assert_eq!(
        statement_problems(
            r#"<retry condition="true" count="2" interval="1"><wait><choose><when condition="true" /></choose></wait></retry>"#
        ),
        [("policy-unknown-child", 4, 57)]
    );
}
