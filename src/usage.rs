//! The usage row: one list of columns that generates the `AIUsageLog_CL` table schema, the DCR
//! stream declaration, and the README's column table, and that the policies must emit exactly.
//!
//! Table column types are camel case (`dateTime`, Tables.json `Column.type`); DCR stream column
//! types are lower case (`datetime`, dataCollectionRules_API.json `ColumnDefinition.type`).

use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    DateTime,
    String,
    Int,
    Long,
    Boolean,
}

impl ColumnKind {
    /// The Log Analytics table type.
    pub fn table_type(self) -> &'static str {
        match self {
            ColumnKind::DateTime => "dateTime",
            ColumnKind::String => "string",
            ColumnKind::Int => "int",
            ColumnKind::Long => "long",
            ColumnKind::Boolean => "boolean",
        }
    }

    /// The DCR stream declaration type.
    pub fn stream_type(self) -> &'static str {
        match self {
            ColumnKind::DateTime => "datetime",
            ColumnKind::String => "string",
            ColumnKind::Int => "int",
            ColumnKind::Long => "long",
            ColumnKind::Boolean => "boolean",
        }
    }
}

pub struct Column {
    pub name: &'static str,
    pub kind: ColumnKind,
    pub description: &'static str,
}

const fn column(name: &'static str, kind: ColumnKind, description: &'static str) -> Column {
    Column {
        name,
        kind,
        description,
    }
}

/// Every column of a usage row, in the order the table declares them.
pub const COLUMNS: &[Column] = &[
    column(
        "TimeGenerated",
        ColumnKind::DateTime,
        "when the gateway received the request (UTC)",
    ),
    column(
        "RequestId",
        ColumnKind::String,
        "APIM request id; also in every aigw error message",
    ),
    column("ApiShape", ColumnKind::String, "`openai` or `v1`"),
    column(
        "OperationPath",
        ColumnKind::String,
        "path after the deployment, for example `chat/completions`, the same for both shapes; never the query string",
    ),
    column(
        "DeploymentName",
        ColumnKind::String,
        "deployment the caller asked for (at most 128 characters)",
    ),
    column(
        "ResponseModel",
        ColumnKind::String,
        "`model` of a successful JSON response, for example `gpt-5.4-mini-2026-03-17`",
    ),
    column(
        "PoolId",
        ColumnKind::String,
        "`pool-{dep}` the call was routed to; null when rejected before routing",
    ),
    column(
        "BackendId",
        ColumnKind::String,
        "`context.Backend.Id` after the last attempt, name part only; *to verify* whether it names the member or the pool",
    ),
    column(
        "BackendRegion",
        ColumnKind::String,
        "`x-ms-region` header of the last backend answer (a display name such as `Sweden Central`), else `context.Backend.AzureRegion`",
    ),
    column(
        "Attempts",
        ColumnKind::Int,
        "`forward-request` executions; 0 when the call never reached a backend",
    ),
    column("StatusCode", ColumnKind::Int, "status the caller received"),
    column(
        "ErrorReason",
        ColumnKind::String,
        "null on success; else the aigw reason (`missing_model`, `deployment_not_found`, `upstream_429`, `upstream_503`, `pool_unavailable:...`, `backend_timeout`, ...), the backend's `error.code` (for example `content_filter`), or `http_<status>`",
    ),
    column(
        "IsStreaming",
        ColumnKind::Boolean,
        "the request asked for `stream: true` or the response is `text/event-stream`",
    ),
    column(
        "PromptTokens",
        ColumnKind::Int,
        "`usage.prompt_tokens` (Responses API: `input_tokens`)",
    ),
    column(
        "CompletionTokens",
        ColumnKind::Int,
        "`usage.completion_tokens` (`output_tokens`)",
    ),
    column("TotalTokens", ColumnKind::Int, "`usage.total_tokens`"),
    column(
        "CachedTokens",
        ColumnKind::Int,
        "`usage.prompt_tokens_details.cached_tokens` (`input_tokens_details.cached_tokens`)",
    ),
    column(
        "ReasoningTokens",
        ColumnKind::Int,
        "`usage.completion_tokens_details.reasoning_tokens` (`output_tokens_details.reasoning_tokens`)",
    ),
    column(
        "LatencyMs",
        ColumnKind::Long,
        "gateway time from receiving the request to building the row: the whole call for buffered answers, time to the response headers for streams",
    ),
    column("SubscriptionId", ColumnKind::String, "APIM subscription id"),
    column(
        "SubscriptionName",
        ColumnKind::String,
        "APIM subscription display name",
    ),
    column(
        "ProductName",
        ColumnKind::String,
        "APIM product of the subscription",
    ),
    column(
        "CallerAppId",
        ColumnKind::String,
        "`azp` or `appid` of a caller token validated by a global or product policy, see below; otherwise null",
    ),
    column(
        "GatewayRegion",
        ColumnKind::String,
        "`context.Deployment.Region`",
    ),
    column(
        "ResponseId",
        ColumnKind::String,
        "`id` of a successful JSON response (`chatcmpl-...`, `resp_...`)",
    ),
];

/// `properties.schema.columns` of the Log Analytics table.
pub fn table_columns() -> Value {
    Value::Array(
        COLUMNS
            .iter()
            .map(|c| json!({ "name": c.name, "type": c.kind.table_type() }))
            .collect(),
    )
}

/// `columns` of the DCR stream declaration.
pub fn stream_columns() -> Value {
    Value::Array(
        COLUMNS
            .iter()
            .map(|c| json!({ "name": c.name, "type": c.kind.stream_type() }))
            .collect(),
    )
}

/// The README's column table (markdown).
pub fn markdown_table() -> String {
    let mut out = String::from("| column | type | meaning |\n|---|---|---|\n");
    for c in COLUMNS {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            c.name,
            c.kind.table_type(),
            c.description
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README and the policy docs show exactly the column list of the code.
    #[test]
    fn the_docs_show_the_column_list() {
        let table = markdown_table();
        for (name, text) in [
            ("README.md", include_str!("../README.md")),
            ("docs/policies.md", include_str!("../docs/policies.md")),
        ] {
            assert!(
                text.contains(&table),
                "{name} is missing the usage column table:\n{table}"
            );
        }
    }

    #[test]
    fn time_generated_is_the_first_column_and_a_datetime() {
        // Log Analytics rejects custom tables without TimeGenerated (SchemaUpdateFatalError).
        assert_eq!(COLUMNS[0].name, "TimeGenerated");
        assert_eq!(COLUMNS[0].kind.table_type(), "dateTime");
        assert_eq!(COLUMNS[0].kind.stream_type(), "datetime");
    }

    #[test]
    fn column_names_are_unique_and_valid_for_log_analytics() {
        let mut names: Vec<&str> = COLUMNS.iter().map(|c| c.name).collect();
        for name in &names {
            // Column names: start with a letter, alphanumerics/_/-, at most 45 characters.
            assert!(
                name.len() <= 45 && name.starts_with(|c: char| c.is_ascii_alphabetic()),
                "{name}"
            );
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-'),
                "{name}"
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), COLUMNS.len());
    }

    #[test]
    fn table_and_stream_declare_the_same_columns() {
        let table = table_columns();
        let stream = stream_columns();
        let names = |v: &Value| -> Vec<String> {
            v.as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c["name"].as_str().map(String::from))
                .collect()
        };
        assert_eq!(names(&table), names(&stream));
        assert!(
            table.to_string().contains("\"dateTime\"")
                && stream.to_string().contains("\"datetime\"")
        );
    }
}
