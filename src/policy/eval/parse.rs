//! Parsing the subset: tokens into statements and expressions, C# precedence, and every
//! construct outside the subset refused by name.

use super::{Result, Value, fail};
use crate::policy::csharp::{Token, TokenKind};

/// An expression of the subset.
#[derive(Clone, Debug)]
pub(super) enum Expr {
    Literal(Value),
    Local(String),
    Variable(String),
    Status,
    Cast(Type, Box<Expr>),
    Not(Box<Expr>),
    Negate(Box<Expr>),
    Binary(Box<Expr>, String, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// A type a cast or a declaration names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Type {
    Int,
    Bool,
    String,
}

impl Type {
    fn of(name: &str) -> Option<Type> {
        match name {
            "int" => Some(Type::Int),
            "bool" => Some(Type::Bool),
            "string" => Some(Type::String),
            _ => None,
        }
    }

    pub(super) fn admits(self, value: &Value) -> bool {
        matches!(
            (self, value),
            (Type::Int, Value::Int(_))
                | (Type::Bool, Value::Bool(_))
                | (Type::String, Value::Str(_))
        )
    }
}

/// A statement of the subset.
#[derive(Clone, Debug)]
pub(super) enum Statement {
    Declare(Option<Type>, String, Expr),
    If(Expr, Box<Statement>, Option<Box<Statement>>),
    Block(Vec<Statement>),
    Return(Expr),
}

/// Binary operators from the loosest to the tightest binding (C# precedence).
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["==", "!="],
    &["<", "<=", ">", ">="],
    &["+", "-"],
    &["*", "/", "%"],
];

/// Reads tokens from `at` on.
pub(super) struct Parser<'a> {
    pub(super) text: &'a str,
    pub(super) tokens: &'a [Token],
    pub(super) at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn text_at(&self, offset: usize) -> Option<&str> {
        self.tokens.get(self.at + offset).map(|t| t.text(self.text))
    }

    fn is(&self, offset: usize, text: &str) -> bool {
        self.tokens
            .get(self.at + offset)
            .is_some_and(|t| t.kind != TokenKind::Str && t.text(self.text) == text)
    }

    fn describe_next(&self) -> String {
        match self.peek() {
            Some(t) => format!("`{}`", t.text(self.text)),
            None => "the end of the code".to_string(),
        }
    }

    fn expect(&mut self, text: &str) -> Result<()> {
        if self.is(0, text) {
            self.at += 1;
            Ok(())
        } else {
            fail(format!("expected `{text}`, found {}", self.describe_next()))
        }
    }

    pub(super) fn end(&self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => fail(format!(
                "{} follows a complete expression",
                self.describe_next()
            )),
        }
    }

    pub(super) fn statements_until_end(&mut self) -> Result<Vec<Statement>> {
        let mut statements = Vec::new();
        while self.peek().is_some() {
            statements.push(self.statement()?);
        }
        Ok(statements)
    }

    fn statement(&mut self) -> Result<Statement> {
        if self.is(0, "{") {
            self.at += 1;
            let mut inner = Vec::new();
            while !self.is(0, "}") {
                if self.peek().is_none() {
                    return fail("a `{` block is not closed");
                }
                inner.push(self.statement()?);
            }
            self.at += 1;
            return Ok(Statement::Block(inner));
        }
        if self.is(0, "return") {
            self.at += 1;
            let value = self.expression()?;
            self.expect(";")?;
            return Ok(Statement::Return(value));
        }
        if self.is(0, "if") {
            self.at += 1;
            self.expect("(")?;
            let condition = self.expression()?;
            self.expect(")")?;
            let then = Box::new(self.statement()?);
            let otherwise = if self.is(0, "else") {
                self.at += 1;
                Some(Box::new(self.statement()?))
            } else {
                None
            };
            return Ok(Statement::If(condition, then, otherwise));
        }
        let declared = self.text_at(0).and_then(|t| {
            if t == "var" {
                Some(None)
            } else {
                Type::of(t).map(Some)
            }
        });
        if let (Some(ty), Some(name)) = (declared, self.text_at(1).map(str::to_string))
            && self.is(2, "=")
        {
            self.at += 3;
            let value = self.expression()?;
            self.expect(";")?;
            return Ok(Statement::Declare(ty, name, value));
        }
        fail(format!(
            "statement starting with {} is outside the subset (declaration, if, block, return)",
            self.describe_next()
        ))
    }

    pub(super) fn expression(&mut self) -> Result<Expr> {
        let condition = self.binary(0)?;
        if self.is(0, "?") {
            self.at += 1;
            let then = self.expression()?;
            self.expect(":")?;
            let otherwise = self.expression()?;
            return Ok(Expr::Conditional(
                Box::new(condition),
                Box::new(then),
                Box::new(otherwise),
            ));
        }
        Ok(condition)
    }

    fn binary(&mut self, level: usize) -> Result<Expr> {
        let Some(operators) = LEVELS.get(level) else {
            return self.unary();
        };
        let mut left = self.binary(level + 1)?;
        while let Some(op) = operators.iter().find(|op| self.is(0, op)) {
            self.at += 1;
            let right = self.binary(level + 1)?;
            left = Expr::Binary(Box::new(left), (*op).to_string(), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr> {
        if self.is(0, "!") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.is(0, "-") {
            self.at += 1;
            return Ok(Expr::Negate(Box::new(self.unary()?)));
        }
        // A cast: `(int)`, `(bool)` or `(string)` before an operand.
        if self.is(0, "(")
            && self.is(2, ")")
            && let Some(ty) = self.text_at(1).and_then(Type::of)
        {
            self.at += 3;
            return Ok(Expr::Cast(ty, Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr> {
        let Some(token) = self.peek().cloned() else {
            return fail("an operand is missing at the end of the code");
        };
        let text = token.text(self.text).to_string();
        match token.kind {
            TokenKind::Number => {
                self.at += 1;
                match text.parse::<i64>() {
                    Ok(n) => Ok(Expr::Literal(Value::Int(n))),
                    Err(_) => fail(format!("number `{text}` is outside the subset (integers)")),
                }
            }
            TokenKind::Str => {
                self.at += 1;
                match token.value {
                    Some(value) => Ok(Expr::Literal(Value::Str(value))),
                    None => fail("interpolated strings are outside the subset"),
                }
            }
            TokenKind::Punct if text == "(" => {
                self.at += 1;
                let inner = self.expression()?;
                self.expect(")")?;
                Ok(inner)
            }
            TokenKind::Ident if text == "true" || text == "false" => {
                self.at += 1;
                Ok(Expr::Literal(Value::Bool(text == "true")))
            }
            TokenKind::Ident if text == "context" => self.context_member(),
            TokenKind::Ident => {
                self.at += 1;
                if self.is(0, "(") || self.is(0, ".") {
                    return fail(format!(
                        "`{text}` is used as a method or object, which is outside the subset"
                    ));
                }
                Ok(Expr::Local(text))
            }
            _ => fail(format!("`{text}` is outside the subset")),
        }
    }

    /// `context.Variables["name"]` or `context.Response.StatusCode`.
    fn context_member(&mut self) -> Result<Expr> {
        let variable = ["context", ".", "Variables", "["];
        if variable.iter().enumerate().all(|(k, t)| self.is(k, t))
            && self.is(5, "]")
            && let Some(name) = self
                .tokens
                .get(self.at + 4)
                .filter(|t| t.kind == TokenKind::Str)
                .and_then(|t| t.value.clone())
        {
            self.at += 6;
            return Ok(Expr::Variable(name));
        }
        let status = ["context", ".", "Response", ".", "StatusCode"];
        if status.iter().enumerate().all(|(k, t)| self.is(k, t)) {
            self.at += status.len();
            return Ok(Expr::Status);
        }
        fail("only context.Variables[\"...\"] and context.Response.StatusCode are in the subset")
    }
}
