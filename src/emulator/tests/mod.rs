//! Emulator tests over loopback: a small ARM client (`Arm`), the specs loaded once, and ids of
//! the resources the scenarios create. Scenario files are grouped by behaviour.

mod apim;
mod basics;
mod faults;
mod lro;
mod plan;
mod requests;
mod roles;
mod softdelete;
mod validation;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Emulator, EmulatorBuilder, RunningEmulator};
use crate::openapi::SpecSet;

pub(crate) const SUB: &str = "00000000-0000-0000-0000-000000000001";
pub(crate) const RG: &str =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-test";
pub(crate) const TOKEN: &str = "test-token";

pub(crate) const RG_V: &str = "2021-04-01";
pub(crate) const MI_V: &str = "2024-11-30";
pub(crate) const CS_V: &str = "2025-06-01";
pub(crate) const LA_V: &str = "2025-02-01";
pub(crate) const MON_V: &str = "2024-03-11";
pub(crate) const APIM_V: &str = "2024-05-01";
pub(crate) const RA_V: &str = "2022-04-01";

pub(crate) fn identity_id() -> String {
    format!("{RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-test")
}
pub(crate) fn account_id() -> String {
    format!("{RG}/providers/Microsoft.CognitiveServices/accounts/cog-test")
}
pub(crate) fn apim_id() -> String {
    format!("{RG}/providers/Microsoft.ApiManagement/service/apim-test")
}

/// The Azure specification files built into aigw.
pub(crate) fn specs() -> Arc<SpecSet> {
    crate::openapi::tests::specs()
}

/// A builder with the specs, the test token and fast retries.
pub(crate) fn builder() -> EmulatorBuilder {
    Emulator::builder()
        .specs(specs())
        .token(TOKEN)
        .retry_after_secs(0)
}

pub(crate) async fn start(builder: EmulatorBuilder) -> (RunningEmulator, Arm) {
    let emulator = builder
        .start()
        .await
        .unwrap_or_else(|e| panic!("emulator did not start: {e}"));
    let arm = Arm::new(&emulator.url());
    (emulator, arm)
}

/// A response: status, headers (lower-case names) and the JSON body (`Null` when empty).
#[derive(Debug)]
pub(crate) struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn code(&self) -> &str {
        self.body
            .pointer("/error/code")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn message(&self) -> &str {
        self.body
            .pointer("/error/message")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    pub fn state(&self) -> &str {
        self.body
            .pointer("/properties/provisioningState")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status, status, "unexpected answer: {self:#?}");
        self
    }

    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str) -> Self {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "unexpected answer: {self:#?}"
        );
        self
    }
}

/// A minimal ARM client for tests.
pub(crate) struct Arm {
    pub http: reqwest::Client,
    pub base: String,
    pub token: Option<String>,
}

impl Arm {
    pub fn new(base: &str) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_else(|e| panic!("reqwest client: {e}"));
        Arm {
            http,
            base: base.to_string(),
            token: Some(TOKEN.to_string()),
        }
    }

    /// `path` may carry a query; an absolute URL is used as is.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .unwrap_or_else(|e| panic!("bad method {method}: {e}"));
        let mut request = self.http.request(method, &url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    v.to_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        let text = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{url}: not JSON ({e}): {text}"))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn put(&self, id: &str, version: &str, body: Value) -> Resp {
        self.send("PUT", &with_version(id, version), Some(&body), &[])
            .await
    }

    pub async fn get(&self, id: &str, version: &str) -> Resp {
        self.send("GET", &with_version(id, version), None, &[])
            .await
    }

    pub async fn delete(&self, id: &str, version: &str) -> Resp {
        self.send("DELETE", &with_version(id, version), None, &[])
            .await
    }

    /// Follows a PUT's long-running operation the way a client must, returning the final
    /// resource GET (or the failed status/result).
    pub async fn wait(&self, id: &str, version: &str, put: Resp) -> Resp {
        if let Some(url) = put.header("azure-asyncoperation").map(str::to_string) {
            for _ in 0..50 {
                let status = self.send("GET", &url, None, &[]).await.expect(200);
                match status.body["status"].as_str() {
                    Some("InProgress") => continue,
                    Some("Succeeded") => return self.get(id, version).await,
                    _ => return status,
                }
            }
            panic!("operation {url} never finished");
        }
        if let Some(url) = put.header("location").map(str::to_string) {
            for _ in 0..50 {
                let result = self.send("GET", &url, None, &[]).await;
                if result.status != 202 {
                    return result;
                }
            }
            panic!("operation {url} never finished");
        }
        let mut current = put;
        for _ in 0..50 {
            if matches!(current.state(), "Succeeded" | "Failed" | "Canceled" | "") {
                return current;
            }
            current = self.get(id, version).await;
        }
        panic!("{id} never reached a terminal provisioningState");
    }

    /// PUT and wait; panics unless the final answer is a success.
    pub async fn create(&self, id: &str, version: &str, body: Value) -> Value {
        let put = self.put(id, version, body).await;
        assert!(put.status < 300, "PUT {id}: {put:#?}");
        let done = self.wait(id, version, put).await;
        assert!(done.status < 300, "PUT {id} did not finish: {done:#?}");
        done.body
    }
}

pub(crate) fn with_version(id: &str, version: &str) -> String {
    let separator = if id.contains('?') { '&' } else { '?' };
    format!("{id}{separator}api-version={version}")
}

// Bodies the scenarios share.

pub(crate) fn tags() -> Value {
    json!({ "managedBy": "aigw" })
}

pub(crate) async fn resource_group(arm: &Arm) {
    arm.create(
        RG,
        RG_V,
        json!({ "location": "westeurope", "tags": tags() }),
    )
    .await;
}

/// Resource group + user-assigned identity; returns the identity's principal id.
pub(crate) async fn identity(arm: &Arm) -> String {
    resource_group(arm).await;
    let identity = arm
        .create(&identity_id(), MI_V, json!({ "location": "westeurope" }))
        .await;
    identity["properties"]["principalId"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub(crate) fn account_body() -> Value {
    json!({
        "location": "swedencentral",
        "kind": "AIServices",
        "sku": { "name": "S0" },
        "identity": { "type": "SystemAssigned" },
        "properties": {
            "customSubDomainName": "cog-test",
            "allowProjectManagement": true,
            "disableLocalAuth": true,
            "publicNetworkAccess": "Enabled"
        }
    })
}

pub(crate) fn deployment_body() -> Value {
    json!({
        "sku": { "name": "GlobalStandard", "capacity": 10 },
        "properties": { "model": { "format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20" } }
    })
}

pub(crate) fn apim_body() -> Value {
    json!({
        "location": "westeurope",
        "sku": { "name": "StandardV2", "capacity": 1 },
        "identity": { "type": "UserAssigned", "userAssignedIdentities": { identity_id(): {} } },
        "properties": { "publisherEmail": "ops@contoso.com", "publisherName": "Contoso" }
    })
}

/// Resource group, identity and APIM service, ready for children.
pub(crate) async fn apim(arm: &Arm) {
    identity(arm).await;
    arm.create(&apim_id(), APIM_V, apim_body()).await;
}
