//! A response before it becomes HTTP, and the ARM error envelope
//! `{"error":{"code","message","details"?}}` every failure uses.

use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    pub fn empty(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn error(status: u16, code: &str, message: impl Into<String>) -> Self {
        Reply::json(
            status,
            json!({ "error": { "code": code, "message": message.into() } }),
        )
    }

    /// An error with `details`: one `{code, target, message}` per problem.
    pub fn error_with_details(
        status: u16,
        code: &str,
        message: impl Into<String>,
        details: Vec<Detail>,
    ) -> Self {
        let details: Vec<Value> = details
            .into_iter()
            .map(|d| json!({ "code": d.code, "target": d.target, "message": d.message }))
            .collect();
        Reply::json(
            status,
            json!({ "error": { "code": code, "message": message.into(), "details": details } }),
        )
    }

    /// APIM's validation failure: 400 `ValidationError` listing every problem in `details`.
    pub fn apim_validation(details: Vec<Detail>) -> Self {
        Reply::error_with_details(
            400,
            "ValidationError",
            "One or more fields contain incorrect values:",
            details,
        )
    }
}

/// One entry of an error's `details`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Detail {
    pub code: String,
    pub target: String,
    pub message: String,
}

impl Detail {
    pub fn new(code: &str, target: &str, message: impl Into<String>) -> Self {
        Detail {
            code: code.to_string(),
            target: target.to_string(),
            message: message.into(),
        }
    }
}

/// Handlers return `Err(Reply)` for failures so `?` stops at the first one.
pub(crate) type Outcome<T = Reply> = Result<T, Reply>;
