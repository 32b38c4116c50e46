//! Credentials: where ARM access tokens come from.
//!
//! azure_identity 1.x has no DefaultAzureCredential, so aigw owns the order in which sources are
//! tried (see [`chain`]). Tokens are `SecretString`s end to end and are never formatted.

use secrecy::SecretString;

/// The ARM scope every token is requested for.
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";

/// Something that hands out ARM bearer tokens.
#[async_trait::async_trait]
pub trait TokenSource: Send + Sync {
    /// A currently valid token (sources cache and refresh as they need).
    async fn token(&self) -> Result<SecretString, AuthError>;
    /// What this source is, for messages (never includes secrets).
    fn describe(&self) -> String;
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct AuthError {
    pub source_name: String,
    pub message: String,
}

/// A ready bearer token (`AZURE_ACCESS_TOKEN`, or the emulator's fixed token).
pub struct StaticToken {
    token: SecretString,
    name: String,
}

impl StaticToken {
    pub fn new(token: SecretString, name: impl Into<String>) -> Self {
        StaticToken {
            token,
            name: name.into(),
        }
    }
}

#[async_trait::async_trait]
impl TokenSource for StaticToken {
    async fn token(&self) -> Result<SecretString, AuthError> {
        Ok(self.token.clone())
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

mod azure;
pub mod chain;
pub mod github;
mod masked;
mod pipelines;
pub mod secrets;
mod token_file;

pub use chain::{AuthFailure, AuthMethod, Resolved, resolve};
pub use masked::{MaskedTokens, Masker};

#[cfg(test)]
mod tests;
