//! Credentials end to end: each source produces the token the emulator accepts, through the real
//! binary, with local fakes for GitHub's OIDC endpoint, Azure DevOps' OIDC endpoint and Entra ID.

use serde_json::json;
use wiremock::matchers::{body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::arm::*;
use crate::support::*;

/// Entra ID's token endpoint for `tenant`, answering with the emulator's token when the form
/// carries `fragment`. Tokens expire at once, so every token request goes back to it.
fn fake_entra(ctx: &TestContext, tenant: &str, fragment: &str) -> MockServer {
    ctx.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(format!("/{tenant}/oauth2/v2.0/token")))
            .and(body_string_contains(fragment))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"access_token": TOKEN, "expires_in": 1, "token_type": "Bearer"}),
            ))
            .mount(&server)
            .await;
        server
    })
}

fn count(ctx: &TestContext, server: &MockServer, suffix: &str) -> usize {
    ctx.block_on(server.received_requests())
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path().ends_with(suffix))
        .count()
}

/// `aigw plan` (reads only) with the ready-token variable removed and `env` set.
fn plan_with(ctx: &TestContext, env: &[(&str, String)]) -> assert_cmd::assert::Assert {
    let mut cmd = ctx.aigw("plan", EXAMPLE);
    cmd.env_remove("AZURE_ACCESS_TOKEN");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.assert()
}

#[test]
fn github_oidc_exchanges_a_fresh_github_token_for_every_azure_token() {
    let ctx = TestContext::start();
    let entra = fake_entra(&ctx, "tenant-gh", "client_assertion=github-jwt");
    ctx.block_on(
        Mock::given(method("GET"))
            .and(path("/oidc"))
            .and(query_param("audience", "api://AzureADTokenExchange"))
            .and(header("authorization", "Bearer gh-request-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": "github-jwt"})))
            .mount(&entra),
    );
    let assert = plan_with(
        &ctx,
        &[
            ("GITHUB_ACTIONS", "true".into()),
            (
                "ACTIONS_ID_TOKEN_REQUEST_URL",
                format!("{}/oidc?runtime=1", entra.uri()),
            ),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token".into()),
            ("AZURE_TENANT_ID", "tenant-gh".into()),
            ("AZURE_CLIENT_ID", "client-gh".into()),
            ("AIGW_TEST_AUTHORITY_REDIRECT", entra.uri()),
            ("AIGW_CI", "none".into()),
        ],
    );
    let assert = assert.code(0);
    assert!(
        stderr_of(&assert).contains("authenticated with GitHub Actions OIDC"),
        "{}",
        stderr_of(&assert)
    );
    let (oidc, tokens) = (count(&ctx, &entra, "/oidc"), count(&ctx, &entra, "/token"));
    assert!(
        tokens >= 2,
        "a token per request once the cached one expires ({tokens})"
    );
    assert_eq!(
        oidc, tokens,
        "one GitHub OIDC token per Entra ID token request"
    );
    assert!(
        !stdout_of(&assert).contains("github-jwt") && !stderr_of(&assert).contains("github-jwt")
    );
}

#[test]
fn azure_pipelines_workload_identity_uses_the_service_connection() {
    let ctx = TestContext::start();
    let entra = fake_entra(&ctx, "tenant-ado", "client_assertion=ado-jwt");
    ctx.block_on(
        Mock::given(method("POST"))
            .and(path("/oidctoken"))
            .and(query_param("serviceConnectionId", "svc-connection"))
            .and(header("authorization", "Bearer system-token"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"oidcToken": "ado-jwt"})))
            .mount(&entra),
    );
    let assert = plan_with(
        &ctx,
        &[
            ("TF_BUILD", "True".into()),
            (
                "SYSTEM_OIDCREQUESTURI",
                format!("{}/oidctoken", entra.uri()),
            ),
            (
                "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID",
                "svc-connection".into(),
            ),
            ("AZURESUBSCRIPTION_TENANT_ID", "tenant-ado".into()),
            ("AZURESUBSCRIPTION_CLIENT_ID", "client-ado".into()),
            ("SYSTEM_ACCESSTOKEN", "system-token".into()),
            ("AIGW_TEST_AUTHORITY_REDIRECT", entra.uri()),
            ("AIGW_CI", "none".into()),
        ],
    )
    .code(0);
    assert!(
        stderr_of(&assert).contains("authenticated with Azure Pipelines workload identity"),
        "{}",
        stderr_of(&assert)
    );
    assert!(count(&ctx, &entra, "/oidctoken") >= 1);
}

#[test]
fn client_secret_credentials_and_a_forced_method() {
    let ctx = TestContext::start();
    let entra = fake_entra(&ctx, "tenant-cs", "client_secret=s3cr3t-value");
    let env = [
        ("AZURE_TENANT_ID", "tenant-cs".to_string()),
        ("AZURE_CLIENT_ID", "client-cs".to_string()),
        ("AZURE_CLIENT_SECRET", "s3cr3t-value".to_string()),
        ("AIGW_TEST_AUTHORITY_REDIRECT", entra.uri()),
    ];
    let assert = plan_with(&ctx, &env).code(0);
    assert!(stderr_of(&assert).contains("authenticated with client secret"));
    let mut forced = env.to_vec();
    forced.push(("AIGW_AUTH", "azure-cli".into()));
    forced.push(("PATH", "/nonexistent".into()));
    let assert = plan_with(&ctx, &forced).code(3);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("no Azure credential worked; tried:\n  - Azure CLI (az login):"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3t-value"));
}

#[test]
fn in_ci_every_token_aigw_obtains_is_masked_before_use() {
    let ctx = TestContext::start();
    let entra = fake_entra(&ctx, "tenant-mask", "client_secret=mask-secret");
    let env = |ci: &str| {
        [
            ("AZURE_TENANT_ID", "tenant-mask".to_string()),
            ("AZURE_CLIENT_ID", "client-mask".to_string()),
            ("AZURE_CLIENT_SECRET", "mask-secret".to_string()),
            ("AIGW_TEST_AUTHORITY_REDIRECT", entra.uri()),
            ("AIGW_CI", ci.to_string()),
        ]
    };
    let github = plan_with(&ctx, &env("github")).code(0);
    let stderr = stderr_of(&github);
    let mask = format!("::add-mask::{TOKEN}");
    let first_mask = stderr.find(&mask).unwrap_or_else(|| panic!("{stderr}"));
    let authenticated = stderr
        .find("authenticated with client secret")
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        authenticated < first_mask,
        "masked when first obtained, after the credential was chosen"
    );
    let ado = plan_with(&ctx, &env("azure-devops")).code(0);
    assert!(
        stderr_of(&ado).contains(&format!("##vso[task.setsecret]{TOKEN}")),
        "{}",
        stderr_of(&ado)
    );
    let none = plan_with(&ctx, &env("none")).code(0);
    assert!(!stderr_of(&none).contains(TOKEN));
}

#[test]
fn without_any_credential_the_error_lists_every_source_and_exits_3() {
    let ctx = TestContext::start();
    let assert = plan_with(
        &ctx,
        &[
            ("PATH", "/nonexistent".into()),
            ("GITHUB_ACTIONS", "true".into()),
            ("AIGW_CI", "none".into()),
        ],
    )
    .code(3);
    let stderr = stderr_of(&assert);
    for source in [
        "access token (AZURE_ACCESS_TOKEN)",
        "GitHub Actions OIDC",
        "Azure Pipelines workload identity",
        "client secret",
        "managed identity",
        "Azure CLI",
    ] {
        assert!(stderr.contains(source), "{source} missing:\n{stderr}");
    }
}
