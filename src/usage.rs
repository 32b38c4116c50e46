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
        "When the gateway finished the call (UTC). Required by Log Analytics.",
    ),
    column(
        "RequestId",
        ColumnKind::String,
        "APIM request id (`context.RequestId`).",
    ),
    column(
        "ApiShape",
        ColumnKind::String,
        "`openai` (Azure OpenAI paths) or `v1` (OpenAI v1 paths).",
    ),
    column(
        "OperationPath",
        ColumnKind::String,
        "Path after the deployment, e.g. `chat/completions`.",
    ),
    column(
        "DeploymentName",
        ColumnKind::String,
        "Deployment the caller asked for.",
    ),
    column(
        "ResponseModel",
        ColumnKind::String,
        "`model` field of the response body.",
    ),
    column(
        "PoolId",
        ColumnKind::String,
        "Backend pool the call was routed to.",
    ),
    column(
        "BackendId",
        ColumnKind::String,
        "Backend that answered (when known).",
    ),
    column(
        "BackendRegion",
        ColumnKind::String,
        "Azure region that answered (`x-ms-region` response header).",
    ),
    column(
        "Attempts",
        ColumnKind::Int,
        "Forwarding attempts, including failovers (1 = no failover).",
    ),
    column(
        "StatusCode",
        ColumnKind::Int,
        "Status code returned to the caller.",
    ),
    column(
        "ErrorReason",
        ColumnKind::String,
        "Error source and reason for failed calls.",
    ),
    column(
        "IsStreaming",
        ColumnKind::Boolean,
        "The call requested a streamed response; token columns are then empty.",
    ),
    column(
        "PromptTokens",
        ColumnKind::Int,
        "`usage.prompt_tokens` (or `input_tokens`).",
    ),
    column(
        "CompletionTokens",
        ColumnKind::Int,
        "`usage.completion_tokens` (or `output_tokens`).",
    ),
    column("TotalTokens", ColumnKind::Int, "`usage.total_tokens`."),
    column("CachedTokens", ColumnKind::Int, "Cached prompt tokens."),
    column("ReasoningTokens", ColumnKind::Int, "Reasoning tokens."),
    column(
        "LatencyMs",
        ColumnKind::Long,
        "Gateway time for the whole call in milliseconds.",
    ),
    column(
        "SubscriptionId",
        ColumnKind::String,
        "APIM subscription id of the caller.",
    ),
    column(
        "SubscriptionName",
        ColumnKind::String,
        "APIM subscription name of the caller.",
    ),
    column(
        "ProductName",
        ColumnKind::String,
        "APIM product of the subscription.",
    ),
    column(
        "CallerAppId",
        ColumnKind::String,
        "`appid`/`azp` claim of the caller's Entra token, when one was sent.",
    ),
    column(
        "GatewayRegion",
        ColumnKind::String,
        "APIM region that handled the call (`context.Deployment.Region`).",
    ),
    column(
        "ResponseId",
        ColumnKind::String,
        "`id` field of the response body.",
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
