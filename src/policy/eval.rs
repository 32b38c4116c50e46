//! Evaluates the small subset of C# the failover loop of the policies is written in.
//!
//! APIM runs policy expressions as C#; nothing here can. This module evaluates exactly the
//! constructs the loop's decisions use, and refuses anything else with an error naming it, so a
//! policy edit that leaves the subset fails a test instead of being misread:
//!
//! ```text
//! literals        1  "text"  true  false
//! context         context.Variables["name"]   context.Response.StatusCode
//! casts           (int)x  (bool)x  (string)x   (checked: a cast never converts)
//! operators       ! -  * / %  + -  < <= > >=  == !=  &&  ||  c ? a : b
//! statements      int|bool|string|var NAME = EXPR;   if (EXPR) STATEMENT [else STATEMENT]
//!                 { STATEMENTS }   return EXPR;
//! ```
//!
//! `{{name}}` named values are substituted into the text first, as APIM does before it runs an
//! expression. Integer arithmetic is C#'s: `/` truncates towards zero. `parse` reads the code;
//! this file runs it.

use std::collections::BTreeMap;
use std::fmt;

mod parse;

use super::csharp::tokenize;
use parse::{Expr, Parser, Statement};

/// A value of the subset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Int(i64),
    Bool(bool),
    Str(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Str(s) => write!(f, "{s:?}"),
        }
    }
}

/// What an expression can see of the request: context variables and the last response status.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub variables: BTreeMap<String, Value>,
    pub status: Option<i64>,
}

/// Why an expression could not be evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError(pub String);

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T> = std::result::Result<T, EvalError>;

fn fail<T>(message: impl Into<String>) -> Result<T> {
    Err(EvalError(message.into()))
}

/// Replaces every `{{name}}` with its value; an unknown name is an error.
pub fn substitute(code: &str, named_values: &BTreeMap<String, String>) -> Result<String> {
    let mut out = String::new();
    let mut rest = code;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            return fail("`{{` without `}}`");
        };
        let name = &after[..close];
        match named_values.get(name) {
            Some(value) => out.push_str(value),
            None => return fail(format!("no value for named value {{{{{name}}}}}")),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Evaluates the code of `@(CODE)` (`block` false) or `@{CODE}` (`block` true).
pub fn evaluate(
    code: &str,
    block: bool,
    named_values: &BTreeMap<String, String>,
    context: &Context,
) -> Result<Value> {
    let code = substitute(code, named_values)?;
    let tokens = tokenize(&code, 0, code.len())
        .map_err(|e| EvalError(format!("the code does not lex as C#: {e:?}")))?;
    let mut parser = Parser {
        text: &code,
        tokens: &tokens,
        at: 0,
    };
    let mut locals = BTreeMap::new();
    let value = if block {
        let statements = parser.statements_until_end()?;
        match run(&statements, context, &mut locals)? {
            Some(value) => value,
            None => return fail("the block ends without `return`"),
        }
    } else {
        let expr = parser.expression()?;
        parser.end()?;
        eval(&expr, context, &locals)?
    };
    Ok(value)
}

/// Runs statements; `Some` once a `return` ran.
fn run(
    statements: &[Statement],
    context: &Context,
    locals: &mut BTreeMap<String, Value>,
) -> Result<Option<Value>> {
    for statement in statements {
        if let Some(value) = step(statement, context, locals)? {
            return Ok(Some(value));
        }
    }
    Ok(None)
}

fn step(
    statement: &Statement,
    context: &Context,
    locals: &mut BTreeMap<String, Value>,
) -> Result<Option<Value>> {
    match statement {
        Statement::Declare(ty, name, expr) => {
            let value = eval(expr, context, locals)?;
            if let Some(ty) = ty
                && !ty.admits(&value)
            {
                return fail(format!("{name} is declared {ty:?} but gets {value}"));
            }
            locals.insert(name.clone(), value);
            Ok(None)
        }
        Statement::If(condition, then, otherwise) => {
            if truth(&eval(condition, context, locals)?)? {
                step(then, context, locals)
            } else if let Some(otherwise) = otherwise {
                step(otherwise, context, locals)
            } else {
                Ok(None)
            }
        }
        Statement::Block(inner) => run(inner, context, locals),
        Statement::Return(expr) => eval(expr, context, locals).map(Some),
    }
}

fn truth(value: &Value) -> Result<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => fail(format!("a condition must be a bool, found {other}")),
    }
}

fn int(value: &Value) -> Result<i64> {
    match value {
        Value::Int(i) => Ok(*i),
        other => fail(format!("expected an int, found {other}")),
    }
}

fn eval(expr: &Expr, context: &Context, locals: &BTreeMap<String, Value>) -> Result<Value> {
    match expr {
        Expr::Literal(value) => Ok(value.clone()),
        Expr::Local(name) => match locals.get(name) {
            Some(value) => Ok(value.clone()),
            None => fail(format!("`{name}` is not a declared local")),
        },
        Expr::Variable(name) => match context.variables.get(name) {
            Some(value) => Ok(value.clone()),
            // APIM throws KeyNotFoundException: the caller would get a 500.
            None => fail(format!("context variable {name} is read before it is set")),
        },
        Expr::Status => match context.status {
            Some(status) => Ok(Value::Int(status)),
            None => fail("context.Response is read before any response exists"),
        },
        Expr::Cast(ty, inner) => {
            let value = eval(inner, context, locals)?;
            if ty.admits(&value) {
                Ok(value)
            } else {
                // An InvalidCastException in APIM.
                fail(format!("cannot cast {value} to {ty:?}"))
            }
        }
        Expr::Not(inner) => Ok(Value::Bool(!truth(&eval(inner, context, locals)?)?)),
        Expr::Negate(inner) => Ok(Value::Int(-int(&eval(inner, context, locals)?)?)),
        Expr::Conditional(condition, then, otherwise) => {
            if truth(&eval(condition, context, locals)?)? {
                eval(then, context, locals)
            } else {
                eval(otherwise, context, locals)
            }
        }
        Expr::Binary(left, op, right) => {
            // && and || short-circuit, as in C#.
            if op == "&&" || op == "||" {
                let l = truth(&eval(left, context, locals)?)?;
                if (op == "&&" && !l) || (op == "||" && l) {
                    return Ok(Value::Bool(l));
                }
                return Ok(Value::Bool(truth(&eval(right, context, locals)?)?));
            }
            let (l, r) = (eval(left, context, locals)?, eval(right, context, locals)?);
            binary(&l, op, &r)
        }
    }
}

fn binary(l: &Value, op: &str, r: &Value) -> Result<Value> {
    match (l, r) {
        (Value::Int(a), Value::Int(b)) => {
            let (a, b) = (*a, *b);
            let value = match op {
                "+" => Value::Int(
                    a.checked_add(b)
                        .ok_or_else(|| EvalError("overflow".into()))?,
                ),
                "-" => Value::Int(
                    a.checked_sub(b)
                        .ok_or_else(|| EvalError("overflow".into()))?,
                ),
                "*" => Value::Int(
                    a.checked_mul(b)
                        .ok_or_else(|| EvalError("overflow".into()))?,
                ),
                // checked_div/rem truncate towards zero, as C# does, and refuse division by 0.
                "/" => Value::Int(
                    a.checked_div(b)
                        .ok_or_else(|| EvalError("division by zero".into()))?,
                ),
                "%" => Value::Int(
                    a.checked_rem(b)
                        .ok_or_else(|| EvalError("division by zero".into()))?,
                ),
                "<" => Value::Bool(a < b),
                "<=" => Value::Bool(a <= b),
                ">" => Value::Bool(a > b),
                ">=" => Value::Bool(a >= b),
                "==" => Value::Bool(a == b),
                "!=" => Value::Bool(a != b),
                _ => return fail(format!("`{op}` does not apply to ints")),
            };
            Ok(value)
        }
        (Value::Str(a), Value::Str(b)) => match op {
            "+" => Ok(Value::Str(format!("{a}{b}"))),
            "==" => Ok(Value::Bool(a == b)),
            "!=" => Ok(Value::Bool(a != b)),
            _ => fail(format!("`{op}` does not apply to strings")),
        },
        (Value::Bool(a), Value::Bool(b)) => match op {
            "==" => Ok(Value::Bool(a == b)),
            "!=" => Ok(Value::Bool(a != b)),
            _ => fail(format!("`{op}` does not apply to bools")),
        },
        _ => fail(format!("`{op}` between {l} and {r} is outside the subset")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_code(code: &str, block: bool, status: Option<i64>) -> Result<Value> {
        let mut context = Context {
            status,
            ..Context::default()
        };
        context.variables.insert("n".into(), Value::Int(3));
        context.variables.insert("flag".into(), Value::Bool(true));
        let named = BTreeMap::from([("switch".to_string(), "false".to_string())]);
        evaluate(code, block, &named, &context)
    }

    #[test]
    fn expressions_follow_csharp_precedence_and_integer_division() {
        assert_eq!(run_code("1 + 2 * 3", false, None), Ok(Value::Int(7)));
        assert_eq!(run_code("-7 / 2", false, None), Ok(Value::Int(-3)));
        assert_eq!(
            run_code("599 / 100 == 5", false, None),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            run_code("1 == 2 || 3 > 2 && !false", false, None),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            run_code("((int)context.Variables[\"n\"]) + 1", false, None),
            Ok(Value::Int(4))
        );
        assert_eq!(
            run_code(
                "context.Response.StatusCode == 503 ? 1 : 0",
                false,
                Some(503)
            ),
            Ok(Value::Int(1))
        );
        assert_eq!(
            run_code("\"{{switch}}\" == \"true\"", false, None),
            Ok(Value::Bool(false))
        );
    }

    #[test]
    fn blocks_declare_branch_and_return() {
        let code = "int s = context.Response.StatusCode; \
                    if (s == 429) { return true; } \
                    bool f = (bool)context.Variables[\"flag\"]; \
                    if (f) { return s / 100 == 5; } else return false;";
        assert_eq!(run_code(code, true, Some(502)), Ok(Value::Bool(true)));
        assert_eq!(run_code(code, true, Some(404)), Ok(Value::Bool(false)));
        assert_eq!(run_code(code, true, Some(429)), Ok(Value::Bool(true)));
    }

    #[test]
    fn anything_outside_the_subset_is_refused_by_name() {
        for (code, block, needle) in [
            ("context.Request.Body", false, "only context.Variables"),
            ("x.Contains(\"a\")", false, "method or object"),
            ("(int)context.Variables[\"flag\"]", false, "cannot cast"),
            (
                "context.Variables[\"missing\"]",
                false,
                "read before it is set",
            ),
            ("int x = 1;", true, "without `return`"),
            ("foreach (var x in y) { }", true, "outside the subset"),
            ("1 / 0", false, "division by zero"),
            ("\"{{unknown}}\"", false, "no value for named value"),
            ("1 2", false, "follows a complete expression"),
            ("$\"{n}\"", false, "interpolated"),
        ] {
            let error = run_code(code, block, None).err();
            assert!(
                error.as_ref().is_some_and(|e| e.0.contains(needle)),
                "{code}: {error:?}"
            );
        }
    }
}
