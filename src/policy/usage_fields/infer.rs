//! The kind of a value assigned to a usage-row field, read from its C# tokens: casts, typed
//! locals, literals, `DateTime....ToString("o")` for a round-trip date, string methods and known
//! `context` members. A value of any other shape is an error naming it, never a guess.

use std::collections::BTreeMap;

use super::{Found, Reader, problem};
use crate::policy::csharp::TokenKind;
use crate::usage::ColumnKind;

/// `context` members the row reads directly, with their types
/// (<https://learn.microsoft.com/azure/api-management/api-management-policy-expressions>).
const CONTEXT_MEMBERS: &[(&str, ColumnKind)] = &[
    ("context.Api.Name", ColumnKind::String),
    ("context.Api.Path", ColumnKind::String),
    ("context.Backend.AzureRegion", ColumnKind::String),
    ("context.Backend.Id", ColumnKind::String),
    ("context.Deployment.Region", ColumnKind::String),
    ("context.Deployment.ServiceName", ColumnKind::String),
    ("context.Operation.Name", ColumnKind::String),
    ("context.Product.Name", ColumnKind::String),
    ("context.Subscription.Id", ColumnKind::String),
    ("context.Subscription.Name", ColumnKind::String),
];

/// Values nested deeper than this (parentheses, conditionals) are not read.
const MAX_NESTING: usize = 64;

/// String methods that return a string.
const STRING_METHODS: &[&str] = &[
    "Substring",
    "Trim",
    "TrimStart",
    "TrimEnd",
    "ToLowerInvariant",
    "ToUpperInvariant",
    "Replace",
];

/// Declared types whose kind is known.
fn kind_of_type(name: &str) -> Option<ColumnKind> {
    match name {
        "string" => Some(ColumnKind::String),
        "int" => Some(ColumnKind::Int),
        "long" => Some(ColumnKind::Long),
        "bool" => Some(ColumnKind::Boolean),
        "DateTime" => Some(ColumnKind::DateTime),
        _ => None,
    }
}

impl Reader<'_> {
    /// The kind of the value `tokens[from..to]`; `None` for null. `depth` bounds the recursion.
    pub(super) fn infer(
        &self,
        from: usize,
        to: usize,
        locals: &BTreeMap<String, String>,
        depth: usize,
    ) -> Found<Option<ColumnKind>> {
        let unknown = || {
            problem(
                self.span_of(from, to),
                format!(
                    "cannot tell the kind of the value `{}`",
                    self.source(from, to)
                ),
            )
        };
        if from >= to || depth > MAX_NESTING {
            return Err(unknown());
        }
        let depth = depth + 1;
        // ( inner )
        if self.is(from, "(") && self.matching(from) == Some(to - 1) {
            return self.infer(from + 1, to - 1, locals, depth);
        }
        // a ? b : c   and   a ?? b
        if let Some((question, colon)) = self.ternary(from, to) {
            let a = self.infer(question + 1, colon, locals, depth)?;
            let b = self.infer(colon + 1, to, locals, depth)?;
            return self.combine(a, b, from, to);
        }
        if let Some(coalesce) = self.top_level(from, to, "??") {
            let a = self.infer(from, coalesce, locals, depth)?;
            let b = self.infer(coalesce + 1, to, locals, depth)?;
            return self.combine(a, b, from, to);
        }
        // (T) x   or   (T?) x
        if self.is(from, "(")
            && let Some(ty) = self.ident(from + 1)
        {
            let close = if self.is(from + 2, "?") {
                from + 3
            } else {
                from + 2
            };
            if self.is(close, ")") && close + 1 < to {
                return kind_of_type(ty).map(Some).ok_or_else(unknown);
            }
        }
        let single = to - from == 1;
        let first = &self.tokens[from];
        if single {
            return match (first.kind, first.text(self.text)) {
                (TokenKind::Str, _) => Ok(Some(ColumnKind::String)),
                (TokenKind::Ident, "true" | "false") => Ok(Some(ColumnKind::Boolean)),
                (TokenKind::Ident, "null") => Ok(None),
                (TokenKind::Ident, name) => locals
                    .get(name)
                    .and_then(|ty| kind_of_type(ty))
                    .map(Some)
                    .ok_or_else(unknown),
                (TokenKind::Number, n) if n.bytes().all(|b| b.is_ascii_digit()) => {
                    Ok(Some(ColumnKind::Int))
                }
                _ => Err(unknown()),
            };
        }
        let shape = self.source(from, to).replace(' ', "");
        if shape == "JValue.CreateNull()" {
            return Ok(None);
        }
        if let Some(kind) = CONTEXT_MEMBERS
            .iter()
            .find(|(member, _)| *member == shape)
            .map(|(_, kind)| *kind)
        {
            return Ok(Some(kind));
        }
        // ... .ToString(...) at the end.
        if self.is(to - 1, ")")
            && let Some(open) = self.opener(from, to - 1)
            && open >= 2
            && self.ident(open - 1) == Some("ToString")
            && self.is(open - 2, ".")
        {
            let argument = self.tokens[open + 1..to - 1].to_vec();
            let round_trip = matches!(argument.as_slice(), [t] if t.value.as_deref() == Some("o"));
            return match (round_trip, self.ident(from)) {
                (true, Some("DateTime")) => Ok(Some(ColumnKind::DateTime)),
                (true, _) => Err(unknown()),
                (false, _) => Ok(Some(ColumnKind::String)),
            };
        }
        // local.Substring(...) and other string methods on a string local.
        if let (Some(name), Some(method)) = (self.ident(from), self.ident(from + 2))
            && self.is(from + 1, ".")
            && STRING_METHODS.contains(&method)
            && self.is(from + 3, "(")
            && self.matching(from + 3) == Some(to - 1)
            && locals.get(name).map(String::as_str) == Some("string")
        {
            return Ok(Some(ColumnKind::String));
        }
        Err(unknown())
    }

    fn combine(
        &self,
        a: Option<ColumnKind>,
        b: Option<ColumnKind>,
        from: usize,
        to: usize,
    ) -> Found<Option<ColumnKind>> {
        match (a, b) {
            (Some(x), Some(y)) if x != y => Err(problem(
                self.span_of(from, to),
                format!(
                    "the branches of `{}` have different kinds ({} and {})",
                    self.source(from, to),
                    x.table_type(),
                    y.table_type()
                ),
            )),
            (Some(x), _) | (None, Some(x)) => Ok(Some(x)),
            (None, None) => Ok(None),
        }
    }

    /// Index of a punctuation token at bracket depth 0 within `from..to`.
    fn top_level(&self, from: usize, to: usize, punct: &str) -> Option<usize> {
        let mut i = from;
        while i < to {
            if self.is(i, punct) {
                return Some(i);
            }
            if self.is(i, "(") || self.is(i, "[") || self.is(i, "{") {
                i = self.matching(i)?;
            }
            i += 1;
        }
        None
    }

    /// The `?` and `:` of a conditional expression at depth 0 within `from..to`.
    fn ternary(&self, from: usize, to: usize) -> Option<(usize, usize)> {
        let question = self.top_level(from, to, "?")?;
        // Skip nested conditionals in the true branch.
        let mut nested = 0usize;
        let mut i = question + 1;
        while i < to {
            if self.is(i, "?") {
                nested += 1;
            } else if self.is(i, ":") {
                if nested == 0 {
                    return Some((question, i));
                }
                nested -= 1;
            } else if self.is(i, "(") || self.is(i, "[") || self.is(i, "{") {
                i = self.matching(i)?;
            }
            i += 1;
        }
        None
    }
}
