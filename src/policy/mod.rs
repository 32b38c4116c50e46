//! The gateway policies aigw attaches, and their static checks.
//!
//! Owns the policy files (embedded with `include_str!`, or read from a directory with the same
//! layout), the order they must be created in, and every check that can be made without an APIM
//! instance. It does no I/O besides [`load_dir`] and never talks to Azure; deploying the files is
//! the `plan`/`deploy` modules' job.
//!
//! ```text
//! embedded() / load_dir(dir)          → Vec<PolicyFile>           fragments first, then API policies
//! deploy_order(&files)                → Vec<&PolicyFile>          every fragment before any API policy
//! check(&files)                       → Vec<Diagnostics>          one per file with problems
//! route_problems(&files, &spec)       → Vec<Diagnostics>          routes to backends the stack lacks
//! named_values_used(&files)           → BTreeSet<String>          every {{name}} outside comments
//! usage_fields(&fragment)             → Vec<UsageField>           the usage row the policy emits
//! pool_rule(&files)?                  → Option<PoolRule>          .pool_id(dep): the pool routed to
//! failover_loop(&files, api)?.run(..) → Run                       one request through the retry loop
//! ```
//!
//! Policies are APIM `rawxml`: C# expressions `@(...)` and `@{...}` sit unescaped in attribute
//! values and element text. `expr` sets them aside (same byte length, so positions stay exact)
//! before the XML is parsed; every problem is a [`Diagnostic`](crate::diagnostic::Diagnostic)
//! with the file, line and column of the offending text.
//!
//! What the checks cannot see: whether an expression compiles (types, allowed .NET members,
//! `context` members of the gateway version), attribute values and the attributes a policy
//! accepts beyond the required and literal-only ones in the table, the runtime behaviour of
//! retries, pools and circuit breakers, the values of named values, and whether context
//! variables are set before they are read. `fit` evaluates the usage row and the pool-id
//! expression against the stack (in `validate`, for any policy set); `failover` runs the retry
//! loop against a model of a pool (breakers, priorities), not against APIM, in tests only.

mod check;
mod csharp;
mod elements;
mod eval;
mod expr;
mod failover;
mod files;
mod fit;
mod normalize;
mod pool;
mod usage_fields;
mod walk;
mod xml;

use std::collections::BTreeSet;

use crate::source::SourceFile;

pub use check::{MAX_FRAGMENT_BYTES, check};
pub use elements::{ELEMENTS, ElementDef, Section, Sections};
pub use eval::{EvalError, Value as EvalValue};
pub use expr::{Expression, NamedValueRef, Place, Scan, scan};
pub use failover::{Attempt, FailoverLoop, Member, Run, failover_loop};
pub use files::{
    API_POLICY_FILES, LoadError, MAX_POLICY_BYTES, PolicyFile, PolicyKind, deploy_order, embedded,
    load_dir,
};
pub use fit::route_problems;
pub use normalize::normalize_xml;
pub use pool::{POOL_VARIABLE, PoolRule, pool_rule};
pub use usage_fields::{UsageField, usage_fields};

/// The fragment that builds and posts the usage row.
pub const USAGE_ROW_FRAGMENT: &str = "aigw-usage-row";

/// Every named value referenced by `files` (outside XML comments).
pub fn named_values_used(files: &[PolicyFile]) -> BTreeSet<String> {
    files
        .iter()
        .flat_map(|f| {
            let file = SourceFile::new(f.path.clone(), f.text.clone());
            scan(&file).named_values.into_iter().map(|n| n.name)
        })
        .collect()
}

#[cfg(test)]
mod tests;
