//! The step outputs of a run, named once: GitHub uses the kebab-case names, Azure DevOps the
//! camelCase ones. Values are strings; objects and arrays are compact JSON.

use serde_json::Value;

use crate::report::{Outcome, RunReport};

/// One output: camelCase name, kebab-case name, value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepOutput {
    pub camel: String,
    pub kebab: String,
    pub value: String,
}

/// Outputs in the order the README documents them.
pub fn step_outputs(report: &RunReport) -> Vec<StepOutput> {
    let mut out: Vec<StepOutput> = report
        .outputs
        .iter()
        .map(|(name, value)| output(name, value_text(value)))
        .collect();
    out.push(output("changes", report.changes.to_string()));
    out.push(output("result", result(report).to_string()));
    out
}

/// `succeeded`, `failed` or `no-changes` (an interrupted run is a failed step).
pub fn result(report: &RunReport) -> &'static str {
    match report.outcome {
        Outcome::Succeeded | Outcome::ChangesPending => "succeeded",
        Outcome::NoChanges => "no-changes",
        Outcome::Failed | Outcome::Interrupted => "failed",
    }
}

fn output(camel: &str, value: String) -> StepOutput {
    StepOutput {
        camel: camel.to_string(),
        kebab: kebab(camel),
        value,
    }
}

fn value_text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `gatewayUrl` → `gateway-url`.
pub fn kebab(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn names() {
        assert_eq!(kebab("gatewayUrl"), "gateway-url");
        assert_eq!(kebab("dceIngestionEndpoint"), "dce-ingestion-endpoint");
        assert_eq!(kebab("changes"), "changes");
    }
}
