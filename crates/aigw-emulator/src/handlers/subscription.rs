//! `GET /subscriptions/{id}`, `GET .../providers/{ns}` and `POST .../providers/{ns}/register`.

use serde_json::json;

use crate::apiversion;
use crate::armpath::ArmPath;
use crate::incoming::Incoming;
use crate::kinds::{PROVIDER_VERSIONS, SUBSCRIPTION_VERSIONS};
use crate::reply::{Outcome, Reply};
use crate::state::{Registration, Shared};

pub(super) fn subscription(shared: &Shared, incoming: &Incoming, path: &ArmPath) -> Outcome {
    apiversion::require(incoming, &apiversion::from_list(SUBSCRIPTION_VERSIONS))?;
    Ok(Reply::json(
        200,
        json!({
            "id": format!("/subscriptions/{}", path.subscription),
            "authorizationSource": "RoleBased",
            "managedByTenants": [],
            "subscriptionId": path.subscription,
            "tenantId": shared.config.tenant_id,
            "displayName": "aigw emulator",
            "state": "Enabled",
            "subscriptionPolicies": {
                "locationPlacementId": "Public_2014-09-01",
                "quotaId": "PayAsYouGo_2014-09-01",
                "spendingLimit": "Off"
            }
        }),
    ))
}

fn namespace(path: &ArmPath) -> String {
    path.blocks
        .last()
        .map(|b| b.namespace.clone())
        .unwrap_or_default()
}

fn provider_json(path: &ArmPath, namespace: &str, state: &str) -> serde_json::Value {
    json!({
        "id": format!("/subscriptions/{}/providers/{namespace}", path.subscription),
        "namespace": namespace,
        "registrationState": state,
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": []
    })
}

/// A provider that was `Registering` is `Registered` from the next GET on.
pub(super) fn provider(shared: &Shared, incoming: &Incoming, path: &ArmPath) -> Outcome {
    apiversion::require(incoming, &apiversion::from_list(PROVIDER_VERSIONS))?;
    let namespace = namespace(path);
    let key = namespace.to_ascii_lowercase();
    let mut state = shared.state();
    let shown = match state.providers.get(&key) {
        Some(Registration::NotRegistered) => "NotRegistered",
        Some(Registration::Registering) => {
            state.providers.remove(&key);
            "Registered"
        }
        None => "Registered",
    };
    Ok(Reply::json(200, provider_json(path, &namespace, shown)))
}

pub(super) fn register(shared: &Shared, incoming: &Incoming, path: &ArmPath) -> Outcome {
    apiversion::require(incoming, &apiversion::from_list(PROVIDER_VERSIONS))?;
    let namespace = namespace(path);
    let key = namespace.to_ascii_lowercase();
    let mut state = shared.state();
    let shown = match state.providers.get(&key) {
        Some(_) => {
            state.providers.insert(key, Registration::Registering);
            "Registering"
        }
        None => "Registered",
    };
    Ok(Reply::json(200, provider_json(path, &namespace, shown)))
}
