//! PUT of a resource: the checks in ARM's order (registration, resource group, parent, body,
//! soft-delete, busy account, cross-resource rules), then the stored representation and the
//! long-running operation in the style of the type.

use serde_json::{Map, Value, json};

use super::{Handled, read, role};
use crate::emulator::armpath::ArmPath;
use crate::emulator::computed::{self, normalize_location};
use crate::emulator::fault::MatchInput;
use crate::emulator::incoming::Incoming;
use crate::emulator::kinds::{Kind, Lro};
use crate::emulator::ops::{OpStatus, OpTarget, Operation};
use crate::emulator::reply::{Outcome, Reply};
use crate::emulator::state::{Phase, Resource, Shared, State};
use crate::emulator::{semantic, timefmt, validation, view};

pub(super) fn put(
    shared: &Shared,
    incoming: &Incoming,
    path: &ArmPath,
    input: &MatchInput<'_>,
) -> Handled {
    match put_resource(shared, incoming, path, input) {
        Ok(handled) => handled,
        Err(reply) => (reply, None),
    }
}

fn put_resource(
    shared: &Shared,
    incoming: &Incoming,
    path: &ArmPath,
    input: &MatchInput<'_>,
) -> Outcome<Handled> {
    let (kind, resource_type, api_version) = read::resolve(shared, incoming, path)?;
    if kind == Kind::RoleAssignment {
        return role::put(shared, incoming, path, &resource_type);
    }
    let apim = resource_type.starts_with("Microsoft.ApiManagement/");
    let body = incoming.json_body(apim)?;
    let config = &shared.config;
    let mut state = shared.state();
    let namespace = resource_type.split('/').next().unwrap_or("");
    if !state.is_registered(namespace) {
        return Err(Reply::error(
            409,
            "MissingSubscriptionRegistration",
            format!(
                "The subscription is not registered to use namespace '{namespace}'. See \
                 https://aka.ms/rps-not-found for how to register subscriptions."
            ),
        ));
    }
    require_parents(&state, path, kind)?;
    validation::validate(
        config,
        kind,
        &resource_type,
        &incoming.path,
        &api_version,
        body,
    )?;
    let key = path.key();
    let existing = state.resources.get(&key).cloned();
    if let Some(existing) = &existing {
        location_unchanged(existing, body, kind)?;
    }
    let restored = soft_delete_gate(&mut state, kind, path, body)?;
    if kind.locks_account() {
        let account = account_key(path);
        if state.account_busy(&account, shared.now()) {
            return Err(conflict(&account, &state));
        }
    }
    semantic::check(&state, kind, path, body, shared.clock.now())?;
    let lro = kind.lro();
    let failure = state.faults.long_running_failure(input);
    if lro == Lro::Sync
        && let Some((code, message)) = failure.clone()
    {
        return Err(Reply::error(400, &code, message));
    }

    let id = canonical_id(&state, path, &resource_type);
    let name = path.name().unwrap_or("").to_string();
    let location = location_of(&state, path, body);
    let mut stable = existing
        .as_ref()
        .map(|e| e.stable.clone())
        .or_else(|| restored.map(|r| r.stable))
        .unwrap_or_default();
    let mut rep = base_representation(&id, &name, &resource_type, body);
    let ctx = computed::Ctx {
        state: &state,
        config,
        path,
        id: &id,
        name: &name,
        location: location.as_deref(),
    };
    computed::decorate(kind, &ctx, &mut rep, &mut stable);
    remember_principals(&mut state, kind, &rep);
    let create = existing.is_none();
    if kind == Kind::Project && create {
        add_project(&mut state, path, &name);
    }

    let mut operation = None;
    let phase = if lro == Lro::Sync {
        Phase::Succeeded
    } else {
        let op = Operation {
            id: uuid::Uuid::new_v4().to_string(),
            target: OpTarget::Resource(key.clone()),
            lock: kind.locks_account().then(|| account_key(path)),
            started: shared.clock.now(),
            duration: config.latency.duration_for(&resource_type),
            polls: 0,
            failure,
            status: OpStatus::InProgress,
            start_time: timefmt::now(),
            end_time: None,
            subscription: path.subscription.clone(),
            namespace: namespace.to_string(),
            location: location
                .as_deref()
                .map(normalize_location)
                .unwrap_or_else(|| "global".into()),
            api_version: api_version.clone(),
        };
        let phase = Phase::Running {
            op: op.id.clone(),
            state: kind.in_progress_state(create),
        };
        if let Some(Phase::Running { op: previous, .. }) = existing.as_ref().map(|e| &e.phase)
            && let Some(previous) = state.ops.get_mut(previous)
        {
            previous.cancel();
        }
        operation = Some(op);
        phase
    };
    let resource = Resource {
        id,
        kind,
        body: Value::Object(rep),
        stable,
        phase,
    };
    let shown = view::representation(&resource, config, false);
    if kind == Kind::Table && create {
        // A new table reports Succeeded after its provisioning time, and data collection rules
        // may send to it only some minutes later (`semantic::data_collection_rule`).
        let usable = shared.clock.now()
            + config.latency.duration_for(&resource_type)
            + config.latency.output_table_delay();
        state.table_usable_by_rules.insert(key.clone(), usable);
    }
    state.resources.insert(key, resource);

    let created_or_ok = if create { 201 } else { 200 };
    let retry_after = config.retry_after_secs.to_string();
    let reply = match (&operation, lro) {
        (Some(op), Lro::Location) => Reply::json(created_or_ok, shown)
            .header("Location", op.result_url(&incoming.base))
            .header("Retry-After", retry_after),
        (Some(op), Lro::LocationAccepted) => Reply::empty(202)
            .header("Location", op.result_url(&incoming.base))
            .header("Retry-After", retry_after),
        (Some(op), Lro::AsyncOperation) => Reply::json(created_or_ok, shown)
            .header("Azure-AsyncOperation", op.status_url(&incoming.base))
            .header("Retry-After", retry_after),
        (Some(op), Lro::AsyncOperationAccepted) => Reply::empty(202)
            .header("Azure-AsyncOperation", op.status_url(&incoming.base))
            .header("Location", op.result_url(&incoming.base))
            .header("Retry-After", retry_after),
        _ => Reply::json(created_or_ok, shown),
    };
    if let Some(op) = operation {
        state.ops.insert(op.id.clone(), op);
    }
    let delay = (lro == Lro::Sync).then(|| config.latency.duration_for(&resource_type));
    Ok((reply, delay))
}

/// 404 `ResourceGroupNotFound` / `ParentResourceNotFound` before anything else is looked at.
pub(super) fn require_parents(state: &State, path: &ArmPath, kind: Kind) -> Outcome<()> {
    if kind != Kind::ResourceGroup
        && let Some(rg) = path.resource_group_path()
        && !state.exists(&rg.key())
    {
        return Err(Reply::error(
            404,
            "ResourceGroupNotFound",
            format!(
                "Resource group '{}' could not be found.",
                path.resource_group.as_deref().unwrap_or("")
            ),
        ));
    }
    if path.is_child()
        && let Some(parent) = path.parent()
        && !state.exists(&parent.key())
    {
        return Err(Reply::error(
            404,
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{}' \
                 not found.",
                parent.name().unwrap_or("")
            ),
        ));
    }
    Ok(())
}

/// A tracked resource cannot move: ARM answers 409 when `location` differs from the stored one.
fn location_unchanged(existing: &Resource, body: &Value, kind: Kind) -> Outcome<()> {
    let (Some(old), Some(new)) = (
        existing.body.get("location").and_then(Value::as_str),
        body.get("location").and_then(Value::as_str),
    ) else {
        return Ok(());
    };
    if normalize_location(old) == normalize_location(new) {
        return Ok(());
    }
    Err(if kind == Kind::ResourceGroup {
        Reply::error(
            409,
            "InvalidResourceGroupLocation",
            format!(
                "Invalid resource group location '{new}'. The Resource group already exists in \
                 location '{old}'."
            ),
        )
    } else {
        Reply::error(
            409,
            "InvalidResourceLocation",
            format!(
                "The resource '{}' already exists in location '{old}'. A resource with the same \
                 name cannot be created in location '{new}'. Please select a new resource name.",
                existing.id
            ),
        )
    })
}

fn restore_requested(body: &Value) -> bool {
    body.pointer("/properties/restore") == Some(&json!(true))
}

/// A soft-deleted APIM service or account blocks a create of the same name unless the body
/// asks to restore it; a restore takes the deleted entry's server values back.
fn soft_delete_gate(
    state: &mut State,
    kind: Kind,
    path: &ArmPath,
    body: &Value,
) -> Outcome<Option<Resource>> {
    if state.exists(&path.key()) {
        return Ok(None);
    }
    let name = path.name().unwrap_or("");
    let subscription_matches = |s: &Option<String>| {
        s.as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case(&path.subscription))
    };
    match kind {
        Kind::ApimService => {
            let Some(index) = state.deleted_apim.iter().position(|d| {
                d.name.eq_ignore_ascii_case(name) && subscription_matches(&d.subscription)
            }) else {
                return Ok(None);
            };
            if !restore_requested(body) || state.deleted_apim[index].purging.is_some() {
                return Err(Reply::error(
                    409,
                    "ServiceAlreadyExistsInSoftDeletedState",
                    format!(
                        "Api service {name} was soft-deleted. In order to create the new service \
                         with the same name, you have to either undelete the service or purge \
                         it."
                    ),
                ));
            }
            Ok(state.deleted_apim.remove(index).resource)
        }
        Kind::Account => {
            let rg = path.resource_group.as_deref().unwrap_or("");
            let Some(index) = state.deleted_accounts.iter().position(|d| {
                d.name.eq_ignore_ascii_case(name)
                    && d.resource_group.eq_ignore_ascii_case(rg)
                    && subscription_matches(&d.subscription)
            }) else {
                return Ok(None);
            };
            let deleted = &state.deleted_accounts[index];
            if !restore_requested(body) || deleted.purging.is_some() {
                return Err(Reply::error(
                    409,
                    "FlagMustBeSetForRestore",
                    format!(
                        "An existing resource with ID '/subscriptions/{}/providers/\
                         Microsoft.CognitiveServices/locations/{}/resourceGroups/{}/\
                         deletedAccounts/{}' has been soft-deleted. To restore the resource, you \
                         must specify 'restore' to be 'true' in the property. If you don't want \
                         to restore existing resource, please purge it first.",
                        path.subscription,
                        normalize_location(&deleted.location),
                        deleted.resource_group,
                        deleted.name
                    ),
                ));
            }
            Ok(state.deleted_accounts.remove(index).resource)
        }
        _ => Ok(None),
    }
}

/// The lower-case id of the Cognitive Services account a path is (or is under).
pub(crate) fn account_key(path: &ArmPath) -> String {
    let mut account = path.clone();
    account.trailing = None;
    if let Some(block) = account.blocks.last_mut() {
        block.pairs.truncate(1);
    }
    account.key()
}

/// 409 `RequestConflict`: another operation runs on the account.
pub(crate) fn conflict(account_key: &str, state: &State) -> Reply {
    let id = state
        .resources
        .get(account_key)
        .map_or(account_key.to_string(), |r| r.id.clone());
    Reply::error(
        409,
        "RequestConflict",
        format!(
            "Another operation is being performed on the parent resource '{id}'. Please try \
             again later."
        ),
    )
}

/// The id in canonical casing: the stored ancestors' casing plus this resource's segments.
fn canonical_id(state: &State, path: &ArmPath, resource_type: &str) -> String {
    let path = path.clone().with_canonical_type(resource_type);
    if let Some(existing) = state.resources.get(&path.key()) {
        return existing.id.clone();
    }
    let parent = match path.parent() {
        Some(parent) if parent.is_subscription() => {
            format!("/subscriptions/{}", parent.subscription)
        }
        Some(parent) => state
            .resources
            .get(&parent.key())
            .map_or_else(|| parent.id(), |r| r.id.clone()),
        None => String::new(),
    };
    format!("{parent}{}", path.own_suffix())
}

/// The resource's location, else the nearest stored ancestor's.
fn location_of(state: &State, path: &ArmPath, body: &Value) -> Option<String> {
    if let Some(location) = body.get("location").and_then(Value::as_str) {
        return Some(location.to_string());
    }
    let mut current = path.parent();
    while let Some(p) = current {
        if let Some(location) = state
            .resources
            .get(&p.key())
            .and_then(|r| r.body.get("location"))
            .and_then(Value::as_str)
        {
            return Some(location.to_string());
        }
        current = p.parent();
    }
    None
}

fn base_representation(
    id: &str,
    name: &str,
    resource_type: &str,
    body: &Value,
) -> Map<String, Value> {
    let mut rep = Map::new();
    rep.insert("id".into(), json!(id));
    rep.insert("name".into(), json!(name));
    rep.insert("type".into(), json!(resource_type));
    for (key, value) in body.as_object().into_iter().flatten() {
        if !matches!(key.as_str(), "id" | "name" | "type") {
            rep.insert(key.clone(), value.clone());
        }
    }
    rep
}

/// Identities created here are principals role assignments may name (as service principals).
fn remember_principals(state: &mut State, kind: Kind, rep: &Map<String, Value>) {
    let mut found = Vec::new();
    if kind == Kind::Identity
        && let Some(id) = rep
            .get("properties")
            .and_then(|p| p.get("principalId"))
            .and_then(Value::as_str)
    {
        found.push(id.to_ascii_lowercase());
    }
    if let Some(id) = rep
        .get("identity")
        .and_then(|i| i.get("principalId"))
        .and_then(Value::as_str)
    {
        found.push(id.to_ascii_lowercase());
    }
    for id in found {
        state.principals.insert(id, true);
    }
}

/// The account lists its projects (`associatedProjects`) and has a default one.
fn add_project(state: &mut State, path: &ArmPath, name: &str) {
    let Some(account) = path
        .parent()
        .and_then(|p| state.resources.get_mut(&p.key()))
    else {
        return;
    };
    let Some(properties) = account
        .body
        .get_mut("properties")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let projects = properties
        .entry("associatedProjects")
        .or_insert_with(|| json!([]));
    if let Some(list) = projects.as_array_mut()
        && !list
            .iter()
            .any(|p| p.as_str().is_some_and(|p| p.eq_ignore_ascii_case(name)))
    {
        list.push(json!(name));
    }
    properties
        .entry("defaultProject")
        .or_insert_with(|| json!(name));
}

/// The reverse of `add_project`, after a project is deleted.
pub(super) fn forget_project(state: &mut State, path: &ArmPath) {
    let name = path.name().unwrap_or("").to_string();
    let Some(account) = path
        .parent()
        .and_then(|p| state.resources.get_mut(&p.key()))
    else {
        return;
    };
    let Some(properties) = account
        .body
        .get_mut("properties")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    if let Some(list) = properties
        .get_mut("associatedProjects")
        .and_then(Value::as_array_mut)
    {
        list.retain(|p| !p.as_str().is_some_and(|p| p.eq_ignore_ascii_case(&name)));
    }
    if properties
        .get("defaultProject")
        .and_then(Value::as_str)
        .is_some_and(|d| d.eq_ignore_ascii_case(&name))
    {
        properties.remove("defaultProject");
    }
}
