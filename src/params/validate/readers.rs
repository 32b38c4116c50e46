//! Readers: one value of the parameter tree as the type a field needs (string, non-empty text,
//! integer, boolean, array, object with known fields), each reporting a wrong type with an
//! example in the file's syntax, and the "missing field" report.

use serde_json::json;

use super::hints::MORE;
use super::{At, Fields, Validator, join};
use crate::diagnostic::{Diagnostic, shown};
use crate::params::value::{Node, Value};
use crate::source::Span;

impl Validator<'_> {
    pub(super) fn report(&mut self, diagnostic: Diagnostic) {
        self.problems.push(diagnostic);
    }

    /// `example` is a value in the file's syntax, or words such as "a quoted string".
    pub(super) fn type_error(&mut self, node: &Node, path: &str, expected: &str, example: &str) {
        self.report(
            Diagnostic::new(
                "wrong-type",
                format!("expected {expected}, found {}", node.value.kind()),
            )
            .path(path)
            .at(node.span)
            .help(format!("write {example}")),
        );
    }

    pub(super) fn string(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        match &node.value {
            Value::String(s) => Some(At {
                value: s.clone(),
                span: node.span,
            }),
            _ => {
                self.type_error(node, path, "a string", "a quoted string");
                None
            }
        }
    }

    /// A string that must not be empty or only whitespace, nor hold control characters.
    pub(super) fn text(&mut self, node: &Node, path: &str) -> Option<At<String>> {
        let s = self.string(node, path)?;
        if !self.no_control_characters(&s, path) {
            return None;
        }
        if s.value.trim().is_empty() {
            self.report(
                Diagnostic::new("empty-value", "must not be empty")
                    .path(path)
                    .at(node.span)
                    .help("give a value"),
            );
            return None;
        }
        if s.value.trim() != s.value {
            self.report(
                Diagnostic::new(
                    "surrounding-whitespace",
                    "has leading or trailing whitespace",
                )
                .path(path)
                .at(node.span)
                .help("remove the spaces around the value"),
            );
            return None;
        }
        Some(s)
    }

    /// Control characters (line breaks, tabs, ESC, ...) and invisible bidirectional controls have
    /// no place in a name, an address or a tag: they can only be a mistake (a line break from
    /// `readEnvironmentVariable`, a pasted value), and they would reach notification emails, the
    /// portal and logs. Azure checks only the length of free text such as the publisher name
    /// (`publisherName`: maxLength 100 in the API Management spec; hashicorp/
    /// terraform-provider-azurerm#2067), so aigw refuses them itself.
    pub(super) fn no_control_characters(&mut self, value: &At<String>, path: &str) -> bool {
        let Some(c) = value
            .value
            .chars()
            .find(|c| c.is_control() || crate::diagnostic::is_escaped(*c))
        else {
            return true;
        };
        self.report(
            Diagnostic::new(
                "control-character",
                format!(
                    "`{}` contains the control character {} (U+{:04X})",
                    shown(&value.value),
                    c.escape_default(),
                    u32::from(c)
                ),
            )
            .path(path)
            .at(value.span)
            .help("remove it; line breaks, tabs and other control characters are not allowed here"),
        );
        false
    }

    pub(super) fn int(&mut self, node: &Node, path: &str) -> Option<At<i64>> {
        match &node.value {
            Value::Int(i) => Some(At {
                value: *i,
                span: node.span,
            }),
            Value::String(s) if s.trim().parse::<i64>().is_ok() => {
                self.report(
                    Diagnostic::new("wrong-type", "expected an integer, found a string")
                        .path(path)
                        .at(node.span)
                        .help(format!("remove the quotes: {}", shown(s.trim()))),
                );
                None
            }
            _ => {
                self.type_error(node, path, "an integer", "a whole number such as 1");
                None
            }
        }
    }

    pub(super) fn boolean(&mut self, node: &Node, path: &str) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if matches!(s.trim(), "true" | "false") => {
                self.report(
                    Diagnostic::new("wrong-type", "expected a boolean, found a string")
                        .path(path)
                        .at(node.span)
                        .help(format!("remove the quotes: {}", s.trim())),
                );
                None
            }
            _ => {
                self.type_error(node, path, "a boolean", "true or false");
                None
            }
        }
    }

    pub(super) fn array<'n>(&mut self, node: &'n Node, path: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Array(items) => Some(items),
            _ => {
                let example = self.hints.value(&json!([MORE]));
                self.type_error(node, path, "an array", &example);
                None
            }
        }
    }

    /// The object's fields; unknown keys are reported with a suggestion.
    pub(super) fn object<'n>(
        &mut self,
        node: &'n Node,
        path: &str,
        known: &[&str],
    ) -> Option<Fields<'n>> {
        let Value::Object(entries) = &node.value else {
            let mut field = serde_json::Map::new();
            field.insert(known[0].to_string(), json!(MORE));
            let example = self.hints.value(&serde_json::Value::Object(field));
            self.type_error(node, path, "an object", &example);
            return None;
        };
        for entry in entries {
            if !known.contains(&entry.key.as_str()) {
                let here = join(path, &entry.key);
                let mut diagnostic = Diagnostic::new(
                    "unknown-field",
                    format!("unknown field `{}`", shown(&entry.key)),
                )
                .path(here)
                .at(entry.key_span);
                diagnostic = match crate::suggest::closest(&entry.key, known.iter().copied()) {
                    Some(candidate) => diagnostic.help(format!("did you mean `{candidate}`?")),
                    None => diagnostic.help(format!("the fields here are: {}", known.join(", "))),
                };
                self.report(diagnostic);
            }
        }
        Some(Fields {
            entries: entries
                .iter()
                .filter(|e| known.contains(&e.key.as_str()))
                .collect(),
            span: node.span,
        })
    }

    pub(super) fn missing(&mut self, path: &str, span: Option<Span>, help: impl Into<String>) {
        let mut diagnostic = Diagnostic::new("missing-field", "is required but missing")
            .path(path)
            .help(help);
        if let Some(span) = span {
            diagnostic = diagnostic.at(span).label("in this object");
        }
        self.report(diagnostic);
    }
}
