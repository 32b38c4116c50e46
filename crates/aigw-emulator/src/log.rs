//! The request log: one entry per request, in arrival order, for tests that assert order, retry
//! counts and concurrency.

use std::time::Duration;

use serde_json::Value;

/// What a request was, as far as a deployment client is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub enum RequestKind {
    /// PUT, POST, PATCH or DELETE.
    Write,
    /// A GET or HEAD that is not a poll.
    Read,
    /// A GET of an operation-status/result URL, or of a resource while its long-running
    /// operation is still running (that is how APIM services and workspaces are polled).
    Poll,
    /// Anything else (OPTIONS, unknown methods).
    Other,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct LoggedRequest {
    /// Arrival order, from 0.
    pub seq: u64,
    pub method: String,
    /// The path as received (not decoded).
    pub path: String,
    /// The raw query string without `?`, empty when none.
    pub query: String,
    pub api_version: Option<String>,
    /// The status answered; 0 when the connection was dropped by a fault.
    pub status: u16,
    /// The request body when it was JSON.
    pub body: Option<Value>,
    /// Since the emulator started.
    pub started: Duration,
    pub finished: Duration,
    pub kind: RequestKind,
    pub client_request_id: Option<String>,
}

/// The largest number of writes whose [started, finished) intervals overlap.
pub(crate) fn max_writes_in_flight(log: &[LoggedRequest]) -> usize {
    let mut events: Vec<(Duration, i8)> = Vec::new();
    for entry in log.iter().filter(|e| e.kind == RequestKind::Write) {
        events.push((entry.started, 1));
        events.push((entry.finished.max(entry.started), -1));
    }
    // At equal times an end sorts before a start: back-to-back writes are not concurrent.
    events.sort();
    let (mut current, mut max) = (0i64, 0i64);
    for (_, delta) in events {
        current += i64::from(delta);
        max = max.max(current);
    }
    usize::try_from(max).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: RequestKind, started: u64, finished: u64) -> LoggedRequest {
        LoggedRequest {
            seq: 0,
            method: "PUT".into(),
            path: "/".into(),
            query: String::new(),
            api_version: None,
            status: 200,
            body: None,
            started: Duration::from_millis(started),
            finished: Duration::from_millis(finished),
            kind,
            client_request_id: None,
        }
    }

    #[test]
    fn overlapping_writes_are_counted_and_polls_ignored() {
        let log = vec![
            entry(RequestKind::Write, 0, 10),
            entry(RequestKind::Write, 5, 15),
            entry(RequestKind::Poll, 6, 7),
            entry(RequestKind::Write, 15, 20),
            entry(RequestKind::Write, 16, 17),
        ];
        assert_eq!(max_writes_in_flight(&log), 2);
        assert_eq!(max_writes_in_flight(&[]), 0);
    }
}
