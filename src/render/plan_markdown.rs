//! The plan as Markdown, for a PR comment or a job summary.

use std::fmt::Write;

use crate::plan::Plan;
use crate::plan::ids::OFFLINE_SUBSCRIPTION;

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### aigw plan: {} resources in {} stages\n",
        plan.operation_count(),
        plan.stages.len()
    );
    let subscription = if plan.subscription_id == OFFLINE_SUBSCRIPTION {
        "none (offline plan)".to_string()
    } else {
        format!("`{}`", plan.subscription_id)
    };
    let _ = writeln!(
        out,
        "Resource group `{}` in `{}`, subscription {subscription}.\n",
        plan.resource_group, plan.location
    );
    for (index, stage) in plan.stages.iter().enumerate() {
        let _ = writeln!(
            out,
            "#### {}. {} — {}\n",
            index + 1,
            stage.name.as_str(),
            stage.name.description()
        );
        let _ = writeln!(out, "| resource | name | location | settings |");
        let _ = writeln!(out, "|---|---|---|---|");
        for operation in &stage.operations {
            let settings: Vec<String> = operation
                .settings
                .iter()
                .map(|s| format!("{}: {}", escape(s.label), escape(&s.value)))
                .collect();
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                operation.kind,
                escape(&operation.title),
                operation.location.as_deref().unwrap_or(""),
                settings.join("<br>")
            );
        }
        let _ = writeln!(out);
    }
    out
}

/// Keeps table cells intact: pipes and line breaks would end the cell.
fn escape(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
