//! `.bicepparam` files: lexing, parsing, and evaluation of the supported subset into values.
//!
//! Evaluation resolves references between parameters (including `'${other}'` interpolation, in
//! any declaration order, with cycle detection) and `readEnvironmentVariable`. It is lazy and
//! bounded, because a small file can describe a huge value (`p0 = '${p1}${p1}'`, `p1 = '${p2}${p2}'`,
//! ... doubles 60 times):
//! - only the parameters aigw reads are evaluated, with what they refer to; the others are
//!   reported by validation as unknown, never expanded;
//! - every reference copies a value, and the copies of one file may add up to at most
//!   [`MAX_COPIED_BYTES`]: Azure's own limit for a parameter file with every value expanded.
//!   Literal text is bounded by the file size, so every evaluated value is bounded too;
//! - references and nesting together go at most [`MAX_EVAL_DEPTH`] levels deep (a chain of
//!   thousands of `param pN = pN+1` would otherwise exhaust the stack).

mod lexer;
mod parser;

use std::collections::{BTreeMap, HashMap};

use parser::{Declaration, Expr, ExprKind, Piece};

use super::value::{Entry, Node, Param, Value};
use crate::diagnostic::{Diagnostic, MAX_SHOWN, shown};
use crate::source::Span;

/// "The parameter file is also limited to 4 MB. [...] The limits apply to the final state of the
/// template after it has been expanded with [...] values for variables and parameters."
/// (Microsoft Learn, ARM template best practices, "Template limits":
/// https://learn.microsoft.com/azure/azure-resource-manager/templates/best-practices#template-limits)
pub const MAX_COPIED_BYTES: usize = 4 * 1024 * 1024;
/// How deep evaluation may go through references and nested values together. Real files use a
/// few levels; the parser already refuses nesting deeper than 64 in one value.
pub const MAX_EVAL_DEPTH: usize = 128;
/// What one copied node costs besides its text, so copies of empty arrays are not free.
const NODE_BYTES: usize = 16;

/// Parses a `.bicepparam` text and evaluates the parameters `read` selects. Problems go to
/// `problems`. Returns every declared parameter in file order (with no value when it is not
/// read, or when it or what it uses has a problem), or `None` when the file holds nothing at all
/// (then that is the one problem reported).
pub fn parse(
    text: &str,
    read: &dyn Fn(&str) -> bool,
    env: &BTreeMap<String, String>,
    problems: &mut Vec<Diagnostic>,
) -> Option<Vec<Param>> {
    let file = parser::parse(text, problems);
    if file.empty {
        problems.push(
            Diagnostic::new("empty-file", "the parameter file is empty")
                .help("a .bicepparam file holds `using 'main.bicep'` and one `param name = value` line per parameter; see examples/main.acc.parameters.bicepparam"),
        );
        return None;
    }
    let mut evaluator = Evaluator {
        declarations: HashMap::new(),
        states: HashMap::new(),
        env,
        problems,
        copied: 0,
        depth: 0,
        limit_reported: false,
        suggestions_left: MAX_SHOWN,
    };
    let mut order = Vec::new();
    for declaration in &file.declarations {
        if let Some(first) = evaluator.declarations.get(declaration.name.as_str()) {
            let first = first.name_span;
            evaluator.problems.push(
                Diagnostic::new(
                    "duplicate-parameter",
                    format!("parameter `{}` is set twice", declaration.name),
                )
                .path(declaration.name.clone())
                .at(declaration.name_span)
                .also(first, "first set")
                .help("remove one of the two `param` lines"),
            );
            continue;
        }
        evaluator
            .declarations
            .insert(declaration.name.as_str(), declaration);
        order.push(declaration);
    }
    for declaration in &order {
        if read(&declaration.name) {
            evaluator.evaluate(&declaration.name);
        }
    }
    let params = order
        .into_iter()
        .map(|declaration| {
            let value = match evaluator.states.remove(declaration.name.as_str()) {
                Some(State::Done(value)) => value,
                _ => None,
            };
            Param {
                name: declaration.name.clone(),
                name_span: declaration.name_span,
                value,
            }
        })
        .collect();
    Some(params)
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
    /// Bytes copied by references so far (see [`MAX_COPIED_BYTES`]).
    copied: usize,
    depth: usize,
    /// The size or depth limit is reported once; after that evaluation just stops.
    limit_reported: bool,
    /// "Did you mean" compares a name with every declared one: done for the problems that can
    /// be shown, so thousands of unknown references cost linear time.
    suggestions_left: usize,
}

/// Marker that a problem was already reported (or that a limit stopped evaluation).
type Evaluated<T> = Result<T, ()>;

impl Evaluator<'_, '_> {
    /// Evaluates a declared parameter once; afterwards its state is `Done`.
    fn evaluate(&mut self, name: &str) {
        if self.states.contains_key(name) {
            return;
        }
        let Some(declaration) = self.declarations.get(name).copied() else {
            return;
        };
        let value = match &declaration.value {
            Some(expr) => {
                self.states.insert(name.to_string(), State::InProgress);
                self.eval(expr, name).ok()
            }
            // Its syntax error was reported by the parser.
            None => None,
        };
        self.states.insert(name.to_string(), State::Done(value));
    }

    fn eval(&mut self, expr: &Expr, owner: &str) -> Evaluated<Node> {
        if self.depth >= MAX_EVAL_DEPTH {
            self.limit(
                Diagnostic::new(
                    "too-deep",
                    format!("`{owner}` nests values and references to other parameters more than {MAX_EVAL_DEPTH} levels deep"),
                )
                .path(owner.to_string())
                .at(expr.span)
                .help("write the value out instead of building it from a long chain of parameters"),
            );
            return Err(());
        }
        self.depth += 1;
        let result = self.eval_inner(expr, owner);
        self.depth -= 1;
        result
    }

    fn eval_inner(&mut self, expr: &Expr, owner: &str) -> Evaluated<Node> {
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
                        Err(()) if self.limit_reported => return Err(()),
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
                        Err(()) if self.limit_reported => return Err(()),
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

    fn string(&mut self, pieces: &[Piece], owner: &str) -> Evaluated<String> {
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

    fn reference(&mut self, name: &str, span: Span, owner: &str) -> Evaluated<Node> {
        if self.limit_reported {
            return Err(());
        }
        if !self.declarations.contains_key(name) {
            self.unknown_reference(name, span, owner);
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
        self.evaluate(name);
        // A referenced value that failed was already reported at its own declaration.
        let Some(State::Done(Some(node))) = self.states.get(name) else {
            return Err(());
        };
        let size = copied_size(node);
        if self.copied + size > MAX_COPIED_BYTES {
            self.limit(
                Diagnostic::new(
                    "value-too-large",
                    format!(
                        "`{owner}` repeats other parameters' values into more than {} MiB",
                        MAX_COPIED_BYTES / (1024 * 1024)
                    ),
                )
                .path(owner.to_string())
                .at(span)
                .label(format!("`{name}` copied here"))
                .help("Azure limits a parameter file with every value expanded to 4 MB; write the value out, or refer to other parameters fewer times"),
            );
            return Err(());
        }
        self.copied += size;
        Ok(Node::new(span, node.value.clone()))
    }

    fn unknown_reference(&mut self, name: &str, span: Span, owner: &str) {
        let suggestion = if self.suggestions_left > 0 {
            self.suggestions_left -= 1;
            crate::suggest::closest(name, self.declarations.keys().copied())
        } else {
            None
        };
        let diagnostic = Diagnostic::new(
            "unknown-reference",
            format!("`{name}` is not a parameter of this file"),
        )
        .path(owner.to_string())
        .at(span);
        self.problems.push(match suggestion {
            Some(candidate) => diagnostic.help(format!(
                "did you mean `{candidate}`? (strings need quotes: '{name}')"
            )),
            None => diagnostic.help(format!(
                "declare `param {name} = ...`, or quote the text: '{name}'"
            )),
        });
    }

    /// Reports a size or depth limit, once: past it, evaluation stops everywhere.
    fn limit(&mut self, diagnostic: Diagnostic) {
        if !self.limit_reported {
            self.limit_reported = true;
            self.problems.push(diagnostic);
        }
    }

    fn environment_variable(
        &mut self,
        name: &Expr,
        default: Option<&Expr>,
        span: Span,
        owner: &str,
    ) -> Evaluated<Node> {
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
                let variable = shown(&variable);
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

/// What copying `node` costs against [`MAX_COPIED_BYTES`].
fn copied_size(node: &Node) -> usize {
    NODE_BYTES
        + match &node.value {
            Value::String(s) | Value::Number(s) => s.len(),
            Value::Array(items) => items.iter().map(copied_size).sum(),
            Value::Object(entries) => entries
                .iter()
                .map(|e| e.key.len() + copied_size(&e.value))
                .sum(),
            Value::Null | Value::Bool(_) | Value::Int(_) => 0,
        }
}

#[cfg(test)]
mod tests;
