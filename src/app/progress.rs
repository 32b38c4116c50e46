//! Progress while the engine runs: stage headers (folded into a log group in CI), one line per
//! finished resource, and the live status of the resource in flight. An observer of engine
//! events that writes as they happen (so it lives here, not among the pure renderers); decides
//! nothing.

use std::time::Duration;

use crate::ci::{Platform, azure_devops, github};
use crate::console::Console;
use crate::deploy::events::{Event, Observer};
use crate::duration::human;
use crate::render::style::{BAD, CHANGE, GOOD, WARNING, paint};
use crate::report::{Action, Mode};

pub struct Progress {
    console: Console,
    mode: Mode,
    stage: String,
    platform: Platform,
    group_open: bool,
}

impl Progress {
    pub fn new(console: Console, mode: Mode, platform: Platform) -> Self {
        Progress {
            console,
            mode,
            stage: String::new(),
            platform,
            group_open: false,
        }
    }

    /// Closes the last stage's log group.
    pub fn finish(&mut self) {
        self.end_group();
    }

    fn end_group(&mut self) {
        if !self.group_open {
            return;
        }
        self.group_open = false;
        match self.platform {
            Platform::GitHub => self.console.raw(github::commands::end_group()),
            Platform::AzureDevOps => self.console.raw(azure_devops::end_group()),
            Platform::None => {}
        }
    }
}

impl Observer for Progress {
    fn on(&mut self, event: Event<'_>) {
        match event {
            Event::Preflight { message } => self.console.line(&format!("preflight: {message}")),
            Event::Warning { message } => self
                .console
                .line(&format!("{} {message}", paint(WARNING, "warning:"))),
            Event::StageStarted {
                index,
                total,
                name,
                operations,
            } => {
                self.end_group();
                self.stage = format!("[{}/{total} {}]", index + 1, name.as_str());
                let title = format!("{} {} ({operations})", self.stage, name.description());
                match self.platform {
                    Platform::GitHub => self.console.raw(&github::commands::group(&title)),
                    Platform::AzureDevOps => self.console.raw(&azure_devops::group(&title)),
                    Platform::None => {}
                }
                self.group_open = self.platform != Platform::None;
                self.console.line(&title);
            }
            Event::Waiting { operation, message } => self.console.line(&format!(
                "{} {} {}: waiting — {message}",
                self.stage, operation.kind, operation.title
            )),
            Event::OperationStarted { operation } => {
                self.console.status(Some(format!(
                    "{} {} {} …",
                    self.stage, operation.kind, operation.title
                )));
            }
            Event::OperationFinished { operation, report } => {
                self.console.status(None);
                let verb = match (report.action, self.mode) {
                    (Action::Create, Mode::Plan) => "to create",
                    (Action::Update, Mode::Plan) => "to update",
                    (action, _) => verb(action),
                };
                let verb = match report.action {
                    Action::Create => paint(GOOD, verb),
                    Action::Update => paint(CHANGE, verb),
                    Action::Failed | Action::Interrupted => paint(BAD, verb),
                    Action::Unchanged | Action::NotReached => verb.to_string(),
                };
                let note = report
                    .note
                    .as_deref()
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default();
                self.console.line(&format!(
                    "{} {} {}: {verb} ({}){note}",
                    self.stage,
                    operation.kind,
                    operation.title,
                    human(Duration::from_millis(report.duration_ms))
                ));
            }
        }
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "created",
        Action::Update => "updated",
        Action::Unchanged => "unchanged",
        Action::Failed => "FAILED",
        Action::Interrupted => "interrupted",
        Action::NotReached => "not reached",
    }
}
