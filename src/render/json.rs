//! Any result value as the one JSON document `--output json` writes to stdout.

/// Pretty-printed JSON of `value`.
pub fn render(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|e| {
        // Only a map with non-string keys fails to serialise; aigw's values have none.
        serde_json::json!({ "error": format!("cannot serialise the result: {e}") }).to_string()
    })
}
