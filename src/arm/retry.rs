//! The one retry layer (cargo's `util/network/retry.rs` pattern): a small policy that answers
//! "done / fail / retry after d" for each attempt. Only transient failures are retried.

use std::time::{Duration, SystemTime};

use rand::Rng;

/// 409 codes that mean "try again later" rather than a real conflict (ARM, Cognitive Services).
/// `PessimisticConcurrencyConflict`: API Management while another change to the service is
/// being applied (Azure/apiops#497).
const TRANSIENT_CONFLICT_CODES: &[&str] = &[
    "RequestConflict",
    "Conflict",
    "AnotherOperationInProgress",
    "PessimisticConcurrencyConflict",
];

#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts in total, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A server's Retry-After is honoured up to this long.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(300),
        }
    }
}

/// What happened on one attempt, as far as retrying is concerned.
#[derive(Clone, Debug)]
pub enum Outcome<'a> {
    Status {
        status: u16,
        code: Option<&'a str>,
        retry_after: Option<Duration>,
    },
    /// Connection refused/reset/dropped, or a timeout.
    Transport,
    /// The host name did not resolve. Not transient unless it resolved earlier in the run
    /// (see [`super::dns`]).
    Unresolved { resolved_before: bool },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Done,
    Fail,
    RetryAfter(Duration),
}

impl RetryPolicy {
    /// `attempt` is the number of attempts made so far (1 after the first); at most
    /// [`RetryPolicy::max_attempts`] are made, whatever failed.
    pub fn decide(&self, attempt: u32, outcome: &Outcome<'_>) -> Decision {
        let (transient, retry_after) = match outcome {
            Outcome::Transport => (true, None),
            Outcome::Unresolved { resolved_before } => (*resolved_before, None),
            Outcome::Status {
                status,
                code,
                retry_after,
            } => {
                if *status < 400 {
                    return Decision::Done;
                }
                let transient = matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
                    || (*status == 409
                        && code.is_some_and(|c| TRANSIENT_CONFLICT_CODES.contains(&c)));
                (transient, *retry_after)
            }
        };
        if !transient || attempt >= self.max_attempts {
            return Decision::Fail;
        }
        Decision::RetryAfter(self.delay(attempt, retry_after))
    }

    /// Exponential backoff with jitter, or the server's Retry-After (capped, plus a little jitter
    /// so many clients do not return in lockstep).
    fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let mut rng = rand::rng();
        if let Some(after) = retry_after {
            let after = after.min(self.max_retry_after);
            return after + after.mul_f64(rng.random_range(0.0..0.1));
        }
        let exponential = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        exponential
            .min(self.max_delay)
            .mul_f64(rng.random_range(0.5..1.0))
    }
}

/// Parses `Retry-After`: delay-seconds, or an HTTP date in any of the three formats RFC 9110
/// (section 5.6.7) requires recipients to accept: IMF-fixdate, RFC 850 and asctime. A date in the
/// past means "now".
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    retry_after_at(value, SystemTime::now())
}

fn retry_after_at(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: u16, code: Option<&str>) -> Outcome<'_> {
        Outcome::Status {
            status,
            code,
            retry_after: None,
        }
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let policy = RetryPolicy::default();
        for retried in [
            status(429, None),
            status(500, None),
            status(503, None),
            status(409, Some("RequestConflict")),
            Outcome::Transport,
        ] {
            assert!(
                matches!(policy.decide(1, &retried), Decision::RetryAfter(_)),
                "{retried:?}"
            );
        }
        for failed in [
            status(400, Some("InvalidRequestContent")),
            status(403, Some("AuthorizationFailed")),
            status(404, None),
            status(409, Some("RoleAssignmentExists")),
        ] {
            assert_eq!(policy.decide(1, &failed), Decision::Fail, "{failed:?}");
        }
        assert_eq!(policy.decide(1, &status(201, None)), Decision::Done);
    }

    #[test]
    fn a_host_that_never_resolved_fails_at_once_and_a_resolver_hiccup_is_retried() {
        let policy = RetryPolicy::default();
        assert_eq!(
            policy.decide(
                1,
                &Outcome::Unresolved {
                    resolved_before: false
                }
            ),
            Decision::Fail
        );
        assert!(matches!(
            policy.decide(
                1,
                &Outcome::Unresolved {
                    resolved_before: true
                }
            ),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn attempts_are_bounded_by_one_budget() {
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        assert!(matches!(
            policy.decide(2, &Outcome::Transport),
            Decision::RetryAfter(_)
        ));
        assert_eq!(policy.decide(3, &Outcome::Transport), Decision::Fail);
        assert_eq!(policy.decide(3, &status(503, None)), Decision::Fail);
        // "Not ready yet" errors are not the retry layer's: deploy waits for them by kind.
        assert_eq!(
            policy.decide(1, &status(400, Some("PrincipalNotFound"))),
            Decision::Fail
        );
    }

    #[test]
    fn retry_after_is_honoured_with_a_cap_and_backoff_grows() {
        let policy = RetryPolicy::default();
        let outcome = Outcome::Status {
            status: 429,
            code: None,
            retry_after: Some(Duration::from_secs(7)),
        };
        let Decision::RetryAfter(d) = policy.decide(1, &outcome) else {
            panic!("not retried")
        };
        assert!(
            d >= Duration::from_secs(7) && d < Duration::from_secs(8),
            "{d:?}"
        );
        let outcome = Outcome::Status {
            status: 429,
            code: None,
            retry_after: Some(Duration::from_secs(3600)),
        };
        let Decision::RetryAfter(d) = policy.decide(1, &outcome) else {
            panic!("not retried")
        };
        assert!(d <= Duration::from_secs(330), "{d:?}");
        let Decision::RetryAfter(later) = policy.decide(6, &Outcome::Transport) else {
            panic!()
        };
        assert!(
            later >= Duration::from_secs(30) && later <= Duration::from_secs(60),
            "{later:?}"
        );
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        assert_eq!(parse_retry_after("12"), Some(Duration::from_secs(12)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        // Past dates in the obsolete formats mean "now" too (before httpdate: not read at all).
        assert_eq!(
            parse_retry_after("Wednesday, 21-Oct-15 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after("Wed Oct 21 07:28:00 2015"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-5"), None);
    }

    #[test]
    fn retry_after_reads_all_three_http_date_formats() {
        // RFC 9110 section 5.6.7's own examples of one instant, read 37 seconds before it.
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:00 GMT")
            .expect("IMF-fixdate example");
        for (format, value) in [
            ("IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT"),
            ("RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT"),
            ("asctime", "Sun Nov  6 08:49:37 1994"),
        ] {
            assert_eq!(
                retry_after_at(value, now),
                Some(Duration::from_secs(37)),
                "{format}: {value}"
            );
        }
    }
}
