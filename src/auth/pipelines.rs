//! Azure Pipelines OIDC as a client assertion for Entra ID workload identity federation, for a
//! service connection.
//!
//! azure_identity's `AzurePipelinesCredential` fetches the same token internally, where aigw
//! could not register it as a secret; this is the same request, made here so the token is masked
//! before it is sent to Entra ID. Request: `POST {SYSTEM_OIDCREQUESTURI}?api-version=7.1&
//! serviceConnectionId={id}` with the job's `System.AccessToken` as bearer, answer
//! `{"oidcToken": jwt}` (https://learn.microsoft.com/rest/api/azure/devops/distributedtask/oidctoken/create;
//! azure_identity 1.0 `azure_pipelines_credential.rs` for the api-version and headers).

use std::sync::Arc;

use azure_core::http::ClientMethodOptions;
use secrecy::{ExposeSecret, SecretString};

use super::secrets::Secrets;

/// The api-version azure_identity uses for the OIDC token request.
const OIDC_API_VERSION: &str = "7.1";

pub struct PipelinesOidc {
    request_url: url::Url,
    system_token: SecretString,
    http: reqwest::Client,
    secrets: Arc<Secrets>,
}

impl std::fmt::Debug for PipelinesOidc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelinesOidc")
            .field(
                "request_url",
                &crate::endpoint::redact(self.request_url.as_str()),
            )
            .finish_non_exhaustive()
    }
}

impl PipelinesOidc {
    pub fn new(
        request_url: &str,
        service_connection: &str,
        system_token: SecretString,
        secrets: Arc<Secrets>,
    ) -> Result<Self, String> {
        let mut url = url::Url::parse(request_url)
            .map_err(|_| "SYSTEM_OIDCREQUESTURI is not a URL".to_string())?;
        crate::endpoint::parse_endpoint(&format!(
            "{}://{}",
            url.scheme(),
            url.host_str().unwrap_or("")
        ))
        .map_err(|_| "SYSTEM_OIDCREQUESTURI must be https".to_string())?;
        url.query_pairs_mut()
            .append_pair("api-version", OIDC_API_VERSION)
            .append_pair("serviceConnectionId", service_connection);
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(15))
            .timeout(std::time::Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot create the HTTP client: {e}"))?;
        Ok(PipelinesOidc {
            request_url: url,
            system_token,
            http,
            secrets,
        })
    }

    pub async fn fetch(&self) -> Result<String, String> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct TokenResponse {
            oidc_token: Option<String>,
        }
        let response = self
            .http
            .post(self.request_url.clone())
            .bearer_auth(self.system_token.expose_secret())
            // Without it the service answers an unauthenticated request with a sign-in redirect.
            .header("X-TFS-FedAuthRedirect", "Suppress")
            .header("content-length", "0")
            .send()
            .await
            .map_err(|e| {
                format!(
                    "Azure Pipelines OIDC token request failed: {}",
                    std::error::Error::source(&e).map_or(e.to_string(), |s| s.to_string())
                )
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!(
                "Azure Pipelines OIDC token request answered {status}; check the service connection id and that SYSTEM_ACCESSTOKEN is mapped from $(System.AccessToken)"
            ));
        }
        let body: TokenResponse = response
            .json()
            .await
            .map_err(|_| "Azure Pipelines OIDC answer is not JSON with `oidcToken`".to_string())?;
        let token = body
            .oidc_token
            .filter(|v| !v.is_empty())
            .ok_or_else(|| "Azure Pipelines OIDC answer has no `oidcToken`".to_string())?;
        self.secrets.register(&token);
        Ok(token)
    }
}

#[async_trait::async_trait]
impl azure_identity::ClientAssertion for PipelinesOidc {
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
