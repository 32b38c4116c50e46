//! Per-route overrides: a test-supplied function sees each request first and may answer it.

use serde_json::Value;

/// A request as an override sees it.
#[derive(Clone, Debug)]
pub struct OverrideRequest {
    pub method: String,
    /// Percent-decoded path.
    pub path: String,
    /// Raw query string without `?`.
    pub query: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body when it was JSON.
    pub body: Option<Value>,
}

impl OverrideRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The answer of an override. The request-id headers are added as for any response.
#[derive(Clone, Debug, PartialEq)]
pub struct OverrideResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl OverrideResponse {
    pub fn json(status: u16, body: Value) -> Self {
        OverrideResponse {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub fn empty(status: u16) -> Self {
        OverrideResponse {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    /// An ARM error envelope `{"error":{"code","message"}}`.
    pub fn error(status: u16, code: &str, message: &str) -> Self {
        OverrideResponse::json(
            status,
            serde_json::json!({ "error": { "code": code, "message": message } }),
        )
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

pub(crate) type OverrideFn = dyn Fn(&OverrideRequest) -> Option<OverrideResponse> + Send + Sync;
