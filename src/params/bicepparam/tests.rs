use std::collections::BTreeMap;

use super::parse;
use crate::diagnostic::Diagnostic;
use crate::params::value::{Param, Value};
use crate::source::SourceFile;

fn run(text: &str) -> (Vec<Param>, Vec<Diagnostic>) {
    run_env(text, &[])
}

fn run_env(text: &str, vars: &[(&str, &str)]) -> (Vec<Param>, Vec<Diagnostic>) {
    let env: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut problems = Vec::new();
    let params = parse(text, &env, &mut problems);
    problems.sort_by_key(|p| p.span.map(|s| s.start));
    (params, problems)
}

fn value_of<'a>(params: &'a [Param], name: &str) -> &'a Value {
    &params
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no param {name}"))
        .value
        .value
}

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

/// (line, column, code) of each problem, for position assertions.
fn positions(text: &str, problems: &[Diagnostic]) -> Vec<(usize, usize, &'static str)> {
    let file = SourceFile::new("t.bicepparam", text);
    problems
        .iter()
        .map(|p| {
            let at = file.line_col(p.span.expect("positioned").start);
            (at.line, at.column, p.code)
        })
        .collect()
}

#[test]
fn every_supported_construct() {
    let text = r#"using './main.bicep'

// line comment
/* block
   comment */
param environment = 'acc'
param suffix = 'x7\'k\\2'
param greeting = 'env-${environment}-${count}-${flag}'
param count = -42
param flag = true
param nothing = null
param script = '''
first line
  second ${not interpolated} \n
'''
param list = [
  'a'
  'b', 'c'
]
param inline = [1, 2, 3,]
param obj = {
  name: 'westeurope'
  'quoted key': 1, other: [ { deep: true } ]
}
param fromEnv = readEnvironmentVariable('AIGW_TEST_SET')
param withDefault = readEnvironmentVariable('AIGW_TEST_UNSET', 'fallback')
param sysEnv = sys.readEnvironmentVariable('AIGW_TEST_SET')
param alias = environment
"#;
    let (params, problems) = run_env(text, &[("AIGW_TEST_SET", "from-env")]);
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(value_of(&params, "environment"), &string("acc"));
    assert_eq!(value_of(&params, "suffix"), &string("x7'k\\2"));
    assert_eq!(value_of(&params, "greeting"), &string("env-acc--42-true"));
    assert_eq!(value_of(&params, "count"), &Value::Int(-42));
    assert_eq!(value_of(&params, "nothing"), &Value::Null);
    assert_eq!(
        value_of(&params, "script"),
        &string("first line\n  second ${not interpolated} \\n\n")
    );
    let Value::Array(list) = value_of(&params, "list") else {
        panic!()
    };
    assert_eq!(
        list.iter().map(|n| n.value.clone()).collect::<Vec<_>>(),
        vec![string("a"), string("b"), string("c")]
    );
    let Value::Array(inline) = value_of(&params, "inline") else {
        panic!()
    };
    assert_eq!(inline.len(), 3);
    let Value::Object(obj) = value_of(&params, "obj") else {
        panic!()
    };
    let keys: Vec<_> = obj.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["name", "quoted key", "other"]);
    assert_eq!(value_of(&params, "fromEnv"), &string("from-env"));
    assert_eq!(value_of(&params, "withDefault"), &string("fallback"));
    assert_eq!(value_of(&params, "sysEnv"), &string("from-env"));
    assert_eq!(value_of(&params, "alias"), &string("acc"));
    // File order is kept.
    assert_eq!(params.first().map(|p| p.name.as_str()), Some("environment"));
}

#[test]
fn interpolation_may_reference_parameters_declared_later() {
    let (params, problems) = run("param a = 'x-${b}'\nparam b = 'y'\n");
    assert!(problems.is_empty());
    assert_eq!(value_of(&params, "a"), &string("x-y"));
}

#[test]
fn spans_point_at_values() {
    let text = "param a = 'hello'\nparam b = [\n  12\n]\n";
    let (params, _) = run(text);
    let file = SourceFile::new("t", text);
    let a = &params[0].value;
    assert_eq!(file.slice(a.span), "'hello'");
    let Value::Array(items) = &params[1].value.value else {
        panic!()
    };
    assert_eq!(file.line_col(items[0].span.start).to_string(), "3:3");
    assert_eq!(file.line_col(params[1].name_span.start).to_string(), "2:7");
}

#[test]
fn unsupported_constructs_are_named_with_positions() {
    let text = "\
using 'main.bicep'
var x = 1
import * as t from 'types.bicep'
param a = az.getSecret('sub', 'rg', 'kv', 'secret')
param b = true ? 'x' : 'y'
param c = concat('a', 'b')
param d = 'a' + 'b'
param e = other.property
@description('x')
param f = 1
type t = string
param g = items[0]
param h = 1.5
param i = !true
";
    let (params, problems) = run(text);
    let got = positions(text, &problems);
    assert_eq!(
        got,
        vec![
            (2, 1, "unsupported-construct"),
            (3, 1, "unsupported-construct"),
            (4, 11, "unsupported-construct"),
            (5, 16, "unsupported-construct"),
            (6, 11, "unsupported-construct"),
            (7, 15, "unsupported-construct"),
            (8, 16, "unsupported-construct"),
            (9, 1, "unsupported-construct"),
            (11, 1, "unsupported-construct"),
            (12, 16, "unsupported-construct"),
            (13, 11, "unsupported-number"),
            (14, 11, "unsupported-construct"),
        ],
        "{problems:#?}"
    );
    let messages: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
    assert!(messages[0].contains("`var`"));
    assert!(messages[1].contains("`import`"));
    assert!(messages[2].contains("az.getSecret"));
    assert!(messages[3].contains("conditional"));
    assert!(messages[4].contains("`concat()`"));
    assert!(messages[5].contains("operator `+`"));
    assert!(messages[6].contains("property access"));
    assert!(messages[7].contains("decorators"));
    // Only `f` (after the decorator line was skipped) parsed cleanly.
    assert_eq!(
        params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["f"]
    );
}

#[test]
fn evaluation_errors() {
    let text = "\
param a = b
param b = a
param c = '${missing}'
param d = readEnvironmentVariable('AIGW_DEFINITELY_UNSET')
param e = '${[1]}'
param c = 'again'
param f = readEnvironmentVariable()
";
    let (_, problems) = run(text);
    let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
    assert!(codes.contains(&"reference-cycle"), "{codes:?}");
    assert!(codes.contains(&"unknown-reference"), "{codes:?}");
    assert!(codes.contains(&"missing-environment-variable"), "{codes:?}");
    assert!(codes.contains(&"invalid-interpolation"), "{codes:?}");
    assert!(codes.contains(&"duplicate-parameter"), "{codes:?}");
    assert!(codes.contains(&"wrong-arguments"), "{codes:?}");
}

#[test]
fn syntax_errors_point_at_the_problem() {
    let cases: &[(&str, (usize, usize, &str))] = &[
        ("param a = [1 2]", (1, 14, "expected-separator")),
        ("param a = {x 1}", (1, 14, "expected-colon")),
        ("param a 'x'", (1, 9, "expected-equals")),
        ("param a =\n", (1, 10, "expected-value")),
        ("param = 1", (1, 7, "expected-name")),
        ("param a = [1,", (1, 11, "unclosed")),
        ("param a = {x: 1, x: 2}", (1, 18, "duplicate-property")),
        ("param a = 'x' 'y'", (1, 15, "unsupported-construct")),
        ("foo a = 1", (1, 1, "expected-declaration")),
        ("using 'a'\nusing 'b'", (2, 1, "duplicate-using")),
        (
            "param a = 99999999999999999999",
            (1, 11, "number-out-of-range"),
        ),
        ("param a = '${}'", (1, 12, "empty-interpolation")),
    ];
    for (text, expected) in cases {
        let (_, problems) = run(text);
        let got = positions(text, &problems);
        assert_eq!(got.first(), Some(expected), "{text:?}: {problems:#?}");
    }
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let text = format!("param a = {}1{}", "[".repeat(5000), "]".repeat(5000));
    let (_, problems) = run(&text);
    assert_eq!(problems.first().map(|p| p.code), Some("too-deep"));
}
