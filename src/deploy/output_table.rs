//! A data collection rule written right after its custom table was created.
//!
//! For a few minutes after a new custom table reports `Succeeded`, Azure Monitor refuses a data
//! collection rule that sends to it: 400 `InvalidPayload` "Data collection rule is invalid" with
//! a detail `InvalidOutputTable` "Table for output stream 'Custom-X_CL' is not available for
//! destination ..." (MicrosoftDocs/azure-docs#113557, Azure/Azure-Sentinel#13277). A rerun a few
//! minutes later succeeds: "If it fails, just wait a few minutes and run again"
//! (hashicorp/terraform-provider-azurerm#21897), "Running `dsh sre deploy ...` again completes
//! deployment successfully" (alan-turing-institute/data-safe-haven#2220). So that error, naming a
//! table the rule sends to and that exists, means "not ready yet"
//! ([`crate::kind::NotReadyYet::OutputTableNotAccepted`]): `super::not_ready` waits for it within
//! `--resource-timeout`, shown as waiting; any other `InvalidPayload` fails at once. This module
//! recognises the error and checks the table.

use serde_json::Value;

use crate::arm::{ArmClient, ArmError, ArmErrorKind, ErrorBody};
use crate::kind::{NotReadyYet, ResourceKind};

/// A custom table a rule sends to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputTable {
    /// `AIUsageLog_CL` for the output stream `Custom-AIUsageLog_CL`.
    pub name: String,
    /// The Log Analytics workspace of the destination.
    pub workspace: String,
}

/// Every custom table `rule` (a DCR body) sends to, with its destination workspace.
pub fn output_tables(rule: &Value) -> Vec<OutputTable> {
    let list = |pointer: &str| {
        rule.pointer(pointer)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let workspaces = list("/properties/destinations/logAnalytics");
    let mut out = Vec::new();
    for flow in list("/properties/dataFlows") {
        let Some(name) = flow
            .get("outputStream")
            .and_then(Value::as_str)
            .and_then(|s| s.strip_prefix("Custom-"))
        else {
            continue;
        };
        for destination in flow
            .get("destinations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let workspace = workspaces
                .iter()
                .find(|w| w.get("name") == Some(destination))
                .and_then(|w| w.get("workspaceResourceId"))
                .and_then(Value::as_str);
            if let Some(workspace) = workspace {
                let table = OutputTable {
                    name: name.to_string(),
                    workspace: workspace.to_string(),
                };
                if !out.contains(&table) {
                    out.push(table);
                }
            }
        }
    }
    out
}

/// The table `error` says is not available as an output yet: `InvalidOutputTable` (as the code
/// or in a detail), or an `InvalidPayload` whose message names one of `tables`.
pub fn unavailable<'a>(error: &ArmError, tables: &'a [OutputTable]) -> Option<&'a OutputTable> {
    let body = match &error.kind {
        ArmErrorKind::Status {
            status: 400, error, ..
        }
        | ArmErrorKind::OperationFailed { error, .. } => error,
        _ => return None,
    };
    let named = tables.iter().find(|t| mentions(body, &t.name));
    if has_code(body, NotReadyYet::OutputTableNotAccepted.code()) {
        return named.or(tables.first());
    }
    (body.code == "InvalidPayload").then_some(named).flatten()
}

fn has_code(body: &ErrorBody, code: &str) -> bool {
    body.code == code || body.details.iter().any(|d| has_code(d, code))
}

fn mentions(body: &ErrorBody, table: &str) -> bool {
    body.message.contains(table) || body.details.iter().any(|d| mentions(d, table))
}

/// Whether `table` exists: waiting helps only for a table that does (a missing one is a real
/// error).
pub async fn exists(client: &ArmClient, table: &OutputTable) -> Result<bool, ArmError> {
    let path = format!("{}/tables/{}", table.workspace, table.name);
    Ok(client
        .get(&path, ResourceKind::CustomTable.api_version())
        .await?
        .is_some())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn rule() -> Value {
        json!({"properties": {
            "destinations": {"logAnalytics": [{"workspaceResourceId": "/w/ws1", "name": "one"}]},
            "dataFlows": [
                {"streams": ["Custom-A_CL"], "destinations": ["one"], "outputStream": "Custom-A_CL"},
                {"streams": ["Microsoft-Perf"], "destinations": ["one"], "outputStream": "Microsoft-Perf"}
            ]
        }})
    }

    fn status(code: &str, message: &str, details: Vec<ErrorBody>) -> ArmError {
        ArmError {
            method: "PUT".into(),
            url: "/x".into(),
            kind: ArmErrorKind::Status {
                status: 400,
                error: Box::new(ErrorBody {
                    code: code.into(),
                    message: message.into(),
                    target: None,
                    details,
                }),
                request_id: None,
                correlation_id: None,
            },
        }
    }

    fn detail(code: &str, message: &str) -> ErrorBody {
        ErrorBody {
            code: code.into(),
            message: message.into(),
            target: Some("properties.dataFlows[0]".into()),
            details: Vec::new(),
        }
    }

    #[test]
    fn custom_output_streams_are_the_tables() {
        assert_eq!(
            output_tables(&rule()),
            [OutputTable {
                name: "A_CL".into(),
                workspace: "/w/ws1".into()
            }]
        );
    }

    #[test]
    fn only_the_output_table_error_is_a_wait() {
        let tables = output_tables(&rule());
        // As Azure answers (Azure/Azure-Sentinel#13277).
        let azure = status(
            "InvalidPayload",
            "Data collection rule is invalid",
            vec![detail(
                "InvalidOutputTable",
                "Table for output stream 'Custom-A_CL' is not available for destination 'one'.",
            )],
        );
        assert_eq!(
            unavailable(&azure, &tables).map(|t| &t.name[..]),
            Some("A_CL")
        );
        let top_level = status("InvalidOutputTable", "not available", vec![]);
        assert!(unavailable(&top_level, &tables).is_some());
        let naming = status("InvalidPayload", "Table 'Custom-A_CL' is not ready", vec![]);
        assert!(unavailable(&naming, &tables).is_some());
        // Anything else about the rule fails at once.
        let other = status(
            "InvalidPayload",
            "Data collection rule is invalid",
            vec![detail("InvalidTransformQuery", "'source | x' is not valid")],
        );
        assert!(unavailable(&other, &tables).is_none());
        let not_ours = status("InvalidPayload", "Table 'Custom-B_CL' is not ready", vec![]);
        assert!(unavailable(&not_ours, &tables).is_none());
        let forbidden = ArmError {
            kind: ArmErrorKind::Status {
                status: 403,
                error: Box::new(detail("InvalidOutputTable", "A_CL")),
                request_id: None,
                correlation_id: None,
            },
            ..top_level
        };
        assert!(unavailable(&forbidden, &tables).is_none());
    }
}
