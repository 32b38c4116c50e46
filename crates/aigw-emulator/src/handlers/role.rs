//! Role assignments (`{scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`): the
//! scope must exist, the principal must be known (an identity created here or a configured
//! one), the same (scope, role, principal) under another name is 409 `RoleAssignmentExists`,
//! and an assignment's properties cannot change. Listing supports `atScope()` and
//! `principalId eq '...'` filters.

use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Value, json};

use super::{Handled, read};
use crate::apiversion;
use crate::armpath::{self, ArmPath};
use crate::incoming::Incoming;
use crate::kinds::{Kind, ROLE_ASSIGNMENT_VERSIONS};
use crate::reply::{Outcome, Reply};
use crate::state::{Phase, Resource, Shared, State};
use crate::{timefmt, validation};

const TYPE: &str = "Microsoft.Authorization/roleAssignments";

pub(super) fn put(
    shared: &Shared,
    incoming: &Incoming,
    path: &ArmPath,
    resource_type: &str,
) -> Outcome<Handled> {
    let config = &shared.config;
    let api_version = incoming.api_version().unwrap_or_default().to_string();
    let body = incoming.json_body(false)?;
    let scope = path.parent().unwrap_or_else(|| path.clone());
    let mut state = shared.state();
    scope_exists(&state, &scope)?;
    validation::validate(
        config,
        Kind::RoleAssignment,
        resource_type,
        &incoming.path,
        &api_version,
        body,
    )?;
    let name = path.name().unwrap_or("");
    if uuid::Uuid::parse_str(name).is_err() {
        return Err(Reply::error(
            400,
            "InvalidRoleAssignmentId",
            format!(
                "The role assignment ID '{name}' is not valid. The role assignment ID must be a \
                 GUID."
            ),
        ));
    }
    let text = |field: &str| {
        body.pointer(&format!("/properties/{field}"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (role, principal) = (text("roleDefinitionId"), text("principalId"));
    let role_guid = role_definition_guid(&role).ok_or_else(|| {
        Reply::error(
            400,
            "InvalidRoleDefinitionId",
            format!("The role definition ID '{role}' is not valid."),
        )
    })?;
    let key = path.key();
    if let Some(existing) = state.resources.get(&key) {
        let same = |field: &str, value: &str| {
            existing
                .body
                .pointer(&format!("/properties/{field}"))
                .and_then(Value::as_str)
                .is_some_and(|v| v.eq_ignore_ascii_case(value))
        };
        if same("roleDefinitionId", &role) && same("principalId", &principal) {
            let shown = existing.body.clone();
            return Ok((Reply::json(200, shown), None));
        }
        return Err(Reply::error(
            400,
            "RoleAssignmentUpdateNotPermitted",
            "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
        ));
    }
    principal_known(&mut state, &principal, body, &config.tenant_id)?;
    let scope_key = scope.key();
    let duplicate = state.resources.values().find(|r| {
        r.kind == Kind::RoleAssignment
            && prop(r, "principalId").eq_ignore_ascii_case(&principal)
            && role_definition_guid(prop(r, "roleDefinitionId"))
                .is_some_and(|g| g.eq_ignore_ascii_case(&role_guid))
            && armpath::key(prop(r, "scope")) == scope_key
    });
    if let Some(duplicate) = duplicate {
        return Err(Reply::error_with_details(
            409,
            "RoleAssignmentExists",
            "The role assignment already exists.",
            vec![crate::reply::Detail::new(
                "RoleAssignmentExists",
                &duplicate.id,
                "The role assignment already exists.",
            )],
        ));
    }
    let scope_id = match state.resources.get(&scope_key) {
        Some(r) => r.id.clone(),
        None => scope.id(),
    };
    let id = format!("{scope_id}{}", path.own_suffix());
    let principal_type = text("principalType");
    let principal_type = if principal_type.is_empty() {
        match state.principals.get(&principal.to_ascii_lowercase()) {
            Some(true) => "ServicePrincipal".to_string(),
            _ => "User".to_string(),
        }
    } else {
        principal_type
    };
    let now = timefmt::now();
    let optional = |field: &str| {
        body.pointer(&format!("/properties/{field}"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let rep = json!({
        "id": id,
        "type": TYPE,
        "name": name,
        "properties": {
            "roleDefinitionId": role,
            "principalId": principal,
            "principalType": principal_type,
            "scope": scope_id,
            "condition": optional("condition"),
            "conditionVersion": optional("conditionVersion"),
            "description": optional("description"),
            "createdOn": now,
            "updatedOn": now,
            "createdBy": "aigw-emulator",
            "updatedBy": "aigw-emulator",
            "delegatedManagedIdentityResourceId": Value::Null
        }
    });
    state.resources.insert(
        key,
        Resource {
            id,
            kind: Kind::RoleAssignment,
            body: rep.clone(),
            stable: Default::default(),
            phase: Phase::Succeeded,
        },
    );
    Ok((
        Reply::json(201, rep),
        Some(config.latency.duration_for(TYPE)),
    ))
}

fn prop<'r>(resource: &'r Resource, field: &str) -> &'r str {
    resource
        .body
        .pointer(&format!("/properties/{field}"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// `/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}` (or without
/// the subscription): the GUID.
fn role_definition_guid(id: &str) -> Option<String> {
    let (prefix, guid) = id.rsplit_once('/')?;
    let prefix = prefix.to_ascii_lowercase();
    (prefix.ends_with("/providers/microsoft.authorization/roledefinitions")
        && uuid::Uuid::parse_str(guid).is_ok())
    .then(|| guid.to_ascii_lowercase())
}

fn scope_exists(state: &State, scope: &ArmPath) -> Outcome<()> {
    if scope.is_subscription() || state.exists(&scope.key()) {
        return Ok(());
    }
    Err(read::not_found(
        state,
        scope,
        &scope.resource_type().unwrap_or_default(),
    ))
}

/// Replication delay (`Fault::PrincipalNotFound`) first, then whether the principal exists;
/// a managed identity sent with another `principalType` is 400 `UnmatchedPrincipalType`.
fn principal_known(state: &mut State, principal: &str, body: &Value, tenant: &str) -> Outcome<()> {
    let lower = principal.to_ascii_lowercase();
    let delayed = state.faults.principal_not_found_times();
    let attempts = state.principal_attempts.entry(lower.clone()).or_insert(0);
    *attempts = attempts.saturating_add(1);
    let attempt = *attempts;
    let not_found = || {
        Reply::error(
            400,
            "PrincipalNotFound",
            format!(
                "Principal {} does not exist in the directory {tenant}. Check that you have the \
                 correct principal ID. If you are creating this principal and then immediately \
                 assigning a role, this error might be related to a replication delay. In this \
                 case, set the role assignment principalType property to a value, such as \
                 ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype",
                principal.replace('-', "")
            ),
        )
    };
    if attempt <= delayed {
        return Err(not_found());
    }
    let Some(managed) = state.principals.get(&lower).copied() else {
        return Err(not_found());
    };
    let sent = body
        .pointer("/properties/principalType")
        .and_then(Value::as_str);
    if managed && let Some(sent) = sent.filter(|s| *s != "ServicePrincipal") {
        return Err(Reply::error(
            400,
            "UnmatchedPrincipalType",
            format!(
                "The PrincipalId '{}' has type 'ServicePrincipal' , which is different from \
                 specified PrincipalType '{sent}'.",
                principal.replace('-', "")
            ),
        ));
    }
    Ok(())
}

pub(super) fn list(shared: &Shared, incoming: &Incoming, scope: &ArmPath) -> Outcome {
    let mut versions = apiversion::from_list(ROLE_ASSIGNMENT_VERSIONS);
    if let Some(specs) = &shared.config.specs {
        versions.extend(specs.api_versions_for(&format!(
            "{}/providers/Microsoft.Authorization/roleAssignments/x",
            scope.id()
        )));
    }
    apiversion::require(incoming, &versions)?;
    let filter = incoming.param("$filter").unwrap_or("");
    let at_scope = filter.to_ascii_lowercase().contains("atscope()");
    static PRINCIPAL: OnceLock<Option<Regex>> = OnceLock::new();
    let principal = PRINCIPAL
        .get_or_init(|| Regex::new(r"(?i)principalId\s+eq\s+'([^']*)'").ok())
        .as_ref()
        .and_then(|r| r.captures(filter))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_ascii_lowercase());
    let scope_key = scope.key();
    let state = shared.state();
    let value: Vec<Value> = state
        .resources
        .values()
        .filter(|r| r.kind == Kind::RoleAssignment)
        .filter(|r| {
            let assigned = armpath::key(prop(r, "scope"));
            let at = assigned == scope_key;
            let above = scope_key.starts_with(&format!("{assigned}/"));
            let below = assigned.starts_with(&format!("{scope_key}/"));
            at || above || (below && !at_scope)
        })
        .filter(|r| {
            principal
                .as_deref()
                .is_none_or(|p| prop(r, "principalId").eq_ignore_ascii_case(p))
        })
        .map(|r| r.body.clone())
        .collect();
    Ok(Reply::json(200, json!({ "value": value })))
}
