//! One request, read completely: method, decoded path, query parameters, headers, JSON body and
//! the base URL it came in on (for absolute polling URLs).

use serde_json::Value;

use super::reply::Reply;

/// Bodies larger than this are refused (ARM's own limit is 4 MB per request).
pub(crate) const MAX_BODY: usize = 8 * 1024 * 1024;

pub(crate) struct Incoming {
    /// Upper case.
    pub method: String,
    /// As received.
    pub raw_path: String,
    /// Percent-decoded.
    pub path: String,
    /// Raw query string without `?`.
    pub query: String,
    /// Decoded query parameters.
    pub params: Vec<(String, String)>,
    /// Lower-case names.
    pub headers: Vec<(String, String)>,
    /// `Some` when the body was non-empty.
    pub body_text: Option<String>,
    /// The body parsed as JSON, when it was.
    pub body: Option<Value>,
    /// `http://host:port` from the `Host` header.
    pub base: String,
}

impl Incoming {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn api_version(&self) -> Option<&str> {
        self.param("api-version").filter(|v| !v.is_empty())
    }

    /// The JSON body of a PUT, or the error ARM answers (`apim`: API Management's error shape).
    pub fn json_body(&self, apim: bool) -> Result<&Value, Reply> {
        let fail = |message: String| {
            if apim {
                Reply::apim_validation(vec![super::reply::Detail::new(
                    "ValidationError",
                    "",
                    message,
                )])
            } else {
                Reply::error(400, "InvalidRequestContent", message)
            }
        };
        match (&self.body, &self.body_text) {
            (Some(body), _) => Ok(body),
            (None, None) => Err(fail(
                "The request content was invalid and could not be deserialized: the body is empty."
                    .into(),
            )),
            (None, Some(_)) => Err(fail(
                "The request content was invalid and could not be deserialized: the body is not \
                 valid JSON."
                    .into(),
            )),
        }
    }
}

/// Builds the parts of an [`Incoming`] that do not need the body.
pub(crate) fn query_params(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}
