//! Values: literals, strings with interpolation, references, `readEnvironmentVariable`, arrays
//! and objects, nested at most [`MAX_DEPTH`] levels. Everything else is reported by name.

use std::collections::HashMap;

use super::{Expr, ExprKind, MAX_DEPTH, Parsed, Parser, Piece, Reported, describe, unclosed};
use crate::diagnostic::{Diagnostic, shown};
use crate::params::bicepparam::lexer::{StrPart, Tok, Token, lex};
use crate::source::Span;

impl Parser<'_, '_> {
    pub(super) fn expression(&mut self) -> Parsed<Expr> {
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
