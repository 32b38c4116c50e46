//! GitHub Actions OIDC as a client assertion for Entra ID workload identity federation.
//!
//! The runner sets `ACTIONS_ID_TOKEN_REQUEST_URL` and `ACTIONS_ID_TOKEN_REQUEST_TOKEN` when the
//! job has `permissions: id-token: write`. A fresh GitHub token is fetched every time Entra ID
//! needs an assertion (azure_identity asks only when its cached ARM token is missing or about to
//! expire), so deployments longer than a token's life keep working. Request and response shape:
//! actions/toolkit `packages/core/src/oidc-utils.ts` (`GET {url}&audience=...` → `{"value": jwt}`).

use std::sync::Arc;

use azure_core::http::ClientMethodOptions;
use secrecy::{ExposeSecret, SecretString};

use super::secrets::Secrets;

/// The audience Entra ID expects for federated credentials.
pub const AUDIENCE: &str = "api://AzureADTokenExchange";

pub struct GithubOidc {
    request_url: url::Url,
    request_token: SecretString,
    http: reqwest::Client,
    secrets: Arc<Secrets>,
}

impl std::fmt::Debug for GithubOidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GithubOidc")
            .field(
                "request_url",
                &crate::endpoint::redact(self.request_url.as_str()),
            )
            .finish_non_exhaustive()
    }
}

impl GithubOidc {
    pub fn new(
        request_url: &str,
        request_token: SecretString,
        secrets: Arc<Secrets>,
    ) -> Result<Self, String> {
        let mut url = url::Url::parse(request_url)
            .map_err(|_| "ACTIONS_ID_TOKEN_REQUEST_URL is not a URL".to_string())?;
        if crate::endpoint::parse_endpoint(&format!(
            "{}://{}",
            url.scheme(),
            url.host_str().unwrap_or("")
        ))
        .is_err()
        {
            return Err("ACTIONS_ID_TOKEN_REQUEST_URL must be https".into());
        }
        url.query_pairs_mut().append_pair("audience", AUDIENCE);
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(15))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| format!("cannot create the HTTP client: {e}"))?;
        Ok(GithubOidc {
            request_url: url,
            request_token,
            http,
            secrets,
        })
    }

    pub async fn fetch(&self) -> Result<String, String> {
        #[derive(serde::Deserialize)]
        struct TokenResponse {
            value: Option<String>,
        }
        let response = self
            .http
            .get(self.request_url.clone())
            .bearer_auth(self.request_token.expose_secret())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| {
                format!(
                    "GitHub OIDC token request failed: {}",
                    std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string())
                )
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!(
                "GitHub OIDC token request answered {status}; does the job have `permissions: id-token: write`?"
            ));
        }
        let body: TokenResponse = response
            .json()
            .await
            .map_err(|_| "GitHub OIDC answer is not JSON with `value`".to_string())?;
        let assertion = body
            .value
            .filter(|v| !v.is_empty())
            .ok_or_else(|| "GitHub OIDC answer has no `value`".to_string())?;
        // Masked before azure_identity sends it to Entra ID, which may echo it in an error.
        self.secrets.register(&assertion);
        Ok(assertion)
    }
}

#[async_trait::async_trait]
impl azure_identity::ClientAssertion for GithubOidc {
    async fn secret(
        &self,
        _options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        self.fetch().await.map_err(|message| {
            azure_core::Error::with_message(
                azure_core::error::ErrorKind::Credential,
                self.secrets.scrub(&message),
            )
        })
    }
}
