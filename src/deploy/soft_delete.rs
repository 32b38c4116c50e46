//! Soft-deleted names: API Management services (48 h) and Cognitive Services accounts keep their
//! name after deletion; creating the name again fails (`ServiceAlreadyExistsInSoftDeletedState`,
//! `FlagMustBeSetForRestore`). aigw looks before it creates and purges only when asked.

use serde_json::Value;

use crate::arm::lro::WriteOptions;
use crate::arm::{ArmClient, ArmError, Method};
use crate::plan::Operation;
use crate::plan::api_versions;

/// Where the soft-deleted copy of `operation`'s resource would be listed, if its type has one.
fn deleted_path(
    operation: &Operation,
    subscription_id: &str,
    resource_group: &str,
) -> Option<(String, &'static str, String)> {
    let location = operation.location.as_deref()?;
    match operation.resource_type.as_str() {
        "Microsoft.ApiManagement/service" => Some((
            format!(
                "/subscriptions/{subscription_id}/providers/Microsoft.ApiManagement/locations/{location}/deletedservices/{}",
                operation.name
            ),
            api_versions::API_MANAGEMENT,
            format!(
                "purge it with `aigw deploy --purge-soft-deleted` or `az apim deletedservice purge --service-name {} --location {location}`, or choose another apimName",
                operation.name
            ),
        )),
        "Microsoft.CognitiveServices/accounts" => Some((
            format!(
                "/subscriptions/{subscription_id}/providers/Microsoft.CognitiveServices/locations/{location}/resourceGroups/{resource_group}/deletedAccounts/{}",
                operation.name
            ),
            api_versions::COGNITIVE_SERVICES,
            format!(
                "purge it with `aigw deploy --purge-soft-deleted` or `az cognitiveservices account purge --name {} --resource-group {resource_group} --location {location}`, restore it with `az cognitiveservices account recover`, or change suffix",
                operation.name
            ),
        )),
        _ => None,
    }
}

pub enum SoftDeleted {
    No,
    /// Found; `remedy` says how to clear it.
    Yes {
        path: String,
        api_version: &'static str,
        remedy: String,
    },
}

pub async fn check(
    client: &ArmClient,
    operation: &Operation,
    subscription_id: &str,
    resource_group: &str,
) -> Result<SoftDeleted, ArmError> {
    let Some((path, api_version, remedy)) =
        deleted_path(operation, subscription_id, resource_group)
    else {
        return Ok(SoftDeleted::No);
    };
    Ok(match client.get(&path, api_version).await? {
        Some(Value::Object(_)) => SoftDeleted::Yes {
            path,
            api_version,
            remedy,
        },
        _ => SoftDeleted::No,
    })
}

pub async fn purge(
    client: &ArmClient,
    path: &str,
    api_version: &str,
    options: WriteOptions,
) -> Result<(), ArmError> {
    client
        .act_and_wait(Method::Delete, path, api_version, options)
        .await
        .map(|_| ())
}
