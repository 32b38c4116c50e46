//! `.bicepparam` files: lexing, parsing, and evaluation of the supported subset into values.
//!
//! Evaluation resolves references between parameters (including `'${other}'` interpolation, in
//! any declaration order, with cycle detection) and `readEnvironmentVariable`.

mod lexer;
mod parser;

use std::collections::{BTreeMap, HashMap};

use parser::{Declaration, Expr, ExprKind, Piece};

use super::value::{Entry, Node, Param, Value};
use crate::diagnostic::Diagnostic;
use crate::source::Span;

/// Parses and evaluates a `.bicepparam` text. Problems go to `problems`; the returned list holds
/// every parameter that evaluated cleanly, in file order.
pub fn parse(
    text: &str,
    env: &BTreeMap<String, String>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Param> {
    let declarations = parser::parse(text, problems);
    let mut evaluator = Evaluator {
        declarations: HashMap::new(),
        states: HashMap::new(),
        env,
        problems,
    };
    let mut order = Vec::new();
    for declaration in &declarations {
        if evaluator
            .declarations
            .contains_key(declaration.name.as_str())
        {
            evaluator.problems.push(
                Diagnostic::new(
                    "duplicate-parameter",
                    format!("parameter `{}` is set twice", declaration.name),
                )
                .path(declaration.name.clone())
                .at(declaration.name_span)
                .help("remove one of the two `param` lines"),
            );
            continue;
        }
        evaluator
            .declarations
            .insert(declaration.name.as_str(), declaration);
        order.push(declaration);
    }
    order
        .into_iter()
        .filter_map(|declaration| {
            let value = evaluator.parameter(&declaration.name)?;
            Some(Param {
                name: declaration.name.clone(),
                name_span: declaration.name_span,
                value,
            })
        })
        .collect()
}

enum State {
    InProgress,
    Done(Option<Node>),
}

struct Evaluator<'d, 'p> {
    declarations: HashMap<&'d str, &'d Declaration>,
    states: HashMap<String, State>,
    env: &'d BTreeMap<String, String>,
    problems: &'p mut Vec<Diagnostic>,
}

impl Evaluator<'_, '_> {
    /// The value of a parameter, evaluated once; `None` if it (or what it uses) has a problem.
    fn parameter(&mut self, name: &str) -> Option<Node> {
        match self.states.get(name) {
            Some(State::Done(value)) => return value.clone(),
            Some(State::InProgress) => return None,
            None => {}
        }
        let declaration = *self.declarations.get(name)?;
        self.states.insert(name.to_string(), State::InProgress);
        let value = self.eval(&declaration.value, name).ok();
        self.states
            .insert(name.to_string(), State::Done(value.clone()));
        value
    }

    fn eval(&mut self, expr: &Expr, owner: &str) -> Result<Node, ()> {
        let value = match &expr.kind {
            ExprKind::Null => Value::Null,
            ExprKind::Bool(b) => Value::Bool(*b),
            ExprKind::Int(i) => Value::Int(*i),
            ExprKind::String(pieces) => Value::String(self.string(pieces, owner)?),
            ExprKind::Array(items) => {
                let mut nodes = Vec::with_capacity(items.len());
                let mut failed = false;
                for item in items {
                    match self.eval(item, owner) {
                        Ok(node) => nodes.push(node),
                        Err(()) => failed = true,
                    }
                }
                if failed {
                    return Err(());
                }
                Value::Array(nodes)
            }
            ExprKind::Object(entries) => {
                let mut out = Vec::with_capacity(entries.len());
                let mut failed = false;
                for (key, key_span, value) in entries {
                    match self.eval(value, owner) {
                        Ok(node) => out.push(Entry {
                            key: key.clone(),
                            key_span: *key_span,
                            value: node,
                        }),
                        Err(()) => failed = true,
                    }
                }
                if failed {
                    return Err(());
                }
                Value::Object(out)
            }
            ExprKind::Reference(name) => return self.reference(name, expr.span, owner),
            ExprKind::EnvironmentVariable { name, default } => {
                return self.environment_variable(name, default.as_deref(), expr.span, owner);
            }
        };
        Ok(Node::new(expr.span, value))
    }

    fn string(&mut self, pieces: &[Piece], owner: &str) -> Result<String, ()> {
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Literal(text) => out.push_str(text),
                Piece::Interpolation(expr) => {
                    let node = self.eval(expr, owner)?;
                    match node.value {
                        Value::String(s) => out.push_str(&s),
                        Value::Int(i) => out.push_str(&i.to_string()),
                        Value::Bool(b) => out.push_str(if b { "true" } else { "false" }),
                        other => {
                            self.problems.push(
                                Diagnostic::new(
                                    "invalid-interpolation",
                                    format!("cannot interpolate {} into a string", other.kind()),
                                )
                                .path(owner.to_string())
                                .at(expr.span)
                                .help(
                                    "only strings, numbers and booleans can appear inside '${...}'",
                                ),
                            );
                            return Err(());
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    fn reference(&mut self, name: &str, span: Span, owner: &str) -> Result<Node, ()> {
        if !self.declarations.contains_key(name) {
            let known: Vec<&str> = self.declarations.keys().copied().collect();
            let mut diagnostic = Diagnostic::new(
                "unknown-reference",
                format!("`{name}` is not a parameter of this file"),
            )
            .path(owner.to_string())
            .at(span);
            diagnostic = match crate::suggest::closest(name, known.iter().copied()) {
                Some(candidate) => diagnostic.help(format!(
                    "did you mean `{candidate}`? (strings need quotes: '{name}')"
                )),
                None => diagnostic.help(format!(
                    "declare `param {name} = ...`, or quote the text: '{name}'"
                )),
            };
            self.problems.push(diagnostic);
            return Err(());
        }
        if matches!(self.states.get(name), Some(State::InProgress)) {
            self.problems.push(
                Diagnostic::new(
                    "reference-cycle",
                    format!("parameter `{name}` refers back to itself"),
                )
                .path(owner.to_string())
                .at(span)
                .help("break the cycle by writing one of the values out"),
            );
            return Err(());
        }
        // A referenced value that failed was already reported at its own declaration.
        let node = self.parameter(name).ok_or(())?;
        Ok(Node::new(span, node.value))
    }

    fn environment_variable(
        &mut self,
        name: &Expr,
        default: Option<&Expr>,
        span: Span,
        owner: &str,
    ) -> Result<Node, ()> {
        let name_node = self.eval(name, owner)?;
        let Value::String(variable) = name_node.value else {
            self.problems.push(
                Diagnostic::new(
                    "invalid-argument",
                    "the environment variable name must be a string",
                )
                .path(owner.to_string())
                .at(name.span)
                .help("write readEnvironmentVariable('NAME')"),
            );
            return Err(());
        };
        if let Some(value) = self.env.get(&variable) {
            return Ok(Node::new(span, Value::String(value.clone())));
        }
        match default {
            Some(default) => {
                let node = self.eval(default, owner)?;
                Ok(Node::new(span, node.value))
            }
            None => {
                self.problems.push(
                    Diagnostic::new("missing-environment-variable", format!("environment variable `{variable}` is not set"))
                        .path(owner.to_string())
                        .at(span)
                        .help(format!("set {variable} in the step's environment, or give a default: readEnvironmentVariable('{variable}', 'value')")),
                );
                Err(())
            }
        }
    }
}

#[cfg(test)]
mod tests;
