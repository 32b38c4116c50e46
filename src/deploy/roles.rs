//! Role assignments are matched by grant ([`crate::kind::MatchedBy::Grant`]): an assignment of
//! the same role to the same principal at the same scope is "unchanged" whatever its name (it may
//! have been made by hand or by another tool). Writing one goes through the engine's one write
//! path, which waits out `PrincipalNotFound` for a new identity (`super::not_ready`).

use serde_json::Value;

use crate::arm::{ArmClient, ArmError};
use crate::plan::Operation;

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
    if let Some(actual) = client.get(&operation.id, operation.api_version()).await? {
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
            operation.api_version(),
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
