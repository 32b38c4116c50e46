//! Turns parsed parameters into a [`StackSpec`], reporting every problem at once.
//!
//! One [`Validator`] collects the problems; its checks live beside this file, one seam each:
//! `readers` (a value as the type a field needs), `stack` (the top-level parameters),
//! `fields` (rules of single values: name parts, regions, overrides, email, tags), `regions`
//! (each region and deployment entry), `unique` (across regions and deployments: uniqueness and
//! pool consistency) and `derived` (the Azure names built from the parts). A derived name that
//! breaks a rule is reported once at the parameter that causes it (usually `suffix`), not once
//! per resource. Help texts show examples in the syntax of the file (`hints`). Values from the
//! file are echoed through [`shown`] (escaped and cut). Every check is linear in the size of the
//! file, so a file with thousands of mistakes is checked as fast as a correct one.

mod derived;
mod fields;
mod hints;
mod readers;
mod regions;
mod stack;
mod unique;

use super::ParamFormat;
use super::value::{Entry, Node, Param};
use crate::diagnostic::{Diagnostic, shown};
use crate::naming::{NameKind, NameProblem};
use crate::source::Span;
use crate::spec::StackSpec;
use hints::Hints;

#[derive(Clone, Debug, Default)]
pub struct ValidateOptions {
    /// Regions accepted although they are not in [`crate::regions::KNOWN_REGIONS`].
    pub allowed_regions: Vec<String>,
}

/// Checks `params` read from a file in `format` (help texts use its syntax).
pub fn validate(
    params: &[Param],
    format: ParamFormat,
    options: &ValidateOptions,
) -> Result<StackSpec, Vec<Diagnostic>> {
    let mut v = Validator {
        problems: Vec::new(),
        options,
        hints: Hints(format),
    };
    let spec = v.stack(params);
    match spec {
        Some(spec) if v.problems.is_empty() => Ok(spec),
        _ => Err(v.problems),
    }
}

/// Collects every problem while the checks read the parameters.
struct Validator<'o> {
    problems: Vec<Diagnostic>,
    options: &'o ValidateOptions,
    hints: Hints,
}

/// A value with the span of the text it came from.
#[derive(Clone, Debug)]
struct At<T> {
    value: T,
    span: Span,
}

/// The fields of one object, with unknown keys already reported.
struct Fields<'n> {
    entries: Vec<&'n Entry>,
    span: Span,
}

impl<'n> Fields<'n> {
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries.iter().find(|e| e.key == key).map(|e| &e.value)
    }
}

/// The parameter path of `key` inside the object at `path`.
fn join(path: &str, key: &str) -> String {
    format!("{path}.{key}")
}

/// The problem of a name that breaks its kind's rules (deployment names and name overrides).
fn name_diagnostic(kind: NameKind, name: &str, problems: &[NameProblem]) -> Diagnostic {
    let what: Vec<String> = problems.iter().map(ToString::to_string).collect();
    let rule = kind.rule();
    Diagnostic::new(
        "invalid-name",
        format!(
            "`{}` is not a valid {kind}: it {}",
            shown(name),
            what.join("; it ")
        ),
    )
    .help(format!(
        "a {kind} has {}-{} characters: {}; it {}",
        rule.min, rule.max, rule.allowed, rule.edges
    ))
}

#[cfg(test)]
mod tests;
