//! A workload identity token file (`AZURE_FEDERATED_TOKEN_FILE`, as Kubernetes projects it) as a
//! client assertion. The file is read for every Entra ID token request (the platform rotates it)
//! and its content registered as a secret before it is sent; azure_identity's
//! `WorkloadIdentityCredential` reads it where aigw could not.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use azure_core::http::ClientMethodOptions;

use super::secrets::Secrets;

/// A federated token is a JWT of a few KB; anything larger is not one.
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

#[derive(Debug)]
pub struct TokenFile {
    path: PathBuf,
    secrets: Arc<Secrets>,
}

impl TokenFile {
    pub fn new(path: impl Into<PathBuf>, secrets: Arc<Secrets>) -> Self {
        TokenFile {
            path: path.into(),
            secrets,
        }
    }

    pub fn read(&self) -> Result<String, String> {
        let shown = self.path.display();
        let file = std::fs::File::open(&self.path)
            .map_err(|e| format!("cannot read the federated token file {shown}: {e}"))?;
        let mut text = String::new();
        file.take(MAX_TOKEN_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the federated token file {shown}: {e}"))?;
        if text.len() as u64 > MAX_TOKEN_BYTES {
            return Err(format!(
                "the federated token file {shown} is larger than {MAX_TOKEN_BYTES} bytes"
            ));
        }
        let token = text.trim().to_string();
        if token.is_empty() {
            return Err(format!("the federated token file {shown} is empty"));
        }
        self.secrets.register(&token);
        Ok(token)
    }
}

#[async_trait::async_trait]
impl azure_identity::ClientAssertion for TokenFile {
    async fn secret(
        &self,
        _options: Option<ClientMethodOptions<'_>>,
    ) -> azure_core::Result<String> {
        self.read().map_err(|message| {
            azure_core::Error::with_message(azure_core::error::ErrorKind::Credential, message)
        })
    }
}
