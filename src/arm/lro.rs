//! Following long-running operations to their end (ARM async operations guide,
//! https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations):
//! `Azure-AsyncOperation` is preferred, then `Location` on a 201/202; `Retry-After` sets the poll
//! interval. A PUT then reads the resource until its `provisioningState` is terminal (ARM's
//! default final state of a PUT is the resource itself); a DELETE or POST ends with the
//! operation. One overall deadline per request; every poll goes through the retry layer.

use std::time::Duration;

use serde_json::Value;

use super::{ArmClient, ArmError, ArmErrorKind, ArmResponse, ErrorBody, Method, redact};

/// Poll interval when ARM does not say (its guidance allows clients to choose).
const DEFAULT_POLL: Duration = Duration::from_secs(5);
/// A Retry-After longer than this is shortened: a deploy should notice completion promptly.
const MAX_POLL: Duration = Duration::from_secs(60);
/// A Retry-After of 0 would poll in a tight loop.
const MIN_POLL: Duration = Duration::from_secs(1);

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

/// A request being followed to its end: what a timeout or a failure names, and its deadline.
struct Tracked<'a> {
    method: Method,
    path: &'a str,
    api_version: &'a str,
    deadline: tokio::time::Instant,
    /// The budget the deadline was made from (`--resource-timeout`), for the timeout's message.
    timeout: Duration,
}

impl Tracked<'_> {
    fn timed_out(&self) -> ArmError {
        ArmError {
            method: self.method.as_str().into(),
            url: redact(&format!("{}?api-version={}", self.path, self.api_version)),
            kind: ArmErrorKind::Timeout {
                waited_secs: self.timeout.as_secs(),
                correlation_id: None,
            },
        }
    }

    /// The operation or the resource ended in `state` (not `Succeeded`); `body` may say why.
    fn failed(&self, state: &str, body: &Value) -> ArmError {
        let error = ErrorBody::from_json(body).unwrap_or_else(|| ErrorBody {
            code: format!("Provisioning{state}"),
            message: format!("the resource ended in provisioning state {state}"),
            ..Default::default()
        });
        ArmError {
            method: self.method.as_str().into(),
            url: format!("{}?api-version={}", self.path, self.api_version),
            kind: ArmErrorKind::OperationFailed {
                status: state.to_string(),
                error: Box::new(error),
                correlation_id: None,
            },
        }
    }
}

impl ArmClient {
    /// PUTs `body` and waits until the resource is provisioned (at most `timeout`, the
    /// `--resource-timeout`); returns its final representation.
    pub async fn put_and_wait(
        &self,
        path: &str,
        api_version: &str,
        body: &Value,
        timeout: Duration,
    ) -> Result<Value, ArmError> {
        let tracked = self.track(Method::Put, path, api_version, timeout);
        let first = self
            .write(Method::Put, path, api_version, Some(body))
            .await?;
        let result = async {
            let followed = self.follow(&tracked, &first).await?;
            // Without an operation to follow, the answer may already be the final resource.
            let known = match followed {
                None => first.body.is_object().then(|| first.body.clone()),
                Some(_) => None,
            };
            let resource = self.settled(&tracked, known).await?;
            match unsuccessful_state(&resource) {
                Some(state) => Err(tracked.failed(state, &resource)),
                None => Ok(resource),
            }
        }
        .await;
        result.map_err(|e| e.started_by(&first.headers))
    }

    /// DELETEs and waits until the operation ends. A resource that is already gone (404) counts
    /// as deleted: ARM answers 204 for one that does not exist, and the outcome is the same.
    pub async fn delete_and_wait(
        &self,
        path: &str,
        api_version: &str,
        timeout: Duration,
    ) -> Result<(), ArmError> {
        match self
            .act_and_wait(Method::Delete, path, api_version, timeout)
            .await
        {
            Err(error) if error.status() == Some(404) => Ok(()),
            other => other.map(|_| ()),
        }
    }

    /// POSTs (an action without a body) and waits until its operation ends; returns the result:
    /// the answer, or what the `Location` URL answered last (`Null` after a status document).
    pub async fn post_and_wait(
        &self,
        path: &str,
        api_version: &str,
        timeout: Duration,
    ) -> Result<Value, ArmError> {
        self.act_and_wait(Method::Post, path, api_version, timeout)
            .await
    }

    async fn act_and_wait(
        &self,
        method: Method,
        path: &str,
        api_version: &str,
        timeout: Duration,
    ) -> Result<Value, ArmError> {
        let tracked = self.track(method, path, api_version, timeout);
        let first = self.write(method, path, api_version, None).await?;
        match self.follow(&tracked, &first).await {
            Ok(None) => Ok(first.body),
            Ok(Some(last)) => Ok(last),
            Err(error) => Err(error.started_by(&first.headers)),
        }
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
        let tracked = self.track(Method::Get, path, api_version, timeout);
        self.settled(&tracked, Some(current)).await
    }

    fn track<'a>(
        &self,
        method: Method,
        path: &'a str,
        api_version: &'a str,
        timeout: Duration,
    ) -> Tracked<'a> {
        Tracked {
            method,
            path,
            api_version,
            deadline: self.clock().deadline(timeout),
            timeout,
        }
    }

    /// Follows the operation `first` started, if it started one: returns what its status
    /// document or `Location` URL answered last, `None` when there was nothing to follow.
    async fn follow(
        &self,
        tracked: &Tracked<'_>,
        first: &ArmResponse,
    ) -> Result<Option<Value>, ArmError> {
        let mut wait = first.headers.retry_after;
        if let Some(url) = &first.headers.azure_async_operation {
            loop {
                self.pause(tracked, wait).await?;
                let status = self.poll(url).await?;
                let state = status
                    .body
                    .get("status")
                    .and_then(Value::as_str)
                    .unwrap_or("InProgress");
                if is_terminal(state) {
                    if is_success(state) {
                        // A status document is not the operation's result.
                        return Ok(Some(Value::Null));
                    }
                    return Err(tracked.failed(state, &status.body));
                }
                wait = status.headers.retry_after;
            }
        }
        // A `Location` on 201/202 is where the operation is tracked: 202 while it runs, then
        // its outcome (an error status fails in the retry layer like any answer).
        let (Some(location), 201 | 202) = (&first.headers.location, first.status) else {
            return Ok(None);
        };
        let mut url = location.clone();
        loop {
            self.pause(tracked, wait).await?;
            let response = self.poll(&url).await?;
            if response.status != 202 {
                return Ok(Some(response.body));
            }
            wait = response.headers.retry_after;
            if let Some(next) = response.headers.location {
                url = next;
            }
        }
    }

    /// GETs the resource until its provisioning state is terminal and returns it, whatever that
    /// state is. `known` is a representation already in hand (saves a GET when it is settled).
    async fn settled(
        &self,
        tracked: &Tracked<'_>,
        mut known: Option<Value>,
    ) -> Result<Value, ArmError> {
        let mut first = true;
        loop {
            let resource = match known.take() {
                Some(resource) => resource,
                None => {
                    if !first {
                        self.pause(tracked, None).await?;
                    }
                    let url = self.url_for(tracked.path, tracked.api_version, &[]);
                    self.poll(&url).await?.body
                }
            };
            first = false;
            if state_of(&resource).is_none_or(is_terminal) {
                return Ok(resource);
            }
        }
    }

    /// Sleeps before the next poll, or fails with a timeout naming the flag that raises it.
    async fn pause(
        &self,
        tracked: &Tracked<'_>,
        retry_after: Option<Duration>,
    ) -> Result<(), ArmError> {
        if tokio::time::Instant::now() >= tracked.deadline {
            return Err(tracked.timed_out());
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
