//! The plan for a terminal or a CI log.

use std::fmt::Write;

use crate::plan::Plan;
use crate::plan::ids::OFFLINE_SUBSCRIPTION;

pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    let stages = plan.stages.len();
    let _ = writeln!(
        out,
        "Plan: {} resources in {stages} stages",
        plan.operation_count()
    );
    if plan.subscription_id == OFFLINE_SUBSCRIPTION {
        let _ = writeln!(
            out,
            "  subscription:   none given (offline; ids show {OFFLINE_SUBSCRIPTION})"
        );
    } else {
        let _ = writeln!(out, "  subscription:   {}", plan.subscription_id);
    }
    let _ = writeln!(
        out,
        "  resource group: {} ({})",
        plan.resource_group, plan.location
    );
    for (index, stage) in plan.stages.iter().enumerate() {
        let _ = writeln!(out);
        let _ = writeln!(
            out,
            "[{}/{stages}] {} — {} ({})",
            index + 1,
            stage.name.as_str(),
            stage.name.description(),
            count(stage.operations.len(), "resource")
        );
        for operation in &stage.operations {
            let location = operation.location.as_deref().unwrap_or("");
            let line = format!(
                "  {:<24} {:<44} {location}",
                operation.kind, operation.title
            );
            let _ = writeln!(out, "{}", line.trim_end());
            for setting in &operation.settings {
                let _ = writeln!(out, "      {}: {}", setting.label, setting.value);
            }
        }
    }
    let _ = writeln!(out);
    let names: Vec<&str> = plan.outputs.iter().map(|o| o.name).collect();
    let _ = writeln!(out, "Outputs after deploy: {}", names.join(", "));
    out
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
