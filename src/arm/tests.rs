use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use wiremock::matchers::{header, header_exists, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::auth::StaticToken;

const RES: &str = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.X/things/a";
/// `--resource-timeout`'s default.
const HOUR: Duration = Duration::from_secs(3600);

async fn client(server: &MockServer) -> ArmClient {
    let endpoint = parse_endpoint(&server.uri()).unwrap_or_else(|e| panic!("{e}"));
    let token = Arc::new(StaticToken::new("test-token".to_string().into(), "test"));
    ArmClient::new(endpoint, token, Clock::scaled(0.0)).unwrap_or_else(|e| panic!("{e}"))
}

fn arm_error(code: &str) -> serde_json::Value {
    json!({"error": {"code": code, "message": format!("{code} happened")}})
}

#[tokio::test]
async fn requests_carry_api_version_token_request_id_and_user_agent() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(RES))
        .and(query_param("api-version", "2024-01-01"))
        .and(header("authorization", "Bearer test-token"))
        .and(header_exists("x-ms-client-request-id"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "a"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    let body = client
        .get(RES, "2024-01-01")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, Some(json!({"name": "a"})));
    let requests = server.received_requests().await.unwrap_or_default();
    let agent = requests[0]
        .headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(agent.starts_with("aigw/"), "{agent}");
}

#[tokio::test]
async fn not_found_is_none() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(arm_error("ResourceNotFound")))
        .mount(&server)
        .await;
    assert_eq!(client(&server).await.get(RES, "1").await.ok(), Some(None));
}

#[tokio::test]
async fn throttling_and_transient_conflicts_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "3")
                .set_body_json(arm_error("TooManyRequests")),
        )
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(409).set_body_json(arm_error("RequestConflict")))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "a"})))
        .mount(&server)
        .await;
    let client = client(&server).await;
    let body = client
        .put_and_wait(RES, "1", &json!({}), HOUR)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body, json!({"name": "a"}));
    assert_eq!(client.stats().writes, 4);
    assert_eq!(client.stats().retries, 3);
}

#[tokio::test]
async fn validation_errors_fail_at_once_with_code_message_and_request_ids() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-ms-request-id", "req-1")
                .insert_header("x-ms-correlation-request-id", "corr-1")
                .set_body_json(arm_error("InsufficientQuota")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let error = client(&server)
        .await
        .put_and_wait(RES, "1", &json!({}), HOUR)
        .await
        .err();
    let error = error.unwrap_or_else(|| panic!("expected an error"));
    assert_eq!(error.code(), Some("InsufficientQuota"));
    assert!(error.remedy().unwrap_or_default().contains("quota"));
    let text = error.to_string();
    assert!(
        text.contains("PUT") && text.contains(RES) && text.contains("400 InsufficientQuota"),
        "{text}"
    );
    assert!(
        text.contains("x-ms-request-id: req-1") && text.contains("corr-1"),
        "{text}"
    );
    assert!(!text.contains("test-token"));
}

#[tokio::test]
async fn principal_not_found_is_not_the_retry_layers() {
    // Deploy waits for it by resource kind (`deploy::not_ready`), within --resource-timeout.
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(400).set_body_json(arm_error("PrincipalNotFound")))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server).await;
    let plain = client.put_and_wait(RES, "1", &json!({}), HOUR).await;
    assert_eq!(
        plain.err().and_then(|e| e.code().map(String::from)),
        Some("PrincipalNotFound".into())
    );
    assert_eq!(client.stats().retries, 0);
}

#[tokio::test]
async fn a_delete_follows_its_operation_and_a_resource_already_gone_is_deleted() {
    let server = MockServer::start().await;
    let result_url = format!(
        "{}/subscriptions/s/providers/Microsoft.X/locations/l/operationResults/del",
        server.uri()
    );
    Mock::given(method("DELETE"))
        .and(path(RES))
        .respond_with(ResponseTemplate::new(202).insert_header("location", result_url.as_str()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/subscriptions/s/providers/Microsoft.X/locations/l/operationResults/del",
        ))
        .respond_with(ResponseTemplate::new(202).insert_header("location", result_url.as_str()))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/subscriptions/s/providers/Microsoft.X/locations/l/operationResults/del",
        ))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    let gone = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.X/things/gone";
    Mock::given(method("DELETE"))
        .and(path(gone))
        .respond_with(ResponseTemplate::new(404).set_body_json(arm_error("ResourceNotFound")))
        .mount(&server)
        .await;
    let client = client(&server).await;
    client
        .delete_and_wait(RES, "1", HOUR)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        client.stats().polls,
        3,
        "followed until the operation ended"
    );
    client
        .delete_and_wait(gone, "1", HOUR)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // A failed delete operation is an error.
    let failing = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.X/things/busy";
    let status_url = format!(
        "{}/subscriptions/s/providers/Microsoft.X/locations/l/operationStatuses/busy",
        server.uri()
    );
    Mock::given(method("DELETE"))
        .and(path(failing))
        .respond_with(
            ResponseTemplate::new(202).insert_header("azure-asyncoperation", status_url.as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/subscriptions/s/providers/Microsoft.X/locations/l/operationStatuses/busy",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"status": "Failed", "error": {"code": "Conflict", "message": "in use"}}),
        ))
        .mount(&server)
        .await;
    let error = client
        .delete_and_wait(failing, "1", HOUR)
        .await
        .err()
        .unwrap_or_else(|| panic!("expected failure"));
    assert_eq!(error.code(), Some("Conflict"));
    assert!(error.to_string().starts_with("DELETE "), "{error}");
}

#[tokio::test]
async fn a_resource_still_provisioning_is_settled_whatever_its_end() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(RES))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"properties": {"provisioningState": "Updating"}})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(RES))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"properties": {"provisioningState": "Failed"}})),
        )
        .mount(&server)
        .await;
    let client = client(&server).await;
    let current = json!({"properties": {"provisioningState": "Creating"}});
    // A failed earlier write comes back as it is: a new PUT repairs it.
    let settled = client
        .settle(RES, "1", current, HOUR)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(settled["properties"]["provisioningState"], "Failed");
    assert_eq!(client.stats().polls, 2);
    let done = json!({"properties": {"provisioningState": "Succeeded"}});
    assert_eq!(
        client.settle(RES, "1", done.clone(), HOUR).await.ok(),
        Some(done)
    );
    assert_eq!(
        client.stats().polls,
        2,
        "a settled resource is not read again"
    );
}

#[tokio::test]
async fn azure_async_operation_is_followed_then_the_resource_read() {
    let server = MockServer::start().await;
    let status_url = format!(
        "{}/subscriptions/s/providers/Microsoft.X/locations/l/operationStatuses/op1",
        server.uri()
    );
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("azure-asyncoperation", status_url.as_str())
                .insert_header("retry-after", "1")
                .set_body_json(json!({"properties": {"provisioningState": "Creating"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/subscriptions/s/providers/Microsoft.X/locations/l/operationStatuses/op1",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "InProgress"})))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/subscriptions/s/providers/Microsoft.X/locations/l/operationStatuses/op1",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "Succeeded"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(RES))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"properties": {"provisioningState": "Succeeded", "out": 1}})),
        )
        .mount(&server)
        .await;
    let client = client(&server).await;
    let body = client
        .put_and_wait(RES, "1", &json!({}), HOUR)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(body["properties"]["out"], 1);
    assert_eq!(client.stats().polls, 4);
}

#[tokio::test]
async fn location_polling_and_failed_operations() {
    let server = MockServer::start().await;
    let result_url = format!(
        "{}/subscriptions/s/providers/Microsoft.X/locations/l/operationResults/op2",
        server.uri()
    );
    Mock::given(method("PUT"))
        .respond_with(ResponseTemplate::new(202).insert_header("location", result_url.as_str()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/subscriptions/s/providers/Microsoft.X/locations/l/operationResults/op2",
        ))
        .respond_with(ResponseTemplate::new(202).insert_header("location", result_url.as_str()))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/subscriptions/s/providers/Microsoft.X/locations/l/operationResults/op2",
        ))
        .respond_with(
            // A failed operation: the Location URL answers with the error.
            ResponseTemplate::new(400).set_body_json(
                json!({"error": {"code": "ModelNotAvailable", "message": "not here"}}),
            ),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .await
        .put_and_wait(RES, "1", &json!({}), HOUR)
        .await
        .err();
    let error = error.unwrap_or_else(|| panic!("expected failure"));
    assert_eq!(
        (error.status(), error.code()),
        (Some(400), Some("ModelNotAvailable")),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_finished_location_operation_is_followed_by_a_read_of_the_resource() {
    let server = MockServer::start().await;
    let result_url = format!(
        "{}/subscriptions/s/providers/Microsoft.X/locations/l/operationResults/op3",
        server.uri()
    );
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(202)
                .insert_header("location", result_url.as_str())
                .insert_header("x-ms-correlation-request-id", "put-correlation"),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(
            "/subscriptions/s/providers/Microsoft.X/locations/l/operationResults/op3",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "done"})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(RES))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"properties": {"provisioningState": "Failed"},
            "error": {"code": "ModelNotAvailable", "message": "not here"}})),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .await
        .put_and_wait(RES, "1", &json!({}), HOUR)
        .await
        .err();
    let error = error.unwrap_or_else(|| panic!("expected failure"));
    assert!(
        matches!(&error.kind, ArmErrorKind::OperationFailed { status, .. } if status == "Failed"),
        "{error:?}"
    );
    assert_eq!(error.code(), Some("ModelNotAvailable"));
    // The failure is found in the activity log by the id of the PUT that started it.
    assert!(
        error
            .to_string()
            .ends_with("\n  x-ms-correlation-request-id: put-correlation"),
        "{error}"
    );
}

#[tokio::test]
async fn provisioning_state_is_polled_until_terminal_and_times_out_with_the_flag_named() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(201)
                .set_body_json(json!({"properties": {"provisioningState": "Activating"}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"properties": {"provisioningState": "Activating"}})),
        )
        .mount(&server)
        .await;
    let endpoint = parse_endpoint(&server.uri()).unwrap_or_else(|e| panic!("{e}"));
    let token = Arc::new(StaticToken::new("t".to_string().into(), "test"));
    // A real (unscaled) clock with a tiny budget: the deadline passes after the first poll.
    let client =
        ArmClient::new(endpoint, token, Clock::scaled(0.001)).unwrap_or_else(|e| panic!("{e}"));
    let error = client
        .put_and_wait(RES, "1", &json!({}), Duration::from_millis(1))
        .await
        .err()
        .unwrap_or_else(|| panic!("expected timeout"));
    assert!(
        matches!(error.kind, ArmErrorKind::Timeout { .. }),
        "{error:?}"
    );
    assert!(
        !error.to_string().contains("x-ms-correlation-request-id"),
        "no id invented when ARM sent none: {error}"
    );
    assert!(
        error
            .remedy()
            .unwrap_or_default()
            .contains("--resource-timeout")
    );
}

#[tokio::test]
async fn polling_urls_off_the_arm_endpoint_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("azure-asyncoperation", "https://evil.example/op?sig=secret"),
        )
        .mount(&server)
        .await;
    let error = client(&server)
        .await
        .put_and_wait(RES, "1", &json!({}), HOUR)
        .await
        .err();
    let error = error.unwrap_or_else(|| panic!("expected refusal"));
    assert!(
        matches!(&error.kind, ArmErrorKind::UntrustedUrl { url } if url == "https://evil.example/op"),
        "{error:?}"
    );
}

struct FailingToken;

#[async_trait::async_trait]
impl crate::auth::TokenSource for FailingToken {
    async fn token(&self) -> Result<secrecy::SecretString, crate::auth::AuthError> {
        Err(crate::auth::AuthError {
            source_name: "test".into(),
            message: "federated credential expired".into(),
        })
    }

    fn describe(&self) -> String {
        "failing".into()
    }
}

#[tokio::test]
async fn a_credential_failure_is_not_retried_and_is_an_authentication_error() {
    let server = MockServer::start().await;
    let endpoint = parse_endpoint(&server.uri()).unwrap_or_else(|e| panic!("{e}"));
    let client = ArmClient::new(endpoint, Arc::new(FailingToken), Clock::scaled(0.0))
        .unwrap_or_else(|e| panic!("{e}"));
    let error = client
        .get(RES, "1")
        .await
        .err()
        .unwrap_or_else(|| panic!("expected failure"));
    assert!(error.is_authentication(), "{error:?}");
    assert!(error.to_string().contains("federated credential expired"));
    assert_eq!(client.stats().retries, 0);
    assert!(
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "nothing is sent without a token"
    );
}

#[tokio::test]
async fn an_answer_quoting_the_authorization_header_is_scrubbed_where_it_enters() {
    let server = MockServer::start().await;
    // A 403 that quotes the request's Authorization header, and a resource body and a failed
    // operation's status document that echo the token.
    Mock::given(method("PUT"))
        .respond_with(|request: &wiremock::Request| {
            let auth = request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            ResponseTemplate::new(403).set_body_json(json!({"error": {
                "code": "AuthorizationFailed",
                "message": format!("The client with header '{auth}' does not have authorization; another system's Bearer abcdefghijklmnopqrstuvwxyz0123 too"),
                "details": [{"code": "Echo", "message": format!("token={}", auth.trim_start_matches("Bearer "))}]
            }}))
        })
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"name": "a", "properties": {"note": "echo arm-secret-token-value", "policy": "Bearer + context.Variables.GetValueOrDefault"}}),
        ))
        .mount(&server)
        .await;
    let secrets = Arc::new(crate::auth::secrets::Secrets::new());
    let endpoint = parse_endpoint(&server.uri()).unwrap_or_else(|e| panic!("{e}"));
    let tokens = Arc::new(crate::auth::MaskedTokens::new(
        Arc::new(StaticToken::new(
            "arm-secret-token-value".to_string().into(),
            "test",
        )),
        secrets.clone(),
    ));
    let client = ArmClient::new(endpoint, tokens, Clock::scaled(0.0))
        .unwrap_or_else(|e| panic!("{e}"))
        .with_secrets(secrets);
    let error = client
        .write(Method::Put, RES, "2024-01-01", Some(&json!({})))
        .await
        .err()
        .unwrap_or_else(|| panic!("expected the 403"));
    let shown = format!(
        "{error}\n{}",
        serde_json::to_string(&error).unwrap_or_default()
    );
    assert!(!shown.contains("arm-secret-token-value"), "{shown}");
    assert!(!shown.contains("abcdefghijklmnopqrstuvwxyz0123"), "{shown}");
    assert!(
        shown.contains("403 AuthorizationFailed: The client with header 'Bearer ***'"),
        "{shown}"
    );
    // A resource body loses the registered token only: aigw compares and writes it back.
    let body = client
        .get(RES, "2024-01-01")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_default();
    assert_eq!(body["properties"]["note"], "echo ***");
    assert_eq!(
        body["properties"]["policy"],
        "Bearer + context.Variables.GetValueOrDefault"
    );
}

/// Resolves nothing: no DNS query leaves the machine.
struct NoSuchHost;

impl reqwest::dns::Resolve for NoSuchHost {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async { Err("Name or service not known".into()) })
    }
}

#[tokio::test]
async fn an_endpoint_that_does_not_resolve_fails_at_once_with_the_cause() {
    let endpoint =
        parse_endpoint("https://management.example.invalid").unwrap_or_else(|e| panic!("{e}"));
    let token = Arc::new(StaticToken::new("test-token".to_string().into(), "test"));
    let resolver = dns::TrackingResolver::wrapping(Arc::new(NoSuchHost));
    let client = ArmClient::with_resolver(endpoint, token, Clock::scaled(0.0), resolver)
        .unwrap_or_else(|e| panic!("{e}"));
    let error = client
        .get(RES, "2024-01-01")
        .await
        .err()
        .unwrap_or_else(|| panic!("resolved"));
    assert_eq!(client.stats().reads, 1, "no retry");
    assert_eq!(client.stats().retries, 0);
    let message = error.to_string();
    assert!(
        message.contains(
            "cannot resolve host name `management.example.invalid`: Name or service not known"
        ),
        "{message}"
    );
    assert!(error.remedy().is_some_and(|r| r.contains("--arm-endpoint")));
}
