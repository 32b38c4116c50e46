//! Soft-deleted names: a deleted API Management service or AI Foundry account keeps its name for
//! a while ([`crate::kind::SoftDelete`]), and creating the name again fails. aigw looks before it
//! creates and purges only when asked.

use serde_json::Value;

use crate::arm::{ArmClient, ArmError};
use crate::kind::{DeletedAt, SoftDelete};
use crate::plan::Operation;

/// A soft-deleted copy of a resource aigw is about to create.
pub struct Found {
    /// Where it is listed; a DELETE there purges it.
    pub path: String,
    pub api_version: &'static str,
    /// How the user clears it.
    pub remedy: String,
}

/// The soft-deleted copy of `operation`'s resource, if its kind keeps one and there is one.
pub async fn check(
    client: &ArmClient,
    operation: &Operation,
    subscription_id: &str,
    resource_group: &str,
) -> Result<Option<Found>, ArmError> {
    let (Some(soft), Some(location)) =
        (operation.kind.soft_delete(), operation.location.as_deref())
    else {
        return Ok(None);
    };
    let at = DeletedAt {
        subscription_id,
        resource_group,
        location,
        name: &operation.name,
    };
    let path = soft.deleted_path(at);
    let found = matches!(
        client.get(&path, soft.api_version()).await?,
        Some(Value::Object(_))
    );
    Ok(found.then(|| Found {
        path,
        api_version: soft.api_version(),
        remedy: remedy(soft, at),
    }))
}

/// The ways out: aigw's purge, the Azure CLI's, and the parameter that picks another name.
fn remedy(soft: SoftDelete, at: DeletedAt<'_>) -> String {
    let DeletedAt {
        resource_group,
        location,
        name,
        ..
    } = at;
    match soft {
        SoftDelete::ApiManagement => format!(
            "purge it with `aigw deploy --purge-soft-deleted` or `az apim deletedservice purge --service-name {name} --location {location}`, or choose another apimName"
        ),
        SoftDelete::CognitiveServicesAccount => format!(
            "purge it with `aigw deploy --purge-soft-deleted` or `az cognitiveservices account purge --name {name} --resource-group {resource_group} --location {location}`, restore it with `az cognitiveservices account recover`, or change suffix"
        ),
    }
}
