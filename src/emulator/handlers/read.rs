//! GET, HEAD and DELETE of one resource. A GET while the resource's operation runs counts as a
//! poll. DELETE is synchronous; deleting an APIM service or a Cognitive Services account
//! soft-deletes it, and a delete removes everything under the resource.

use serde_json::Value;

use crate::emulator::apiversion;
use crate::emulator::armpath::ArmPath;
use crate::emulator::incoming::Incoming;
use crate::emulator::kinds::Kind;
use crate::emulator::reply::{Outcome, Reply};
use crate::emulator::state::{DeletedAccount, DeletedApim, Resource, Shared, State};
use crate::emulator::{timefmt, view};

/// The kind and canonical type of a resource path, after the api-version check.
pub(super) fn resolve(
    shared: &Shared,
    incoming: &Incoming,
    path: &ArmPath,
) -> Outcome<(Kind, String, String)> {
    let resource_type = path.resource_type().unwrap_or_default();
    let kind = Kind::from_type(&resource_type);
    let supported = apiversion::for_resource(&shared.config, kind, &incoming.path);
    if supported.is_empty() {
        return Err(apiversion::unknown_type(&resource_type, incoming));
    }
    let version = apiversion::require(incoming, &supported)?;
    let canonical = Kind::canonical_type(&resource_type)
        .map(str::to_string)
        .unwrap_or(resource_type);
    Ok((kind, canonical, version))
}

pub(crate) fn not_found(state: &State, path: &ArmPath, resource_type: &str) -> Reply {
    if Kind::from_type(resource_type) == Kind::RoleAssignment && path.is_resource() {
        return Reply::error(
            404,
            "RoleAssignmentNotFound",
            format!(
                "The role assignment '{}' is not found.",
                path.name().unwrap_or("")
            ),
        );
    }
    let rg_missing = path
        .resource_group_path()
        .is_some_and(|rg| !state.exists(&rg.key()));
    match (&path.resource_group, rg_missing || path.blocks.is_empty()) {
        (Some(rg), true) => Reply::error(
            404,
            "ResourceGroupNotFound",
            format!("Resource group '{rg}' could not be found."),
        ),
        (rg, _) => Reply::error(
            404,
            "ResourceNotFound",
            format!(
                "The Resource '{resource_type}/{}' under resource group '{}' was not found. For \
                 more details please go to https://aka.ms/ARMResourceNotFoundFix",
                path.name().unwrap_or(""),
                rg.as_deref().unwrap_or("")
            ),
        ),
    }
}

pub(super) fn get(shared: &Shared, incoming: &Incoming, path: &ArmPath) -> Outcome {
    let (_, resource_type, _) = resolve(shared, incoming, path)?;
    let key = path.key();
    let mut state = shared.state();
    if !state.exists(&key) {
        return Err(not_found(&state, path, &resource_type));
    }
    state.running_op(&key, true, shared.now());
    let resource = state
        .resources
        .get(&key)
        .ok_or_else(|| not_found(&state, path, &resource_type))?;
    if incoming.method == "HEAD" && resource.kind == Kind::ResourceGroup {
        return Ok(Reply::empty(204));
    }
    Ok(Reply::json(
        200,
        view::representation(resource, &shared.config, view::wants_rawxml(incoming)),
    ))
}

pub(super) fn delete(shared: &Shared, incoming: &Incoming, path: &ArmPath) -> Outcome {
    let (kind, _, _) = resolve(shared, incoming, path)?;
    let key = path.key();
    let config = &shared.config;
    let mut state = shared.state();
    let Some(existing) = state.resources.get(&key) else {
        return Ok(Reply::empty(204));
    };
    let shown = view::representation(existing, config, false);
    if kind.locks_account() {
        let account = super::put::account_key(path);
        if state.account_busy(&account, shared.now()) {
            return Err(super::put::conflict(&account, &state));
        }
    }
    let removed = state.remove_tree(&key);
    for resource in removed {
        soft_delete(&mut state, resource, &path.subscription);
    }
    if kind == Kind::Project {
        super::put::forget_project(&mut state, path);
    }
    Ok(if kind == Kind::RoleAssignment {
        Reply::json(200, shown)
    } else {
        Reply::empty(200)
    })
}

/// APIM services and Cognitive Services accounts stay soft-deleted for 48 hours.
fn soft_delete(state: &mut State, resource: Resource, subscription: &str) {
    let location = resource
        .body
        .get("location")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let name = resource
        .body
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    match resource.kind {
        Kind::ApimService => state.deleted_apim.push(DeletedApim {
            name,
            location,
            subscription: Some(subscription.to_string()),
            service_id: Some(resource.id.clone()),
            deletion_date: timefmt::now(),
            purge_date: timefmt::days_from_now(2),
            purging: None,
            resource: Some(resource),
        }),
        Kind::Account => {
            let resource_group = ArmPath::parse(&resource.id)
                .and_then(|p| p.resource_group)
                .unwrap_or_default();
            state.deleted_accounts.push(DeletedAccount {
                name,
                location,
                resource_group,
                subscription: Some(subscription.to_string()),
                deletion_date: timefmt::now(),
                purge_date: timefmt::days_from_now(2),
                purging: None,
                resource: Some(resource),
            });
        }
        _ => {}
    }
}
