//! Long-running operations: when one is done, its polling URLs, and its status document.
//!
//! An operation is done once it is as old as its type's latency on the emulator's clock
//! ([`super::clock`]), whether or not anyone polled it: ARM finishes operations by time. A test
//! may also require `lro_polls` polls (GETs of its status/result URL or of the resource while it
//! runs) before it is seen done, to prove that a client follows each operation.

use std::time::Duration;

use serde_json::{Value, json};

use super::timefmt;

/// The moment operations are judged at: the clock's time and the polls a test requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Now {
    pub at: Duration,
    pub required_polls: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OpStatus {
    InProgress,
    Succeeded,
    Failed,
    Canceled,
}

impl OpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OpStatus::InProgress => "InProgress",
            OpStatus::Succeeded => "Succeeded",
            OpStatus::Failed => "Failed",
            OpStatus::Canceled => "Canceled",
        }
    }
}

/// What finishing the operation changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum OpTarget {
    /// A PUT: the resource (by key) leaves its in-progress state.
    Resource(String),
    /// A purge of a soft-deleted APIM service (by lower-case name).
    PurgeApim(String),
    /// A purge of a soft-deleted Cognitive Services account (by `rg/name` in lower case).
    PurgeAccount(String),
}

pub(crate) struct Operation {
    pub id: String,
    pub target: OpTarget,
    /// Lower-case id of the Cognitive Services account this operation holds busy.
    pub lock: Option<String>,
    /// On the emulator's clock.
    pub started: Duration,
    pub duration: Duration,
    pub polls: u32,
    pub failure: Option<(String, String)>,
    pub status: OpStatus,
    pub start_time: String,
    pub end_time: Option<String>,
    pub subscription: String,
    pub namespace: String,
    pub location: String,
    pub api_version: String,
}

impl Operation {
    /// Whether the operation is finished at `now` (given the polls counted so far).
    pub fn ready(&self, now: Now) -> bool {
        self.status == OpStatus::InProgress
            && self.polls >= now.required_polls
            && now.at.saturating_sub(self.started) >= self.duration
    }

    pub fn running(&self) -> bool {
        self.status == OpStatus::InProgress
    }

    /// Marks the operation finished (Failed when a failure was injected).
    pub fn finish(&mut self) {
        self.status = if self.failure.is_some() {
            OpStatus::Failed
        } else {
            OpStatus::Succeeded
        };
        self.end_time = Some(timefmt::now());
    }

    pub fn cancel(&mut self) {
        if self.running() {
            self.status = OpStatus::Canceled;
            self.end_time = Some(timefmt::now());
        }
    }

    fn path(&self, collection: &str) -> String {
        format!(
            "/subscriptions/{}/providers/{}/locations/{}/{collection}/{}",
            self.subscription, self.namespace, self.location, self.id
        )
    }

    /// Absolute `Azure-AsyncOperation` URL on the base the request came in on.
    pub fn status_url(&self, base: &str) -> String {
        format!(
            "{base}{}?api-version={}",
            self.path("operationStatuses"),
            self.api_version
        )
    }

    /// Absolute `Location` URL.
    pub fn result_url(&self, base: &str) -> String {
        format!(
            "{base}{}?api-version={}",
            self.path("operationResults"),
            self.api_version
        )
    }

    /// The `Azure-AsyncOperation` document.
    pub fn status_document(&self) -> Value {
        let mut doc = json!({
            "id": self.path("operationStatuses"),
            "name": self.id,
            "status": self.status.as_str(),
            "startTime": self.start_time,
        });
        if let Some(end) = &self.end_time {
            doc["endTime"] = json!(end);
        }
        if self.status == OpStatus::Failed
            && let Some((code, message)) = &self.failure
        {
            doc["error"] = json!({ "code": code, "message": message });
        }
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(duration: Duration) -> Operation {
        Operation {
            id: "op1".into(),
            target: OpTarget::Resource("k".into()),
            lock: None,
            started: Duration::from_secs(10),
            duration,
            polls: 0,
            failure: Some(("Boom".into(), "it broke".into())),
            status: OpStatus::InProgress,
            start_time: "t0".into(),
            end_time: None,
            subscription: "s".into(),
            namespace: "Microsoft.CognitiveServices".into(),
            location: "westeurope".into(),
            api_version: "2025-06-01".into(),
        }
    }

    fn at(secs: u64, required_polls: u32) -> Now {
        Now {
            at: Duration::from_secs(secs),
            required_polls,
        }
    }

    #[test]
    fn finishes_by_age_then_reports_failure() {
        let mut o = op(Duration::from_secs(30));
        assert!(!o.ready(at(39, 0)));
        assert!(o.ready(at(40, 0)), "done by time, without a poll");
        assert!(!o.ready(at(40, 1)), "unless a test requires polls");
        o.polls = 1;
        assert!(o.ready(at(40, 1)));
        o.finish();
        let doc = o.status_document();
        assert_eq!(doc["status"], "Failed");
        assert_eq!(doc["error"]["code"], "Boom");
        assert_eq!(
            o.status_url("http://h"),
            "http://h/subscriptions/s/providers/Microsoft.CognitiveServices/locations/westeurope/operationStatuses/op1?api-version=2025-06-01"
        );
        let mut slow = op(Duration::from_secs(60));
        slow.polls = 5;
        assert!(!slow.ready(at(69, 1)), "polls never make it finish early");
    }
}
