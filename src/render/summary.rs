//! The run as Markdown: the GitHub job summary, the Azure DevOps summary tab and the sticky PR
//! comment of a live plan. Headline, failure, routing (Mermaid), outputs, then a table per stage.
//! Kept under GitHub's 1 MiB step-summary limit with a visible note when stage details are cut.

use std::fmt::Write;
use std::time::Duration;

use serde_json::Value;

use crate::console::elapsed;
use crate::plan::{PoolRoute, kind_label};
use crate::report::{Action, Mode, Outcome, RunReport};

/// GitHub refuses step summaries above 1 MiB (actions/runner `AttachmentSizeLimit`).
pub const GITHUB_SUMMARY_LIMIT: usize = 1024 * 1024;

pub fn render(report: &RunReport, limit: usize) -> String {
    let mut head = String::new();
    let _ = writeln!(head, "## {}\n", headline(report));
    let _ = writeln!(
        head,
        "Resource group `{}` · subscription `{}` · {} · {} ARM requests ({} writes, {} retries)\n",
        report.resource_group,
        report.subscription_id,
        elapsed(Duration::from_millis(report.duration_ms)),
        report.requests.reads + report.requests.writes + report.requests.polls,
        report.requests.writes,
        report.requests.retries,
    );
    if let Some(failure) = &report.failure {
        let _ = writeln!(head, "### Error\n");
        if let Some(resource) = &failure.resource {
            let kind = failure
                .resource_type
                .as_deref()
                .map(kind_label)
                .unwrap_or("resource");
            let _ = writeln!(head, "**{}** `{}`\n", cell(kind), cell(resource));
        }
        let _ = writeln!(head, "{}\n", code_block(&failure.message));
        if let Some(remedy) = &failure.remedy {
            let _ = writeln!(head, "**How to fix:** {}\n", cell(remedy));
        }
    }
    for warning in &report.warnings {
        let _ = writeln!(head, "> **Warning:** {}\n", cell(warning));
    }
    if !report.routing.is_empty() {
        let _ = writeln!(head, "### Routing\n\n{}", mermaid(&report.routing));
    }
    if report.mode == Mode::Deploy && !report.outputs.is_empty() {
        let _ = writeln!(head, "### Outputs\n\n| output | value |\n|---|---|");
        for (name, value) in &report.outputs {
            let text = match value {
                Value::Null => "—".to_string(),
                Value::String(s) => format!("`{}`", cell(s)),
                other => format!("`{}`", cell(&other.to_string())),
            };
            let _ = writeln!(head, "| {name} | {text} |");
        }
        let _ = writeln!(head);
    }
    let _ = writeln!(head, "### Stages\n");

    let mut out = head;
    let truncation_note = "\n> **Summary truncated** to stay under GitHub's 1 MiB limit; the job log and `--output json` have every resource.\n";
    for (index, stage) in report.stages.iter().enumerate() {
        let section = stage_section(report.mode, index, stage);
        if out.len() + section.len() + truncation_note.len() > limit {
            out.push_str(truncation_note);
            return out;
        }
        out.push_str(&section);
    }
    out
}

fn headline(report: &RunReport) -> String {
    let count = |a: Action| report.operations().filter(|o| o.action == a).count();
    let (icon, what) = match (report.mode, report.outcome) {
        (Mode::Deploy, Outcome::Succeeded) => ("✅", "deploy succeeded"),
        (Mode::Deploy, Outcome::NoChanges) => ("✅", "deploy: no changes"),
        (Mode::Plan, Outcome::ChangesPending) => ("📝", "plan: changes pending"),
        (Mode::Plan, Outcome::NoChanges) => ("✅", "plan: no changes"),
        (_, Outcome::Interrupted) => ("⚠️", "interrupted"),
        (_, _) => ("❌", "failed"),
    };
    let (created, updated) = match report.mode {
        Mode::Deploy => ("created", "updated"),
        Mode::Plan => ("to create", "to update"),
    };
    format!(
        "{icon} aigw {what} — {} {created}, {} {updated}, {} unchanged",
        count(Action::Create),
        count(Action::Update),
        count(Action::Unchanged)
    )
}

fn stage_section(mode: Mode, index: usize, stage: &crate::report::StageReport) -> String {
    let mut out = String::new();
    let changed = stage
        .operations
        .iter()
        .filter(|o| o.action.is_change())
        .count();
    let failed = stage
        .operations
        .iter()
        .any(|o| matches!(o.action, Action::Failed | Action::Interrupted));
    let open = if failed || (mode == Mode::Plan && changed > 0) {
        " open"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "<details{open}><summary>{}. {} — {} resources, {changed} {}</summary>\n",
        index + 1,
        stage.name.as_str(),
        stage.operations.len(),
        if mode == Mode::Plan {
            "to change"
        } else {
            "changed"
        }
    );
    let _ = writeln!(
        out,
        "| resource | name | action | duration |\n|---|---|---|---|"
    );
    for op in &stage.operations {
        let mut action = op.action.as_str().to_string();
        if !op.changes.is_empty() {
            let fields: Vec<String> = op
                .changes
                .iter()
                .map(|c| format!("`{}`", cell(&c.path)))
                .collect();
            action = format!("{action}: {}", fields.join(", "));
        }
        if let Some(note) = &op.note {
            action = format!("{action} ({})", cell(note));
        }
        let duration = if op.action == Action::NotReached {
            String::new()
        } else {
            elapsed(Duration::from_millis(op.duration_ms))
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {action} | {duration} |",
            kind_label(&op.resource_type),
            cell(&op.name)
        );
    }
    let _ = writeln!(out, "\n</details>\n");
    out
}

/// Both APIs → every pool → its members, labelled with region and priority.
pub fn mermaid(routing: &[PoolRoute]) -> String {
    let mut out = String::from("```mermaid\nflowchart LR\n");
    out.push_str("  api_openai[\"API openai<br/>/openai/deployments/{id}/…\"]\n");
    out.push_str("  api_v1[\"API v1<br/>/v1/… (model in body)\"]\n");
    for pool in routing {
        let pool_node = node_id(&pool.pool);
        let _ = writeln!(out, "  {pool_node}[\"{}\"]", label(&pool.pool));
        let _ = writeln!(
            out,
            "  api_openai -->|\"{}\"| {pool_node}",
            label(&pool.deployment)
        );
        let _ = writeln!(
            out,
            "  api_v1 -->|\"{}\"| {pool_node}",
            label(&pool.deployment)
        );
        for member in &pool.members {
            let member_node = node_id(&member.backend);
            let _ = writeln!(
                out,
                "  {member_node}[\"{}<br/>{}\"]",
                label(&member.backend),
                label(&member.region)
            );
            let _ = writeln!(
                out,
                "  {pool_node} -->|\"priority {}\"| {member_node}",
                member.priority
            );
        }
    }
    out.push_str("```\n");
    out
}

fn node_id(name: &str) -> String {
    format!(
        "n_{}",
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect::<String>()
    )
}

/// Mermaid label text inside double quotes.
fn label(text: &str) -> String {
    text.replace('"', "#quot;").replace(['<', '>'], "")
}

/// Text safe inside a Markdown table cell (untrusted text included).
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'")
}

/// A fenced block that the text cannot close early.
fn code_block(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat((longest + 1).max(3));
    format!("{fence}text\n{text}\n{fence}")
}

#[cfg(test)]
mod tests;
