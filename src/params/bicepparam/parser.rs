//! Parses `.bicepparam` tokens into declarations with unevaluated expressions.
//!
//! Only the subset real parameter files use is accepted; every other construct is reported by
//! name with its position (never skipped silently). After an error the parser skips to the next
//! line that starts a declaration, so one run reports every broken declaration. This file reads
//! the statements (`using`, `param`); `expr` reads the values.

mod expr;

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
