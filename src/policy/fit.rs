//! The policies against the stack they are attached to, beyond what `check` sees in the syntax:
//! the usage row fits the table aigw creates, and every route leads to a backend the stack
//! creates.
//!
//! Both run wherever the policies are checked (`validate`, and before every plan and deploy),
//! for the shipped files and a `--policies DIR` copy alike, through the same readers the tests
//! hold the shipped files to (`usage_fields`, `pool`). An edited copy that would post rows the
//! table cannot take, or send a deployment's calls to a pool that does not exist (a 404 for every
//! caller), is then refused offline, at its file and line, instead of failing in production.
//! Routes computed by other expressions than the pool-id one cannot be evaluated here and are
//! not checked.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Diagnostics, shown};
use crate::naming::{self, USAGE_STREAM, USAGE_TABLE};
use crate::source::{SourceFile, Span};
use crate::spec::StackSpec;
use crate::suggest::closest;
use crate::usage::{COLUMNS, ColumnKind};

use super::expr::scan;
use super::files::PolicyFile;
use super::pool::pool_rule;
use super::usage_fields::{UsageField, usage_fields};
use super::xml::parse;

/// The problems of the usage row that `policy` posts (it posts to the named value
/// `dce-endpoint`): a row the reader cannot read, a column the table lacks, or a value of the
/// wrong kind for its column.
///
/// The DCR aigw creates declares its stream from [`COLUMNS`] and sends it to the table unchanged
/// (`transformKql: source`), and "the data sent by your application to the API must be formatted
/// in JSON and match the structure expected by the DCR" (Microsoft Learn, "Logs Ingestion API in
/// Azure Monitor": https://learn.microsoft.com/azure/azure-monitor/logs/logs-ingestion-api-overview).
/// A column the table does not have never reaches it. A column the row leaves out is only empty,
/// which is allowed.
pub(super) fn usage_row_problems(policy: &PolicyFile) -> Vec<Diagnostic> {
    match usage_fields(policy) {
        Err(unreadable) => unreadable.items,
        Ok(fields) => fields.iter().filter_map(column_problem).collect(),
    }
}

fn column_problem(field: &UsageField) -> Option<Diagnostic> {
    let name = shown(&field.name);
    let Some(column) = COLUMNS.iter().find(|c| c.name == field.name) else {
        let fix = match closest(&field.name, COLUMNS.iter().map(|c| c.name)) {
            Some(candidate) => format!("did you mean `{candidate}`?"),
            None => "remove the column from the columns array and from the row".to_string(),
        };
        return Some(
            Diagnostic::new(
                "policy-usage-column-unknown",
                format!(
                    "the usage row has the column `{name}`, which table {USAGE_TABLE} does not have"
                ),
            )
            .at(field.name_span)
            .label(format!("not a column of {USAGE_TABLE}"))
            .help(format!(
                "aigw creates the table and the stream {USAGE_STREAM} from one list of columns \
                 (docs/policies.md, \"The usage row\"), and the Logs Ingestion API takes only rows \
                 that match the stream: {fix}"
            )),
        );
    };
    if fits(field.kind, column.kind) {
        return None;
    }
    Some(
        Diagnostic::new(
            "policy-usage-column-kind",
            format!(
                "the usage row gives `{name}` a {} value, but the column is {} in table {USAGE_TABLE}",
                field.kind.table_type(),
                column.kind.table_type()
            ),
        )
        .at(field.value_span)
        .label(format!("a {} value", field.kind.table_type()))
        .help(format!(
            "give it a {} value, for example {}",
            column.kind.table_type(),
            example_of(column.kind)
        )),
    )
}

/// Whether a value of kind `value` can be stored in a column of kind `column`: the same kind, or
/// an `int` in a `long` column (both are JSON numbers, and every int is a long).
fn fits(value: ColumnKind, column: ColumnKind) -> bool {
    value == column || (value == ColumnKind::Int && column == ColumnKind::Long)
}

/// A value of `kind` in the shapes the usage-row reader understands.
fn example_of(kind: ColumnKind) -> &'static str {
    match kind {
        ColumnKind::String => "a cast `(string)(...)` or a string literal",
        ColumnKind::Int => "a cast `(int)(...)`",
        ColumnKind::Long => "a cast `(long)(...)`",
        ColumnKind::Boolean => "a cast `(bool)(...)`",
        ColumnKind::DateTime => "`DateTime.UtcNow.ToString(\"o\")` (a round-trip date)",
    }
}

/// The routing problems of `files` for `spec`, one [`Diagnostics`] per file that has any:
/// - the pool-id expression (the one that sets `aigw-pool-id`), evaluated for every deployment
///   of the parameter file, must give the pool the stack creates for it;
/// - a `set-backend-service` with a literal `backend-id` must name a backend the stack creates
///   (a pool, or a region's member backend).
///
/// Call it on files that pass [`check`](super::check): a file that is not well-formed is skipped
/// here (its problem is already reported).
pub fn route_problems(files: &[PolicyFile], spec: &StackSpec) -> Vec<Diagnostics> {
    let mut problems = Problems::default();
    match pool_rule(files) {
        Err(unreadable) => problems.extend(unreadable),
        Ok(None) => {}
        Ok(Some(rule)) => {
            for pool in spec.pools() {
                let deployment = pool.deployment_name;
                let created = naming::pool_id(deployment);
                let problem = match rule.pool_id(deployment) {
                    Some(routed) if routed.eq_ignore_ascii_case(&created) => continue,
                    Some(routed) => Diagnostic::new(
                        "policy-route-unknown-pool",
                        format!(
                            "deployment `{deployment}` is routed to `{}`, a pool the stack does not create (its pool is `{created}`)",
                            shown(&routed)
                        ),
                    )
                    .label(format!("gives `{}` for `{deployment}`", shown(&routed)))
                    .help(
                        "aigw names each pool `pool-` followed by the deployment name with every `.` \
                         replaced by `-dot-` (README, \"Derived names\"); callers of a pool that does \
                         not exist get 404",
                    ),
                    None => Diagnostic::new(
                        "policy-route-refuses",
                        format!(
                            "the pool-id expression refuses deployment `{deployment}`: its callers would get 400 invalid_deployment_name"
                        ),
                    )
                    .label(format!("gives no pool for `{deployment}`"))
                    .help(
                        "the expression must accept every deployment name of the parameter file \
                         (2 to 64 letters, digits, `_`, `.` or `-`, starting with a letter or digit)",
                    ),
                };
                problems.push(&rule.file, problem.at(rule.expression));
            }
        }
    }
    literal_backend_problems(files, spec, &mut problems);
    for diagnostics in &mut problems.files {
        diagnostics.sort();
    }
    problems.files
}

/// `set-backend-service backend-id="..."` written as a literal must name a backend of the stack.
fn literal_backend_problems(files: &[PolicyFile], spec: &StackSpec, problems: &mut Problems) {
    let pools: Vec<String> = spec
        .pools()
        .iter()
        .map(|p| naming::pool_id(p.deployment_name))
        .collect();
    // APIM ids compare without case, like every other Azure name (see params::validate::unique).
    let mut backends: BTreeSet<String> = pools.iter().map(|p| p.to_lowercase()).collect();
    for region in &spec.regions {
        for deployment in &region.deployments {
            for id in [
                naming::aoai_backend_id(&deployment.name, &region.abbreviation),
                naming::oaiv1_backend_id(&deployment.name, &region.abbreviation),
            ] {
                backends.insert(id.to_lowercase());
            }
        }
    }
    for policy in files
        .iter()
        .filter(|f| f.text.contains("set-backend-service"))
    {
        let file = SourceFile::new(policy.path.clone(), policy.text.clone());
        let scanned = scan(&file);
        let Ok(doc) = parse(&scanned.masked) else {
            continue;
        };
        for node in doc
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "set-backend-service")
        {
            let (Some(attribute), Some(id)) = (
                node.attribute_node("backend-id"),
                node.attribute("backend-id"),
            ) else {
                continue;
            };
            let range = attribute.range_value();
            // An expression (masked here) is evaluated at run time; a named value is checked
            // against the stack's named values by `check`.
            if scanned.expression_at(range.start).is_some() || id.contains("{{") {
                continue;
            }
            if backends.contains(&id.to_lowercase()) {
                continue;
            }
            let help = match closest(id, pools.iter().map(String::as_str)) {
                Some(candidate) => format!("did you mean `{candidate}`? "),
                None => String::new(),
            };
            problems.push(
                &file,
                Diagnostic::new(
                    "policy-route-unknown-backend",
                    format!(
                        "`set-backend-service` routes to backend `{}`, which the stack does not create",
                        shown(id)
                    ),
                )
                .at(Span::new(range.start, range.end))
                .label("no such backend")
                .help(format!(
                    "{help}the stack creates the pools {} and, per region and deployment, the backends \
                     aoai-{{dep}}-{{abbr}} and oaiv1-{{dep}}-{{abbr}}",
                    pools.join(", ")
                )),
            );
        }
    }
}

/// Problems collected per file, in the order the files were first met.
#[derive(Default)]
struct Problems {
    files: Vec<Diagnostics>,
}

impl Problems {
    fn push(&mut self, file: &Arc<SourceFile>, diagnostic: Diagnostic) {
        let at = match self.files.iter().position(|d| d.file.name() == file.name()) {
            Some(at) => at,
            None => {
                self.files.push(Diagnostics::new(file.clone()));
                self.files.len() - 1
            }
        };
        self.files[at].push(diagnostic);
    }

    fn extend(&mut self, diagnostics: Diagnostics) {
        let file = diagnostics.file.clone();
        for diagnostic in diagnostics.items {
            self.push(&file, diagnostic);
        }
    }
}
