//! Tokens aigw obtains are registered with the CI runner as secrets the first time they are
//! seen, so that no log line can show one even by accident (what `@actions/core`'s
//! `getIDToken` does for its own tokens). The wrapper stays platform-agnostic: the caller says
//! how a value is masked.

use std::sync::{Arc, Mutex};

use secrecy::{ExposeSecret, SecretString};

use super::{AuthError, TokenSource};

/// Registers one secret value with the runner (e.g. prints `::add-mask::VALUE`).
pub type Masker = Arc<dyn Fn(&str) + Send + Sync>;

pub struct MaskedTokens {
    inner: Arc<dyn TokenSource>,
    masker: Masker,
    /// The last token masked: sources cache tokens, and a token is masked once.
    last: Mutex<Option<SecretString>>,
}

impl MaskedTokens {
    pub fn new(inner: Arc<dyn TokenSource>, masker: Masker) -> Self {
        MaskedTokens {
            inner,
            masker,
            last: Mutex::new(None),
        }
    }
}

#[async_trait::async_trait]
impl TokenSource for MaskedTokens {
    async fn token(&self) -> Result<SecretString, AuthError> {
        let token = self.inner.token().await?;
        // Masked before it is handed out, so before any request could echo it.
        if let Ok(mut last) = self.last.lock()
            && last
                .as_ref()
                .is_none_or(|l| l.expose_secret() != token.expose_secret())
        {
            (self.masker)(token.expose_secret());
            *last = Some(token.clone());
        }
        Ok(token)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

#[cfg(test)]
mod tests {
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
            Ok(SecretString::from(format!("token-{}", n.div_ceil(2))))
        }
        fn describe(&self) -> String {
            "rotating".into()
        }
    }

    fn recording() -> (Masker, Arc<Mutex<Vec<String>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let masker: Masker = Arc::new(move |value: &str| {
            sink.lock().map(|mut s| s.push(value.to_string())).ok();
        });
        (masker, seen)
    }

    #[tokio::test]
    async fn each_distinct_token_is_masked_once_before_it_is_returned() {
        let (masker, seen) = recording();
        let tokens = MaskedTokens::new(Arc::new(Rotating(Mutex::new(0))), masker);
        for _ in 0..5 {
            tokens
                .token()
                .await
                .map(|_| ())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        assert_eq!(seen, ["token-1", "token-2", "token-3"]);
    }

    #[tokio::test]
    async fn a_static_token_is_masked_once_and_described_as_its_source() {
        let (masker, seen) = recording();
        let tokens = MaskedTokens::new(
            Arc::new(StaticToken::new(
                "abc".to_string().into(),
                "AZURE_ACCESS_TOKEN",
            )),
            masker,
        );
        for _ in 0..3 {
            tokens
                .token()
                .await
                .map(|_| ())
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(seen.lock().map(|s| s.len()).unwrap_or(0), 1);
        assert_eq!(tokens.describe(), "AZURE_ACCESS_TOKEN");
    }
}
