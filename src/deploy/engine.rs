//! Applies a plan: stages in order, one write at a time (the plan's order is the contract),
//! each resource read first and written only when the fields aigw sets differ. Also runs the
//! same walk without writes for a live `plan`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

use super::cancel::Cancel;
use super::diff::{self, FieldChange};
use super::events::{Event, Observer};
use super::soft_delete::{self, SoftDeleted};
use super::{output_table, preflight, roles};
use crate::arm::error::human_secs;
use crate::arm::lro::WriteOptions;
use crate::arm::{ArmClient, ArmError};
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
        if operation.resource_type == "Microsoft.Authorization/roleAssignments" {
            return self.role_assignment(operation, &body).await;
        }
        self.resource(operation, &body).await
    }

    async fn resource(&mut self, operation: &Operation, body: &Value) -> Result<Done, StepError> {
        let timeout = WriteOptions {
            timeout: self.options.resource_timeout,
            ..WriteOptions::default()
        };
        let actual = match self
            .client
            .get_with_query(
                &operation.id,
                operation.api_version,
                diff::read_query(&operation.resource_type),
            )
            .await?
        {
            // Still provisioning (an interrupted run, or someone else's write): wait, then compare.
            Some(found) => Some(
                self.client
                    .settle(
                        &operation.id,
                        operation.api_version,
                        found,
                        self.options.resource_timeout,
                    )
                    .await?,
            ),
            None => None,
        };
        let (action, changes, current, note) = match actual {
            None => {
                let note = self.clear_soft_deleted(operation, timeout).await?;
                let (created, note) = match self.mode {
                    Mode::Plan => (None, note),
                    Mode::Deploy => {
                        let (created, waited) = self.put(operation, body, timeout).await?;
                        (Some(created), note.or(waited))
                    }
                };
                (Action::Create, Vec::new(), created, note)
            }
            Some(actual) => {
                let mut changes = diff::changes_for(&operation.resource_type, body, &actual);
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
                    let (updated, waited) = self.put(operation, &update, timeout).await?;
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

    /// PUTs `body` and waits for the resource; returns it and a note about any wait. A data
    /// collection rule waits while its new output table is not accepted yet (`output_table`).
    async fn put(
        &mut self,
        operation: &Operation,
        body: &Value,
        options: WriteOptions,
    ) -> Result<(Value, Option<String>), StepError> {
        if operation.resource_type != output_table::RULE_TYPE {
            let written = self
                .client
                .put_and_wait(&operation.id, operation.api_version, body, options)
                .await?;
            return Ok((written, None));
        }
        match output_table::put_and_wait(self.client, operation, body, options, self.observer).await
        {
            output_table::Outcome::Written { body, note } => Ok((body, note)),
            output_table::Outcome::Failed(error) => Err(StepError::Arm(error)),
            output_table::Outcome::StillUnavailable {
                table,
                waited,
                error,
            } => Err(StepError::Blocked {
                code: "InvalidOutputTable",
                message: format!(
                    "Azure Monitor still does not accept table {table} as the output of {} `{}` \
                     after {} of waiting (--resource-timeout {}); a new custom table usually \
                     becomes usable within a few minutes.\n{error}",
                    crate::plan::kind_label(&operation.resource_type),
                    operation.name,
                    human_secs(waited.as_secs()),
                    human_secs(options.timeout.as_secs()),
                ),
                remedy: format!(
                    "run deploy again in a few minutes (table {table} exists; the rerun continues \
                     where this one stopped), or raise --resource-timeout"
                ),
            }),
        }
    }

    /// Before creating a name that may be soft-deleted: purge when allowed, else stop with the remedy.
    async fn clear_soft_deleted(
        &mut self,
        operation: &Operation,
        options: WriteOptions,
    ) -> Result<Option<String>, StepError> {
        let SoftDeleted::Yes {
            path,
            api_version,
            remedy,
        } = soft_delete::check(
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
                    format!("{what}; deploy will stop there: {remedy}")
                };
                self.warnings.push(message.clone());
                Ok(Some(message))
            }
            (Mode::Deploy, true) => {
                soft_delete::purge(self.client, &path, api_version, options).await?;
                Ok(Some(format!(
                    "purged the soft-deleted {} first",
                    operation.kind
                )))
            }
            (Mode::Deploy, false) => Err(StepError::Blocked {
                code: "SoftDeletedName",
                message: format!("{what}, so Azure refuses to create it again"),
                remedy,
            }),
        }
    }

    async fn role_assignment(
        &mut self,
        operation: &Operation,
        body: &Value,
    ) -> Result<Done, StepError> {
        let options = WriteOptions {
            timeout: self.options.resource_timeout,
            ..WriteOptions::default()
        };
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
                roles::delete(self.client, operation, options).await?;
                roles::create(self.client, operation, body, options).await?;
                done(
                    Action::Update,
                    Some("replaced an assignment to a previous identity".into()),
                )
            }
            (roles::Existing::None, Mode::Deploy) => {
                match roles::create(self.client, operation, body, options).await? {
                    Some(_) => done(Action::Create, None),
                    None => done(
                        Action::Unchanged,
                        Some("already assigned (RoleAssignmentExists)".into()),
                    ),
                }
            }
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
            resource_type: Some(operation.resource_type.clone()),
            kind: Some(operation.kind),
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
        resource_type: operation.map(|o| o.resource_type.clone()),
        kind: operation.map(|o| o.kind),
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
