//! Rules across resources that a schema cannot express: referenced user-assigned identities
//! must exist, a DCR's output table must exist in its workspace, a custom table needs
//! `TimeGenerated`; API Management's own rules are in `apim_checks`.

use std::time::Duration;

use serde_json::Value;

use super::apim_checks;
use super::armpath::{self, ArmPath};
use super::kinds::Kind;
use super::reply::{Detail, Outcome, Reply};
use super::state::{Phase, State};

/// `now` is the emulator clock's time ([`super::clock::Clock::now`]).
pub(crate) fn check(
    state: &State,
    kind: Kind,
    path: &ArmPath,
    body: &Value,
    now: Duration,
) -> Outcome<()> {
    identities(state, path, body)?;
    match kind {
        Kind::Table => table(path, body),
        Kind::DataCollectionRule => data_collection_rule(state, body, now),
        Kind::ApimPolicy | Kind::ApimPolicyFragment | Kind::ApimBackend | Kind::ApimOperation => {
            apim_checks::check(state, kind, path, body)
        }
        _ => Ok(()),
    }
}

/// Each key of `identity.userAssignedIdentities` must name an existing identity.
fn identities(state: &State, path: &ArmPath, body: &Value) -> Outcome<()> {
    let Some(assigned) = body
        .pointer("/identity/userAssignedIdentities")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    for id in assigned.keys() {
        let found = state
            .resources
            .get(&armpath::key(id))
            .is_some_and(|r| r.kind == Kind::Identity);
        if !found {
            return Err(Reply::error(
                400,
                "FailedIdentityOperation",
                format!(
                    "Identity operation for resource '{}' failed with error 'Failed to perform \
                     resource identity operation. Status: 'NotFound'. Response: 'The user \
                     assigned identity '{id}' was not found.''.",
                    path.id()
                ),
            ));
        }
    }
    Ok(())
}

/// Custom log tables end in `_CL` and must have a `TimeGenerated` column of type `dateTime`.
fn table(path: &ArmPath, body: &Value) -> Outcome<()> {
    let name = path.name().unwrap_or("");
    if !name.ends_with("_CL") {
        return Ok(());
    }
    let Some(columns) = body
        .pointer("/properties/schema/columns")
        .and_then(Value::as_array)
    else {
        return Ok(());
    };
    let has_time = columns.iter().any(|c| {
        c.get("name").and_then(Value::as_str) == Some("TimeGenerated")
            && c.get("type").and_then(Value::as_str) == Some("dateTime")
    });
    if has_time {
        return Ok(());
    }
    Err(Reply::error(
        400,
        "InvalidParameter",
        format!(
            "Table '{name}': schema update failed. MSG 1005: Table missing mandatory \
             'TimeGenerated' column of type 'dateTime'."
        ),
    ))
}

/// The data collection endpoint and destination workspaces must exist, and a custom output
/// stream needs its table in each destination workspace: created, finished, and old enough.
fn data_collection_rule(state: &State, body: &Value, now: Duration) -> Outcome<()> {
    let mut details = Vec::new();
    if let Some(dce) = body
        .pointer("/properties/dataCollectionEndpointId")
        .and_then(Value::as_str)
        && !state.exists(&armpath::key(dce))
    {
        details.push(Detail::new(
            "InvalidDataCollectionEndpointId",
            "properties.dataCollectionEndpointId",
            format!("Data collection endpoint '{dce}' does not exist."),
        ));
    }
    let mut workspaces: Vec<(String, String)> = Vec::new();
    let destinations = body
        .pointer("/properties/destinations/logAnalytics")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, destination) in destinations.iter().enumerate() {
        let name = destination
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let workspace = destination
            .get("workspaceResourceId")
            .and_then(Value::as_str)
            .unwrap_or("");
        if state.exists(&armpath::key(workspace)) {
            workspaces.push((name.to_string(), workspace.to_string()));
        } else {
            details.push(Detail::new(
                "InvalidDestination",
                &format!("properties.destinations.logAnalytics[{i}]"),
                format!("Log Analytics workspace '{workspace}' does not exist."),
            ));
        }
    }
    let flows = body
        .pointer("/properties/dataFlows")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (i, flow) in flows.iter().enumerate() {
        let Some(table) = flow
            .get("outputStream")
            .and_then(Value::as_str)
            .and_then(|s| s.strip_prefix("Custom-"))
        else {
            continue;
        };
        let targets = flow
            .get("destinations")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for target in targets.iter().filter_map(Value::as_str) {
            let Some((_, workspace)) = workspaces.iter().find(|(n, _)| n == target) else {
                continue;
            };
            let key = armpath::key(&format!("{workspace}/tables/{table}"));
            let ready = state
                .resources
                .get(&key)
                .is_some_and(|t| t.phase == Phase::Succeeded);
            // A table that exists and reports Succeeded is still refused for a few minutes
            // after it was created (evidence in `latency::REALISTIC`); Azure answers exactly as
            // for a missing table.
            let usable = state
                .table_usable_by_rules
                .get(&key)
                .is_none_or(|at| now >= *at);
            if !ready || !usable {
                // The message of current Azure (Azure/Azure-Sentinel#13277).
                details.push(Detail::new(
                    "InvalidOutputTable",
                    &format!("properties.dataFlows[{i}]"),
                    format!(
                        "Table for output stream 'Custom-{table}' is not available for \
                         destination '{target}'. Please ensure that the table exists in Log \
                         Analytics Workspace before creating or updating the rule."
                    ),
                ));
            }
        }
    }
    if details.is_empty() {
        return Ok(());
    }
    Err(Reply::error_with_details(
        400,
        "InvalidPayload",
        "Data collection rule is invalid",
        details,
    ))
}
