//! Applies a plan: stages in order, one write at a time (the plan's order is the contract),
//! each resource read first and written only when the fields aigw sets differ. Also runs the
//! same walk without writes for a live `plan`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::cancel::Cancel;
use super::diff::{self, FieldChange};
use super::events::{Event, Observer};
use super::{not_ready, preflight, roles, soft_delete};
use crate::arm::{ArmClient, ArmError};
use crate::kind::MatchedBy;
use crate::plan::{DeferredRef, Operation, Plan, deferred};
use crate::report::{Action, Failure, Mode, OperationReport, Outcome, RunReport, StageReport};

#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// Longest wait for one resource's long-running operation (`--resource-timeout`).
    pub resource_timeout: Duration,
    /// Purge soft-deleted API Management / Cognitive Services names before creating them.
    pub purge_soft_deleted: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            resource_timeout: Duration::from_secs(60 * 60),
            purge_soft_deleted: false,
        }
    }
}

/// Why one resource could not be brought in line.
enum StepError {
    Arm(ArmError),
    /// Not an ARM error: something aigw refuses to do on its own.
    Blocked {
        code: &'static str,
        message: String,
        remedy: String,
    },
}

impl From<ArmError> for StepError {
    fn from(error: ArmError) -> Self {
        StepError::Arm(error)
    }
}

struct Done {
    action: Action,
    changes: Vec<FieldChange>,
    note: Option<String>,
}

struct Engine<'a> {
    plan: &'a Plan,
    client: &'a ArmClient,
    mode: Mode,
    options: &'a EngineOptions,
    /// Told what happens while a resource is being worked on (a wait, for example).
    observer: &'a mut dyn Observer,
    /// Deferred values read so far.
    values: BTreeMap<DeferredRef, Value>,
    /// Deferred values some operation's body needs (the others only feed the outputs).
    needed: BTreeSet<DeferredRef>,
    warnings: Vec<String>,
}

pub async fn run(
    plan: &Plan,
    client: &ArmClient,
    mode: Mode,
    options: &EngineOptions,
    observer: &mut dyn Observer,
    cancel: &Cancel,
) -> RunReport {
    let started = Instant::now();
    let mut failure: Option<Failure> = None;
    let mut interrupted = false;

    let mut warnings = Vec::new();
    // Registering a provider can take minutes: Ctrl-C must stop it like any other wait.
    let preflight = tokio::select! {
        result = preflight::run(
            client,
            &plan.subscription_id,
            mode == Mode::Deploy,
            options.resource_timeout,
            observer,
            &mut warnings,
        ) => Some(result),
        () = cancel.cancelled() => None,
    };
    match preflight {
        Some(Ok(())) => {}
        Some(Err(error)) => failure = Some(arm_failure(&error, None)),
        None => interrupted = true,
    }
    let mut engine = Engine {
        plan,
        client,
        mode,
        options,
        observer,
        values: BTreeMap::new(),
        needed: plan.operations().flat_map(|(_, op)| op.needs()).collect(),
        warnings,
    };

    let total = plan.stages.len();
    let mut stages = Vec::with_capacity(total);
    for (index, stage) in plan.stages.iter().enumerate() {
        let mut reports = Vec::with_capacity(stage.operations.len());
        let stopped = failure.is_some() || interrupted || cancel.is_cancelled();
        if !stopped {
            engine.observer.on(Event::StageStarted {
                index,
                total,
                name: stage.name,
                operations: stage.operations.len(),
            });
        }
        for operation in &stage.operations {
            if failure.is_some() || interrupted || cancel.is_cancelled() {
                interrupted |= cancel.is_cancelled() && failure.is_none();
                reports.push(report(operation, Action::NotReached, Vec::new(), 0, None));
                continue;
            }
            engine.observer.on(Event::OperationStarted { operation });
            let clock = Instant::now();
            let result = tokio::select! {
                result = engine.operation(operation) => Some(result),
                () = cancel.cancelled() => None,
            };
            let elapsed = millis(clock.elapsed());
            let operation_report = match result {
                None => {
                    interrupted = true;
                    report(
                        operation,
                        Action::Interrupted,
                        Vec::new(),
                        elapsed,
                        Some("stopped while in progress: Azure may still finish it; run deploy again to converge".into()),
                    )
                }
                Some(Ok(done)) => report(operation, done.action, done.changes, elapsed, done.note),
                Some(Err(error)) => {
                    failure = Some(step_failure(error, operation));
                    report(operation, Action::Failed, Vec::new(), elapsed, None)
                }
            };
            engine.observer.on(Event::OperationFinished {
                operation,
                report: &operation_report,
            });
            reports.push(operation_report);
        }
        stages.push(StageReport {
            name: stage.name,
            operations: reports,
        });
    }

    let changes = stages
        .iter()
        .flat_map(|s| &s.operations)
        .filter(|o| o.action.is_change())
        .count();
    let outcome = match (mode, &failure, interrupted) {
        (_, Some(_), _) => Outcome::Failed,
        (_, None, true) => Outcome::Interrupted,
        (Mode::Deploy, None, false) if changes > 0 => Outcome::Succeeded,
        (Mode::Plan, None, false) if changes > 0 => Outcome::ChangesPending,
        _ => Outcome::NoChanges,
    };
    if interrupted && failure.is_none() {
        failure = Some(Failure {
            resource: None,
            resource_type: None,
            kind: None,
            title: None,
            code: Some("Interrupted".into()),
            message: "stopped by a signal before every resource was checked".into(),
            remedy: Some("run deploy again: it continues where this run stopped".into()),
            authentication: false,
        });
    }
    RunReport {
        mode,
        outcome,
        subscription_id: plan.subscription_id.clone(),
        resource_group: plan.resource_group.clone(),
        stages,
        outputs: engine.outputs(),
        changes,
        failure,
        requests: client.stats(),
        duration_ms: millis(started.elapsed()),
        warnings: engine.warnings,
        routing: plan.routing.clone(),
    }
}

impl Engine<'_> {
    async fn operation(&mut self, operation: &Operation) -> Result<Done, StepError> {
        // Values not known yet stay placeholders (only possible in a live plan).
        let body = deferred::resolve(&operation.body, &|r| {
            Some(
                self.values
                    .get(r)
                    .cloned()
                    .unwrap_or_else(|| r.placeholder()),
            )
        })
        .unwrap_or_else(|_| operation.body.clone());
        if self.mode == Mode::Deploy
            && let Some(missing) = deferred::references(&body).first()
        {
            return Err(StepError::Blocked {
                code: "MissingValue",
                message: format!(
                    "{missing} is needed by {} but no earlier resource provided it",
                    operation.name
                ),
                remedy: "this is a bug in aigw's plan; please report it".into(),
            });
        }
        match operation.kind.matched_by() {
            MatchedBy::Id => self.resource(operation, &body).await,
            MatchedBy::Grant => self.role_assignment(operation, &body).await,
        }
    }

    async fn resource(&mut self, operation: &Operation, body: &Value) -> Result<Done, StepError> {
        let timeout = self.options.resource_timeout;
        let actual = match self
            .client
            .get_with_query(
                &operation.id,
                operation.api_version(),
                operation.kind.read_query(),
            )
            .await?
        {
            // Still provisioning (an interrupted run, or someone else's write): wait, then compare.
            Some(found) => Some(
                self.client
                    .settle(&operation.id, operation.api_version(), found, timeout)
                    .await?,
            ),
            None => None,
        };
        let (action, changes, current, note) = match actual {
            None => {
                let note = self.clear_soft_deleted(operation).await?;
                let (created, note) = match self.mode {
                    Mode::Plan => (None, note),
                    Mode::Deploy => {
                        let (created, waited) = self.put(operation, body).await?;
                        (Some(created), note.or(waited))
                    }
                };
                (Action::Create, Vec::new(), created, note)
            }
            Some(actual) => {
                let mut changes = diff::changes_for(operation.kind, body, &actual);
                // A resource whose last write failed or was canceled matches on paper but is
                // broken: a new PUT is how ARM repairs it.
                if let Some(state) = crate::arm::lro::unsuccessful_state(&actual) {
                    changes.push(FieldChange {
                        path: "properties.provisioningState".into(),
                        from: Some(Value::String(state.to_string())),
                        to: Some(Value::String("Succeeded".into())),
                    });
                }
                if changes.is_empty() {
                    (Action::Unchanged, changes, Some(actual), None)
                } else if self.mode == Mode::Plan {
                    (Action::Update, changes, Some(actual), None)
                } else {
                    let update = diff::update_body(&actual, body);
                    let (updated, waited) = self.put(operation, &update).await?;
                    (Action::Update, changes, Some(updated), waited)
                }
            }
        };
        self.read_outputs(operation, current.as_ref())?;
        Ok(Done {
            action,
            changes,
            note,
        })
    }

    /// PUTs `body` and waits for the resource, and for Azure where the kind says it lags
    /// ([`not_ready`]); returns the resource and a note about any wait.
    async fn put(
        &mut self,
        operation: &Operation,
        body: &Value,
    ) -> Result<(Value, Option<String>), StepError> {
        let timeout = self.options.resource_timeout;
        match not_ready::put_and_wait(self.client, operation, body, timeout, self.observer).await {
            not_ready::Outcome::Written { body, note } => Ok((body, note)),
            not_ready::Outcome::Failed(error) => Err(StepError::Arm(error)),
            not_ready::Outcome::GaveUp {
                code,
                message,
                remedy,
            } => Err(StepError::Blocked {
                code,
                message,
                remedy,
            }),
        }
    }

    /// Before creating a name that may be soft-deleted: purge when allowed, else stop with the remedy.
    async fn clear_soft_deleted(
        &mut self,
        operation: &Operation,
    ) -> Result<Option<String>, StepError> {
        let Some(found) = soft_delete::check(
            self.client,
            operation,
            &self.plan.subscription_id,
            &self.plan.resource_group,
        )
        .await?
        else {
            return Ok(None);
        };
        let what = format!("{} `{}` is soft-deleted", operation.kind, operation.name);
        match (self.mode, self.options.purge_soft_deleted) {
            (Mode::Plan, purge) => {
                let message = if purge {
                    format!("{what}; deploy will purge it (--purge-soft-deleted)")
                } else {
                    format!("{what}; deploy will stop there: {}", found.remedy)
                };
                self.warnings.push(message.clone());
                Ok(Some(message))
            }
            (Mode::Deploy, true) => {
                self.client
                    .delete_and_wait(
                        &found.path,
                        found.api_version,
                        self.options.resource_timeout,
                    )
                    .await?;
                Ok(Some(format!(
                    "purged the soft-deleted {} first",
                    operation.kind
                )))
            }
            (Mode::Deploy, false) => Err(StepError::Blocked {
                code: "SoftDeletedName",
                message: format!("{what}, so Azure refuses to create it again"),
                remedy: found.remedy,
            }),
        }
    }

    /// A role assignment: found by grant, whatever its name; a stale one under aigw's name
    /// (assigned to a previous identity) is replaced, since ARM does not allow changing an
    /// assignment's principal (`RoleAssignmentUpdateNotPermitted`).
    async fn role_assignment(
        &mut self,
        operation: &Operation,
        body: &Value,
    ) -> Result<Done, StepError> {
        let principal_known = deferred::references(body).is_empty();
        let existing = if principal_known {
            roles::find(self.client, operation, body).await?
        } else {
            roles::Existing::None
        };
        let done = |action, note| Done {
            action,
            changes: Vec::new(),
            note,
        };
        Ok(match (existing, self.mode) {
            (roles::Existing::Same(name), _) if name.eq_ignore_ascii_case(&operation.name) => {
                done(Action::Unchanged, None)
            }
            (roles::Existing::Same(name), _) => done(
                Action::Unchanged,
                Some(format!("already assigned as {name}")),
            ),
            (roles::Existing::Stale, Mode::Plan) => done(
                Action::Update,
                Some("assigned to a previous identity; will be replaced".into()),
            ),
            (roles::Existing::None, Mode::Plan) => done(Action::Create, None),
            (roles::Existing::Stale, Mode::Deploy) => {
                self.client
                    .delete_and_wait(
                        &operation.id,
                        operation.api_version(),
                        self.options.resource_timeout,
                    )
                    .await?;
                self.put(operation, body).await?;
                done(
                    Action::Update,
                    Some("replaced an assignment to a previous identity".into()),
                )
            }
            (roles::Existing::None, Mode::Deploy) => match self.put(operation, body).await {
                Ok((_, waited)) => done(Action::Create, waited),
                // Another writer made the same grant in between: done.
                Err(StepError::Arm(error)) if error.code() == Some("RoleAssignmentExists") => done(
                    Action::Unchanged,
                    Some("already assigned (RoleAssignmentExists)".into()),
                ),
                Err(error) => return Err(error),
            },
        })
    }

    /// Remembers the deferred values `operation` provides, read from its current representation.
    fn read_outputs(
        &mut self,
        operation: &Operation,
        current: Option<&Value>,
    ) -> Result<(), StepError> {
        for reference in &operation.outputs {
            let value = current
                .and_then(|c| c.pointer(reference.json_pointer()))
                .filter(|v| !v.is_null() && *v != "");
            match (value, self.mode) {
                (Some(value), _) => {
                    self.values.insert(reference.clone(), value.clone());
                }
                (None, Mode::Plan) => {}
                // Only reported, never written anywhere: the output is empty, the run goes on.
                (None, Mode::Deploy) if !self.needed.contains(reference) => {
                    self.warnings.push(format!(
                        "{} `{}` returned no {reference} ({}); that output is empty",
                        operation.kind,
                        operation.name,
                        reference.json_pointer()
                    ));
                }
                (None, Mode::Deploy) => {
                    return Err(StepError::Blocked {
                        code: "MissingOutput",
                        message: format!(
                            "{} `{}` exists but Azure returned no {} ({})",
                            operation.kind,
                            operation.name,
                            reference,
                            reference.json_pointer()
                        ),
                        remedy: "check the resource in the portal; run deploy again once it is fully provisioned".into(),
                    });
                }
            }
        }
        Ok(())
    }

    /// DESIGN.md stage 11 with every known value filled in (`null` where unknown).
    fn outputs(&self) -> Map<String, Value> {
        self.plan
            .outputs
            .iter()
            .map(|output| {
                let value = deferred::resolve(&output.value, &|r| {
                    Some(self.values.get(r).cloned().unwrap_or(Value::Null))
                })
                .unwrap_or(Value::Null);
                (output.name.to_string(), value)
            })
            .collect()
    }
}

fn report(
    operation: &Operation,
    action: Action,
    changes: Vec<FieldChange>,
    duration_ms: u64,
    note: Option<String>,
) -> OperationReport {
    OperationReport::new(operation, action, changes, duration_ms, note)
}

fn step_failure(error: StepError, operation: &Operation) -> Failure {
    match error {
        StepError::Arm(error) => {
            let mut failure = arm_failure(&error, Some(operation));
            if let Some(file) = &operation.source_file {
                failure.message = policy_failure_message(file, operation, &failure.message);
                failure.remedy.get_or_insert_with(|| {
                    format!("fix {file} (aigw validate checks it offline) and run deploy again")
                });
            }
            failure
        }
        StepError::Blocked {
            code,
            message,
            remedy,
        } => Failure {
            resource: Some(operation.name.clone()),
            resource_type: Some(operation.kind.arm_type().to_string()),
            kind: Some(operation.kind.label()),
            title: Some(operation.title.clone()),
            code: Some(code.to_string()),
            message,
            remedy: Some(remedy),
            authentication: false,
        },
    }
}

pub fn arm_failure(error: &ArmError, operation: Option<&Operation>) -> Failure {
    Failure {
        resource: operation.map(|o| o.name.clone()),
        resource_type: operation.map(|o| o.kind.arm_type().to_string()),
        kind: operation.map(|o| o.kind.label()),
        title: operation.map(|o| o.title.clone()),
        code: error.code().map(String::from),
        message: error.to_string(),
        remedy: error.remedy(),
        authentication: error.is_authentication(),
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// APIM's message for a rejected policy, with the policy file and, when APIM names a line and
/// column ("Error in element 'x' on line 12, column 10: ..."), that line of the file.
fn policy_failure_message(file: &str, operation: &Operation, message: &str) -> String {
    let mut out = format!("policy file {file} was rejected: {message}");
    let text = operation
        .body
        .pointer("/properties/value")
        .and_then(Value::as_str)
        .unwrap_or("");
    let position = message.find("line ").and_then(|i| {
        let rest = &message[i + 5..];
        let line: usize = rest
            .split(|c: char| !c.is_ascii_digit())
            .next()?
            .parse()
            .ok()?;
        let column = rest.find("column ").and_then(|j| {
            rest[j + 7..]
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse::<usize>()
                .ok()
        });
        Some((line, column))
    });
    if let Some((line, column)) = position
        && let Some(source) = text.lines().nth(line.saturating_sub(1))
    {
        let at = column
            .map(|c| format!("{file}:{line}:{c}"))
            .unwrap_or_else(|| format!("{file}:{line}"));
        out.push_str(&format!("\n  --> {at}\n   | {}", source.trim_end()));
    }
    out
}
