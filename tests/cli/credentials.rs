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

/// The CI platforms a leak test runs under.
const MODES: [&str; 3] = ["github", "azure-devops", "none"];

/// What one run left behind: stdout, stderr and every file the platform's protocol wrote.
struct Leftovers {
    mode: &'static str,
    texts: Vec<(String, String)>,
}

impl Leftovers {
    fn all(&self) -> String {
        self.texts
            .iter()
            .map(|(_, t)| t.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// No form of `secret` (raw, form- or percent-encoded, JSON-escaped, base64) appears
    /// anywhere except in the runner's own masking commands.
    #[track_caller]
    fn assert_no_leak(&self, secret: &str) {
        let forms: Vec<String> = aigw::auth::secrets::encodings(secret)
            .into_iter()
            .filter(|f| f.len() >= 8)
            .collect();
        for (name, text) in &self.texts {
            for line in text.lines() {
                let masking =
                    line.starts_with("::add-mask::") || line.starts_with("##vso[task.setsecret]");
                if let Some(form) = forms.iter().find(|f| line.contains(f.as_str()))
                    && !masking
                {
                    panic!(
                        "{}: {name} shows the secret ({form}) in:\n{line}\n\nall output:\n{}",
                        self.mode,
                        self.all()
                    );
                }
            }
        }
    }

    /// In CI the raw value and its encodings were masked with the runner.
    #[track_caller]
    fn assert_masked(&self, secret: &str, encoded: &str) {
        let stderr = self.text("stderr");
        let (raw, form) = match self.mode {
            "github" => (
                format!("::add-mask::{secret}"),
                format!("::add-mask::{}", encoded.replace('%', "%25")),
            ),
            "azure-devops" => (
                format!("##vso[task.setsecret]{secret}"),
                format!("##vso[task.setsecret]{}", encoded.replace('%', "%AZP25")),
            ),
            _ => return,
        };
        assert!(
            stderr.contains(&raw),
            "{}: {raw} missing:\n{stderr}",
            self.mode
        );
        assert!(
            stderr.contains(&form),
            "{}: {form} missing:\n{stderr}",
            self.mode
        );
    }

    fn text(&self, name: &str) -> &str {
        self.texts
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, t)| t.as_str())
    }
}

/// Runs `cmd` as the CI platform `mode` would, collecting every output.
fn run_as(mode: &'static str, mut cmd: assert_cmd::Command) -> (Leftovers, i32) {
    let dir = tempfile::tempdir().expect("temporary directory");
    cmd.env("AIGW_CI", mode);
    match mode {
        "github" => {
            cmd.env("GITHUB_ACTIONS", "true")
                .env("GITHUB_OUTPUT", dir.path().join("output"))
                .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"));
        }
        "azure-devops" => {
            cmd.env("TF_BUILD", "True")
                .env("AGENT_TEMPDIRECTORY", dir.path());
        }
        _ => {}
    }
    let output = cmd.output().expect("command runs");
    let mut texts = vec![
        (
            "stdout".to_string(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        ),
        (
            "stderr".to_string(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
    ];
    for entry in std::fs::read_dir(dir.path())
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        texts.push((entry.file_name().to_string_lossy().into_owned(), text));
    }
    (
        Leftovers { mode, texts },
        output.status.code().unwrap_or(-1),
    )
}

/// ARM answering a PUT of the resource group with 403, quoting the request's Authorization
/// header raw, URL-encoded and inside a JSON string.
fn echoing_arm() -> TestContext {
    TestContext::with(|b| {
        b.route_override(|request| {
            if request.method != "PUT"
                || !request
                    .path
                    .to_ascii_lowercase()
                    .ends_with("/resourcegroups/rg-aigw-acc-x7k")
            {
                return None;
            }
            let auth = request.header("authorization").unwrap_or("").to_string();
            let encoded: String = url::form_urlencoded::byte_serialize(auth.as_bytes()).collect();
            let quoted =
                serde_json::to_string(&json!({ "authorization": auth })).unwrap_or_default();
            Some(aigw::emulator::OverrideResponse::error(
                403,
                "AuthorizationFailed",
                &format!(
                    "The client does not have authorization to perform action \
                     'Microsoft.Resources/subscriptions/resourcegroups/write'. Request headers: \
                     Authorization: {auth}; encoded: {encoded}; as JSON: {quoted}"
                ),
            ))
        })
    })
}

#[test]
fn an_arm_error_quoting_the_token_shows_no_token_in_any_output() {
    let ctx = echoing_arm();
    for mode in MODES {
        for output in ["text", "json"] {
            let mut cmd = ctx.aigw("deploy", EXAMPLE);
            cmd.args(["--output", output]);
            let (left, code) = run_as(mode, cmd);
            assert_eq!(code, 1, "{mode}: {}", left.all());
            assert!(
                left.all().contains("AuthorizationFailed")
                    && left.all().contains("Authorization: Bearer ***"),
                "{mode}: the error itself is shown:\n{}",
                left.all()
            );
            left.assert_no_leak(TOKEN);
            left.assert_masked(TOKEN, TOKEN);
        }
    }
}

#[test]
fn a_failed_plan_comment_and_a_github_error_show_no_token() {
    // A live plan creates nothing, so ARM quotes the token in a 403 to a read.
    let ctx = TestContext::with(|b| {
        b.route_override(|request| {
            if request.method != "GET" {
                return None;
            }
            let auth = request.header("authorization").unwrap_or("").to_string();
            Some(aigw::emulator::OverrideResponse::error(
                403,
                "AuthorizationFailed",
                &format!("The client with header '{auth}' does not have authorization"),
            ))
        })
    });
    let github = ctx.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/repos/acme/infra/issues/7/comments"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
            .mount(&server)
            .await;
        // GitHub (or a proxy) refusing the comment and quoting the request's token.
        Mock::given(method("POST"))
            .and(path("/repos/acme/infra/issues/7/comments"))
            .respond_with(|request: &wiremock::Request| {
                let auth = request
                    .headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                ResponseTemplate::new(403).set_body_json(json!({
                    "message": format!("Resource not accessible by integration ({auth})"),
                    "documentation_url": "https://docs.github.com"
                }))
            })
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    let event = dir.path().join("event.json");
    std::fs::write(&event, json!({"pull_request": {"number": 7}}).to_string())
        .expect("test file written");
    let github_token = "ghs_0123456789abcdefghijklmnopqrstuvwxyz";
    let mut cmd = ctx.aigw("plan", EXAMPLE);
    cmd.env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_API_URL", github.uri())
        .env("GITHUB_TOKEN", github_token);
    let (left, code) = run_as("github", cmd);
    assert_ne!(code, 0, "{}", left.all());
    assert!(
        left.text("stderr")
            .contains("could not comment the plan on pull request #7: GitHub answered 403"),
        "{}",
        left.all()
    );
    let comments = ctx.block_on(fake_github_bodies(&github));
    assert_eq!(comments.len(), 1, "the failed plan was commented");
    assert!(
        comments[0].contains("AuthorizationFailed"),
        "{}",
        comments[0]
    );
    let mut with_comment = left;
    with_comment
        .texts
        .push(("PR comment".into(), comments[0].clone()));
    with_comment.assert_no_leak(TOKEN);
    with_comment.assert_no_leak(github_token);
}

async fn fake_github_bodies(server: &MockServer) -> Vec<String> {
    crate::support::fake_github::bodies(server, "POST", "/repos/acme/infra/issues/7/comments")
        .await
        .iter()
        .map(|b| b["body"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Entra ID answering every token request with 400, quoting the form it received (client id,
/// secret or assertion, form-encoded).
fn echoing_entra(ctx: &TestContext) -> MockServer {
    ctx.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(wiremock::matchers::path_regex("/oauth2/v2.0/token$"))
            .respond_with(|request: &wiremock::Request| {
                ResponseTemplate::new(400).set_body_json(json!({
                    "error": "invalid_request",
                    "error_description": format!(
                        "AADSTS900144: The request body must contain the following parameter: 'x'. Body: {}",
                        String::from_utf8_lossy(&request.body)
                    ),
                    "error_codes": [900144]
                }))
            })
            .mount(&server)
            .await;
        server
    })
}

#[test]
fn a_token_endpoint_echoing_the_client_secret_shows_it_in_no_encoding() {
    let ctx = TestContext::start();
    let entra = echoing_entra(&ctx);
    let secret = "cs~Q8+/secret=value&more stuff";
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    for mode in MODES {
        let mut cmd = ctx.aigw("plan", EXAMPLE);
        cmd.env_remove("AZURE_ACCESS_TOKEN")
            .env("AIGW_AUTH", "client-secret")
            .env("AZURE_TENANT_ID", "tenant-echo")
            .env("AZURE_CLIENT_ID", "client-echo")
            .env("AZURE_CLIENT_SECRET", secret)
            .env("AIGW_TEST_AUTHORITY_REDIRECT", entra.uri());
        let (left, code) = run_as(mode, cmd);
        assert_eq!(code, 3, "{mode}: {}", left.all());
        assert!(
            left.all().contains("AADSTS900144") && left.all().contains("client_id=client-echo"),
            "{mode}: Entra ID's error is shown:\n{}",
            left.all()
        );
        left.assert_no_leak(secret);
        left.assert_masked(secret, &encoded);
    }
}

#[test]
fn an_oidc_assertion_is_masked_before_use_and_never_shown() {
    let ctx = TestContext::start();
    let entra = echoing_entra(&ctx);
    let github_jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImdoIn0.eyJzdWIiOiJyZXBvOmFjbWUvaW5mcmEifQ.Z2l0aHViLXNpZ25hdHVyZQ";
    let ado_jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImFkbyJ9.eyJzdWIiOiJzYzovL2FjbWUvaW5mcmEifQ.YWRvLXNpZ25hdHVyZQ";
    ctx.block_on(async {
        Mock::given(method("GET"))
            .and(path("/oidc"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"value": github_jwt})))
            .mount(&entra)
            .await;
        Mock::given(method("POST"))
            .and(path("/oidctoken"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"oidcToken": ado_jwt})))
            .mount(&entra)
            .await;
    });
    for mode in MODES {
        for (auth, jwt) in [("github-oidc", github_jwt), ("azure-pipelines", ado_jwt)] {
            let mut cmd = ctx.aigw("plan", EXAMPLE);
            cmd.env_remove("AZURE_ACCESS_TOKEN")
                .env("AIGW_AUTH", auth)
                .env(
                    "ACTIONS_ID_TOKEN_REQUEST_URL",
                    format!("{}/oidc", entra.uri()),
                )
                .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token")
                .env("AZURE_TENANT_ID", "tenant-oidc")
                .env("AZURE_CLIENT_ID", "client-oidc")
                .env(
                    "SYSTEM_OIDCREQUESTURI",
                    format!("{}/oidctoken", entra.uri()),
                )
                .env("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "svc")
                .env("AZURESUBSCRIPTION_TENANT_ID", "tenant-oidc")
                .env("AZURESUBSCRIPTION_CLIENT_ID", "client-oidc")
                .env("SYSTEM_ACCESSTOKEN", "system-access-token")
                .env("AIGW_TEST_AUTHORITY_REDIRECT", entra.uri());
            let (left, code) = run_as(mode, cmd);
            assert_eq!(code, 3, "{mode} {auth}: {}", left.all());
            assert!(
                left.all().contains("AADSTS900144"),
                "{mode} {auth}: Entra ID's error is shown:\n{}",
                left.all()
            );
            left.assert_no_leak(jwt);
            left.assert_masked(jwt, jwt);
        }
    }
}
