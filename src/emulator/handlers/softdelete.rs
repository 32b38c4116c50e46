//! Soft-deleted APIM services (`.../providers/Microsoft.ApiManagement/[locations/{loc}/]deletedservices`)
//! and Cognitive Services accounts (`.../providers/Microsoft.CognitiveServices/[locations/{loc}/resourceGroups/{rg}/]deletedAccounts`):
//! list, get, and purge (DELETE: 202 + `Location`; the entry goes when the operation finishes).

use serde_json::{Value, json};

use crate::emulator::apiversion;
use crate::emulator::armpath::ArmPath;
use crate::emulator::computed::normalize_location;
use crate::emulator::incoming::Incoming;
use crate::emulator::kinds::{ACCOUNT_DELETED_VERSIONS, APIM_DELETED_VERSIONS};
use crate::emulator::latency::{ACCOUNT_PURGE, APIM_PURGE};
use crate::emulator::ops::{OpStatus, OpTarget, Operation};
use crate::emulator::reply::{Outcome, Reply};
use crate::emulator::state::{DeletedAccount, DeletedApim, Shared, State};
use crate::emulator::timefmt;

fn versions(shared: &Shared, base: &[&str], sample_path: &str) -> Vec<String> {
    let mut versions = apiversion::from_list(base);
    if let Some(specs) = &shared.config.specs {
        versions.extend(specs.api_versions_for(sample_path));
    }
    versions
}

fn visible(subscription: &Option<String>, path: &ArmPath) -> bool {
    subscription
        .as_deref()
        .is_none_or(|s| s.eq_ignore_ascii_case(&path.subscription))
}

fn service_json(deleted: &DeletedApim, path: &ArmPath) -> Value {
    let location = normalize_location(&deleted.location);
    let service_id = deleted.service_id.clone().unwrap_or_else(|| {
        format!(
            "/subscriptions/{}/resourceGroups/unknown/providers/Microsoft.ApiManagement/service/{}",
            path.subscription, deleted.name
        )
    });
    json!({
        "id": format!(
            "/subscriptions/{}/providers/Microsoft.ApiManagement/locations/{location}/deletedservices/{}",
            path.subscription, deleted.name
        ),
        "name": deleted.name,
        "type": "Microsoft.ApiManagement/deletedservices",
        "location": deleted.location,
        "properties": {
            "serviceId": service_id,
            "scheduledPurgeDate": deleted.purge_date,
            "deletionDate": deleted.deletion_date
        }
    })
}

fn account_json(deleted: &DeletedAccount, path: &ArmPath) -> Value {
    let mut body = deleted
        .resource
        .as_ref()
        .map(|r| r.body.clone())
        .unwrap_or_else(
            || json!({ "kind": "AIServices", "sku": { "name": "S0" }, "properties": {} }),
        );
    let location = normalize_location(&deleted.location);
    body["id"] = json!(format!(
        "/subscriptions/{}/providers/Microsoft.CognitiveServices/locations/{location}/resourceGroups/{}/deletedAccounts/{}",
        path.subscription, deleted.resource_group, deleted.name
    ));
    body["name"] = json!(deleted.name);
    body["type"] = json!("Microsoft.CognitiveServices/locations/resourceGroups/deletedAccounts");
    body["location"] = json!(deleted.location);
    if let Some(properties) = body.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert("deletionDate".into(), json!(deleted.deletion_date));
        properties.insert("scheduledPurgeDate".into(), json!(deleted.purge_date));
        properties.insert("provisioningState".into(), json!("Deleted"));
    }
    body
}

fn not_found(what: &str, name: &str) -> Reply {
    Reply::error(
        404,
        "ResourceNotFound",
        format!("The soft-deleted {what} '{name}' was not found."),
    )
}

pub(super) fn list_services(shared: &Shared, incoming: &Incoming, path: &ArmPath) -> Outcome {
    apiversion::require(
        incoming,
        &versions(shared, APIM_DELETED_VERSIONS, &incoming.path),
    )?;
    let mut state = shared.state();
    state.refresh_all(shared.now());
    let value: Vec<Value> = state
        .deleted_apim
        .iter()
        .filter(|d| visible(&d.subscription, path))
        .map(|d| service_json(d, path))
        .collect();
    Ok(Reply::json(200, json!({ "value": value })))
}

pub(super) fn list_accounts(shared: &Shared, incoming: &Incoming, path: &ArmPath) -> Outcome {
    apiversion::require(
        incoming,
        &versions(shared, ACCOUNT_DELETED_VERSIONS, &incoming.path),
    )?;
    let mut state = shared.state();
    state.refresh_all(shared.now());
    let value: Vec<Value> = state
        .deleted_accounts
        .iter()
        .filter(|d| visible(&d.subscription, path))
        .map(|d| account_json(d, path))
        .collect();
    Ok(Reply::json(200, json!({ "value": value })))
}

pub(super) fn service(
    shared: &Shared,
    incoming: &Incoming,
    path: &ArmPath,
    location: &str,
    name: &str,
) -> Outcome {
    apiversion::require(
        incoming,
        &versions(shared, APIM_DELETED_VERSIONS, &incoming.path),
    )?;
    let mut state = shared.state();
    state.refresh_all(shared.now());
    let index = state
        .deleted_apim
        .iter()
        .position(|d| {
            d.name.eq_ignore_ascii_case(name)
                && normalize_location(&d.location) == normalize_location(location)
                && visible(&d.subscription, path)
        })
        .ok_or_else(|| not_found("service", name))?;
    if incoming.method == "GET" {
        return Ok(Reply::json(
            200,
            service_json(&state.deleted_apim[index], path),
        ));
    }
    let op = purge(
        shared,
        &mut state,
        incoming,
        path,
        location,
        OpTarget::PurgeApim(name.to_ascii_lowercase()),
        APIM_PURGE,
    );
    state.deleted_apim[index].purging = Some(op.clone());
    Ok(accepted(shared, incoming, &state, &op))
}

pub(super) fn account(
    shared: &Shared,
    incoming: &Incoming,
    path: &ArmPath,
    location: &str,
    resource_group: &str,
    name: &str,
) -> Outcome {
    apiversion::require(
        incoming,
        &versions(shared, ACCOUNT_DELETED_VERSIONS, &incoming.path),
    )?;
    let mut state = shared.state();
    state.refresh_all(shared.now());
    let index = state
        .deleted_accounts
        .iter()
        .position(|d| {
            d.name.eq_ignore_ascii_case(name)
                && d.resource_group.eq_ignore_ascii_case(resource_group)
                && normalize_location(&d.location) == normalize_location(location)
                && visible(&d.subscription, path)
        })
        .ok_or_else(|| not_found("account", name))?;
    if incoming.method == "GET" {
        return Ok(Reply::json(
            200,
            account_json(&state.deleted_accounts[index], path),
        ));
    }
    let target = OpTarget::PurgeAccount(state.deleted_accounts[index].key());
    let op = purge(
        shared,
        &mut state,
        incoming,
        path,
        location,
        target,
        ACCOUNT_PURGE,
    );
    state.deleted_accounts[index].purging = Some(op.clone());
    Ok(accepted(shared, incoming, &state, &op))
}

/// Starts (or reuses the running) purge operation; returns its id.
fn purge(
    shared: &Shared,
    state: &mut State,
    incoming: &Incoming,
    path: &ArmPath,
    location: &str,
    target: OpTarget,
    latency_type: &str,
) -> String {
    if let Some(running) = state
        .ops
        .values()
        .find(|o| o.running() && o.target == target)
    {
        return running.id.clone();
    }
    let op = Operation {
        id: uuid::Uuid::new_v4().to_string(),
        target,
        lock: None,
        started: shared.clock.now(),
        duration: shared.config.latency.duration_for(latency_type),
        polls: 0,
        failure: None,
        status: OpStatus::InProgress,
        start_time: timefmt::now(),
        end_time: None,
        subscription: path.subscription.clone(),
        namespace: path
            .blocks
            .last()
            .map(|b| b.namespace.clone())
            .unwrap_or_default(),
        location: normalize_location(location),
        api_version: incoming.api_version().unwrap_or_default().to_string(),
    };
    let id = op.id.clone();
    state.ops.insert(id.clone(), op);
    id
}

fn accepted(shared: &Shared, incoming: &Incoming, state: &State, op: &str) -> Reply {
    let location = state
        .ops
        .get(op)
        .map(|o| o.result_url(&incoming.base))
        .unwrap_or_default();
    Reply::empty(202)
        .header("Location", location)
        .header("Retry-After", shared.config.retry_after_secs.to_string())
}
