//! The only module that speaks HTTP to Azure Resource Manager.
//!
//! Every request carries `api-version`, a bearer token, an `x-ms-client-request-id` and a user
//! agent naming aigw. Retries happen in exactly one place ([`retry`]); long-running operations
//! ([`lro`]) poll through the same path. Plain `http://` is accepted only for loopback endpoints
//! (the emulator), so a token never travels unencrypted. Every answer is scrubbed of credentials
//! where it enters ([`ArmClient`]'s one send path), so no error message, report or summary can
//! show a token a server echoed.

pub mod clock;
pub mod dns;
pub mod error;
pub mod lro;
pub mod retry;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::ExposeSecret;
use serde_json::Value;
use url::Url;

pub use clock::Clock;
pub use error::{ArmError, ArmErrorKind, ErrorBody};
// Endpoints and how URLs are shown are shared with `auth` and `ci`, so they live below all three.
pub use crate::endpoint::{EndpointError, is_loopback, parse_endpoint, redact};
use retry::{Decision, Outcome, RetryPolicy};

use crate::auth::TokenSource;
use crate::auth::secrets::{self, Secrets};

pub const DEFAULT_ENDPOINT: &str = "https://management.azure.com";
const USER_AGENT: &str = concat!(
    "aigw/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/aigw/aigw)"
);

/// Counters of what the client sent, for the report and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    pub reads: AtomicU64,
    pub writes: AtomicU64,
    pub polls: AtomicU64,
    pub retries: AtomicU64,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatsSnapshot {
    pub reads: u64,
    pub writes: u64,
    pub polls: u64,
    pub retries: u64,
}

impl Stats {
    pub fn snapshot(&self) -> StatsSnapshot {
        StatsSnapshot {
            reads: self.reads.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            polls: self.polls.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
        }
    }
}

/// The headers aigw acts on.
#[derive(Clone, Debug, Default)]
pub struct ResponseHeaders {
    pub azure_async_operation: Option<String>,
    pub location: Option<String>,
    pub retry_after: Option<Duration>,
    pub request_id: Option<String>,
    pub correlation_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ArmResponse {
    pub status: u16,
    pub headers: ResponseHeaders,
    /// The JSON body (`Null` when empty).
    pub body: Value,
}

/// Why one attempt got no HTTP answer.
enum SendError {
    /// No access token: not retried here, and an authentication failure for the exit code.
    Credential(String),
    /// Connection refused/reset/dropped, or a timeout.
    Transport(String),
    /// The endpoint's host name did not resolve.
    Unresolved {
        message: String,
        resolved_before: bool,
    },
}

/// Calls that are part of following an operation rather than new requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
    Poll,
}

pub struct ArmClient {
    http: reqwest::Client,
    endpoint: Url,
    tokens: Arc<dyn TokenSource>,
    policy: RetryPolicy,
    clock: Clock,
    stats: Arc<Stats>,
    secrets: Arc<Secrets>,
}

impl ArmClient {
    pub fn new(
        endpoint: Url,
        tokens: Arc<dyn TokenSource>,
        clock: Clock,
    ) -> Result<Self, ArmError> {
        Self::with_resolver(endpoint, tokens, clock, dns::TrackingResolver::system())
    }

    /// [`ArmClient::new`] resolving host names through `resolver` (tests inject failures).
    pub fn with_resolver(
        endpoint: Url,
        tokens: Arc<dyn TokenSource>,
        clock: Clock,
        resolver: dns::TrackingResolver,
    ) -> Result<Self, ArmError> {
        crate::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .dns_resolver(resolver)
            .connect_timeout(Duration::from_secs(15))
            .timeout(Duration::from_secs(120))
            // ARM never redirects API calls; following one could carry the token elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ArmError {
                method: "-".into(),
                url: endpoint.to_string(),
                kind: ArmErrorKind::Transport {
                    message: format!("cannot create the HTTP client: {e}"),
                },
            })?;
        Ok(ArmClient {
            http,
            endpoint,
            tokens,
            policy: RetryPolicy::default(),
            clock,
            stats: Arc::new(Stats::default()),
            secrets: secrets::global(),
        })
    }

    /// The credentials to scrub from answers (default: the process-wide [`secrets::global`]).
    pub fn with_secrets(mut self, secrets: Arc<Secrets>) -> Self {
        self.secrets = secrets;
        self
    }

    pub fn with_retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn stats(&self) -> StatsSnapshot {
        self.stats.snapshot()
    }

    /// Counts a write sent again by its caller (a bounded wait for Azure to catch up), so the
    /// report's `retries` covers every request sent more than once.
    pub fn count_retry(&self) {
        self.stats.retries.fetch_add(1, Ordering::Relaxed);
    }

    pub fn clock(&self) -> Clock {
        self.clock
    }

    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    fn url_for(&self, path: &str, api_version: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}{}", self.endpoint.as_str().trim_end_matches('/'), path);
        let mut serializer = url::form_urlencoded::Serializer::new(String::new());
        serializer.append_pair("api-version", api_version);
        for (k, v) in query {
            serializer.append_pair(k, v);
        }
        url.push('?');
        url.push_str(&serializer.finish());
        url
    }

    /// GET; `None` for 404.
    pub async fn get(&self, path: &str, api_version: &str) -> Result<Option<Value>, ArmError> {
        self.get_with_query(path, api_version, &[]).await
    }

    pub async fn get_with_query(
        &self,
        path: &str,
        api_version: &str,
        query: &[(&str, &str)],
    ) -> Result<Option<Value>, ArmError> {
        let url = self.url_for(path, api_version, query);
        match self.execute(Method::Get, &url, None, Kind::Read).await {
            Ok(response) => Ok(Some(response.body)),
            Err(error) if error.status() == Some(404) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// A write (PUT/POST/DELETE); the first answer, before any long-running operation.
    pub async fn write(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        body: Option<&Value>,
    ) -> Result<ArmResponse, ArmError> {
        let url = self.url_for(path, api_version, &[]);
        self.execute(method, &url, body, Kind::Write).await
    }

    /// GET of an absolute polling URL ARM handed out; refused unless it is on the ARM endpoint.
    pub(crate) async fn poll(&self, absolute: &str) -> Result<ArmResponse, ArmError> {
        let parsed = Url::parse(absolute).map_err(|_| ArmError {
            method: "GET".into(),
            url: self.secrets.scrub(&redact(absolute)),
            kind: ArmErrorKind::InvalidResponse {
                message: "polling URL is not a URL".into(),
            },
        })?;
        if parsed.origin() != self.endpoint.origin() {
            // The URL came from a server: shown only scrubbed.
            let shown = self.secrets.scrub(&redact(absolute));
            return Err(ArmError {
                method: "GET".into(),
                url: shown.clone(),
                kind: ArmErrorKind::UntrustedUrl { url: shown },
            });
        }
        self.execute(Method::Get, absolute, None, Kind::Poll).await
    }

    /// Sends with retries; error statuses become [`ArmError`]s.
    async fn execute(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        kind: Kind,
    ) -> Result<ArmResponse, ArmError> {
        let shown = redact(url);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let counter = match kind {
                Kind::Read => &self.stats.reads,
                Kind::Write => &self.stats.writes,
                Kind::Poll => &self.stats.polls,
            };
            counter.fetch_add(1, Ordering::Relaxed);
            let result = self.send_once(method, url, body).await;
            let (decision, error) = match result {
                Ok(response) => {
                    let error_body = (response.status >= 400).then(|| {
                        ErrorBody::from_json(&response.body).unwrap_or_else(|| ErrorBody {
                            code: format!("Http{}", response.status),
                            message: body_text(&response.body),
                            ..Default::default()
                        })
                    });
                    let outcome = Outcome::Status {
                        status: response.status,
                        code: error_body.as_ref().map(|e| e.code.as_str()),
                        retry_after: response.headers.retry_after,
                    };
                    let decision = self.policy.decide(attempt, &outcome);
                    if decision == Decision::Done {
                        return Ok(response);
                    }
                    let error = ArmError {
                        method: method.as_str().into(),
                        url: shown.clone(),
                        kind: ArmErrorKind::Status {
                            status: response.status,
                            error: Box::new(error_body.unwrap_or_default()),
                            request_id: response.headers.request_id.clone(),
                            correlation_id: response.headers.correlation_id.clone(),
                        },
                    };
                    (decision, error)
                }
                // The credential has its own retries (azure_identity's pipeline); a second
                // layer here would multiply them.
                Err(SendError::Credential(message)) => {
                    return Err(ArmError {
                        method: method.as_str().into(),
                        url: shown.clone(),
                        kind: ArmErrorKind::Credential { message },
                    });
                }
                Err(SendError::Unresolved {
                    message,
                    resolved_before,
                }) => {
                    let outcome = Outcome::Unresolved { resolved_before };
                    let decision = self.policy.decide(attempt, &outcome);
                    let error = ArmError {
                        method: method.as_str().into(),
                        url: shown.clone(),
                        kind: ArmErrorKind::Transport { message },
                    };
                    (decision, error)
                }
                Err(SendError::Transport(message)) => {
                    let decision = self.policy.decide(attempt, &Outcome::Transport);
                    let error = ArmError {
                        method: method.as_str().into(),
                        url: shown.clone(),
                        kind: ArmErrorKind::Transport { message },
                    };
                    (decision, error)
                }
            };
            match decision {
                Decision::RetryAfter(delay) => {
                    self.stats.retries.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(
                        "retrying {} {} in {} (attempt {attempt} of {}): {}",
                        method.as_str(),
                        path_of(&shown),
                        crate::duration::human(delay),
                        self.policy.max_attempts,
                        retry_reason(&error)
                    );
                    self.clock.sleep(delay).await;
                }
                Decision::Fail | Decision::Done => return Err(error),
            }
        }
    }

    async fn send_once(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<ArmResponse, SendError> {
        let token = self
            .tokens
            .token()
            .await
            .map_err(|e| SendError::Credential(e.to_string()))?;
        let request_id = uuid::Uuid::new_v4().to_string();
        let mut request = match method {
            Method::Get => self.http.get(url),
            Method::Put => self.http.put(url),
            Method::Post => self.http.post(url),
            Method::Delete => self.http.delete(url),
        }
        .bearer_auth(token.expose_secret())
        .header("x-ms-client-request-id", &request_id)
        .header("accept", "application/json");
        if let Some(body) = body {
            request = request.json(body);
        } else if method != Method::Get {
            request = request.header("content-length", "0");
        }
        let response = request
            .send()
            .await
            .map_err(|e| match dns::unresolved(&e) {
                Some(unresolved) => SendError::Unresolved {
                    message: self.secrets.scrub(&unresolved.to_string()),
                    resolved_before: unresolved.resolved_before,
                },
                None => SendError::Transport(self.secrets.scrub(&describe_transport_error(e))),
            })?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(String::from)
        };
        // Polling URLs are followed, not shown (an untrusted one is scrubbed when refused).
        let shown_header = |name: &str| header(name).map(|v| self.secrets.scrub(&v));
        let headers = ResponseHeaders {
            azure_async_operation: header("azure-asyncoperation"),
            location: header("location"),
            retry_after: header("retry-after").and_then(|v| retry::parse_retry_after(&v)),
            request_id: shown_header("x-ms-request-id"),
            correlation_id: shown_header("x-ms-correlation-request-id"),
        };
        let bytes = response
            .bytes()
            .await
            .map_err(|e| SendError::Transport(self.secrets.scrub(&describe_transport_error(e))))?;
        let mut body = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                Value::String(String::from_utf8_lossy(&bytes).chars().take(2000).collect())
            })
        };
        self.scrub_answer(status, &mut body);
        Ok(ArmResponse {
            status,
            headers,
            body,
        })
    }

    /// Where ARM's text enters aigw: the credentials aigw holds leave every answer (a 403 can
    /// quote the request's Authorization header). Error documents, which are only ever shown,
    /// also lose anything shaped like a credential; resource bodies keep such shapes, because
    /// aigw compares them and writes them back.
    fn scrub_answer(&self, status: u16, body: &mut Value) {
        self.secrets.scrub_known_json(body);
        if status >= 400 {
            self.secrets.scrub_json(body);
        } else if let Some(error) = body.get_mut("error") {
            // A finished operation's status document carries its error here.
            self.secrets.scrub_json(error);
        }
    }
}

fn describe_transport_error(error: reqwest::Error) -> String {
    // reqwest errors name the URL; ours have no secrets in them, but keep the message short.
    let what = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "connection failed"
    };
    let mut source = std::error::Error::source(&error);
    let mut cause = String::new();
    while let Some(s) = source {
        cause = s.to_string();
        source = s.source();
    }
    if cause.is_empty() {
        what.to_string()
    } else {
        format!("{what}: {cause}")
    }
}

fn retry_reason(error: &ArmError) -> String {
    match &error.kind {
        ArmErrorKind::Status { status, error, .. } => format!("{status} {}", error.code),
        ArmErrorKind::Transport { message } => message.clone(),
        other => format!("{other:?}"),
    }
}

fn body_text(body: &Value) -> String {
    match body {
        Value::String(s) => s.chars().take(300).collect(),
        Value::Null => String::new(),
        other => other.to_string().chars().take(300).collect(),
    }
}

fn path_of(url: &str) -> &str {
    url.find("://")
        .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))
        .unwrap_or(url)
}

#[cfg(test)]
mod tests;
