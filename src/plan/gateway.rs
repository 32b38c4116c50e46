//! Stages 5, 7, 8 and 9: API Management, its APIs, backends with circuit breakers, priority
//! pools and the named values the policies read.

use serde_json::{Value, json};

use super::{Context, DeferredRef, Operation, PoolRoute};
use crate::kind::ResourceKind;
use crate::naming::{self, NamedValue};

/// API Management StandardV2 with one unit (v2 tiers scale up to 10 units later).
const APIM_SKU: &str = "StandardV2";
const APIM_CAPACITY: u32 = 1;

/// Circuit breaker: one failure within 10 s trips the backend for 10 s. `acceptRetryAfter` stays
/// off because a backend's Retry-After (which can be minutes or hours) would replace the trip
/// duration.
const TRIP_INTERVAL: &str = "PT10S";
const TRIP_DURATION: &str = "PT10S";

/// The operations of one API: (id, display name, method, url template).
struct ApiDefinition {
    id: &'static str,
    display_name: &'static str,
    description: &'static str,
    operations: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

const APIS: &[ApiDefinition] = &[
    ApiDefinition {
        id: naming::API_OPENAI,
        display_name: "Azure OpenAI",
        description: "Azure OpenAI shape: /openai/deployments/{deployment-id}/...?api-version=...; routed to pool-{deployment}.",
        operations: &[
            (
                "deployments-post",
                "POST to a deployment",
                "POST",
                "/deployments/{deployment-id}/*",
            ),
            (
                "deployments-get",
                "GET from a deployment",
                "GET",
                "/deployments/{deployment-id}/*",
            ),
        ],
    },
    ApiDefinition {
        id: naming::API_V1,
        display_name: "OpenAI v1",
        description: "OpenAI v1 shape: /v1/...; routed to pool-{model} by the body's model field.",
        operations: &[("post", "POST (model in the body)", "POST", "/*")],
    },
];

pub(super) fn service_and_apis(ctx: &Context<'_>) -> Vec<Operation> {
    let names = &ctx.spec.names;
    let location = &ctx.spec.location;
    let mut user_assigned = serde_json::Map::new();
    user_assigned.insert(ctx.ids.identity(), json!({}));
    let mut operations = vec![
        Operation::new(
            ctx.ids.api_management(),
            ResourceKind::ApiManagement,
            names.api_management(),
            ctx.with_tags(json!({
                "location": location,
                "sku": { "name": APIM_SKU, "capacity": APIM_CAPACITY },
                "identity": { "type": "UserAssigned", "userAssignedIdentities": Value::Object(user_assigned) },
                "properties": {
                    "publisherEmail": ctx.spec.publisher.email,
                    "publisherName": ctx.spec.publisher.name
                }
            })),
        )
        .located(location)
        .provides([DeferredRef::GatewayUrl])
        .setting("sku", format!("{APIM_SKU} × {APIM_CAPACITY}, no VNet"))
        .setting("identity", names.identity())
        .setting("publisher", format!("{} <{}>", ctx.spec.publisher.name, ctx.spec.publisher.email)),
    ];
    for definition in APIS {
        operations.push(
            Operation::new(
                ctx.ids.api(definition.id),
                ResourceKind::Api,
                definition.id,
                json!({
                    "properties": {
                        "displayName": definition.display_name,
                        "description": definition.description,
                        "path": definition.id,
                        "protocols": ["https"],
                        "type": "http",
                        "subscriptionRequired": true,
                        // Callers send their APIM key as `api-key`, which is what Azure OpenAI SDKs
                        // send; the policies remove it before forwarding.
                        "subscriptionKeyParameterNames": { "header": "api-key", "query": "subscription-key" }
                    }
                }),
            )
            .setting("path", format!("/{}", definition.id))
            .setting("subscription key", "header api-key"),
        );
        for (operation_id, display_name, method, url_template) in definition.operations {
            let template_parameters: Vec<Value> = template_parameter_names(url_template)
                .map(|name| json!({ "name": name, "type": "string", "required": true }))
                .collect();
            operations.push(
                Operation::new(
                    ctx.ids.api_operation(definition.id, operation_id),
                    ResourceKind::ApiOperation,
                    *operation_id,
                    json!({
                        "properties": {
                            "displayName": display_name,
                            "method": method,
                            "urlTemplate": url_template,
                            "templateParameters": template_parameters,
                            "responses": []
                        }
                    }),
                )
                .setting("api", definition.id)
                .setting(
                    "route",
                    format!("{method} /{}{url_template}", definition.id),
                ),
            );
        }
    }
    operations
}

/// `{name}` segments of a URL template (APIM requires each to be declared).
fn template_parameter_names(url_template: &str) -> impl Iterator<Item = &str> {
    url_template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
}

pub(super) fn backends(ctx: &Context<'_>) -> Vec<Operation> {
    let mut operations = Vec::new();
    let breaker = CircuitBreaker::of(ctx.spec);
    for region in &ctx.spec.regions {
        let account = ctx.spec.names.account(&region.abbreviation);
        let url = naming::account_openai_base_url(&account);
        for deployment in &region.deployments {
            for (id, shape) in [
                (
                    naming::aoai_backend_id(&deployment.name, &region.abbreviation),
                    "Azure OpenAI",
                ),
                (
                    naming::oaiv1_backend_id(&deployment.name, &region.abbreviation),
                    "OpenAI v1",
                ),
            ] {
                operations.push(
                    Operation::new(
                        ctx.ids.backend(&id),
                        ResourceKind::Backend,
                        &id,
                        json!({
                            "properties": {
                                "description": format!("{} in {} ({shape} calls)", deployment.name, region.name),
                                "type": "Single",
                                "url": url,
                                "protocol": "http",
                                "circuitBreaker": breaker.body()
                            }
                        }),
                    )
                    .setting("url", url.clone())
                    .setting("circuit breaker", breaker.summary()),
                );
            }
        }
    }
    operations
}

/// The one breaker rule of every pool member. Lower priority groups of a pool are used only when
/// every member of the higher groups is tripped (Learn, "Backends in API Management", backend
/// pools), so a status that does not trip a member keeps that region's traffic: with 429 only, a
/// region answering 500–599 keeps failing its callers while the other regions are healthy.
/// `statusCodeRanges` holds at most 10 ranges of 200–599 (`CircuitBreakerFailureCondition`,
/// apimanagement 2024-05-01 definitions.json). `errorReasons` is left out: its values are not
/// documented (Learn's only example is "Server errors").
struct CircuitBreaker {
    on_server_errors: bool,
}

impl CircuitBreaker {
    fn of(spec: &crate::spec::StackSpec) -> Self {
        CircuitBreaker {
            on_server_errors: spec.trip_on_server_errors,
        }
    }

    fn body(&self) -> Value {
        let (name, ranges) = if self.on_server_errors {
            (
                "trip-on-429-or-5xx",
                json!([ { "min": 429, "max": 429 }, { "min": 500, "max": 599 } ]),
            )
        } else {
            ("trip-on-429", json!([ { "min": 429, "max": 429 } ]))
        };
        json!({
            "rules": [
                {
                    "name": name,
                    "failureCondition": {
                        "count": 1,
                        "interval": TRIP_INTERVAL,
                        "statusCodeRanges": ranges
                    },
                    "tripDuration": TRIP_DURATION,
                    "acceptRetryAfter": false
                }
            ]
        })
    }

    fn summary(&self) -> &'static str {
        if self.on_server_errors {
            "1 × 429 or 500–599 within 10 s → open 10 s, Retry-After ignored"
        } else {
            "1 × 429 within 10 s → open 10 s, Retry-After ignored"
        }
    }
}

/// One pool operation per route: its members in priority order, as the routing lists them.
pub(super) fn pools(ctx: &Context<'_>, routing: &[PoolRoute]) -> Vec<Operation> {
    routing
        .iter()
        .map(|route| {
            let services: Vec<Value> = route
                .members
                .iter()
                .map(|m| json!({ "id": ctx.ids.backend(&m.backend), "priority": m.priority }))
                .collect();
            let mut operation = Operation::new(
                ctx.ids.backend(&route.pool),
                ResourceKind::BackendPool,
                &route.pool,
                // A pool carries no url/protocol: APIM rejects them ("Url is not supported for
                // backend pool").
                json!({
                    "properties": {
                        "description": format!("Every region of deployment {}, strict priority", route.deployment),
                        "type": "Pool",
                        "pool": { "services": services }
                    }
                }),
            )
            .setting("deployment", route.deployment.clone());
            for m in &route.members {
                operation = operation.setting("member", format!("{} (priority {}, {})", m.backend, m.priority, m.region));
            }
            operation
        })
        .collect()
}

pub(super) fn named_values(ctx: &Context<'_>) -> Vec<Operation> {
    let trip_on_server_errors = if ctx.spec.trip_on_server_errors {
        "true"
    } else {
        "false"
    };
    let values = NamedValue::ALL.map(|named_value| {
        let (value, shown) = match named_value {
            NamedValue::DceEndpoint => (
                DeferredRef::DceLogsIngestionEndpoint.placeholder(),
                "DCE logs ingestion endpoint",
            ),
            NamedValue::DcrImmutableId => (
                DeferredRef::DcrImmutableId.placeholder(),
                "DCR immutable id",
            ),
            NamedValue::StreamName => (json!(naming::USAGE_STREAM), naming::USAGE_STREAM),
            NamedValue::IdentityClientId => (
                DeferredRef::IdentityClientId.placeholder(),
                "client id of the gateway identity",
            ),
            // Read by aigw-request-context: whether the policies fail over on 500–599.
            NamedValue::TripOnServerErrors => (json!(trip_on_server_errors), trip_on_server_errors),
        };
        (named_value.id(), value, shown)
    });
    values
        .into_iter()
        .map(|(id, value, shown)| {
            Operation::new(
                ctx.ids.named_value(id),
                ResourceKind::NamedValue,
                id,
                // None of these is a secret: ids and endpoints only.
                json!({ "properties": { "displayName": id, "value": value, "secret": false } }),
            )
            .setting("value", shown)
        })
        .collect()
}
