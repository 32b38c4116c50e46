//! The results of the commands as values every renderer reads (terminal text, JSON, GitHub and
//! Azure DevOps summaries): [`RunReport`] of `deploy` and live `plan`, [`ValidateReport`], and
//! [`FailureReport`] of a run that stopped without one. Renderers decide nothing; everything is
//! decided here.

use serde_json::{Map, Value};

use crate::arm::StatsSnapshot;
use crate::diagnostic::LocatedDiagnostic;
use crate::plan::{PoolRoute, StageName};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    Deploy,
    Plan,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Deploy: every resource matches, something was written.
    Succeeded,
    /// Deploy or plan: nothing needed (or needs) writing.
    NoChanges,
    /// Plan: some resources would be created or updated.
    ChangesPending,
    Failed,
    /// Stopped by SIGINT/SIGTERM.
    Interrupted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Succeeded => "succeeded",
            Outcome::NoChanges => "no-changes",
            Outcome::ChangesPending => "changes-pending",
            Outcome::Failed => "failed",
            Outcome::Interrupted => "interrupted",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Did not exist (deploy: was created; plan: would be).
    Create,
    /// Existed with different values.
    Update,
    Unchanged,
    Failed,
    /// In flight when the run was interrupted; Azure may finish it.
    Interrupted,
    /// Not reached because the run stopped earlier.
    NotReached,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Unchanged => "unchanged",
            Action::Failed => "failed",
            Action::Interrupted => "interrupted",
            Action::NotReached => "not reached",
        }
    }

    pub fn is_change(self) -> bool {
        matches!(self, Action::Create | Action::Update)
    }
}

#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    pub mode: Mode,
    pub outcome: Outcome,
    pub subscription_id: String,
    pub resource_group: String,
    pub stages: Vec<StageReport>,
    /// DESIGN.md stage 11, resolved; values not known (failed run) are `null`.
    pub outputs: Map<String, Value>,
    /// Resources created or updated (deploy) or that would be (plan).
    pub changes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
    pub requests: StatsSnapshot,
    pub duration_ms: u64,
    /// Things the user should know that did not stop the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// The routing the stack sets up (for summaries).
    pub routing: Vec<PoolRoute>,
}

/// One field whose desired value is not what Azure has.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FieldChange {
    /// Dotted path, e.g. `sku.capacity` or `properties.pool.services[2].priority`.
    pub path: String,
    /// `None` when Azure has no value.
    pub from: Option<Value>,
    /// `None` when the value is only known after an earlier resource is written.
    pub to: Option<Value>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct StageReport {
    pub name: StageName,
    pub operations: Vec<OperationReport>,
}

#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OperationReport {
    pub id: String,
    #[serde(rename = "type")]
    pub resource_type: String,
    pub name: String,
    /// As in the plan: what the resource is and what people recognise it by.
    pub kind: &'static str,
    pub title: String,
    pub action: Action,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<FieldChange>,
    pub duration_ms: u64,
    /// Extra context ("already assigned as ...", "purged soft-deleted name").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a run failed, with where and what to do.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Failure {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_type: Option<String>,
    /// The resource's kind and title, for people (see [`crate::plan::Operation`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// The access token was missing or refused (exit code 3).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub authentication: bool,
}

impl OperationReport {
    /// What happened to the planned `operation`.
    pub fn new(
        operation: &crate::plan::Operation,
        action: Action,
        changes: Vec<FieldChange>,
        duration_ms: u64,
        note: Option<String>,
    ) -> Self {
        OperationReport {
            id: operation.id.clone(),
            resource_type: operation.kind.arm_type().to_string(),
            name: operation.name.clone(),
            kind: operation.kind.label(),
            title: operation.title.clone(),
            action,
            changes,
            duration_ms,
            note,
        }
    }
}

impl Failure {
    /// "kind title" of the resource that failed, for people.
    pub fn subject(&self) -> Option<String> {
        let title = self.title.as_ref().or(self.resource.as_ref())?;
        Some(match self.kind {
            Some(kind) => format!("{kind} {title}"),
            None => title.clone(),
        })
    }
}

impl RunReport {
    pub fn operations(&self) -> impl Iterator<Item = &OperationReport> {
        self.stages.iter().flat_map(|s| s.operations.iter())
    }
}

/// What a successful validation found.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateReport {
    pub file: String,
    pub valid: bool,
    pub regions: usize,
    pub deployments: usize,
    pub pools: usize,
    pub policy_files: usize,
}

/// The one JSON document on stdout (`--output json`) of a run that ended without a result of its
/// own: invalid input, no credential, an interrupt, a refused command line.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureReport {
    /// `None` when the command line named no command.
    pub command: Option<&'static str>,
    pub outcome: FailureOutcome,
    pub exit_code: u8,
    pub error: ErrorReport,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureOutcome {
    Failed,
    /// Stopped by SIGINT/SIGTERM.
    Interrupted,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ErrorReport {
    pub message: String,
    /// Every problem in the parameter and policy files, with its position.
    pub diagnostics: Vec<LocatedDiagnostic>,
}
