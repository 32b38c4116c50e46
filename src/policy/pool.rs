//! The pool id the route policy computes for a deployment name, evaluated here.
//!
//! The C# cannot run here, so this module reads the expression that sets the variable
//! `aigw-pool-id` (the shipped policies set it in the `aigw-route` fragment, and route every
//! attempt to it) statement by statement and accepts exactly these shapes, failing loudly on any
//! other:
//!
//! ```text
//! string d = (string)context.Variables["aigw-deployment"];
//! if (d.Length > N) { return ""; }                      // UTF-16 length, as in .NET
//! if (!Regex.IsMatch(d, "PATTERN")) { return ""; }      // .NET semantics, see `dotnet_regex`
//! return "prefix" + d.Replace("a", "b").Replace(...);
//! ```
//!
//! [`PoolRule::pool_id`] then performs the same transformation, so `validate` (`fit`) and tests
//! can compare it with `naming::pool_id`, the name the stack gives each pool.

use std::sync::Arc;

use regex::Regex;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{SourceFile, Span};

use super::csharp::{Token, TokenKind, tokenize};
use super::expr::{Scan, scan};
use super::files::PolicyFile;
use super::xml::parse;

/// The variable that holds the pool id the policies route to.
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
    /// The file that sets the variable, and the expression that computes it.
    pub file: Arc<SourceFile>,
    pub expression: Span,
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

/// What `rule` reads: the guards, the prefix and the replacements.
type Rule = (Vec<Guard>, String, Vec<(String, String)>);

/// What `final_return` reads: the prefix, the replacements and the tokens used.
type Tail = (String, Vec<(String, String)>, usize);

fn problem(span: Span, message: impl Into<String>) -> Box<Diagnostic> {
    Box::new(Diagnostic::new("policy-pool-id", message).at(span).help(
        "the pool-id reader understands: string d = (string)context.Variables[\"aigw-deployment\"]; \
         if (d.Length > N) { return \"\"; } if (!Regex.IsMatch(d, \"...\")) { return \"\"; } \
         return \"pool-\" + d.Replace(\".\", \"-dot-\");",
    ))
}

/// Reads the pool-id derivation from the one policy among `files` that sets [`POOL_VARIABLE`];
/// `None` when none does (the policies then route some other way).
pub fn pool_rule(files: &[PolicyFile]) -> Result<Option<PoolRule>, Diagnostics> {
    let mut found: Option<(Arc<SourceFile>, Span)> = None;
    // Only files that name the variable can set it: the others are not parsed.
    for policy in files.iter().filter(|f| f.text.contains(POOL_VARIABLE)) {
        let file = SourceFile::new(policy.path.clone(), policy.text.clone());
        let in_file = |d: Box<Diagnostic>| {
            let mut all = Diagnostics::new(file.clone());
            all.push(*d);
            all
        };
        let scanned = scan(&file);
        for value in setters(&scanned).map_err(in_file)? {
            if found.is_some() {
                return Err(in_file(problem(
                    value,
                    format!("{POOL_VARIABLE} is set more than once; cannot tell which one routes"),
                )));
            }
            found = Some((file.clone(), value));
        }
    }
    let Some((file, value)) = found else {
        return Ok(None);
    };
    read(&file, value).map(Some).map_err(|d| {
        let mut all = Diagnostics::new(file.clone());
        all.push(*d);
        all
    })
}

/// The spans of the `value` attributes of every `<set-variable name="aigw-pool-id">`.
fn setters(scanned: &Scan) -> Found<Vec<Span>> {
    if let Some(first) = scanned.problems.first() {
        return Err(Box::new(first.clone()));
    }
    let doc = parse(&scanned.masked)?;
    Ok(doc
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
        .collect())
}

fn read(file: &Arc<SourceFile>, value: Span) -> Found<PoolRule> {
    let scanned = scan(file);
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
    let text = file.text();
    let tokens = tokenize(text, inner.start, inner.end)
        .map_err(|_| problem(inner, "the expression does not lex as C#"))?;
    let (guards, prefix, replacements) = Statements {
        text,
        tokens: &tokens,
        at: 0,
    }
    .rule(inner)?;
    Ok(PoolRule {
        guards,
        prefix,
        replacements,
        file: file.clone(),
        expression: expression.span,
    })
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

    fn rule(mut self, whole: Span) -> Found<Rule> {
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
                return Ok((guards, prefix, replacements));
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
