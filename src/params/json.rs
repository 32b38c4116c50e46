//! ARM JSON parameter files (`{"$schema", "contentVersion", "parameters": {name: {"value": ...}}}`).
//!
//! Parsed with `jsonc-parser` because it keeps byte ranges for every node (serde_json does not),
//! which is what lets validation point at the offending line. Comments and trailing commas are
//! accepted, as ARM tooling does; so is a UTF-8 byte-order mark, which Windows editors write.
//! A key written twice in one object is reported with both positions (JSON parsers silently keep
//! the last one, so the value in effect would not be the one the reader sees first).

use std::collections::HashMap;

use jsonc_parser::ast;
use jsonc_parser::{CollectOptions, ParseOptions, parse_to_ast};

use super::value::{Entry, Node, Param, Value};
use crate::diagnostic::{Diagnostic, shown};
use crate::source::{BOM, Span};

/// Nesting deeper than this is refused before parsing (the parser recurses per level).
const MAX_DEPTH: usize = 64;

const SHAPE: &str = "an ARM parameter file is {\"parameters\": {\"name\": {\"value\": ...}}}";

/// Parses an ARM JSON parameter file. Returns every entry of `parameters` in file order (with no
/// value when its entry is broken), or `None` when the file as a whole cannot be read as a
/// parameter file (not JSON, empty, no `parameters`): checking parameters would only add noise.
pub fn parse(text: &str, problems: &mut Vec<Diagnostic>) -> Option<Vec<Param>> {
    // The BOM is skipped, and every position shifted back to the full text.
    let base = if text.starts_with(BOM) {
        BOM.len_utf8()
    } else {
        0
    };
    let json = &text[base..];
    if let Some(offset) = too_deep(json) {
        let offset = base + offset;
        problems.push(
            Diagnostic::new(
                "too-deep",
                format!("values nested deeper than {MAX_DEPTH} levels are not supported"),
            )
            .at(Span::new(offset, offset + 1)),
        );
        return None;
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
    let root = match parse_to_ast(json, &CollectOptions::default(), &options) {
        Ok(result) => result.value,
        Err(error) => {
            let range = error.range();
            problems.push(
                Diagnostic::new(
                    "invalid-json",
                    format!("this is not valid JSON: {}", error.kind()),
                )
                .at(Span::new(base + range.start, base + range.end))
                .help(format!("fix the JSON syntax; {SHAPE}")),
            );
            return None;
        }
    };
    let mut converter = Converter {
        base,
        problems: &mut *problems,
    };
    let Some(root) = root.map(|root| converter.convert(root)) else {
        problems.push(Diagnostic::new("empty-file", "the parameter file is empty").help(SHAPE));
        return None;
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

/// Turns the JSON syntax tree into the format-neutral value tree.
struct Converter<'p> {
    /// Where the parsed text starts in the file (after a BOM).
    base: usize,
    problems: &'p mut Vec<Diagnostic>,
}

impl Converter<'_> {
    fn span(&self, range: jsonc_parser::common::Range) -> Span {
        Span::new(self.base + range.start, self.base + range.end)
    }

    fn convert(&mut self, value: ast::Value<'_>) -> Node {
        match value {
            ast::Value::StringLit(s) => {
                Node::new(self.span(s.range), Value::String(s.value.into_owned()))
            }
            ast::Value::NumberLit(n) => {
                let value = match n.value.parse::<i64>() {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::Number(n.value.to_string()),
                };
                Node::new(self.span(n.range), value)
            }
            ast::Value::BooleanLit(b) => Node::new(self.span(b.range), Value::Bool(b.value)),
            ast::Value::NullKeyword(n) => Node::new(self.span(n.range), Value::Null),
            ast::Value::Array(a) => {
                let span = self.span(a.range);
                let items = a.elements.into_iter().map(|v| self.convert(v)).collect();
                Node::new(span, Value::Array(items))
            }
            ast::Value::Object(o) => {
                let span = self.span(o.range);
                let mut entries: Vec<Entry> = Vec::with_capacity(o.properties.len());
                let mut seen: HashMap<String, Span> = HashMap::new();
                for prop in o.properties {
                    let (key, key_range) = match prop.name {
                        ast::ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                        ast::ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                    };
                    let key_span = self.span(key_range);
                    let value = self.convert(prop.value);
                    // The first one is kept, as in `.bicepparam` files; either way it is an error.
                    if let Some(first) = seen.get(&key) {
                        self.problems.push(
                            Diagnostic::new(
                                "duplicate-property",
                                format!("property `{}` is set twice in this object", shown(&key)),
                            )
                            .at(key_span)
                            .also(*first, "first set")
                            .help(
                                "remove one of the two; JSON readers disagree on which one counts",
                            ),
                        );
                        continue;
                    }
                    seen.insert(key.clone(), key_span);
                    entries.push(Entry {
                        key,
                        key_span,
                        value,
                    });
                }
                Node::new(span, Value::Object(entries))
            }
        }
    }
}

fn parameters(root: Node, problems: &mut Vec<Diagnostic>) -> Option<Vec<Param>> {
    let Value::Object(entries) = root.value else {
        problems.push(
            Diagnostic::new(
                "invalid-parameter-file",
                format!("expected a JSON object, found {}", root.value.kind()),
            )
            .at(root.span)
            .help(SHAPE),
        );
        return None;
    };
    let mut parameters_node = None;
    for entry in entries {
        match entry.key.as_str() {
            "parameters" => parameters_node = Some(entry.value),
            "$schema" | "contentVersion" | "metadata" => {}
            other => problems.push(
                Diagnostic::new(
                    "unknown-property",
                    format!("unexpected top-level property `{}`", shown(other)),
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
        return None;
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
        return None;
    };
    // Keys are unique here: the converter reported and dropped repeats.
    let params = entries
        .into_iter()
        .map(|entry| {
            let value = parameter_value(&entry, problems);
            Param {
                name: entry.key,
                name_span: entry.key_span,
                value,
            }
        })
        .collect();
    Some(params)
}

/// The `value` of one `{"value": ...}` entry.
fn parameter_value(entry: &Entry, problems: &mut Vec<Diagnostic>) -> Option<Node> {
    let name = shown(&entry.key);
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
            .help(format!("write \"{name}\": {{\"value\": ...}}")),
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
                    format!(
                        "unexpected property `{}` in parameter `{name}`",
                        shown(other)
                    ),
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
                format!("parameter `{name}` has no `value`"),
            )
            .path(entry.key.clone())
            .at(entry.value.span)
            .help(format!("write \"{name}\": {{\"value\": ...}}")),
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
        let params = parse(text, &mut problems).unwrap_or_default();
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
        let value = |i: usize| {
            params[i]
                .value
                .clone()
                .unwrap_or_else(|| panic!("no value"))
        };
        assert_eq!(value(0).value, Value::String("acc".into()));
        assert_eq!(file.line_col(value(0).span.start).to_string(), "6:31");
        assert_eq!(value(1).value, Value::Int(10));
        assert_eq!(value(2).value, Value::Number("1.5".into()));
    }

    #[test]
    fn a_byte_order_mark_is_accepted_and_positions_stay_right() {
        let text =
            "\u{feff}{\n  \"parameters\": {\n    \"environment\": { \"value\": \"acc\" }\n  }\n}\n";
        let (params, problems) = run(text);
        assert!(problems.is_empty(), "{problems:?}");
        let file = SourceFile::new("p.json", text);
        let value = params[0]
            .value
            .clone()
            .unwrap_or_else(|| panic!("no value"));
        assert_eq!(file.slice(value.span), "\"acc\"");
        assert_eq!(file.line_col(value.span.start).to_string(), "3:31");
    }

    #[test]
    fn a_key_set_twice_is_reported_with_both_positions() {
        let text = r#"{
  "parameters": {
    "tags": { "value": { "owner": "a", "owner": "b" } },
    "tags": { "value": {} }
  }
}"#;
        let (params, problems) = run(text);
        let file = SourceFile::new("p.json", text);
        let found: Vec<(&str, String, String)> = problems
            .iter()
            .map(|p| {
                let at = |span: Span| file.line_col(span.start).to_string();
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
                ("duplicate-property", "3:40".into(), "3:26".into()),
                ("duplicate-property", "4:5".into(), "3:5".into()),
            ]
        );
        // The first of each is the one in effect.
        let Some(Value::Object(tags)) = params[0].value.as_ref().map(|v| &v.value) else {
            panic!("{params:?}")
        };
        assert_eq!(tags[0].value.value, Value::String("a".into()));
        assert_eq!(tags.len(), 1);
    }

    #[test]
    fn a_file_of_only_a_byte_order_mark_or_blanks_is_empty() {
        for text in ["", "\u{feff}", "\r\r\r", "\u{feff}\r\n  \r\n"] {
            let mut problems = Vec::new();
            assert!(parse(text, &mut problems).is_none());
            let codes: Vec<_> = problems.iter().map(|p| p.code).collect();
            assert_eq!(codes, ["empty-file"], "{text:?}");
        }
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
        let with_values: Vec<_> = params
            .iter()
            .filter(|p| p.value.is_some())
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(with_values, ["extra"]);
        assert_eq!(params.len(), 4, "broken entries are still declared");
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
