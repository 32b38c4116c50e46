//! Parses `.bicepparam` tokens into declarations with unevaluated expressions.
//!
//! Only the subset real parameter files use is accepted; every other construct is reported by
//! name with its position (never skipped silently). After an error the parser skips to the next
//! line that starts a declaration, so one run reports every broken declaration.

use std::collections::HashMap;

use super::lexer::{StrPart, Tok, Token, lex};
use crate::diagnostic::{Diagnostic, shown};
use crate::source::Span;

/// Deeper nesting than this is refused rather than risking the stack on hostile input.
pub const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub span: Span,
    pub kind: ExprKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Int(i64),
    String(Vec<Piece>),
    Array(Vec<Expr>),
    Object(Vec<(String, Span, Expr)>),
    /// A reference to another parameter.
    Reference(String),
    /// `readEnvironmentVariable(name[, default])`.
    EnvironmentVariable {
        name: Box<Expr>,
        default: Option<Box<Expr>>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    Literal(String),
    Interpolation(Expr),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Declaration {
    pub name: String,
    pub name_span: Span,
    /// `None` when the value has a syntax error (already reported): the parameter is still known
    /// to be declared, so it is not reported as missing too.
    pub value: Option<Expr>,
}

/// A parsed file.
pub struct File {
    pub declarations: Vec<Declaration>,
    /// Nothing but blanks, line breaks and comments (a BOM alone, carriage returns alone, ...).
    pub empty: bool,
}

pub fn parse(text: &str, problems: &mut Vec<Diagnostic>) -> File {
    let before = problems.len();
    let tokens = lex(text, 0, text.len(), problems);
    let empty = problems.len() == before
        && tokens
            .iter()
            .all(|t| matches!(t.tok, Tok::Newline | Tok::Eof));
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        depth: 0,
        problems,
    };
    File {
        declarations: parser.file(),
        empty,
    }
}

/// Marker that a problem was already reported.
struct Reported;

type Parsed<T> = Result<T, Reported>;

struct Parser<'a, 'p> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
    problems: &'p mut Vec<Diagnostic>,
}

/// Declaration keywords of full Bicep that a parameter file cannot use here.
const UNSUPPORTED_STATEMENTS: &[(&str, &str)] = &[
    ("var", "`var` declarations are not supported"),
    ("import", "`import` is not supported"),
    ("type", "`type` declarations are not supported"),
    ("func", "user-defined functions (`func`) are not supported"),
    (
        "extends",
        "`extends` (base parameter files) is not supported",
    ),
    ("metadata", "`metadata` declarations are not supported"),
    (
        "targetScope",
        "`targetScope` belongs in a .bicep template, not a parameter file",
    ),
    (
        "resource",
        "`resource` declarations belong in a .bicep template, not a parameter file",
    ),
    (
        "module",
        "`module` declarations belong in a .bicep template, not a parameter file",
    ),
    (
        "output",
        "`output` declarations belong in a .bicep template, not a parameter file",
    ),
];

impl Parser<'_, '_> {
    fn peek(&self) -> &Token {
        // The token list always ends with Eof and `pos` never passes it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        token
    }

    fn at_line_start(&self) -> bool {
        self.pos == 0
            || matches!(
                self.tokens.get(self.pos - 1).map(|t| &t.tok),
                Some(Tok::Newline)
            )
    }

    fn skip_newlines(&mut self) {
        while self.peek().tok == Tok::Newline {
            self.advance();
        }
    }

    fn report(&mut self, diagnostic: Diagnostic) -> Reported {
        self.problems.push(diagnostic);
        Reported
    }

    /// Skips to the next token that starts a line with a declaration keyword (or to the end).
    fn recover(&mut self) {
        loop {
            let token = self.peek();
            if token.tok == Tok::Eof {
                return;
            }
            let starts_declaration = match &token.tok {
                Tok::Ident(word) => {
                    word == "param"
                        || word == "using"
                        || UNSUPPORTED_STATEMENTS.iter().any(|(kw, _)| kw == word)
                }
                Tok::At => true,
                _ => false,
            };
            if self.at_line_start() && starts_declaration {
                return;
            }
            self.advance();
        }
    }

    fn file(&mut self) -> Vec<Declaration> {
        let mut declarations = Vec::new();
        let mut seen_using = false;
        loop {
            self.skip_newlines();
            let token = self.peek().clone();
            let result = match &token.tok {
                Tok::Eof => break,
                Tok::Ident(word) if word == "using" => {
                    let result = self.using(seen_using);
                    seen_using = true;
                    result
                }
                Tok::Ident(word) if word == "param" => self.param(&mut declarations),
                Tok::Ident(word) => match UNSUPPORTED_STATEMENTS.iter().find(|(kw, _)| kw == word) {
                    Some((_, message)) => Err(self.report(
                        Diagnostic::new("unsupported-construct", *message)
                            .at(token.span)
                            .help("aigw reads `using` and `param name = value` lines; write each value out as a `param`"),
                    )),
                    None => Err(self.report(
                        Diagnostic::new("expected-declaration", format!("expected `param` or `using`, found `{}`", shown(word)))
                            .at(token.span)
                            .help("each line of a parameter file is `param name = value`"),
                    )),
                },
                Tok::At => Err(self.report(
                    Diagnostic::new("unsupported-construct", "decorators (`@...`) are not supported in parameter files")
                        .at(token.span)
                        .help("remove the decorator; validation rules live in aigw"),
                )),
                Tok::Error => Err(Reported),
                other => Err(self.report(
                    Diagnostic::new("expected-declaration", format!("expected `param` or `using`, found {}", describe(other)))
                        .at(token.span)
                        .help("each line of a parameter file is `param name = value`"),
                )),
            };
            match result {
                Ok(()) => {}
                Err(Reported) => {
                    self.advance();
                    self.recover();
                }
            }
        }
        declarations
    }

    fn using(&mut self, seen_using: bool) -> Parsed<()> {
        let keyword = self.advance();
        if seen_using {
            return Err(self.report(
                Diagnostic::new(
                    "duplicate-using",
                    "a parameter file has at most one `using` line",
                )
                .at(keyword.span)
                .help("remove the extra `using` line"),
            ));
        }
        let target = self.advance();
        match &target.tok {
            Tok::Str(parts) if parts.iter().all(|p| matches!(p, StrPart::Literal(_))) => {}
            Tok::Ident(word) if word == "none" => {}
            _ => {
                return Err(self.report(
                    Diagnostic::new(
                        "invalid-using",
                        "`using` must be followed by a quoted template path",
                    )
                    .at(target.span)
                    .help("write `using 'main.bicep'` (the template itself is not read)"),
                ));
            }
        }
        self.end_of_statement()
    }

    /// One `param name = value`; a declaration whose name could be read is kept even when its
    /// value has a syntax error.
    fn param(&mut self, declarations: &mut Vec<Declaration>) -> Parsed<()> {
        self.advance();
        let name_token = self.advance();
        let Tok::Ident(name) = name_token.tok.clone() else {
            return Err(self.report(
                Diagnostic::new(
                    "expected-name",
                    format!(
                        "expected a parameter name after `param`, found {}",
                        describe(&name_token.tok)
                    ),
                )
                .at(name_token.span)
                .help("write `param name = value`"),
            ));
        };
        let (value, result) = match self.param_value(&name) {
            Ok(value) => (Some(value), Ok(())),
            Err(reported) => (None, Err(reported)),
        };
        declarations.push(Declaration {
            name,
            name_span: name_token.span,
            value,
        });
        result
    }

    /// `= value` and the end of the line.
    fn param_value(&mut self, name: &str) -> Parsed<Expr> {
        let equals = self.advance();
        if equals.tok != Tok::Equals {
            let help = if matches!(equals.tok, Tok::Ident(_)) {
                "a parameter file assigns values: `param name = value` (types belong in the .bicep template)"
            } else {
                "write `param name = value`"
            };
            return Err(self.report(
                Diagnostic::new(
                    "expected-equals",
                    format!(
                        "expected `=` after `param {name}`, found {}",
                        describe(&equals.tok)
                    ),
                )
                .at(equals.span)
                .help(help),
            ));
        }
        let value = self.expression()?;
        self.end_of_statement()?;
        Ok(value)
    }

    fn end_of_statement(&mut self) -> Parsed<()> {
        let token = self.peek().clone();
        match token.tok {
            Tok::Newline | Tok::Eof => Ok(()),
            Tok::Error => Err(Reported),
            _ => Err(self.report(self.unexpected_after_value(&token))),
        }
    }

    /// Explains a token that follows a complete value: an operator, a conditional, member access.
    fn unexpected_after_value(&self, token: &Token) -> Diagnostic {
        let (message, help) = match &token.tok {
            Tok::Question => (
                "conditional expressions (`condition ? a : b`) are not supported".to_string(),
                "write the value itself; use separate parameter files per environment",
            ),
            Tok::Operator(op) => (
                format!("operator `{op}` is not supported (expressions are not evaluated)"),
                "write the resulting value itself",
            ),
            Tok::Minus => (
                "operator `-` is not supported (expressions are not evaluated)".to_string(),
                "write the resulting value itself",
            ),
            Tok::Dot => (
                "property access (`a.b`) is not supported".to_string(),
                "write the value itself, or reference a whole parameter",
            ),
            Tok::LBracket => (
                "indexing (`a[0]`) is not supported".to_string(),
                "write the value itself; on one line, separate array items with commas",
            ),
            other => (
                format!("unexpected {} after the value", describe(other)),
                "put one `param` per line; on one line, separate array items and object properties with commas",
            ),
        };
        Diagnostic::new("unsupported-construct", message)
            .at(token.span)
            .help(help)
    }

    fn expression(&mut self) -> Parsed<Expr> {
        self.depth += 1;
        let result = if self.depth > MAX_DEPTH {
            let span = self.peek().span;
            Err(self.report(
                Diagnostic::new(
                    "too-deep",
                    format!("values nested deeper than {MAX_DEPTH} levels are not supported"),
                )
                .at(span),
            ))
        } else {
            self.primary()
        };
        self.depth -= 1;
        let expr = result?;
        let next = self.peek().clone();
        match next.tok {
            Tok::Question | Tok::Operator(_) | Tok::Dot | Tok::LBracket | Tok::Minus => {
                Err(self.report(self.unexpected_after_value(&next)))
            }
            _ => Ok(expr),
        }
    }

    fn primary(&mut self) -> Parsed<Expr> {
        let token = self.advance();
        let span = token.span;
        let kind = match token.tok {
            Tok::Str(parts) => ExprKind::String(self.string_pieces(parts)?),
            Tok::MultiStr(text) => ExprKind::String(vec![Piece::Literal(text)]),
            Tok::Int(digits) => ExprKind::Int(self.integer(&digits, false, span)?),
            Tok::Minus => {
                let number = self.advance();
                match number.tok {
                    Tok::Int(digits) => {
                        return Ok(Expr {
                            span: span.to(number.span),
                            kind: ExprKind::Int(self.integer(
                                &digits,
                                true,
                                span.to(number.span),
                            )?),
                        });
                    }
                    _ => {
                        return Err(self.report(
                            Diagnostic::new(
                                "unsupported-construct",
                                "unary `-` applies only to numbers here",
                            )
                            .at(span)
                            .help("write a number such as -1, or a quoted string"),
                        ));
                    }
                }
            }
            Tok::Ident(word) => return self.identifier(word, span),
            Tok::LBracket => return self.array(span),
            Tok::LBrace => return self.object(span),
            Tok::LParen => {
                return Err(self.report(
                    Diagnostic::new(
                        "unsupported-construct",
                        "parenthesised expressions are not supported",
                    )
                    .at(span)
                    .help("write the value itself"),
                ));
            }
            Tok::Operator(op) => {
                return Err(self.report(
                    Diagnostic::new(
                        "unsupported-construct",
                        format!("operator `{op}` is not supported (expressions are not evaluated)"),
                    )
                    .at(span)
                    .help("write the resulting value itself"),
                ));
            }
            Tok::Error => return Err(Reported),
            other => {
                return Err(self.report(
                    Diagnostic::new("expected-value", format!("expected a value, found {}", describe(&other)))
                        .at(span)
                        .help("a value is a 'string', a number, true/false, null, an [array] or an {object}"),
                ));
            }
        };
        Ok(Expr { span, kind })
    }

    fn integer(&mut self, digits: &str, negative: bool, span: Span) -> Parsed<i64> {
        let text = if negative {
            format!("-{digits}")
        } else {
            digits.to_string()
        };
        text.parse::<i64>().map_err(|_| {
            self.report(
                Diagnostic::new(
                    "number-out-of-range",
                    format!("the number {} is too large", shown(&text)),
                )
                .at(span)
                .help("numbers must fit in a signed 64-bit integer"),
            )
        })
    }

    fn string_pieces(&mut self, parts: Vec<StrPart>) -> Parsed<Vec<Piece>> {
        let mut pieces = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                StrPart::Literal(text) => pieces.push(Piece::Literal(text)),
                StrPart::Interpolation(inner) => {
                    pieces.push(Piece::Interpolation(self.interpolation(inner)?))
                }
            }
        }
        Ok(pieces)
    }

    /// Parses the expression inside `${...}` with a sub-parser over the same text.
    fn interpolation(&mut self, inner: Span) -> Parsed<Expr> {
        let before = self.problems.len();
        let tokens = lex(self.text, inner.start, inner.end, self.problems);
        if self.problems.len() > before {
            return Err(Reported);
        }
        let tokens: Vec<Token> = tokens
            .into_iter()
            .filter(|t| t.tok != Tok::Newline)
            .collect();
        let mut sub = Parser {
            text: self.text,
            tokens,
            pos: 0,
            depth: self.depth + 1,
            problems: self.problems,
        };
        if sub.peek().tok == Tok::Eof {
            return Err(sub.report(
                Diagnostic::new("empty-interpolation", "empty interpolation `${}`")
                    .at(Span::new(inner.start.saturating_sub(2), inner.end + 1))
                    .help("put a parameter name inside, like '${environment}'"),
            ));
        }
        let expr = sub.expression()?;
        let rest = sub.peek().clone();
        if rest.tok != Tok::Eof {
            return Err(sub.report(sub.unexpected_after_value(&rest)));
        }
        Ok(expr)
    }

    fn identifier(&mut self, word: String, span: Span) -> Parsed<Expr> {
        let kind = match word.as_str() {
            "true" => ExprKind::Bool(true),
            "false" => ExprKind::Bool(false),
            "null" => ExprKind::Null,
            _ if self.peek().tok == Tok::LParen => return self.call(&word, span),
            "az" | "sys" if self.peek().tok == Tok::Dot => {
                self.advance();
                let member = self.advance();
                let Tok::Ident(member_name) = member.tok else {
                    return Err(self.report(
                        Diagnostic::new(
                            "unsupported-construct",
                            format!("`{word}.` must be followed by a function name"),
                        )
                        .at(span.to(member.span)),
                    ));
                };
                let full = format!("{word}.{member_name}");
                let full_span = span.to(member.span);
                if full == "az.getSecret" {
                    return Err(self.report(
                        Diagnostic::new(
                            "unsupported-construct",
                            "`az.getSecret` (Key Vault references) is not supported",
                        )
                        .at(full_span)
                        .help("aigw's parameters hold no secrets; remove the reference"),
                    ));
                }
                if self.peek().tok == Tok::LParen && full == "sys.readEnvironmentVariable" {
                    return self.call("readEnvironmentVariable", full_span);
                }
                return Err(self.report(
                    Diagnostic::new("unsupported-construct", format!("function `{full}` is not supported"))
                        .at(full_span)
                        .help("the only function aigw evaluates is readEnvironmentVariable('NAME'[, 'default'])"),
                ));
            }
            _ => ExprKind::Reference(word),
        };
        Ok(Expr { span, kind })
    }

    fn call(&mut self, name: &str, name_span: Span) -> Parsed<Expr> {
        if name != "readEnvironmentVariable" {
            return Err(self.report(
                Diagnostic::new("unsupported-construct", format!("function `{name}()` is not supported"))
                    .at(name_span)
                    .help("the only function aigw evaluates is readEnvironmentVariable('NAME'[, 'default'])"),
            ));
        }
        self.advance(); // (
        let mut args = Vec::new();
        loop {
            self.skip_newlines();
            if self.peek().tok == Tok::RParen {
                break;
            }
            args.push(self.expression()?);
            self.skip_newlines();
            match self.peek().tok {
                Tok::Comma => {
                    self.advance();
                }
                Tok::RParen => break,
                _ => {
                    let token = self.peek().clone();
                    return Err(self.report(
                        Diagnostic::new(
                            "expected-token",
                            format!("expected `,` or `)`, found {}", describe(&token.tok)),
                        )
                        .at(token.span),
                    ));
                }
            }
        }
        let close = self.advance();
        let span = name_span.to(close.span);
        if args.is_empty() || args.len() > 2 {
            return Err(self.report(
                Diagnostic::new("wrong-arguments", format!("readEnvironmentVariable takes 1 or 2 arguments, found {}", args.len()))
                    .at(span)
                    .help("write readEnvironmentVariable('NAME') or readEnvironmentVariable('NAME', 'default')"),
            ));
        }
        let mut args = args.into_iter();
        let name = Box::new(args.next().ok_or(Reported)?);
        let default = args.next().map(Box::new);
        Ok(Expr {
            span,
            kind: ExprKind::EnvironmentVariable { name, default },
        })
    }

    /// Items are separated by commas or line breaks (or both), as in Bicep.
    fn array(&mut self, open: Span) -> Parsed<Expr> {
        let mut items = Vec::new();
        let result = loop {
            self.skip_separators();
            if self.peek().tok == Tok::RBracket {
                break Ok(self.advance().span);
            }
            if self.peek().tok == Tok::Eof {
                break Err(self.report(unclosed("[", "]", open)));
            }
            match self.expression() {
                Ok(item) => items.push(item),
                Err(e) => break Err(e),
            }
            if let Err(e) = self.expect_separator_or(Tok::RBracket, "]") {
                break Err(e);
            }
        };
        let close = result?;
        Ok(Expr {
            span: open.to(close),
            kind: ExprKind::Array(items),
        })
    }

    fn object(&mut self, open: Span) -> Parsed<Expr> {
        let mut entries: Vec<(String, Span, Expr)> = Vec::new();
        let mut seen: HashMap<String, Span> = HashMap::new();
        let result = loop {
            self.skip_separators();
            let token = self.peek().clone();
            let (key, key_span) = match &token.tok {
                Tok::RBrace => break Ok(self.advance().span),
                Tok::Eof => break Err(self.report(unclosed("{", "}", open))),
                Tok::Ident(word) => (word.clone(), token.span),
                Tok::Str(parts) => match parts.as_slice() {
                    [StrPart::Literal(text)] => (text.clone(), token.span),
                    _ => {
                        break Err(self.report(
                            Diagnostic::new(
                                "unsupported-construct",
                                "interpolated property names are not supported",
                            )
                            .at(token.span)
                            .help("write the property name literally"),
                        ));
                    }
                },
                Tok::Error => break Err(Reported),
                other => {
                    break Err(self.report(
                        Diagnostic::new(
                            "expected-property",
                            format!("expected a property name, found {}", describe(other)),
                        )
                        .at(token.span)
                        .help("write properties as `name: value`"),
                    ));
                }
            };
            self.advance();
            let colon = self.peek().clone();
            if colon.tok != Tok::Colon {
                break Err(self.report(
                    Diagnostic::new(
                        "expected-colon",
                        format!(
                            "expected `:` after property `{}`, found {}",
                            shown(&key),
                            describe(&colon.tok)
                        ),
                    )
                    .at(colon.span)
                    .help("write properties as `name: value`"),
                ));
            }
            self.advance();
            self.skip_newlines();
            let value = match self.expression() {
                Ok(value) => value,
                Err(e) => break Err(e),
            };
            if let Some(first) = seen.get(&key) {
                let first = *first;
                self.report(
                    Diagnostic::new(
                        "duplicate-property",
                        format!("property `{}` is set twice in this object", shown(&key)),
                    )
                    .at(key_span)
                    .also(first, "first set")
                    .help("remove one of the two"),
                );
            } else {
                seen.insert(key.clone(), key_span);
                entries.push((key, key_span, value));
            }
            if let Err(e) = self.expect_separator_or(Tok::RBrace, "}") {
                break Err(e);
            }
        };
        let close = result?;
        Ok(Expr {
            span: open.to(close),
            kind: ExprKind::Object(entries),
        })
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek().tok, Tok::Newline | Tok::Comma) {
            self.advance();
        }
    }

    /// After an item: a comma, a line break, or the closing bracket must follow.
    fn expect_separator_or(&mut self, close: Tok, close_text: &str) -> Parsed<()> {
        let token = self.peek().clone();
        if token.tok == Tok::Comma || token.tok == Tok::Newline || token.tok == close {
            return Ok(());
        }
        if token.tok == Tok::Error {
            return Err(Reported);
        }
        Err(self.report(
            Diagnostic::new(
                "expected-separator",
                format!(
                    "expected `,`, a line break or `{close_text}`, found {}",
                    describe(&token.tok)
                ),
            )
            .at(token.span)
            .help("separate items with commas or put each on its own line"),
        ))
    }
}

fn unclosed(open_text: &str, close_text: &str, open: Span) -> Diagnostic {
    Diagnostic::new("unclosed", format!("this `{open_text}` is never closed"))
        .at(open)
        .help(format!("add the matching `{close_text}`"))
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Ident(word) => format!("`{}`", shown(word)),
        Tok::Int(digits) => format!("the number {}", shown(digits)),
        Tok::Str(_) | Tok::MultiStr(_) => "a string".to_string(),
        Tok::LBrace => "`{`".into(),
        Tok::RBrace => "`}`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::Comma => "`,`".into(),
        Tok::Colon => "`:`".into(),
        Tok::Equals => "`=`".into(),
        Tok::Dot => "`.`".into(),
        Tok::Question => "`?`".into(),
        Tok::Minus => "`-`".into(),
        Tok::At => "`@`".into(),
        Tok::Operator(op) => format!("`{op}`"),
        Tok::Newline => "the end of the line".into(),
        Tok::Error => "invalid text".into(),
        Tok::Eof => "the end of the file".into(),
    }
}
