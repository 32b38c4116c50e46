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
    let params = parse(text, &|_| true, &env, &mut problems).unwrap_or_default();
    problems.sort_by_key(|p| p.span.map(|s| s.start));
    (params, problems)
}

fn value_of<'a>(params: &'a [Param], name: &str) -> &'a Value {
    &params
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.as_ref())
        .unwrap_or_else(|| panic!("no value for param {name}"))
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
    let value = |i: usize| {
        params[i]
            .value
            .clone()
            .unwrap_or_else(|| panic!("no value"))
    };
    assert_eq!(file.slice(value(0).span), "'hello'");
    let Value::Array(items) = value(1).value else {
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
    // Only `f` (after the decorator line was skipped) parsed cleanly; the others are still
    // known to be declared.
    let with_values: Vec<&str> = params
        .iter()
        .filter(|p| p.value.is_some())
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(with_values, ["f"]);
    assert_eq!(params.len(), 9);
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

/// `p0 = '${p1}${p1}'`, `p1 = '${p2}${p2}'`, ... `p60 = 'x'`: 2^60 characters if expanded.
fn interpolation_bomb(levels: usize) -> String {
    let mut text = String::from("using 'main.bicep'\n");
    for i in 0..levels {
        text.push_str(&format!("param p{i} = '${{p{n}}}${{p{n}}}'\n", n = i + 1));
    }
    text.push_str(&format!("param p{levels} = 'x'\n"));
    text
}

#[test]
fn an_interpolation_bomb_stops_at_the_size_limit_with_one_clear_error() {
    let text = interpolation_bomb(60);
    let env = BTreeMap::new();
    let mut problems = Vec::new();
    let params = parse(&text, &|name| name == "p0", &env, &mut problems).unwrap_or_default();
    let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, ["value-too-large"], "{problems:#?}");
    // Reported where the limit was reached: the parameter that would grow past it.
    let path = problems[0].path.clone().unwrap_or_default();
    assert!(path.starts_with('p'), "{path}");
    assert!(
        problems[0].message.contains("4 MiB"),
        "{}",
        problems[0].message
    );
    // The parameter aigw reads has no value (and is not reported as missing either).
    assert!(params[0].value.is_none());
    assert_eq!(params[0].name, "p0");
}

#[test]
fn parameters_aigw_does_not_read_are_not_evaluated() {
    let text = format!(
        "{}param wanted = 'ok'\nparam broken = missingReference\n",
        interpolation_bomb(60)
    );
    let env = BTreeMap::new();
    let mut problems = Vec::new();
    let params = parse(&text, &|name| name == "wanted", &env, &mut problems).unwrap_or_default();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(value_of(&params, "wanted"), &string("ok"));
    // Every declaration is still listed (validation reports the unknown ones by name).
    assert_eq!(params.len(), 63);
}

#[test]
fn a_value_repeated_by_many_references_counts_against_the_limit() {
    let big = "a".repeat(1_000_000);
    let text = format!(
        "param big = '{big}'\nparam list = [\n{}]\n",
        "  big\n".repeat(10)
    );
    let (_, problems) = run(&text);
    let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, ["value-too-large"], "{problems:#?}");
    // Four copies fit.
    let text = format!(
        "param big = '{big}'\nparam list = [\n{}]\n",
        "  big\n".repeat(4)
    );
    let (params, problems) = run(&text);
    assert!(problems.is_empty(), "{problems:#?}");
    let Value::Array(items) = value_of(&params, "list") else {
        panic!()
    };
    assert_eq!(items.len(), 4);
}

#[test]
fn a_long_chain_of_references_is_refused_not_a_stack_overflow() {
    let n = 20_000;
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!("param p{i} = p{}\n", i + 1));
    }
    text.push_str(&format!("param p{n} = 'end'\n"));
    let (_, problems) = run(&text);
    let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, ["too-deep"], "{problems:#?}");
    // A short chain is fine.
    let (params, problems) = run("param a = b\nparam b = c\nparam c = 'x'\n");
    assert!(problems.is_empty());
    assert_eq!(value_of(&params, "a"), &string("x"));
}

#[test]
fn a_file_with_nothing_in_it_is_one_empty_file_problem() {
    for text in [
        "",
        "\u{feff}",
        "\r\r\r\r",
        "\r\n\r\n",
        "  \n\t\n",
        "// just a comment\n/* and this */",
    ] {
        let env = BTreeMap::new();
        let mut problems = Vec::new();
        assert!(
            parse(text, &|_| true, &env, &mut problems).is_none(),
            "{text:?}"
        );
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert_eq!(codes, ["empty-file"], "{text:?}");
    }
    // A file with only `using` is not empty: its parameters are missing, one by one.
    let env = BTreeMap::new();
    let mut problems = Vec::new();
    assert!(parse("using 'main.bicep'\n", &|_| true, &env, &mut problems).is_some());
}

#[test]
fn a_parameter_or_property_set_twice_names_both_places() {
    let text = "param a = 1\nparam b = { x: 1, x: 2 }\nparam a = 2\n";
    let (_, problems) = run(text);
    let file = SourceFile::new("t", text);
    let found: Vec<(&str, String, String)> = problems
        .iter()
        .map(|p| {
            let at = |span: crate::source::Span| file.line_col(span.start).to_string();
            (
                p.code,
                at(p.span.unwrap_or_default()),
                p.related.as_ref().map(|r| at(r.span)).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("duplicate-property", "2:19".into(), "2:13".into()),
            ("duplicate-parameter", "3:7".into(), "1:7".into()),
        ]
    );
}
