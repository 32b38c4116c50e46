//! The run as Markdown: the GitHub job summary, the Azure DevOps summary tab and the sticky PR
//! comment of a live plan. Headline, failure, routing (Mermaid), outputs, then a table per stage.
//! Kept under GitHub's 1 MiB step-summary limit with a visible note when stage details are cut.

use std::fmt::Write;
use std::time::Duration;

use serde_json::Value;

use crate::duration::human;
use crate::plan::{PoolRoute, kind_label};
use crate::report::{Action, Mode, Outcome, RunReport};

/// GitHub refuses step summaries above 1 MiB (actions/runner `AttachmentSizeLimit`).
pub const GITHUB_SUMMARY_LIMIT: usize = 1024 * 1024;
/// GitHub refuses issue comments longer than 65,536 characters; this leaves room for the marker.
pub const PR_COMMENT_LIMIT: usize = 60_000;
/// A failure message longer than this is cut in the summary (the log has all of it).
const MESSAGE_LIMIT: usize = 8_000;

/// Where the Markdown goes; each target has its own size limit and capabilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// `$GITHUB_STEP_SUMMARY`.
    GitHubSummary,
    /// The sticky comment of a pull request: public to everyone who can read the PR, so the
    /// subscription id is left out.
    PullRequestComment,
    /// The Azure DevOps summary tab, which renders neither Mermaid nor `<details>`.
    AzureDevOpsSummary,
    /// `plan --output markdown`.
    Stdout,
}

impl Target {
    fn limit(self) -> usize {
        match self {
            Target::PullRequestComment => PR_COMMENT_LIMIT,
            Target::GitHubSummary | Target::AzureDevOpsSummary => GITHUB_SUMMARY_LIMIT,
            Target::Stdout => usize::MAX,
        }
    }

    fn rich(self) -> bool {
        self != Target::AzureDevOpsSummary
    }
}

pub fn render(report: &RunReport, target: Target) -> String {
    render_within(report, target, target.limit())
}

/// [`render`] with an explicit size limit (the sections that do not fit are left out, with a note).
pub fn render_within(report: &RunReport, target: Target, limit: usize) -> String {
    let mut sections: Vec<String> = Vec::new();
    let mut head = format!("## {}\n\n", headline(report));
    let subscription = if target == Target::PullRequestComment {
        String::new()
    } else {
        format!(" · subscription `{}`", report.subscription_id)
    };
    let _ = writeln!(
        head,
        "Resource group `{}`{subscription} · {} · {} ARM requests ({} writes, {} retries)\n",
        report.resource_group,
        human(Duration::from_millis(report.duration_ms)),
        report.requests.reads + report.requests.writes + report.requests.polls,
        report.requests.writes,
        report.requests.retries,
    );
    sections.push(head);
    if let Some(failure) = &report.failure {
        let mut section = String::from("### Error\n\n");
        if let Some(resource) = failure.title.as_ref().or(failure.resource.as_ref()) {
            let kind = failure
                .kind
                .or_else(|| failure.resource_type.as_deref().map(kind_label))
                .unwrap_or("resource");
            let _ = writeln!(section, "**{}** `{}`\n", cell(kind), cell(resource));
        }
        let _ = writeln!(
            section,
            "{}\n",
            code_block(&shorten(&failure.message, MESSAGE_LIMIT))
        );
        if let Some(remedy) = &failure.remedy {
            let _ = writeln!(section, "**How to fix:** {}\n", cell(remedy));
        }
        sections.push(section);
    }
    for warning in &report.warnings {
        sections.push(format!(
            "> **Warning:** {}\n\n",
            cell(&shorten(warning, MESSAGE_LIMIT))
        ));
    }
    if !report.routing.is_empty() {
        let routing = if target.rich() {
            mermaid(&report.routing)
        } else {
            routing_list(&report.routing)
        };
        sections.push(format!("### Routing\n\n{routing}\n"));
    }
    if report.mode == Mode::Deploy && !report.outputs.is_empty() {
        let mut section = String::from("### Outputs\n\n| output | value |\n|---|---|\n");
        for (name, value) in &report.outputs {
            let text = match value {
                Value::Null => "—".to_string(),
                Value::String(s) => format!("`{}`", cell(s)),
                other => format!("`{}`", cell(&other.to_string())),
            };
            let _ = writeln!(section, "| {name} | {text} |");
        }
        section.push('\n');
        sections.push(section);
    }
    sections.push("### Stages\n\n".to_string());
    for (index, stage) in report.stages.iter().enumerate() {
        sections.push(stage_section(report.mode, index, stage, target.rich()));
    }

    let note = truncation_note(target);
    let mut out = String::new();
    for section in sections {
        if out.len() + section.len() + note.len() > limit {
            out.push_str(&note);
            return out;
        }
        out.push_str(&section);
    }
    out
}

fn truncation_note(target: Target) -> String {
    let why = match target {
        Target::PullRequestComment => "GitHub's comment size limit",
        _ => "GitHub's 1 MiB summary limit",
    };
    format!(
        "\n> **Truncated** to stay under {why}; the job log and `--output json` have every resource.\n"
    )
}

/// The failure of a run that stopped before it produced a report (invalid input, no credential).
pub fn render_error(command: &str, message: &str, target: Target) -> String {
    let text = format!(
        "## ❌ aigw {command} failed\n\n{}\n",
        code_block(&shorten(message, MESSAGE_LIMIT))
    );
    if text.len() > target.limit() {
        shorten(&text, target.limit())
    } else {
        text
    }
}

fn shorten(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max.saturating_sub(20);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… (shortened)", &text[..end])
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

fn stage_section(
    mode: Mode,
    index: usize,
    stage: &crate::report::StageReport,
    rich: bool,
) -> String {
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
    let title = format!(
        "{}. {} — {} resources, {changed} {}",
        index + 1,
        stage.name.as_str(),
        stage.operations.len(),
        if mode == Mode::Plan {
            "to change"
        } else {
            "changed"
        }
    );
    if rich {
        let _ = writeln!(out, "<details{open}><summary>{title}</summary>\n");
    } else {
        let _ = writeln!(out, "#### {title}\n");
    }
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
            human(Duration::from_millis(op.duration_ms))
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {action} | {duration} |",
            op.kind,
            cell(&op.title)
        );
    }
    let _ = writeln!(out, "{}", if rich { "\n</details>\n" } else { "" });
    out
}

/// Both APIs → every pool → its members, labelled with region and priority. Node ids are
/// positional, so distinct names can never merge into one node.
pub fn mermaid(routing: &[PoolRoute]) -> String {
    let mut out = String::from("```mermaid\nflowchart LR\n");
    out.push_str("  api_openai[\"API openai<br/>/openai/deployments/{id}/…\"]\n");
    out.push_str("  api_v1[\"API v1<br/>/v1/… (model in body)\"]\n");
    for (p, pool) in routing.iter().enumerate() {
        let pool_node = format!("pool{p}");
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
        for (m, member) in pool.members.iter().enumerate() {
            let member_node = format!("pool{p}m{m}");
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

/// The routing as nested lists, for renderers without Mermaid.
fn routing_list(routing: &[PoolRoute]) -> String {
    let mut out = String::new();
    for pool in routing {
        let _ = writeln!(
            out,
            "- `{}` (deployment `{}`), both APIs:",
            cell(&pool.pool),
            cell(&pool.deployment)
        );
        for member in &pool.members {
            let _ = writeln!(
                out,
                "  - priority {}: `{}` ({})",
                member.priority,
                cell(&member.backend),
                cell(&member.region)
            );
        }
    }
    out
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
