//! Which credential aigw uses: forced with `--auth`, or the first that works in this order:
//! a ready token (`AZURE_ACCESS_TOKEN`), GitHub Actions OIDC, Azure Pipelines workload identity,
//! client secret, workload identity token file, managed identity, Azure CLI. When none works,
//! the error lists each one with why it was not used.

use std::sync::Arc;
use std::time::Duration;

use azure_identity::{
    AzureCliCredential, ClientAssertion, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
};
use secrecy::SecretString;

use super::azure::{AzureCredential, client_options};
use super::github::GithubOidc;
use super::pipelines::PipelinesOidc;
use super::secrets::{self, Secrets};
use super::token_file::TokenFile;
use super::{StaticToken, TokenSource};
use crate::env::Env;

/// Managed identity has no fast "not here" signal off Azure (IMDS retries for over a minute);
/// in automatic mode it gets this long.
const MANAGED_IDENTITY_PROBE: Duration = Duration::from_secs(4);
/// Upper bound for any one source to produce its first token.
const FIRST_TOKEN_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    Token,
    GithubOidc,
    AzurePipelines,
    ClientSecret,
    WorkloadIdentity,
    ManagedIdentity,
    AzureCli,
}

impl AuthMethod {
    pub const ALL: [AuthMethod; 7] = [
        AuthMethod::Token,
        AuthMethod::GithubOidc,
        AuthMethod::AzurePipelines,
        AuthMethod::ClientSecret,
        AuthMethod::WorkloadIdentity,
        AuthMethod::ManagedIdentity,
        AuthMethod::AzureCli,
    ];

    pub fn label(self) -> &'static str {
        match self {
            AuthMethod::Token => "access token (AZURE_ACCESS_TOKEN)",
            AuthMethod::GithubOidc => "GitHub Actions OIDC",
            AuthMethod::AzurePipelines => "Azure Pipelines workload identity",
            AuthMethod::ClientSecret => "client secret (AZURE_CLIENT_SECRET)",
            AuthMethod::WorkloadIdentity => {
                "workload identity token file (AZURE_FEDERATED_TOKEN_FILE)"
            }
            AuthMethod::ManagedIdentity => "managed identity",
            AuthMethod::AzureCli => "Azure CLI (az login)",
        }
    }
}

/// One source that was considered and why it was not used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub method: AuthMethod,
    pub reason: String,
}

#[derive(Clone, Debug, thiserror::Error)]
#[error("no Azure credential worked; tried:{}", render(.attempts))]
pub struct AuthFailure {
    pub attempts: Vec<Attempt>,
}

fn render(attempts: &[Attempt]) -> String {
    attempts
        .iter()
        .map(|a| format!("\n  - {}: {}", a.method.label(), a.reason))
        .collect()
}

/// A working source, proven by having produced a token.
pub struct Resolved {
    pub source: Arc<dyn TokenSource>,
    pub method: AuthMethod,
    /// Sources skipped on the way, for the log.
    pub skipped: Vec<Attempt>,
}

/// Finds a working credential: `forced` alone, or the automatic order.
pub async fn resolve(env: &Env, forced: Option<AuthMethod>) -> Result<Resolved, AuthFailure> {
    let secrets = secrets::global();
    // Before any request: an error from a token endpoint may echo them.
    secrets.register_env(env);
    let redirect = test_redirect(env);
    let candidates: Vec<AuthMethod> = match forced {
        Some(method) => vec![method],
        None => AuthMethod::ALL.to_vec(),
    };
    let mut attempts = Vec::new();
    for method in candidates {
        let built = build(method, env, redirect.as_ref(), forced.is_some(), &secrets);
        let source = match built {
            Ok(source) => source,
            Err(reason) => {
                attempts.push(Attempt { method, reason });
                continue;
            }
        };
        let limit = if method == AuthMethod::ManagedIdentity && forced.is_none() {
            MANAGED_IDENTITY_PROBE
        } else {
            FIRST_TOKEN_TIMEOUT
        };
        match tokio::time::timeout(limit, source.token()).await {
            Ok(Ok(_)) => {
                return Ok(Resolved {
                    source,
                    method,
                    skipped: attempts,
                });
            }
            Ok(Err(error)) => attempts.push(Attempt {
                method,
                reason: first_lines(&secrets.scrub(&error.message)),
            }),
            Err(_) => attempts.push(Attempt {
                method,
                reason: format!("no token within {}", crate::duration::human(limit)),
            }),
        }
    }
    Err(AuthFailure { attempts })
}

/// Constructs a source when its configuration is present; the error says what is missing.
fn build(
    method: AuthMethod,
    env: &Env,
    redirect: Option<&url::Url>,
    forced: bool,
    secrets: &Arc<Secrets>,
) -> Result<Arc<dyn TokenSource>, String> {
    let need = |name: &str| {
        env.non_empty(name)
            .map(String::from)
            .ok_or_else(|| format!("{name} is not set"))
    };
    let options = || client_options(redirect);
    let credential = |inner: Arc<dyn azure_core::credentials::TokenCredential>, name: &str| {
        Ok(Arc::new(AzureCredential::new(inner, name, secrets.clone())) as Arc<dyn TokenSource>)
    };
    match method {
        AuthMethod::Token => {
            let token = need("AZURE_ACCESS_TOKEN")?;
            Ok(Arc::new(StaticToken::new(
                SecretString::from(token),
                "AZURE_ACCESS_TOKEN",
            )))
        }
        AuthMethod::GithubOidc => {
            if env.is_true("ACT") {
                return Err(
                    "not available under act (local runs have no GitHub OIDC provider)".into(),
                );
            }
            let url = env.non_empty("ACTIONS_ID_TOKEN_REQUEST_URL").ok_or_else(|| {
                if env.is_true("GITHUB_ACTIONS") {
                    "ACTIONS_ID_TOKEN_REQUEST_URL is not set: give the job `permissions: id-token: write`".to_string()
                } else {
                    "not running in GitHub Actions".to_string()
                }
            })?;
            let request_token = SecretString::from(need("ACTIONS_ID_TOKEN_REQUEST_TOKEN")?);
            let (tenant, client) = (need("AZURE_TENANT_ID")?, need("AZURE_CLIENT_ID")?);
            let assertion = GithubOidc::new(url, request_token, secrets.clone())?;
            credential(
                federated(tenant, client, assertion, redirect)?,
                "GitHub Actions OIDC",
            )
        }
        AuthMethod::AzurePipelines => {
            // The variable names the AzureCLI@2 task and aigw's own task export for the service
            // connection; SYSTEM_OIDCREQUESTURI is set by the agent.
            let request_url = need("SYSTEM_OIDCREQUESTURI").map_err(|_| {
                "not running in Azure Pipelines with a service connection".to_string()
            })?;
            let connection = need("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID")?;
            let tenant = need("AZURESUBSCRIPTION_TENANT_ID")?;
            let client = need("AZURESUBSCRIPTION_CLIENT_ID")?;
            let system_token = need("SYSTEM_ACCESSTOKEN").map_err(|e| {
                format!("{e}: map it with `env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)`")
            })?;
            let assertion = PipelinesOidc::new(
                &request_url,
                &connection,
                SecretString::from(system_token),
                secrets.clone(),
            )?;
            credential(
                federated(tenant, client, assertion, redirect)?,
                "Azure Pipelines workload identity",
            )
        }
        AuthMethod::ClientSecret => {
            let secret = need("AZURE_CLIENT_SECRET")?;
            let (tenant, client) = (need("AZURE_TENANT_ID")?, need("AZURE_CLIENT_ID")?);
            let inner = ClientSecretCredential::new(
                &tenant,
                client,
                azure_core::credentials::Secret::new(secret),
                Some(ClientSecretCredentialOptions {
                    client_options: options()?,
                }),
            )
            .map_err(|e| e.to_string())?;
            credential(inner, "client secret")
        }
        AuthMethod::WorkloadIdentity => {
            let file = need("AZURE_FEDERATED_TOKEN_FILE")?;
            let (tenant, client) = (need("AZURE_TENANT_ID")?, need("AZURE_CLIENT_ID")?);
            let assertion = TokenFile::new(file, secrets.clone());
            credential(
                federated(tenant, client, assertion, redirect)?,
                "workload identity token file",
            )
        }
        AuthMethod::ManagedIdentity => {
            let on_azure_host = env.non_empty("IDENTITY_ENDPOINT").is_some()
                || env.non_empty("MSI_ENDPOINT").is_some();
            // GitHub-hosted runners have no managed identity (self-hosted ones on Azure VMs may):
            // RUNNER_ENVIRONMENT says which.
            let github_hosted = env.get("RUNNER_ENVIRONMENT") == Some("github-hosted")
                || (env.is_true("GITHUB_ACTIONS") && env.get("RUNNER_ENVIRONMENT").is_none());
            if !forced && !on_azure_host && github_hosted {
                return Err(
                    "not probed on GitHub-hosted runners (no managed identity there)".into(),
                );
            }
            let user_assigned = env
                .non_empty("AZURE_CLIENT_ID")
                .map(|id| UserAssignedId::ClientId(id.to_string()));
            let inner = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: user_assigned,
                client_options: options()?,
            }))
            .map_err(|e| e.to_string())?;
            credential(inner, "managed identity")
        }
        AuthMethod::AzureCli => {
            let inner = AzureCliCredential::new(None).map_err(|e| e.to_string())?;
            credential(inner, "Azure CLI")
        }
    }
}

/// A federated credential: aigw fetches the assertion itself, so it is registered as a secret
/// before Entra ID sees it.
fn federated<C: ClientAssertion + 'static>(
    tenant: String,
    client: String,
    assertion: C,
    redirect: Option<&url::Url>,
) -> Result<Arc<dyn azure_core::credentials::TokenCredential>, String> {
    let credential = ClientAssertionCredential::new(
        tenant,
        client,
        assertion,
        Some(ClientAssertionCredentialOptions {
            client_options: client_options(redirect)?,
        }),
    )
    .map_err(|e| e.to_string())?;
    Ok(credential)
}

/// Test hook: `AIGW_TEST_AUTHORITY_REDIRECT=http://127.0.0.1:PORT` sends Entra ID token requests
/// to a local fake. Ignored unless it points at a loopback address.
fn test_redirect(env: &Env) -> Option<url::Url> {
    let value = env.non_empty("AIGW_TEST_AUTHORITY_REDIRECT")?;
    crate::endpoint::parse_endpoint(value)
        .ok()
        .filter(|u| u.scheme() == "http")
}

/// The first lines of a credential's error: azure_identity errors can be long JSON dumps.
fn first_lines(message: &str) -> String {
    message.lines().take(4).collect::<Vec<_>>().join(" ")
}
