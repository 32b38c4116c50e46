//! Role assignments: an assignment of the same role to the same principal at the same scope is
//! "unchanged" whatever its name (it may have been made by hand or by another tool), and
//! `PrincipalNotFound` right after the identity was created is retried for a bounded time
//! (Entra ID replication; sending `principalType` shortens it).

use serde_json::Value;

use crate::arm::lro::WriteOptions;
use crate::arm::retry::ExtraTransient;
use crate::arm::{ArmClient, ArmError, Method};
use crate::plan::Operation;

/// About four minutes of backoff before giving up on replication.
const PRINCIPAL_NOT_FOUND: ExtraTransient = ExtraTransient {
    codes: &["PrincipalNotFound"],
    max_attempts: 12,
};

pub enum Existing {
    /// An assignment with the same role and principal at this scope (its name).
    Same(String),
    /// Our deterministic name holds a different principal or role (the identity was re-created).
    Stale,
    None,
}

fn field<'a>(body: &'a Value, name: &str) -> &'a str {
    body.pointer(&format!("/properties/{name}"))
        .and_then(Value::as_str)
        .unwrap_or("")
}

fn same_assignment(desired: &Value, actual: &Value) -> bool {
    field(desired, "roleDefinitionId").eq_ignore_ascii_case(field(actual, "roleDefinitionId"))
        && field(desired, "principalId").eq_ignore_ascii_case(field(actual, "principalId"))
}

/// The scope part of `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`.
pub fn scope_of(id: &str) -> &str {
    id.rfind("/providers/Microsoft.Authorization/roleAssignments/")
        .map_or(id, |i| &id[..i])
}

/// Looks for the assignment by name, then for an equivalent one under another name.
pub async fn find(
    client: &ArmClient,
    operation: &Operation,
    desired: &Value,
) -> Result<Existing, ArmError> {
    if let Some(actual) = client.get(&operation.id, operation.api_version).await? {
        return Ok(if same_assignment(desired, &actual) {
            Existing::Same(operation.name.clone())
        } else {
            Existing::Stale
        });
    }
    let principal = field(desired, "principalId");
    if principal.is_empty() {
        return Ok(Existing::None);
    }
    let scope = scope_of(&operation.id);
    let filter = format!("principalId eq '{principal}'");
    let list = client
        .get_with_query(
            &format!("{scope}/providers/Microsoft.Authorization/roleAssignments"),
            operation.api_version,
            &[("$filter", &filter)],
        )
        .await?
        .unwrap_or(Value::Null);
    let found = list
        .get("value")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|a| {
            same_assignment(desired, a)
                && field(a, "scope")
                    .trim_end_matches('/')
                    .eq_ignore_ascii_case(scope)
        });
    Ok(match found {
        Some(a) => Existing::Same(
            a.get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        ),
        None => Existing::None,
    })
}

/// Creates the assignment; `RoleAssignmentExists` (a race with another writer) counts as done.
pub async fn create(
    client: &ArmClient,
    operation: &Operation,
    desired: &Value,
    options: WriteOptions,
) -> Result<Option<Value>, ArmError> {
    let options = WriteOptions {
        extra_transient: PRINCIPAL_NOT_FOUND,
        ..options
    };
    match client
        .put_and_wait(&operation.id, operation.api_version, desired, options)
        .await
    {
        Ok(body) => Ok(Some(body)),
        Err(error) if error.code() == Some("RoleAssignmentExists") => Ok(None),
        Err(error) => Err(error),
    }
}

/// Removes a stale assignment under our name so it can be written again (ARM does not allow
/// changing an assignment's principal: RoleAssignmentUpdateNotPermitted).
pub async fn delete(
    client: &ArmClient,
    operation: &Operation,
    options: WriteOptions,
) -> Result<(), ArmError> {
    client
        .act_and_wait(
            Method::Delete,
            &operation.id,
            operation.api_version,
            options,
        )
        .await
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_is_everything_before_the_extension() {
        let id = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/d/providers/Microsoft.Authorization/roleAssignments/g";
        assert_eq!(
            scope_of(id),
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/d"
        );
    }

    #[test]
    fn equivalence_ignores_case() {
        let desired = serde_json::json!({"properties": {"roleDefinitionId": "/subscriptions/S/providers/Microsoft.Authorization/roleDefinitions/R", "principalId": "P"}});
        let actual = serde_json::json!({"properties": {"roleDefinitionId": "/subscriptions/s/providers/microsoft.authorization/roleDefinitions/r", "principalId": "p", "scope": "/x"}});
        assert!(same_assignment(&desired, &actual));
    }
}
