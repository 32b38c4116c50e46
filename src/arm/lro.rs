//! Following long-running operations to their end (ARM async operations guide):
//! `Azure-AsyncOperation` is preferred, then `Location`; a 200/201 without either is followed by
//! GETs until `provisioningState` is terminal. `Retry-After` sets the poll interval. One overall
//! deadline per resource; every poll goes through the retry layer.

use std::time::Duration;

use serde_json::Value;

use super::retry::ExtraTransient;
use super::{ArmClient, ArmError, ArmErrorKind, ArmResponse, ErrorBody, Method, redact};

/// Poll interval when ARM does not say (its guidance allows clients to choose).
const DEFAULT_POLL: Duration = Duration::from_secs(5);
/// A Retry-After longer than this is shortened: a deploy should notice completion promptly.
const MAX_POLL: Duration = Duration::from_secs(60);
/// A Retry-After of 0 would poll in a tight loop.
const MIN_POLL: Duration = Duration::from_secs(1);

#[derive(Clone, Copy, Debug)]
pub struct WriteOptions {
    /// The longest aigw waits for one resource (`--resource-timeout`).
    pub timeout: Duration,
    pub extra_transient: ExtraTransient,
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions {
            timeout: Duration::from_secs(60 * 60),
            extra_transient: ExtraTransient::default(),
        }
    }
}

/// Terminal states, compared ignoring case; a resource without `provisioningState` is done.
fn state_of(resource: &Value) -> Option<&str> {
    resource
        .pointer("/properties/provisioningState")
        .and_then(Value::as_str)
}

/// States in which a resource or an operation is still being worked on. Anything else is final
/// (`Succeeded`, `Failed`, `Canceled`, and type-specific ends such as a model deployment's
/// `Disabled` or API Management's `Stopped`): waiting on those would only run out the clock.
const IN_PROGRESS: &[&str] = &[
    "accepted",
    "activating",
    "creating",
    "deleting",
    "inprogress",
    "migrating",
    "moving",
    "notstarted",
    "provisioning",
    "registering",
    "resolvingdns",
    "running",
    "scaling",
    "updating",
    "upgrading",
];

fn is_terminal(state: &str) -> bool {
    !IN_PROGRESS.iter().any(|s| state.eq_ignore_ascii_case(s))
}

/// The final provisioning state of `resource` when it is not `Succeeded` (a failed or canceled
/// earlier write that a new PUT must repair).
pub fn unsuccessful_state(resource: &Value) -> Option<&str> {
    state_of(resource).filter(|s| is_terminal(s) && !is_success(s))
}

fn is_success(state: &str) -> bool {
    state.eq_ignore_ascii_case("succeeded")
}

impl ArmClient {
    /// PUTs `body` and waits until the resource is provisioned; returns its final representation.
    pub async fn put_and_wait(
        &self,
        path: &str,
        api_version: &str,
        body: &Value,
        options: WriteOptions,
    ) -> Result<Value, ArmError> {
        let deadline = self.clock().deadline(options.timeout);
        let first = self
            .write(
                Method::Put,
                path,
                api_version,
                Some(body),
                options.extra_transient,
            )
            .await?;
        let started_by = first.headers.clone();
        self.finish(
            Method::Put,
            path,
            api_version,
            first,
            deadline,
            options.timeout,
        )
        .await
        .map_err(|e| e.started_by(&started_by))
    }

    /// Waits until `current` (a resource just read) is no longer being provisioned, e.g. after an
    /// earlier run was interrupted while Azure worked on it. Returns the settled representation;
    /// a resource that settled in `Failed` or `Canceled` is returned as is (a new PUT repairs it).
    pub async fn settle(
        &self,
        path: &str,
        api_version: &str,
        current: Value,
        timeout: Duration,
    ) -> Result<Value, ArmError> {
        match state_of(&current) {
            Some(state) if !is_terminal(state) => {}
            _ => return Ok(current),
        }
        let deadline = self.clock().deadline(timeout);
        loop {
            self.pause(None, deadline, Method::Get, path, api_version, timeout)
                .await?;
            let url = self.url_for(path, api_version, &[]);
            let resource = self.poll(&url).await?.body;
            if state_of(&resource).is_none_or(is_terminal) {
                return Ok(resource);
            }
        }
    }

    /// Sends a DELETE or POST and waits for its operation; returns the last body.
    pub async fn act_and_wait(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        options: WriteOptions,
    ) -> Result<Value, ArmError> {
        let deadline = self.clock().deadline(options.timeout);
        let first = self
            .write(method, path, api_version, None, options.extra_transient)
            .await?;
        self.follow(method, path, api_version, &first, deadline, options.timeout)
            .await
            .map_err(|e| e.started_by(&first.headers))
    }

    /// The rest of [`ArmClient::act_and_wait`]: waits for the operation `first` started.
    async fn follow(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        first: &ArmResponse,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<Value, ArmError> {
        if let Some(url) = first.headers.azure_async_operation.clone() {
            self.follow_async_operation(method, path, api_version, &url, first, deadline, timeout)
                .await?;
            return Ok(Value::Null);
        }
        if let (Some(url), 202) = (first.headers.location.clone(), first.status) {
            let done = self
                .follow_location(method, path, api_version, &url, first, deadline, timeout)
                .await?;
            return Ok(done.body);
        }
        Ok(first.body.clone())
    }

    async fn finish(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        first: ArmResponse,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<Value, ArmError> {
        if let Some(url) = first.headers.azure_async_operation.clone() {
            self.follow_async_operation(method, path, api_version, &url, &first, deadline, timeout)
                .await?;
            return self
                .wait_for_state(path, api_version, None, deadline, timeout)
                .await;
        }
        if let (Some(url), 201 | 202) = (first.headers.location.clone(), first.status) {
            // The Location answer is the operation's result, not necessarily the resource
            // (ARM's default final state of a PUT is a GET of the resource itself).
            self.follow_location(method, path, api_version, &url, &first, deadline, timeout)
                .await?;
            return self
                .wait_for_state(path, api_version, None, deadline, timeout)
                .await;
        }
        let known = first.body.is_object().then_some(first.body);
        self.wait_for_state(path, api_version, known, deadline, timeout)
            .await
    }

    /// Polls an `Azure-AsyncOperation` status document until it is terminal.
    #[allow(clippy::too_many_arguments)]
    async fn follow_async_operation(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        url: &str,
        first: &ArmResponse,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<(), ArmError> {
        let mut wait = first.headers.retry_after;
        loop {
            self.pause(wait, deadline, method, path, api_version, timeout)
                .await?;
            let status = self.poll(url).await?;
            let state = status
                .body
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or("InProgress")
                .to_string();
            if is_terminal(&state) {
                if is_success(&state) {
                    return Ok(());
                }
                return Err(operation_failed(
                    method,
                    path,
                    api_version,
                    &state,
                    &status.body,
                ));
            }
            wait = status.headers.retry_after;
        }
    }

    /// Polls a `Location` URL: 202 means still running; anything else is the outcome.
    #[allow(clippy::too_many_arguments)]
    async fn follow_location(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        url: &str,
        first: &ArmResponse,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<ArmResponse, ArmError> {
        let mut wait = first.headers.retry_after;
        let mut url = url.to_string();
        loop {
            self.pause(wait, deadline, method, path, api_version, timeout)
                .await?;
            let response = self.poll(&url).await?;
            if response.status != 202 {
                return Ok(response);
            }
            wait = response.headers.retry_after;
            if let Some(next) = &response.headers.location {
                url = next.clone();
            }
        }
    }

    /// GETs the resource until its provisioning state is terminal; returns it. `known` is a
    /// representation already in hand (saves one GET when it is already terminal).
    async fn wait_for_state(
        &self,
        path: &str,
        api_version: &str,
        mut known: Option<Value>,
        deadline: tokio::time::Instant,
        timeout: Duration,
    ) -> Result<Value, ArmError> {
        let mut first = true;
        loop {
            let resource = match known.take() {
                Some(resource) => resource,
                None => {
                    if !first {
                        self.pause(None, deadline, Method::Put, path, api_version, timeout)
                            .await?;
                    }
                    let url = self.url_for(path, api_version, &[]);
                    self.poll(&url).await?.body
                }
            };
            first = false;
            match state_of(&resource) {
                None => return Ok(resource),
                Some(state) if is_success(state) => return Ok(resource),
                Some(state) if is_terminal(state) => {
                    return Err(operation_failed(
                        Method::Put,
                        path,
                        api_version,
                        state,
                        &resource,
                    ));
                }
                Some(_) => {}
            }
        }
    }

    /// Sleeps before the next poll, or fails with a timeout naming the flag that raises it.
    async fn pause(
        &self,
        retry_after: Option<Duration>,
        deadline: tokio::time::Instant,
        method: Method,
        path: &str,
        api_version: &str,
        timeout: Duration,
    ) -> Result<(), ArmError> {
        if tokio::time::Instant::now() >= deadline {
            return Err(ArmError {
                method: method.as_str().into(),
                url: redact(&format!("{path}?api-version={api_version}")),
                kind: ArmErrorKind::Timeout {
                    waited_secs: timeout.as_secs(),
                    correlation_id: None,
                },
            });
        }
        self.clock()
            .sleep(
                retry_after
                    .unwrap_or(DEFAULT_POLL)
                    .clamp(MIN_POLL, MAX_POLL),
            )
            .await;
        Ok(())
    }
}

fn operation_failed(
    method: Method,
    path: &str,
    api_version: &str,
    state: &str,
    body: &Value,
) -> ArmError {
    let error = ErrorBody::from_json(body).unwrap_or_else(|| ErrorBody {
        code: format!("Provisioning{state}"),
        message: format!("the resource ended in provisioning state {state}"),
        ..Default::default()
    });
    ArmError {
        method: method.as_str().into(),
        url: format!("{path}?api-version={api_version}"),
        kind: ArmErrorKind::OperationFailed {
            status: state.to_string(),
            error: Box::new(error),
            correlation_id: None,
        },
    }
}
