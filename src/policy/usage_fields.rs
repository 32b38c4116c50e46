//! The usage row as the policy builds it: which fields, of which kinds.
//!
//! `aigw-usage-row.xml` builds the row in the `set-body` expression of its
//! `send-one-way-request`: a `string[]` array names every column, a `JObject` row starts with all
//! of them null, and `row["Name"] = value;` statements fill them in. This module reads exactly that
//! shape from the C# tokens and tells each column's kind from the values assigned to it (casts,
//! typed locals, literals, `DateTime....ToString("o")` for a round-trip date, known `context`
//! members; `infer`). Anything it cannot read is an error naming the place, never a guess.

mod infer;

use std::collections::BTreeMap;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{SourceFile, Span};
use crate::usage::ColumnKind;

use super::csharp::{Token, TokenKind, tokenize};
use super::expr::scan;
use super::files::PolicyFile;
use super::xml::parse;

/// Types a local can be declared with (the kinds of some are known to `infer`).
const DECLARABLE: &[&str] = &[
    "string", "int", "long", "bool", "double", "DateTime", "JObject", "JToken", "JValue", "JArray",
    "object", "var",
];

struct Reader<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    file: std::sync::Arc<SourceFile>,
}

type Found<T> = Result<T, Box<Diagnostic>>;

fn problem(span: Span, message: impl Into<String>) -> Box<Diagnostic> {
    Box::new(Diagnostic::new("policy-usage-row", message)
        .at(span)
        .help("the usage-row reader understands `string[] columns = new string[] { ... }`, `JObject row = new JObject()` and `row[\"Column\"] = value;` with a cast, a typed local, a literal or a known context member as value"))
}

/// One field of the usage row, as the policy builds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageField {
    pub name: String,
    pub kind: ColumnKind,
    /// The name in the columns array.
    pub name_span: Span,
    /// The first value assigned to it (the one its kind was read from).
    pub value_span: Span,
}

/// The fields the usage-row policy emits, in the order of its columns array.
pub fn usage_fields(policy: &PolicyFile) -> Result<Vec<UsageField>, Diagnostics> {
    let file = SourceFile::new(policy.path.clone(), policy.text.clone());
    let fail = |d: Box<Diagnostic>| {
        let mut all = Diagnostics::new(file.clone());
        all.push(*d);
        all
    };
    let body = row_body(&file).map_err(fail)?;
    let tokens = tokenize(file.text(), body.start, body.end)
        .map_err(|_| fail(problem(body, "the usage-row expression does not lex as C#")))?;
    let reader = Reader {
        text: policy.text.as_str(),
        tokens,
        file: file.clone(),
    };
    reader.fields().map_err(fail)
}

/// The code inside the `set-body` expression of the file's `send-one-way-request`.
fn row_body(file: &SourceFile) -> Found<Span> {
    let scanned = scan(file);
    let whole = Span::new(0, file.text().len().min(1));
    if let Some(first) = scanned.problems.first() {
        return Err(Box::new(first.clone()));
    }
    let doc = parse(&scanned.masked)?;
    let bodies: Vec<Span> = doc
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "set-body")
        .filter(|n| {
            n.parent_element()
                .is_some_and(|p| p.tag_name().name() == "send-one-way-request")
        })
        .filter_map(|n| {
            let r = n.first_child().filter(|c| c.is_text())?.range();
            let text = file.text().get(r.clone())?;
            let start = r.start + (text.len() - text.trim_start().len());
            scanned.expression_at(start).map(|e| e.inner())
        })
        .collect();
    match bodies.as_slice() {
        [one] => Ok(*one),
        [] => Err(problem(
            whole,
            "no `send-one-way-request` with a `set-body` expression: the usage row is not built here",
        )),
        [_, second, ..] => Err(problem(
            *second,
            "more than one `send-one-way-request` body: cannot tell which one is the usage row",
        )),
    }
}

impl Reader<'_> {
    fn t(&self, i: usize) -> Option<&Token> {
        self.tokens.get(i)
    }

    fn is(&self, i: usize, punct: &str) -> bool {
        self.t(i).is_some_and(|t| t.is_punct(self.text, punct))
    }

    fn ident(&self, i: usize) -> Option<&str> {
        self.t(i)
            .filter(|t| t.kind == TokenKind::Ident)
            .map(|t| t.text(self.text))
    }

    fn span_of(&self, from: usize, to: usize) -> Span {
        let start = self.t(from).map_or(0, |t| t.span.start);
        let end = self
            .t(to.saturating_sub(1))
            .map_or(start, |t| t.span.end)
            .max(start);
        Span::new(start, end)
    }

    fn source(&self, from: usize, to: usize) -> String {
        let span = self.span_of(from, to);
        self.text
            .get(span.start..span.end)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Index of the bracket closing the one at `open`.
    fn matching(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for i in open..self.tokens.len() {
            let t = &self.tokens[i];
            if t.kind != TokenKind::Punct {
                continue;
            }
            match t.text(self.text) {
                "(" | "[" | "{" => depth += 1,
                ")" | "]" | "}" => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// Index of the bracket within `from..close` that `close` closes.
    fn opener(&self, from: usize, close: usize) -> Option<usize> {
        let mut depth = 0usize;
        for i in (from..=close).rev() {
            let t = self.t(i)?;
            if t.kind != TokenKind::Punct {
                continue;
            }
            match t.text(self.text) {
                ")" | "]" | "}" => depth += 1,
                "(" | "[" | "{" => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The end (index of `;`) of the statement or expression starting at `from`.
    fn statement_end(&self, from: usize) -> Option<usize> {
        let mut i = from;
        while i < self.tokens.len() {
            if self.is(i, ";") {
                return Some(i);
            }
            if self.is(i, "(") || self.is(i, "[") || self.is(i, "{") {
                i = self.matching(i)?;
            }
            i += 1;
        }
        None
    }

    fn fields(&self) -> Found<Vec<UsageField>> {
        let whole = self.span_of(0, self.tokens.len());
        let row = self.row_variable(whole)?;
        let columns = self.columns(whole)?;
        self.returns_row(&row, whole)?;
        let locals = self.locals();
        let mut kinds: BTreeMap<String, (ColumnKind, Span)> = BTreeMap::new();
        let mut i = 0;
        while i + 4 < self.tokens.len() {
            let assignment = self.ident(i) == Some(row.as_str())
                && self.is(i + 1, "[")
                && self.is(i + 3, "]")
                && self.is(i + 4, "=");
            if !assignment {
                i += 1;
                continue;
            }
            let value_start = i + 5;
            let end = self
                .statement_end(value_start)
                .ok_or_else(|| problem(self.span_of(i, i + 5), "assignment without `;`"))?;
            let key = &self.tokens[i + 2];
            let kind = self.infer(value_start, end, &locals, 0)?;
            match (key.kind, &key.value, kind) {
                (TokenKind::Str, Some(name), kind) => {
                    if !columns.iter().any(|(c, _)| c == name) {
                        return Err(problem(
                            key.span,
                            format!(
                                "the row gets field `{name}`, which is not in the columns array"
                            ),
                        ));
                    }
                    if let Some(kind) = kind {
                        let here = self.span_of(value_start, end);
                        match kinds.get(name) {
                            Some((other, at)) if *other != kind => {
                                return Err(problem(
                                    here,
                                    format!(
                                        "field `{name}` gets a {} value here but a {} value at {}",
                                        kind.table_type(),
                                        other.table_type(),
                                        self.file.line_col(at.start)
                                    ),
                                ));
                            }
                            Some(_) => {}
                            None => {
                                kinds.insert(name.clone(), (kind, here));
                            }
                        }
                    }
                }
                (TokenKind::Ident, _, None) => {} // `row[column] = JValue.CreateNull();`
                _ => {
                    return Err(problem(
                        key.span,
                        "the row is written with a key that is not a string literal",
                    ));
                }
            }
            i = end;
        }
        columns
            .into_iter()
            .map(|(name, name_span)| match kinds.get(&name) {
                Some((kind, value_span)) => Ok(UsageField {
                    kind: *kind,
                    name_span,
                    value_span: *value_span,
                    name,
                }),
                None => Err(problem(
                    name_span,
                    format!("field `{name}` is never given a value, so its kind is unknown"),
                )),
            })
            .collect()
    }

    /// `JObject ROW = new JObject();`, exactly once.
    fn row_variable(&self, whole: Span) -> Found<String> {
        let found: Vec<(String, usize)> = (0..self.tokens.len())
            .filter(|&i| {
                self.ident(i) == Some("JObject")
                    && self.ident(i + 1).is_some()
                    && self.is(i + 2, "=")
                    && self.ident(i + 3) == Some("new")
                    && self.ident(i + 4) == Some("JObject")
                    && self.is(i + 5, "(")
                    && self.is(i + 6, ")")
            })
            .filter_map(|i| self.ident(i + 1).map(|n| (n.to_string(), i)))
            .collect();
        match found.as_slice() {
            [(name, _)] => Ok(name.clone()),
            [] => Err(problem(
                whole,
                "no `JObject row = new JObject();` in the usage-row body",
            )),
            [_, (_, second), ..] => Err(problem(
                self.span_of(*second, second + 7),
                "more than one `new JObject()` local: cannot tell which one is the row",
            )),
        }
    }

    /// `string[] NAME = new string[] { "A", "B", ... };`, exactly once.
    fn columns(&self, whole: Span) -> Found<Vec<(String, Span)>> {
        let starts: Vec<usize> = (0..self.tokens.len())
            .filter(|&i| {
                self.ident(i) == Some("string")
                    && self.is(i + 1, "[")
                    && self.is(i + 2, "]")
                    && self.ident(i + 3).is_some()
                    && self.is(i + 4, "=")
                    && self.ident(i + 5) == Some("new")
                    && self.ident(i + 6) == Some("string")
                    && self.is(i + 7, "[")
                    && self.is(i + 8, "]")
                    && self.is(i + 9, "{")
            })
            .collect();
        let start = match starts.as_slice() {
            [one] => *one,
            [] => {
                return Err(problem(
                    whole,
                    "no `string[] columns = new string[] { ... }` array in the usage-row body",
                ));
            }
            [_, second, ..] => {
                return Err(problem(
                    self.span_of(*second, second + 10),
                    "more than one string array: cannot tell which one lists the columns",
                ));
            }
        };
        let open = start + 9;
        let close = self
            .matching(open)
            .ok_or_else(|| problem(self.span_of(open, open + 1), "columns array is not closed"))?;
        let mut names: Vec<(String, Span)> = Vec::new();
        let mut expect_name = true;
        for t in &self.tokens[open + 1..close] {
            match (expect_name, t.kind, &t.value) {
                (true, TokenKind::Str, Some(name)) => {
                    if names.iter().any(|(n, _)| n == name) {
                        return Err(problem(t.span, format!("column `{name}` is listed twice")));
                    }
                    names.push((name.clone(), t.span));
                    expect_name = false;
                }
                (false, TokenKind::Punct, _) if t.text(self.text) == "," => expect_name = true,
                _ => {
                    return Err(problem(
                        t.span,
                        "the columns array must hold string literals only",
                    ));
                }
            }
        }
        Ok(names)
    }

    /// The body ends the row into a one-element JSON array: `JsonConvert.SerializeObject(new JArray(ROW))`.
    fn returns_row(&self, row: &str, whole: Span) -> Found<()> {
        let found = (0..self.tokens.len()).any(|i| {
            self.ident(i) == Some("return")
                && self.ident(i + 1) == Some("JsonConvert")
                && self.is(i + 2, ".")
                && self.ident(i + 3) == Some("SerializeObject")
                && self.is(i + 4, "(")
                && self.ident(i + 5) == Some("new")
                && self.ident(i + 6) == Some("JArray")
                && self.is(i + 7, "(")
                && self.ident(i + 8) == Some(row)
                && self.is(i + 9, ")")
                && self.is(i + 10, ")")
        });
        if found {
            Ok(())
        } else {
            Err(problem(
                whole,
                format!(
                    "the usage-row body does not return `JsonConvert.SerializeObject(new JArray({row}))`, the one-row array the Logs Ingestion API expects"
                ),
            ))
        }
    }

    /// Declared locals and their type names; a name declared with two types maps to "".
    fn locals(&self) -> BTreeMap<String, String> {
        let mut out: BTreeMap<String, String> = BTreeMap::new();
        for i in 0..self.tokens.len() {
            let Some(ty) = self.ident(i).filter(|t| DECLARABLE.contains(t)) else {
                continue;
            };
            let (name_at, ty) = if self.is(i + 1, "?") {
                (i + 2, ty)
            } else {
                (i + 1, ty)
            };
            let Some(name) = self.ident(name_at) else {
                continue;
            };
            let declares = self.is(name_at + 1, "=")
                || self.is(name_at + 1, ";")
                || self.ident(name_at + 1) == Some("in");
            if !declares {
                continue;
            }
            let entry = out
                .entry(name.to_string())
                .or_insert_with(|| ty.to_string());
            if entry != ty {
                entry.clear();
            }
        }
        out
    }
}
