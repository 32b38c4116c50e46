use secrecy::ExposeSecret;
use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::env::Env;

/// Entra ID's token endpoint, answering with a token that expires at once (so every request
/// for a token goes back to Entra ID, as it would after an hour-long deployment).
async fn fake_entra(server: &MockServer, tenant: &str, form_fragment: &str, token: &str) {
    Mock::given(method("POST"))
        .and(path(format!("/{tenant}/oauth2/v2.0/token")))
        .and(body_string_contains(form_fragment))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"access_token": token, "expires_in": 1, "token_type": "Bearer"}),
            ),
        )
        .mount(server)
        .await;
}

fn env(server: &MockServer, pairs: &[(&str, &str)]) -> Env {
    let mut all: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    all.push(("AIGW_TEST_AUTHORITY_REDIRECT".into(), server.uri()));
    Env::from_pairs(all)
}

async fn token_of(resolved: &Resolved) -> String {
    resolved
        .source
        .token()
        .await
        .map(|t| t.expose_secret().to_string())
        .expect("token")
}

#[tokio::test]
async fn a_ready_token_wins_and_is_not_printed() {
    let resolved = resolve(
        &Env::from_pairs([("AZURE_ACCESS_TOKEN", "ready-token")]),
        None,
    )
    .await;
    let resolved = resolved.expect("credential resolved");
    assert_eq!(resolved.method, AuthMethod::Token);
    assert_eq!(token_of(&resolved).await, "ready-token");
    assert!(!resolved.source.describe().contains("ready-token"));
}

#[tokio::test]
async fn github_oidc_fetches_a_fresh_assertion_for_every_token_request() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/oidc"))
        .and(query_param("audience", "api://AzureADTokenExchange"))
        .and(header("authorization", "Bearer gh-request-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": "github-jwt"})))
        .mount(&server)
        .await;
    fake_entra(
        &server,
        "tenant-1",
        "client_assertion=github-jwt",
        "arm-token-from-oidc",
    )
    .await;
    let env = env(
        &server,
        &[
            ("GITHUB_ACTIONS", "true"),
            (
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                &format!("{}/oidc?run=1", server.uri()),
            ),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
            ("AZURE_TENANT_ID", "tenant-1"),
            ("AZURE_CLIENT_ID", "client-1"),
        ],
    );
    let resolved = resolve(&env, None).await.expect("credential resolved");
    assert_eq!(resolved.method, AuthMethod::GithubOidc);
    assert_eq!(token_of(&resolved).await, "arm-token-from-oidc");
    assert_eq!(token_of(&resolved).await, "arm-token-from-oidc");
    let requests = server.received_requests().await.unwrap_or_default();
    let oidc = requests.iter().filter(|r| r.url.path() == "/oidc").count();
    let entra = requests
        .iter()
        .filter(|r| r.url.path().ends_with("/token"))
        .count();
    assert_eq!(
        (oidc, entra),
        (3, 3),
        "one GitHub token per Entra ID token request"
    );
}

#[tokio::test]
async fn azure_pipelines_exchanges_the_service_connections_oidc_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oidctoken"))
        .and(query_param("api-version", "7.1"))
        .and(query_param("serviceConnectionId", "svc-1"))
        .and(header("authorization", "Bearer system-token-value"))
        .and(header("x-tfs-fedauthredirect", "Suppress"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"oidcToken": "ado-oidc-assertion"})),
        )
        .mount(&server)
        .await;
    fake_entra(
        &server,
        "tenant-ado",
        "client_assertion=ado-oidc-assertion",
        "arm-token-from-ado",
    )
    .await;
    let request_uri = format!("{}/oidctoken", server.uri());
    let env = env(
        &server,
        &[
            ("SYSTEM_OIDCREQUESTURI", request_uri.as_str()),
            ("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "svc-1"),
            ("AZURESUBSCRIPTION_TENANT_ID", "tenant-ado"),
            ("AZURESUBSCRIPTION_CLIENT_ID", "client-ado"),
            ("SYSTEM_ACCESSTOKEN", "system-token-value"),
        ],
    );
    let resolved = resolve(&env, Some(AuthMethod::AzurePipelines))
        .await
        .expect("credential resolved");
    assert_eq!(token_of(&resolved).await, "arm-token-from-ado");
    assert_eq!(
        secrets::global().scrub_known("x ado-oidc-assertion y"),
        "x *** y",
        "the assertion is a registered secret"
    );
}

#[tokio::test]
async fn a_federated_token_file_is_read_for_every_token_request() {
    let server = MockServer::start().await;
    fake_entra(
        &server,
        "tenant-wi",
        "client_assertion=file-jwt-one",
        "arm-1",
    )
    .await;
    fake_entra(
        &server,
        "tenant-wi",
        "client_assertion=file-jwt-two",
        "arm-2",
    )
    .await;
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("token");
    std::fs::write(&file, "file-jwt-one\n").expect("test file written");
    let file_text = file.display().to_string();
    let env = env(
        &server,
        &[
            ("AZURE_FEDERATED_TOKEN_FILE", file_text.as_str()),
            ("AZURE_TENANT_ID", "tenant-wi"),
            ("AZURE_CLIENT_ID", "client-wi"),
        ],
    );
    let resolved = resolve(&env, Some(AuthMethod::WorkloadIdentity))
        .await
        .expect("credential resolved");
    assert_eq!(token_of(&resolved).await, "arm-1");
    // The platform rotates the file; the next token request (the last one expired) sends it.
    std::fs::write(&file, "file-jwt-two").expect("test file written");
    assert_eq!(token_of(&resolved).await, "arm-2");
}

#[tokio::test]
async fn an_entra_error_echoing_the_token_request_shows_no_credential() {
    // Entra ID (or a proxy in front of it) quoting the form it received.
    async fn echoing_entra(server: &MockServer) {
        Mock::given(method("POST"))
            .and(path_regex("/oauth2/v2.0/token$"))
            .respond_with(|request: &wiremock::Request| {
                ResponseTemplate::new(400).set_body_json(json!({
                    "error": "invalid_request",
                    "error_description": format!(
                        "AADSTS900144: bad request body: {}",
                        String::from_utf8_lossy(&request.body)
                    ),
                    "error_codes": [900144]
                }))
            })
            .mount(server)
            .await;
    }
    let secret = "echo+secret/with=special&chars value";
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let server = MockServer::start().await;
    echoing_entra(&server).await;
    let secret_env = env(
        &server,
        &[
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_CLIENT_SECRET", secret),
        ],
    );
    let text = resolve(&secret_env, Some(AuthMethod::ClientSecret))
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(text.contains("AADSTS900144"), "the error is shown: {text}");
    assert!(text.contains("grant_type=client_credentials"), "{text}");
    assert!(!text.contains(secret) && !text.contains(&encoded), "{text}");

    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOmVjaG8ifQ.ZWNoby1zaWduYXR1cmU";
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/oidc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": jwt})))
        .mount(&server)
        .await;
    echoing_entra(&server).await;
    let request_url = format!("{}/oidc", server.uri());
    let oidc_env = env(
        &server,
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", request_url.as_str()),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_ID", "c"),
        ],
    );
    let text = resolve(&oidc_env, Some(AuthMethod::GithubOidc))
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(text.contains("AADSTS900144"), "{text}");
    assert!(
        !text.contains(jwt) && !text.contains("ZWNoby1zaWduYXR1cmU"),
        "{text}"
    );
}

#[tokio::test]
async fn client_secret_credentials() {
    let server = MockServer::start().await;
    fake_entra(
        &server,
        "tenant-3",
        "client_secret=s3cr3t-value",
        "arm-token-from-secret",
    )
    .await;
    let env = env(
        &server,
        &[
            ("AZURE_TENANT_ID", "tenant-3"),
            ("AZURE_CLIENT_ID", "client-3"),
            ("AZURE_CLIENT_SECRET", "s3cr3t-value"),
        ],
    );
    let resolved = resolve(&env, Some(AuthMethod::ClientSecret))
        .await
        .expect("credential resolved");
    assert_eq!(token_of(&resolved).await, "arm-token-from-secret");
}

#[tokio::test]
async fn a_rejected_secret_is_reported_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided (s3cr3t-value).",
            "error_codes": [7000215]})))
        .mount(&server)
        .await;
    let env = env(
        &server,
        &[
            ("AZURE_TENANT_ID", "t"),
            ("AZURE_CLIENT_ID", "c"),
            ("AZURE_CLIENT_SECRET", "s3cr3t-value"),
        ],
    );
    let failure = resolve(&env, Some(AuthMethod::ClientSecret))
        .await
        .err()
        .expect("expected failure");
    let text = failure.to_string();
    assert!(text.contains("client secret"), "{text}");
    assert!(!text.contains("s3cr3t-value"), "{text}");
}

#[tokio::test]
async fn when_nothing_works_every_source_says_why() {
    let env = Env::from_pairs([("GITHUB_ACTIONS", "true"), ("PATH", "/nonexistent")]);
    let failure = resolve(&env, None).await.err().expect("expected failure");
    let text = failure.to_string();
    for expected in [
        "access token (AZURE_ACCESS_TOKEN): AZURE_ACCESS_TOKEN is not set",
        "GitHub Actions OIDC: ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job `permissions: id-token: write`",
        "Azure Pipelines workload identity: not running in Azure Pipelines",
        "client secret (AZURE_CLIENT_SECRET): AZURE_CLIENT_SECRET is not set",
        "managed identity: not probed on GitHub-hosted runners",
        "Azure CLI (az login):",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[tokio::test]
async fn act_has_no_oidc() {
    let env = Env::from_pairs([
        ("ACT", "true"),
        ("GITHUB_ACTIONS", "true"),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", "https://x"),
    ]);
    let failure = resolve(&env, Some(AuthMethod::GithubOidc))
        .await
        .err()
        .expect("expected failure");
    assert!(
        failure.to_string().contains("not available under act"),
        "{failure}"
    );
}
