//! The result of a deploy or live plan as text: a headline, a table per stage (resource,
//! action, duration), changed fields, the failure with its remedy, and the outputs.

use std::fmt::Write;
use std::time::Duration;

use serde_json::Value;

use super::style::{BAD, CHANGE, ERROR, GOOD, HEADER, WARNING, paint};
use crate::duration::human;
use crate::report::{Action, Mode, Outcome, RunReport};

/// Titles longer than this are not padded: one long role assignment must not push every
/// duration far to the right.
const TITLE_COLUMN_MAX: usize = 64;

pub fn render(report: &RunReport) -> String {
    let mut out = String::new();
    let width = report
        .operations()
        .map(|o| o.title.chars().count())
        .filter(|&w| w <= TITLE_COLUMN_MAX)
        .max()
        .unwrap_or(0)
        .max(44);
    let headline_style = match report.outcome {
        Outcome::Succeeded | Outcome::NoChanges => GOOD,
        Outcome::ChangesPending => CHANGE,
        Outcome::Failed | Outcome::Interrupted => ERROR,
    };
    let _ = writeln!(out, "{}", paint(headline_style, &headline(report)));
    for stage in &report.stages {
        // A plan lists what would change; unchanged resources are only counted.
        let unchanged = stage
            .operations
            .iter()
            .filter(|o| o.action == Action::Unchanged)
            .count();
        let shown: Vec<_> = stage
            .operations
            .iter()
            .filter(|o| report.mode == Mode::Deploy || o.action != Action::Unchanged)
            .collect();
        match report.mode {
            Mode::Plan if shown.is_empty() => {
                let _ = writeln!(out, "\n{}: {unchanged} unchanged", stage.name.as_str());
                continue;
            }
            Mode::Plan if unchanged > 0 => {
                let _ = writeln!(out, "\n{} ({unchanged} unchanged)", stage.name.as_str());
            }
            _ => {
                let _ = writeln!(out, "\n{}", stage.name.as_str());
            }
        }
        for op in shown {
            let action = match (op.action, report.mode) {
                (Action::Create, Mode::Plan) => "+ create",
                (Action::Update, Mode::Plan) => "~ update",
                (Action::Create, Mode::Deploy) => "+ created",
                (Action::Update, Mode::Deploy) => "~ updated",
                (Action::Unchanged, _) => "= unchanged",
                (Action::Failed, _) => "! FAILED",
                (Action::Interrupted, _) => "! interrupted",
                (Action::NotReached, _) => "  not reached",
            };
            let duration = if op.action == Action::NotReached {
                String::new()
            } else {
                human(Duration::from_millis(op.duration_ms))
            };
            let style = match op.action {
                Action::Create => GOOD,
                Action::Update => CHANGE,
                Action::Failed | Action::Interrupted => BAD,
                Action::Unchanged | Action::NotReached => anstyle::Style::new(),
            };
            // Padded before it is styled: escape codes have no width on screen.
            let action = paint(style, &format!("{action:<14}"));
            let line = format!("  {action} {:<24} {:<width$} {duration}", op.kind, op.title);
            let _ = writeln!(out, "{}", line.trim_end());
            for change in &op.changes {
                let _ = writeln!(
                    out,
                    "      {}: {} → {}",
                    change.path,
                    show(change.from.as_ref()),
                    show_to(change.to.as_ref())
                );
            }
            if let Some(note) = &op.note {
                let _ = writeln!(out, "      {note}");
            }
        }
    }
    if let Some(failure) = &report.failure {
        let title = format!(
            "Error{}:",
            failure
                .subject()
                .map(|r| format!(" at {r}"))
                .unwrap_or_default()
        );
        let _ = writeln!(out, "\n{}", paint(ERROR, &title));
        for line in failure.message.lines() {
            let _ = writeln!(out, "  {line}");
        }
        if let Some(remedy) = &failure.remedy {
            let _ = writeln!(out, "  fix: {remedy}");
        }
    }
    for warning in &report.warnings {
        let _ = writeln!(out, "\n{} {warning}", paint(WARNING, "warning:"));
    }
    if report.mode == Mode::Deploy && !report.outputs.is_empty() {
        let _ = writeln!(out, "\n{}", paint(HEADER, "Outputs"));
        for (name, value) in &report.outputs {
            let _ = writeln!(out, "  {name:<22} {}", compact(value));
        }
    }
    out
}

pub fn headline(report: &RunReport) -> String {
    let count = |action: Action| report.operations().filter(|o| o.action == action).count();
    let took = human(Duration::from_millis(report.duration_ms));
    let r = &report.requests;
    let requests = format!(
        "{} reads, {} writes, {} polls, {} retries",
        r.reads, r.writes, r.polls, r.retries
    );
    match report.mode {
        Mode::Deploy => format!(
            "Deploy {}: {} created, {} updated, {} unchanged in {took} ({requests})",
            match report.outcome {
                // `no-changes` is the machine value (step output `result`); people read this.
                Outcome::NoChanges => "succeeded without changes",
                outcome => outcome.as_str(),
            },
            count(Action::Create),
            count(Action::Update),
            count(Action::Unchanged)
        ),
        Mode::Plan => {
            let summary = format!(
                "{} to create, {} to update, {} unchanged",
                count(Action::Create),
                count(Action::Update),
                count(Action::Unchanged)
            );
            match report.outcome {
                Outcome::Failed | Outcome::Interrupted => {
                    format!("Plan {}: {summary} so far", report.outcome.as_str())
                }
                _ => format!("Plan: {summary}"),
            }
        }
    }
}

fn show(value: Option<&Value>) -> String {
    value.map_or_else(|| "(none)".to_string(), compact)
}

fn show_to(value: Option<&Value>) -> String {
    value.map_or_else(|| "(known after apply)".to_string(), compact)
}

/// One line; long values are shortened.
fn compact(value: &Value) -> String {
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.chars().count() > 120 {
        format!("{}…", text.chars().take(119).collect::<String>())
    } else {
        text
    }
}
