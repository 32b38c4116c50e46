//! Before the first write: the subscription is reachable with this token, and the resource
//! providers the stack needs are registered (registering them on deploy, as the portal does).

use std::time::Duration;

use serde_json::Value;

use super::events::{Event, Observer};
use crate::arm::{ArmClient, ArmError};
use crate::kind::ResourceKind;

const SUBSCRIPTIONS_API: &str = "2022-12-01";
const PROVIDERS_API: &str = "2021-04-01";
const REGISTRATION_POLL: Duration = Duration::from_secs(10);

/// The resource providers of the kinds aigw writes that a subscription may not have registered,
/// in the order the plan first writes one.
pub fn namespaces() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for kind in ResourceKind::ALL {
        if !kind.provider_registered_by_default() && !out.contains(&kind.namespace()) {
            out.push(kind.namespace());
        }
    }
    out
}

/// Checks access; registers missing providers when `register` (deploy), warns otherwise (plan).
/// Registering usually takes a minute or two; it is given `timeout` (`--resource-timeout`, so the
/// timeout's remedy applies here too).
pub async fn run(
    client: &ArmClient,
    subscription_id: &str,
    register: bool,
    timeout: Duration,
    observer: &mut dyn Observer,
    warnings: &mut Vec<String>,
) -> Result<(), ArmError> {
    let subscription = format!("/subscriptions/{subscription_id}");
    let found = client.get(&subscription, SUBSCRIPTIONS_API).await?;
    if found.is_none() {
        return Err(ArmError {
            method: "GET".into(),
            url: format!("{subscription}?api-version={SUBSCRIPTIONS_API}"),
            kind: crate::arm::ArmErrorKind::Status {
                status: 404,
                error: Box::new(crate::arm::ErrorBody {
                    code: "SubscriptionNotFound".into(),
                    message: format!(
                        "subscription {subscription_id} was not found or this identity cannot see it"
                    ),
                    ..Default::default()
                }),
                request_id: None,
                correlation_id: None,
            },
        });
    }
    observer.on(Event::Preflight {
        message: &format!("subscription {subscription_id} is reachable"),
    });
    for namespace in namespaces() {
        let path = format!("{subscription}/providers/{namespace}");
        let state = registration_state(client, &path).await?;
        if state.eq_ignore_ascii_case("Registered") {
            continue;
        }
        if !register {
            let message =
                format!("resource provider {namespace} is {state}; deploy will register it");
            observer.on(Event::Warning { message: &message });
            warnings.push(message);
            continue;
        }
        observer.on(Event::Preflight {
            message: &format!("registering resource provider {namespace}"),
        });
        client
            .post_and_wait(&format!("{path}/register"), PROVIDERS_API, timeout)
            .await?;
        let deadline = client.clock().deadline(timeout);
        while !registration_state(client, &path)
            .await?
            .eq_ignore_ascii_case("Registered")
        {
            if tokio::time::Instant::now() >= deadline {
                return Err(ArmError {
                    method: "POST".into(),
                    url: format!("{path}/register?api-version={PROVIDERS_API}"),
                    kind: crate::arm::ArmErrorKind::Timeout {
                        waited_secs: timeout.as_secs(),
                        correlation_id: None,
                    },
                });
            }
            client.clock().sleep(REGISTRATION_POLL).await;
        }
    }
    Ok(())
}

async fn registration_state(client: &ArmClient, path: &str) -> Result<String, ArmError> {
    let body = client
        .get(path, PROVIDERS_API)
        .await?
        .unwrap_or(Value::Null);
    Ok(body
        .get("registrationState")
        .and_then(Value::as_str)
        .unwrap_or("NotRegistered")
        .to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_providers_to_register_are_those_of_the_kinds_aigw_writes() {
        assert_eq!(
            super::namespaces(),
            [
                "Microsoft.ManagedIdentity",
                "Microsoft.OperationalInsights",
                "Microsoft.Insights",
                "Microsoft.CognitiveServices",
                "Microsoft.ApiManagement",
            ]
        );
    }
}
