//! Bridges azure_identity credentials to [`TokenSource`], and the HTTP transport they use.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use azure_core::http::{AsyncRawResponse, ClientOptions, HttpClient, Request, Transport};
use secrecy::SecretString;

use super::secrets::Secrets;
use super::{ARM_SCOPE, AuthError, TokenSource};

/// An azure_identity credential as a token source, with a token cache of its own: most
/// azure_identity credentials cache, but AzureCliCredential runs `az` on every call, which would
/// mean one process per ARM request.
pub struct AzureCredential {
    inner: Arc<dyn TokenCredential>,
    name: String,
    secrets: Arc<Secrets>,
    cached: tokio::sync::Mutex<Option<(SecretString, time::OffsetDateTime)>>,
}

/// A cached token is renewed this long before it expires (azure_identity uses the same margin).
const REFRESH_MARGIN: time::Duration = time::Duration::minutes(5);

impl AzureCredential {
    pub fn new(
        inner: Arc<dyn TokenCredential>,
        name: impl Into<String>,
        secrets: Arc<Secrets>,
    ) -> Self {
        AzureCredential {
            inner,
            name: name.into(),
            secrets,
            cached: tokio::sync::Mutex::new(None),
        }
    }
}

#[async_trait::async_trait]
impl TokenSource for AzureCredential {
    async fn token(&self) -> Result<SecretString, AuthError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, expires_on)) = cached.as_ref()
            && *expires_on - time::OffsetDateTime::now_utc() > REFRESH_MARGIN
        {
            return Ok(token.clone());
        }
        match self.inner.get_token(&[ARM_SCOPE], None).await {
            Ok(token) => {
                let secret = SecretString::from(token.token.secret().to_string());
                *cached = Some((secret.clone(), token.expires_on));
                Ok(secret)
            }
            // Entra ID's error text can echo the token request (client secret, assertion):
            // scrubbed here, where it enters aigw.
            Err(error) => Err(AuthError {
                source_name: self.name.clone(),
                message: self.secrets.scrub(&error.to_string()),
            }),
        }
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

/// Client options for Entra ID credentials: aigw's own rustls HTTP client (azure_core's default
/// TLS stack is not compiled in), optionally redirected to a loopback fake for tests.
pub fn client_options(redirect: Option<&url::Url>) -> Result<ClientOptions, String> {
    crate::tls::install_crypto_provider();
    let http = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(15))
        .timeout(std::time::Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot create the HTTP client: {e}"))?;
    let client: Arc<dyn HttpClient> = match redirect {
        Some(target) => Arc::new(Redirect {
            inner: Arc::new(http),
            target: target.clone(),
        }),
        None => Arc::new(http),
    };
    Ok(ClientOptions {
        transport: Some(Transport::new(client)),
        ..ClientOptions::default()
    })
}

/// Test hook (`AIGW_TEST_AUTHORITY_REDIRECT`, loopback only): sends Entra ID token requests to a
/// local fake, because azure_identity accepts only https authority hosts.
#[derive(Debug)]
struct Redirect {
    inner: Arc<dyn HttpClient>,
    target: url::Url,
}

#[async_trait::async_trait]
impl HttpClient for Redirect {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let mut redirected = request.clone();
        let url = redirected.url_mut();
        // The setters only fail for URLs that cannot have a host, which token URLs always have.
        let _ = url.set_scheme(self.target.scheme());
        let _ = url.set_host(self.target.host_str());
        let _ = url.set_port(self.target.port());
        self.inner.execute_request(&redirected).await
    }
}
