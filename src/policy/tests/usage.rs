//! The usage row the policy emits equals `usage::COLUMNS`, and so do the table schema and the
//! DCR stream declaration generated from it.

use serde_json::Value;

use super::super::*;
use crate::usage::{self, COLUMNS, ColumnKind};

fn usage_row() -> PolicyFile {
    embedded()
        .into_iter()
        .find(|f| f.fragment_id() == Some(USAGE_ROW_FRAGMENT))
        .unwrap_or_else(|| panic!("no {USAGE_ROW_FRAGMENT} fragment"))
}

fn fields_of(policy: &PolicyFile) -> Vec<(String, ColumnKind)> {
    usage_fields(policy)
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
        .into_iter()
        .map(|field| (field.name, field.kind))
        .collect()
}

fn edited(find: &str, replace: &str) -> PolicyFile {
    let mut policy = usage_row();
    assert_eq!(policy.text.matches(find).count(), 1, "{find}");
    policy.text = policy.text.replace(find, replace);
    policy
}

#[test]
fn the_policy_emits_exactly_the_columns_in_code_both_ways() {
    let emitted = fields_of(&usage_row());
    for column in COLUMNS {
        let found = emitted.iter().find(|(name, _)| name == column.name);
        assert_eq!(
            found.map(|(_, kind)| *kind),
            Some(column.kind),
            "column {} in usage.rs: the policy emits {found:?}",
            column.name
        );
    }
    for (name, kind) in &emitted {
        let column = COLUMNS.iter().find(|c| c.name == name);
        assert_eq!(
            column.map(|c| c.kind),
            Some(*kind),
            "the policy emits {name} ({}) which usage.rs does not declare so",
            kind.table_type()
        );
    }
    let in_code: Vec<(&str, ColumnKind)> = COLUMNS.iter().map(|c| (c.name, c.kind)).collect();
    let in_policy: Vec<(&str, ColumnKind)> =
        emitted.iter().map(|(n, k)| (n.as_str(), *k)).collect();
    assert_eq!(in_policy, in_code, "same columns, same order");
}

#[test]
fn table_schema_and_stream_declaration_agree_with_the_policy() {
    let emitted = fields_of(&usage_row());
    let pairs = |v: Value| -> Vec<(String, String)> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c["name"].as_str().unwrap_or_default().to_string(),
                    c["type"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let table: Vec<(String, String)> = emitted
        .iter()
        .map(|(n, k)| (n.clone(), k.table_type().to_string()))
        .collect();
    let stream: Vec<(String, String)> = emitted
        .iter()
        .map(|(n, k)| (n.clone(), k.stream_type().to_string()))
        .collect();
    assert_eq!(pairs(usage::table_columns()), table);
    assert_eq!(pairs(usage::stream_columns()), stream);
}

#[test]
fn a_changed_cast_changes_the_kind_read() {
    let policy = edited(
        "row[\"LatencyMs\"] = (long)context.Elapsed",
        "row[\"LatencyMs\"] = (int)context.Elapsed",
    );
    let fields = fields_of(&policy);
    assert!(fields.contains(&("LatencyMs".to_string(), ColumnKind::Int)));
}

#[test]
fn a_field_outside_the_columns_array_is_an_error() {
    let policy = edited("\"GatewayRegion\", \"ResponseId\"", "\"GatewayRegion\"");
    let error = usage_fields(&policy)
        .err()
        .map(|d| d.items[0].message.clone());
    assert_eq!(
        error.as_deref(),
        Some("the row gets field `ResponseId`, which is not in the columns array")
    );
}

#[test]
fn conflicting_kinds_for_one_field_are_an_error() {
    let policy = edited(
        "row[\"ErrorReason\"] = \"usage_row_incomplete\";",
        "row[\"ErrorReason\"] = 5;",
    );
    let error = usage_fields(&policy).err().map(|d| d.render(false));
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("field `ErrorReason` gets a int value")),
        "{error:?}"
    );
}

#[test]
fn a_value_of_unknown_shape_is_an_error_not_a_guess() {
    let policy = edited(
        "row[\"GatewayRegion\"] = context.Deployment.Region;",
        "row[\"GatewayRegion\"] = Something.Else(1);",
    );
    let error = usage_fields(&policy)
        .err()
        .map(|d| d.items[0].message.clone());
    assert_eq!(
        error.as_deref(),
        Some("cannot tell the kind of the value `Something.Else(1)`")
    );
}

#[test]
fn a_round_trip_date_is_a_datetime_and_other_text_is_a_string() {
    let policy = edited(
        "row[\"TimeGenerated\"] = DateTime.UtcNow.Subtract(context.Elapsed).ToString(\"o\");",
        "row[\"TimeGenerated\"] = DateTime.UtcNow.ToString(\"yyyy\");",
    );
    let error = usage_fields(&policy)
        .err()
        .map(|d| d.items[0].message.clone());
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("field `TimeGenerated` gets a string value")),
        "{error:?}"
    );
}
