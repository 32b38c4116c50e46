//! A minimal ARM client for tests that send request bodies themselves (not through aigw's
//! engine): PUT, GET, and following a long-running operation the way any client must.

use std::time::Duration;

use serde_json::Value;

/// A response: status, headers and the JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Resp {
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

    fn state(&self) -> &str {
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
}

pub struct RawArm {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl RawArm {
    pub fn new(base: &str, token: &str) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_else(|e| panic!("reqwest client: {e}"));
        RawArm {
            http,
            base: base.to_string(),
            token: token.to_string(),
        }
    }

    /// `path` may carry a query; an absolute URL is used as is.
    async fn send(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        };
        let mut request = self.http.request(method, &url).bearer_auth(&self.token);
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
                let value = v.to_str().unwrap_or_default();
                (n.as_str().to_string(), value.to_string())
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
        let path = with_version(id, version);
        self.send(reqwest::Method::PUT, &path, Some(&body)).await
    }

    pub async fn get(&self, id: &str, version: &str) -> Resp {
        self.send(reqwest::Method::GET, &with_version(id, version), None)
            .await
    }

    /// Follows a PUT's long-running operation, returning the final resource GET (or the failed
    /// status or result).
    pub async fn wait(&self, id: &str, version: &str, put: Resp) -> Resp {
        if let Some(url) = put.header("azure-asyncoperation").map(str::to_string) {
            for _ in 0..50 {
                let status = self
                    .send(reqwest::Method::GET, &url, None)
                    .await
                    .expect(200);
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
                let result = self.send(reqwest::Method::GET, &url, None).await;
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
}

fn with_version(id: &str, version: &str) -> String {
    let separator = if id.contains('?') { '&' } else { '?' };
    format!("{id}{separator}api-version={version}")
}
