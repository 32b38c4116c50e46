//! ARM JSON parameter files (`{"$schema", "contentVersion", "parameters": {name: {"value": ...}}}`).
//!
//! Parsed with `jsonc-parser` because it keeps byte ranges for every node (serde_json does not),
//! which is what lets validation point at the offending line. Comments and trailing commas are
//! accepted, as ARM tooling does.

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use super::value::{Entry, Node, Param, Value};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Nesting deeper than this is refused before parsing (the parser recurses per level).
const MAX_DEPTH: usize = 64;

pub fn parse(text: &str, problems: &mut Vec<Diagnostic>) -> Vec<Param> {
    if let Some(offset) = too_deep(text) {
        problems.push(
            Diagnostic::new(
                "too-deep",
                format!("values nested deeper than {MAX_DEPTH} levels are not supported"),
            )
            .at(Span::new(offset, offset + 1)),
        );
        return Vec::new();
    }
    let options = ParseOptions {
        allow_comments: true,
        allow_trailing_commas: true,
        allow_loose_object_property_names: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let root = match parse_to_ast(text, &CollectOptions::default(), &options) {
        Ok(result) => result.value,
        Err(error) => {
            let range = error.range();
            problems.push(
                Diagnostic::new("invalid-json", format!("this is not valid JSON: {}", error.kind()))
                    .at(Span::new(range.start, range.end))
                    .help("fix the JSON syntax; an ARM parameter file is {\"parameters\": {\"name\": {\"value\": ...}}}"),
            );
            return Vec::new();
        }
    };
    let Some(root) = root.map(convert) else {
        problems.push(
            Diagnostic::new("empty-file", "the parameter file is empty")
                .help("an ARM parameter file is {\"parameters\": {\"name\": {\"value\": ...}}}"),
        );
        return Vec::new();
    };
    parameters(root, problems)
}

/// The byte offset where bracket nesting first exceeds [`MAX_DEPTH`] (strings and comments skipped).
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < bytes.len() && !(bytes[i] == b'*' && bytes[i + 1] == b'/') {
                    i += 1;
                }
                i += 1;
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn convert(value: ast::Value<'_>) -> Node {
    match value {
        ast::Value::StringLit(s) => Node::new(span(s.range), Value::String(s.value.into_owned())),
        ast::Value::NumberLit(n) => {
            let value = match n.value.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Number(n.value.to_string()),
            };
            Node::new(span(n.range), value)
        }
        ast::Value::BooleanLit(b) => Node::new(span(b.range), Value::Bool(b.value)),
        ast::Value::NullKeyword(n) => Node::new(span(n.range), Value::Null),
        ast::Value::Array(a) => Node::new(
            span(a.range),
            Value::Array(a.elements.into_iter().map(convert).collect()),
        ),
        ast::Value::Object(o) => {
            let entries = o
                .properties
                .into_iter()
                .map(|prop| {
                    let (key, key_range) = match prop.name {
                        ast::ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                        ast::ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                    };
                    Entry {
                        key,
                        key_span: span(key_range),
                        value: convert(prop.value),
                    }
                })
                .collect();
            Node::new(span(o.range), Value::Object(entries))
        }
    }
}

fn span(range: jsonc_parser::common::Range) -> Span {
    Span::new(range.start, range.end)
}

fn parameters(root: Node, problems: &mut Vec<Diagnostic>) -> Vec<Param> {
    let Value::Object(entries) = root.value else {
        problems.push(
            Diagnostic::new(
                "invalid-parameter-file",
                format!("expected a JSON object, found {}", root.value.kind()),
            )
            .at(root.span)
            .help("an ARM parameter file is {\"parameters\": {\"name\": {\"value\": ...}}}"),
        );
        return Vec::new();
    };
    let mut parameters_node = None;
    for entry in entries {
        match entry.key.as_str() {
            "parameters" => parameters_node = Some(entry.value),
            "$schema" | "contentVersion" | "metadata" => {}
            other => problems.push(
                Diagnostic::new(
                    "unknown-property",
                    format!("unexpected top-level property `{other}`"),
                )
                .at(entry.key_span)
                .help("an ARM parameter file has `$schema`, `contentVersion` and `parameters`"),
            ),
        }
    }
    let Some(parameters_node) = parameters_node else {
        problems.push(
            Diagnostic::new("missing-parameters", "the file has no `parameters` object")
                .at(root
                    .span
                    .to(Span::new(root.span.start, root.span.start + 1)))
                .help("put every parameter under \"parameters\": {\"name\": {\"value\": ...}}"),
        );
        return Vec::new();
    };
    let Value::Object(entries) = parameters_node.value else {
        problems.push(
            Diagnostic::new(
                "invalid-parameter-file",
                format!(
                    "`parameters` must be an object, found {}",
                    parameters_node.value.kind()
                ),
            )
            .at(parameters_node.span),
        );
        return Vec::new();
    };
    let mut params: Vec<Param> = Vec::new();
    for entry in entries {
        if params.iter().any(|p| p.name == entry.key) {
            problems.push(
                Diagnostic::new(
                    "duplicate-parameter",
                    format!("parameter `{}` is set twice", entry.key),
                )
                .path(entry.key.clone())
                .at(entry.key_span)
                .help("remove one of the two entries"),
            );
            continue;
        }
        if let Some(value) = parameter_value(&entry, problems) {
            params.push(Param {
                name: entry.key,
                name_span: entry.key_span,
                value,
            });
        }
    }
    params
}

/// The `value` of one `{"value": ...}` entry.
fn parameter_value(entry: &Entry, problems: &mut Vec<Diagnostic>) -> Option<Node> {
    let Value::Object(fields) = &entry.value.value else {
        problems.push(
            Diagnostic::new(
                "invalid-parameter-entry",
                format!(
                    "expected {{\"value\": ...}}, found {}",
                    entry.value.value.kind()
                ),
            )
            .path(entry.key.clone())
            .at(entry.value.span)
            .help(format!("write \"{}\": {{\"value\": ...}}", entry.key)),
        );
        return None;
    };
    let mut value = None;
    for field in fields {
        match field.key.as_str() {
            "value" => value = Some(field.value.clone()),
            "reference" => {
                problems.push(
                    Diagnostic::new(
                        "unsupported-construct",
                        "Key Vault `reference` parameters are not supported",
                    )
                    .path(entry.key.clone())
                    .at(field.key_span)
                    .help(
                        "aigw's parameters hold no secrets; give the value directly with \"value\"",
                    ),
                );
                return None;
            }
            "metadata" => {}
            other => problems.push(
                Diagnostic::new(
                    "unknown-property",
                    format!("unexpected property `{other}` in parameter `{}`", entry.key),
                )
                .path(entry.key.clone())
                .at(field.key_span)
                .help("a parameter entry is {\"value\": ...}"),
            ),
        }
    }
    if value.is_none() {
        problems.push(
            Diagnostic::new(
                "missing-value",
                format!("parameter `{}` has no `value`", entry.key),
            )
            .path(entry.key.clone())
            .at(entry.value.span)
            .help(format!("write \"{}\": {{\"value\": ...}}", entry.key)),
        );
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn run(text: &str) -> (Vec<Param>, Vec<Diagnostic>) {
        let mut problems = Vec::new();
        let params = parse(text, &mut problems);
        problems.sort_by_key(|p| p.span.map(|s| s.start));
        (params, problems)
    }

    #[test]
    fn reads_values_with_spans() {
        let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  // comments are allowed
  "parameters": {
    "environment": { "value": "acc" },
    "capacity": { "value": 10 },
    "ratio": { "value": 1.5 },
    "list": { "value": [ {"a": true}, null ] },
  }
}"#;
        let (params, problems) = run(text);
        assert!(problems.is_empty(), "{problems:?}");
        let file = SourceFile::new("p.json", text);
        assert_eq!(params.len(), 4);
        assert_eq!(params[0].value.value, Value::String("acc".into()));
        assert_eq!(
            file.line_col(params[0].value.span.start).to_string(),
            "6:31"
        );
        assert_eq!(params[1].value.value, Value::Int(10));
        assert_eq!(params[2].value.value, Value::Number("1.5".into()));
    }

    #[test]
    fn key_vault_references_and_shape_errors() {
        let text = r#"{
  "parameters": {
    "secret": { "reference": { "keyVault": { "id": "x" }, "secretName": "s" } },
    "bare": "x",
    "novalue": { },
    "extra": { "value": 1, "valu": 2 }
  },
  "other": 1
}"#;
        let (params, problems) = run(text);
        let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
        assert_eq!(
            codes,
            [
                "unsupported-construct",
                "invalid-parameter-entry",
                "missing-value",
                "unknown-property",
                "unknown-property"
            ]
        );
        assert_eq!(
            params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
            ["extra"]
        );
    }

    #[test]
    fn syntax_errors_have_positions() {
        let (_, problems) = run("{\n  \"parameters\": { \"a\": { \"value\": 1 } \n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, "invalid-json");
        assert!(problems[0].span.is_some());
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let (_, problems) = run(&text);
        assert_eq!(problems[0].code, "too-deep");
    }
}
