//! Tokens aigw obtains are registered as secrets the first time they are seen ([`Secrets`]):
//! masked with the CI runner before any request could echo them, and scrubbed from whatever a
//! server sends back (what `@actions/core`'s `getIDToken` does for its own tokens).

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

use super::secrets::Secrets;
use super::{AuthError, TokenSource};

/// Registers one secret value with the runner (e.g. prints `::add-mask::VALUE`).
pub type Masker = Arc<dyn Fn(&str) + Send + Sync>;

pub struct MaskedTokens {
    inner: Arc<dyn TokenSource>,
    secrets: Arc<Secrets>,
}

impl MaskedTokens {
    pub fn new(inner: Arc<dyn TokenSource>, secrets: Arc<Secrets>) -> Self {
        MaskedTokens { inner, secrets }
    }
}

#[async_trait::async_trait]
impl TokenSource for MaskedTokens {
    async fn token(&self) -> Result<SecretString, AuthError> {
        let token = self.inner.token().await?;
        // Registered before it is handed out, so before any request could echo it; sources
        // cache tokens and a value already registered is not masked again.
        self.secrets.register(token.expose_secret());
        Ok(token)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::auth::StaticToken;

    struct Rotating(Mutex<u32>);

    #[async_trait::async_trait]
    impl TokenSource for Rotating {
        async fn token(&self) -> Result<SecretString, AuthError> {
            let mut n = self.0.lock().map_err(|_| AuthError {
                source_name: "rotating".into(),
                message: "poisoned".into(),
            })?;
            *n += 1;
            // Two calls per token, like a cache that refreshes every other request.
            Ok(SecretString::from(format!(
                "rotating-token-{}",
                n.div_ceil(2)
            )))
        }
        fn describe(&self) -> String {
            "rotating".into()
        }
    }

    fn recording() -> (Arc<Secrets>, Arc<Mutex<Vec<String>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let masker: Masker = Arc::new(move |value: &str| {
            sink.lock().map(|mut s| s.push(value.to_string())).ok();
        });
        let secrets = Arc::new(Secrets::new());
        secrets.set_masker(masker);
        (secrets, seen)
    }

    fn raw_tokens(seen: &Mutex<Vec<String>>) -> Vec<String> {
        seen.lock()
            .map(|s| s.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.starts_with("rotating-token-"))
            .collect()
    }

    #[tokio::test]
    async fn each_distinct_token_is_masked_once_before_it_is_returned() {
        let (secrets, seen) = recording();
        let tokens = MaskedTokens::new(Arc::new(Rotating(Mutex::new(0))), secrets.clone());
        for _ in 0..5 {
            tokens.token().await.map(|_| ()).expect("token");
        }
        assert_eq!(
            raw_tokens(&seen),
            ["rotating-token-1", "rotating-token-2", "rotating-token-3"]
        );
        assert_eq!(secrets.scrub("a rotating-token-2 b"), "a *** b");
    }

    #[tokio::test]
    async fn a_static_token_is_masked_once_and_described_as_its_source() {
        let (secrets, seen) = recording();
        let tokens = MaskedTokens::new(
            Arc::new(StaticToken::new(
                "abc".to_string().into(),
                "AZURE_ACCESS_TOKEN",
            )),
            secrets,
        );
        for _ in 0..3 {
            tokens.token().await.map(|_| ()).expect("token");
        }
        assert_eq!(seen.lock().map(|s| s.len()).unwrap_or(0), 1);
        assert_eq!(tokens.describe(), "AZURE_ACCESS_TOKEN");
    }
}
