//! Progress while the engine runs: stage headers, one line per finished resource, and the live
//! status of the resource in flight. Displays engine events; decides nothing.

use crate::console::{Console, elapsed};
use crate::deploy::events::{Event, Observer};
use crate::report::{Action, Mode};

pub struct Progress {
    console: Console,
    mode: Mode,
    stage: String,
}

impl Progress {
    pub fn new(console: Console, mode: Mode) -> Self {
        Progress {
            console,
            mode,
            stage: String::new(),
        }
    }
}

impl Observer for Progress {
    fn on(&mut self, event: Event<'_>) {
        match event {
            Event::Preflight { message } => self.console.line(&format!("preflight: {message}")),
            Event::Warning { message } => self.console.line(&format!("warning: {message}")),
            Event::StageStarted {
                index,
                total,
                name,
                operations,
            } => {
                self.stage = format!("[{}/{total} {}]", index + 1, name.as_str());
                self.console.line(&format!(
                    "{} {} ({operations})",
                    self.stage,
                    name.description()
                ));
            }
            Event::OperationStarted { operation } => {
                self.console.status(Some(format!(
                    "{} {} {} …",
                    self.stage,
                    operation.kind_label(),
                    operation.name
                )));
            }
            Event::OperationFinished { operation, report } => {
                self.console.status(None);
                let verb = match (report.action, self.mode) {
                    (Action::Create, Mode::Plan) => "to create",
                    (Action::Update, Mode::Plan) => "to update",
                    (action, _) => verb(action),
                };
                let note = report
                    .note
                    .as_deref()
                    .map(|n| format!(" — {n}"))
                    .unwrap_or_default();
                self.console.line(&format!(
                    "{} {} {}: {verb} ({}){note}",
                    self.stage,
                    operation.kind_label(),
                    operation.name,
                    elapsed(std::time::Duration::from_millis(report.duration_ms))
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
