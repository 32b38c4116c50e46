//! The pool id the route policy computes for a deployment name, evaluated here.
//!
//! The C# cannot run here, so this module reads the `aigw-pool-id` expression of
//! `aigw-route.xml` statement by statement and accepts exactly these shapes, failing loudly on any
//! other:
//!
//! ```text
//! string d = (string)context.Variables["aigw-deployment"];
//! if (d.Length > N) { return ""; }                      // UTF-16 length, as in .NET
//! if (!Regex.IsMatch(d, "PATTERN")) { return ""; }      // .NET semantics, see `dotnet_regex`
//! return "prefix" + d.Replace("a", "b").Replace(...);
//! ```
//!
//! [`PoolRule::pool_id`] then performs the same transformation, so tests can compare it with
//! `naming::pool_id`, the name the stack gives each pool.

use regex::Regex;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{SourceFile, Span};

use super::csharp::{Token, TokenKind, tokenize};
use super::expr::scan;
use super::files::PolicyFile;
use super::xml::parse;

/// The fragment and variable that hold the derivation.
pub const ROUTE_FRAGMENT: &str = "aigw-route";
pub const POOL_VARIABLE: &str = "aigw-pool-id";
const DEPLOYMENT_VARIABLE: &str = "aigw-deployment";

/// A guard that turns a name into "no pool".
#[derive(Debug)]
enum Guard {
    LongerThan(usize),
    NotMatching { pattern: String, regex: Regex },
}

/// The derivation read from the policy.
#[derive(Debug)]
pub struct PoolRule {
    guards: Vec<Guard>,
    pub prefix: String,
    pub replacements: Vec<(String, String)>,
}

impl PoolRule {
    /// The pool id for `deployment`, or `None` where the policy returns "" (a 400 for the caller).
    pub fn pool_id(&self, deployment: &str) -> Option<String> {
        for guard in &self.guards {
            let rejected = match guard {
                Guard::LongerThan(n) => deployment.encode_utf16().count() > *n,
                Guard::NotMatching { regex, .. } => !regex.is_match(deployment),
            };
            if rejected {
                return None;
            }
        }
        let mut id = deployment.to_string();
        for (from, to) in &self.replacements {
            if !from.is_empty() {
                id = id.replace(from.as_str(), to);
            }
        }
        Some(format!("{}{id}", self.prefix))
    }

    /// The .NET patterns of the regex guards, as written in the policy.
    pub fn patterns(&self) -> Vec<&str> {
        self.guards
            .iter()
            .filter_map(|g| match g {
                Guard::NotMatching { pattern, .. } => Some(pattern.as_str()),
                Guard::LongerThan(_) => None,
            })
            .collect()
    }
}

type Found<T> = Result<T, Box<Diagnostic>>;

/// What `final_return` reads: the prefix, the replacements and the tokens used.
type Tail = (String, Vec<(String, String)>, usize);

fn problem(span: Span, message: impl Into<String>) -> Box<Diagnostic> {
    Box::new(Diagnostic::new("policy-pool-id", message).at(span).help(
        "the pool-id reader understands: string d = (string)context.Variables[\"aigw-deployment\"]; \
         if (d.Length > N) { return \"\"; } if (!Regex.IsMatch(d, \"...\")) { return \"\"; } \
         return \"pool-\" + d.Replace(\".\", \"-dot-\");",
    ))
}

/// Reads the pool-id derivation from the `aigw-route` fragment among `files`.
pub fn pool_rule(files: &[PolicyFile]) -> Result<PoolRule, Diagnostics> {
    let Some(route) = files
        .iter()
        .find(|f| f.fragment_id() == Some(ROUTE_FRAGMENT))
    else {
        let file = SourceFile::new(format!("policies/fragments/{ROUTE_FRAGMENT}.xml"), "");
        let mut all = Diagnostics::new(file);
        all.push(Diagnostic::new(
            "policy-pool-id",
            format!("there is no fragment {ROUTE_FRAGMENT}"),
        ));
        return Err(all);
    };
    let file = SourceFile::new(route.path.clone(), route.text.clone());
    read(&file).map_err(|d| {
        let mut all = Diagnostics::new(file.clone());
        all.push(*d);
        all
    })
}

fn read(file: &SourceFile) -> Found<PoolRule> {
    let text = file.text();
    let scanned = scan(file);
    if let Some(first) = scanned.problems.first() {
        return Err(Box::new(first.clone()));
    }
    let doc = parse(&scanned.masked)?;
    let values: Vec<Span> = doc
        .descendants()
        .filter(|n| {
            n.is_element()
                && n.tag_name().name() == "set-variable"
                && n.attribute("name") == Some(POOL_VARIABLE)
        })
        .filter_map(|n| {
            let r = n.attribute_node("value")?.range_value();
            Some(Span::new(r.start, r.end))
        })
        .collect();
    let whole = Span::new(0, text.len().min(1));
    let value = match values.as_slice() {
        [] => {
            return Err(problem(
                whole,
                format!(
                    "no <set-variable name=\"{POOL_VARIABLE}\" value=\"...\"> in {ROUTE_FRAGMENT}"
                ),
            ));
        }
        [one] => *one,
        [_, second, ..] => {
            return Err(problem(
                *second,
                format!("{POOL_VARIABLE} is set more than once; cannot tell which one routes"),
            ));
        }
    };
    let expression = scanned
        .expression_at(value.start)
        .filter(|e| e.block)
        .ok_or_else(|| {
            problem(
                value,
                format!("{POOL_VARIABLE} is not set by a @{{...}} expression"),
            )
        })?;
    let inner = expression.inner();
    let tokens = tokenize(text, inner.start, inner.end)
        .map_err(|_| problem(inner, "the expression does not lex as C#"))?;
    Statements {
        text,
        tokens: &tokens,
        at: 0,
    }
    .rule(inner)
}

struct Statements<'a> {
    text: &'a str,
    tokens: &'a [Token],
    at: usize,
}

impl Statements<'_> {
    fn t(&self, offset: usize) -> Option<&Token> {
        self.tokens.get(self.at + offset)
    }

    fn punct(&self, offset: usize, p: &str) -> bool {
        self.t(offset).is_some_and(|t| t.is_punct(self.text, p))
    }

    fn ident(&self, offset: usize) -> Option<&str> {
        self.t(offset)
            .filter(|t| t.kind == TokenKind::Ident)
            .map(|t| t.text(self.text))
    }

    fn string(&self, offset: usize) -> Option<&str> {
        self.t(offset).and_then(|t| t.value.as_deref())
    }

    /// Matches a sequence of expected tokens: `Some(s)` = exact punctuation or identifier,
    /// `"$var"` = the input variable, `"$str"` = any string literal (returned in order).
    fn shape(&self, pattern: &[&str], var: &str) -> Option<Vec<String>> {
        let mut strings = Vec::new();
        for (k, expected) in pattern.iter().enumerate() {
            let token = self.t(k)?;
            match *expected {
                "$var" => (self.ident(k)? == var).then_some(())?,
                "$str" => strings.push(self.string(k)?.to_string()),
                "$num" => {
                    (token.kind == TokenKind::Number).then_some(())?;
                    strings.push(token.text(self.text).to_string());
                }
                p => (token.text(self.text) == p && token.kind != TokenKind::Str).then_some(())?,
            }
        }
        Some(strings)
    }

    fn here(&self, len: usize) -> Span {
        let start = self.t(0).map_or(0, |t| t.span.start);
        let end = self
            .tokens
            .get((self.at + len).min(self.tokens.len()).saturating_sub(1))
            .map_or(start, |t| t.span.end);
        Span::new(start, end.max(start))
    }

    fn rule(mut self, whole: Span) -> Found<PoolRule> {
        // string d = (string)context.Variables["aigw-deployment"];
        let var = self
            .ident(1)
            .filter(|_| self.ident(0) == Some("string"))
            .map(str::to_string)
            .ok_or_else(|| problem(self.here(3), "expected `string NAME = (string)context.Variables[\"aigw-deployment\"];` first"))?;
        let head = [
            "string",
            "$var",
            "=",
            "(",
            "string",
            ")",
            "context",
            ".",
            "Variables",
            "[",
            "$str",
            "]",
            ";",
        ];
        match self.shape(&head, &var) {
            Some(s) if s.first().map(String::as_str) == Some(DEPLOYMENT_VARIABLE) => {}
            _ => {
                return Err(problem(
                    self.here(head.len()),
                    format!(
                        "expected `string {var} = (string)context.Variables[\"{DEPLOYMENT_VARIABLE}\"];`"
                    ),
                ));
            }
        }
        self.at += head.len();
        let mut guards = Vec::new();
        loop {
            if self.ident(0) == Some("if") {
                let (guard, len) = self.guard(&var)?;
                guards.push(guard);
                self.at += len;
                continue;
            }
            if self.ident(0) == Some("return") {
                let (prefix, replacements, len) = self.final_return(&var)?;
                self.at += len;
                if self.at < self.tokens.len() {
                    return Err(problem(self.here(1), "statements after the final return"));
                }
                return Ok(PoolRule {
                    guards,
                    prefix,
                    replacements,
                });
            }
            return Err(problem(
                if self.at < self.tokens.len() {
                    self.here(1)
                } else {
                    whole
                },
                "unrecognised statement in the pool-id expression",
            ));
        }
    }

    /// `if (COND) { return ""; }` or `if (COND) return "";`.
    fn guard(&self, var: &str) -> Found<(Guard, usize)> {
        let length = ["if", "(", "$var", ".", "Length", ">", "$num", ")"];
        let regex = [
            "if", "(", "!", "Regex", ".", "IsMatch", "(", "$var", ",", "$str", ")", ")",
        ];
        let (guard, len) = if let Some(found) = self.shape(&length, var) {
            let n = found
                .first()
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| {
                    problem(
                        self.here(length.len()),
                        "length limit is not a plain number",
                    )
                })?;
            (Guard::LongerThan(n), length.len())
        } else if let Some(found) = self.shape(&regex, var) {
            let pattern = found.first().cloned().unwrap_or_default();
            let regex_value = dotnet_regex(&pattern).map_err(|why| {
                problem(
                    self.here(regex.len()),
                    format!("pattern `{pattern}`: {why}"),
                )
            })?;
            (
                Guard::NotMatching {
                    pattern,
                    regex: regex_value,
                },
                regex.len(),
            )
        } else {
            return Err(problem(
                self.here(3),
                format!(
                    "unrecognised condition: expected `{var}.Length > N` or `!Regex.IsMatch({var}, \"...\")`"
                ),
            ));
        };
        let rest = Statements {
            text: self.text,
            tokens: self.tokens,
            at: self.at + len,
        };
        let braced = ["{", "return", "$str", ";", "}"];
        let bare = ["return", "$str", ";"];
        let tail = if let Some(s) = rest.shape(&braced, var) {
            (s, braced.len())
        } else if let Some(s) = rest.shape(&bare, var) {
            (s, bare.len())
        } else {
            return Err(problem(
                rest.here(3),
                "a guard must be followed by `return \"\";`",
            ));
        };
        if tail.0.first().map(String::as_str) != Some("") {
            return Err(problem(
                rest.here(tail.1),
                "a guard must return \"\" (no pool)",
            ));
        }
        Ok((guard, len + tail.1))
    }

    /// `return "prefix" + d.Replace("a", "b")...;`
    fn final_return(&self, var: &str) -> Found<Tail> {
        let head = ["return", "$str", "+", "$var"];
        let prefix = self
            .shape(&head, var)
            .and_then(|s| s.into_iter().next())
            .ok_or_else(|| {
                problem(
                    self.here(4),
                    format!("expected `return \"pool-\" + {var}...;`"),
                )
            })?;
        let mut at = head.len();
        let mut replacements = Vec::new();
        let replace = [".", "Replace", "(", "$str", ",", "$str", ")"];
        loop {
            let rest = Statements {
                text: self.text,
                tokens: self.tokens,
                at: self.at + at,
            };
            if let Some(s) = rest.shape(&replace, var) {
                if let [from, to] = s.as_slice() {
                    replacements.push((from.clone(), to.clone()));
                }
                at += replace.len();
                continue;
            }
            if rest.punct(0, ";") {
                return Ok((prefix, replacements, at + 1));
            }
            return Err(problem(
                rest.here(1),
                "unrecognised transformation: only .Replace(\"a\", \"b\") calls are understood",
            ));
        }
    }
}

/// Translates the small subset of .NET regular expressions a name rule needs into `regex`
/// syntax, keeping .NET's meaning: outside a class, `$` also matches before a final `\n`
/// (it becomes `(?:\n?\z)`). Anything outside the subset is refused.
pub fn dotnet_regex(pattern: &str) -> Result<Regex, String> {
    let mut out = String::new();
    let mut in_class = false;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('z' | 'A' | '.' | '-' | '\\' | '_')) => {
                    out.push('\\');
                    out.push(e);
                }
                other => {
                    return Err(format!(
                        "escape \\{} is outside the supported subset",
                        other.map(String::from).unwrap_or_default()
                    ));
                }
            },
            '[' if !in_class => {
                in_class = true;
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            '$' if !in_class => out.push_str(r"(?:\n?\z)"),
            '$' => out.push_str(r"\$"),
            c if c.is_ascii_alphanumeric() || "^+*?{},._-".contains(c) => out.push(c),
            other => return Err(format!("`{other}` is outside the supported subset")),
        }
    }
    if in_class {
        return Err("unclosed character class".to_string());
    }
    Regex::new(&out).map_err(|e| e.to_string())
}
