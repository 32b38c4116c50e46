//! Injected failures: which requests they hit ([`Matcher`]) and how many times ([`Fault`]), plus
//! the countdowns kept while the emulator runs.

use super::log::RequestKind;
use super::reply::Reply;

/// Selects requests. Every condition set must hold; [`Matcher::any`] holds for all requests.
/// Comparisons ignore case, as ARM does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Matcher {
    method: Option<String>,
    resource_type: Option<String>,
    path_contains: Option<String>,
    name: Option<String>,
    kind: Option<RequestKind>,
}

impl Matcher {
    pub fn any() -> Self {
        Matcher::default()
    }

    /// Requests with this HTTP method (`PUT`, `GET`, ...).
    pub fn method(method: &str) -> Self {
        Matcher::any().and_method(method)
    }

    /// Writes only (PUT/POST/PATCH/DELETE), not reads or polls.
    pub fn writes() -> Self {
        Matcher::any().kind(RequestKind::Write)
    }

    pub fn and_method(mut self, method: &str) -> Self {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// The resource type the request addresses, e.g.
    /// `Microsoft.CognitiveServices/accounts/deployments`.
    pub fn resource_type(mut self, resource_type: &str) -> Self {
        self.resource_type = Some(resource_type.to_ascii_lowercase());
        self
    }

    /// A substring of the request path.
    pub fn path_contains(mut self, fragment: &str) -> Self {
        self.path_contains = Some(fragment.to_ascii_lowercase());
        self
    }

    /// The last name in the resource id (e.g. a deployment name).
    pub fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_ascii_lowercase());
        self
    }

    pub fn kind(mut self, kind: RequestKind) -> Self {
        self.kind = Some(kind);
        self
    }

    pub(crate) fn matches(&self, input: &MatchInput<'_>) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| {
            want.as_ref()
                .is_none_or(|w| have.is_some_and(|h| h.eq_ignore_ascii_case(w)))
        };
        eq(&self.method, Some(input.method))
            && eq(&self.resource_type, input.resource_type)
            && eq(&self.name, input.name)
            && self
                .path_contains
                .as_ref()
                .is_none_or(|p| input.path.to_ascii_lowercase().contains(p))
            && self.kind.is_none_or(|k| k == input.kind)
    }
}

/// What a matcher looks at.
pub(crate) struct MatchInput<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub resource_type: Option<&'a str>,
    pub name: Option<&'a str>,
    pub kind: RequestKind,
}

/// A failure to inject. Faults with `times` hit that many matching requests, then stop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After` and code `TooManyRequests`.
    Throttle {
        matcher: Matcher,
        times: u32,
        retry_after_secs: u64,
    },
    /// An ARM-shaped 5xx (`InternalServerError`, or `ServiceUnavailable` for 503).
    ServerError {
        matcher: Matcher,
        times: u32,
        status: u16,
    },
    /// The connection is closed without any response, before the request is handled.
    DropConnection { matcher: Matcher, times: u32 },
    /// The request is handled (a PUT creates the resource and starts its operation) but the
    /// connection is closed before the answer is sent: the client cannot tell whether its
    /// write happened and retries it.
    LoseResponse { matcher: Matcher, times: u32 },
    /// Every long-running operation a matching write starts ends `Failed` with this error (a
    /// synchronous write answers 400 with it instead).
    FailLongRunning {
        matcher: Matcher,
        code: String,
        message: String,
    },
    /// An error answer, e.g. 400 `InsufficientQuota`; `times: None` means always.
    Reject {
        matcher: Matcher,
        status: u16,
        code: String,
        message: String,
        times: Option<u32>,
    },
    /// 409 `RequestConflict`, as when another operation runs on the same parent.
    Conflict { matcher: Matcher, times: u32 },
    /// The first `times` role-assignment PUTs for each principal get 400 `PrincipalNotFound`
    /// (Entra ID replication delay after an identity is created).
    PrincipalNotFound { times: u32 },
    /// An API Management service of this name was deleted and is still soft-deleted.
    SoftDeletedApim { name: String, location: String },
    /// A Cognitive Services account of this name was deleted and is still soft-deleted.
    SoftDeletedAccount {
        name: String,
        location: String,
        resource_group: String,
    },
}

/// What dispatch must do for a request hit by a fault.
pub(crate) enum Injected {
    Respond(Reply),
    /// Close the connection without handling the request.
    Drop,
    /// Handle the request, then close the connection instead of answering.
    LoseResponse,
}

/// Faults with their remaining counts.
#[derive(Default)]
pub(crate) struct FaultBook {
    entries: Vec<(Fault, Option<u32>)>,
}

impl FaultBook {
    /// Forgets every fault (the next requests behave normally).
    pub fn clear(&mut self) {
        self.entries.clear();
    }

    pub fn add(&mut self, fault: Fault) {
        let remaining = match &fault {
            Fault::Throttle { times, .. }
            | Fault::ServerError { times, .. }
            | Fault::DropConnection { times, .. }
            | Fault::LoseResponse { times, .. }
            | Fault::Conflict { times, .. } => Some(*times),
            Fault::Reject { times, .. } => *times,
            _ => None,
        };
        self.entries.push((fault, remaining));
    }

    /// The first fault that answers this request instead of the emulator, counting it down.
    pub fn take(&mut self, input: &MatchInput<'_>, resource_id: &str) -> Option<Injected> {
        for (fault, remaining) in &mut self.entries {
            if remaining.is_some_and(|r| r == 0) {
                continue;
            }
            let injected = match fault {
                Fault::Throttle {
                    matcher,
                    retry_after_secs,
                    ..
                } if matcher.matches(input) => Injected::Respond(
                    Reply::error(
                        429,
                        "TooManyRequests",
                        format!(
                            "The request is being throttled. Please try again after \
                             '{retry_after_secs}' seconds."
                        ),
                    )
                    .header("Retry-After", retry_after_secs.to_string()),
                ),
                Fault::ServerError {
                    matcher, status, ..
                } if matcher.matches(input) => {
                    let (code, message) = if *status == 503 {
                        (
                            "ServiceUnavailable",
                            "The service is temporarily unavailable. Please try again later.",
                        )
                    } else {
                        (
                            "InternalServerError",
                            "Encountered internal server error. Diagnostic information: \
                             timestamp '', subscription id '', tracking id '', request \
                             correlation id ''.",
                        )
                    };
                    let status = if (500..600).contains(status) {
                        *status
                    } else {
                        500
                    };
                    Injected::Respond(Reply::error(status, code, message))
                }
                Fault::DropConnection { matcher, .. } if matcher.matches(input) => Injected::Drop,
                Fault::LoseResponse { matcher, .. } if matcher.matches(input) => {
                    Injected::LoseResponse
                }
                Fault::Reject {
                    matcher,
                    status,
                    code,
                    message,
                    ..
                } if matcher.matches(input) => {
                    let status = if (400..600).contains(status) {
                        *status
                    } else {
                        400
                    };
                    Injected::Respond(Reply::error(status, code, message.clone()))
                }
                Fault::Conflict { matcher, .. } if matcher.matches(input) => {
                    Injected::Respond(Reply::error(
                        409,
                        "RequestConflict",
                        format!(
                            "Another operation is being performed on the parent resource \
                             '{resource_id}'. Please try again later."
                        ),
                    ))
                }
                _ => continue,
            };
            if let Some(r) = remaining {
                *r -= 1;
            }
            return Some(injected);
        }
        None
    }

    /// The error a long-running operation started by this request must end with.
    pub fn long_running_failure(&self, input: &MatchInput<'_>) -> Option<(String, String)> {
        self.entries.iter().find_map(|(fault, _)| match fault {
            Fault::FailLongRunning {
                matcher,
                code,
                message,
            } if matcher.matches(input) => Some((code.clone(), message.clone())),
            _ => None,
        })
    }

    /// How many role-assignment PUTs per principal fail with `PrincipalNotFound`.
    pub fn principal_not_found_times(&self) -> u32 {
        self.entries
            .iter()
            .map(|(fault, _)| match fault {
                Fault::PrincipalNotFound { times } => *times,
                _ => 0,
            })
            .fold(0u32, u32::saturating_add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input<'a>(method: &'a str, path: &'a str, kind: RequestKind) -> MatchInput<'a> {
        MatchInput {
            method,
            path,
            resource_type: Some("Microsoft.CognitiveServices/accounts/deployments"),
            name: Some("gpt-4o"),
            kind,
        }
    }

    #[test]
    fn matchers_ignore_case_and_combine() {
        let put = input(
            "PUT",
            "/subscriptions/S/x/Deployments/GPT-4o",
            RequestKind::Write,
        );
        assert!(Matcher::any().matches(&put));
        assert!(
            Matcher::method("put")
                .resource_type("microsoft.cognitiveservices/ACCOUNTS/deployments")
                .name("GPT-4O")
                .path_contains("deployments/gpt")
                .matches(&put)
        );
        assert!(!Matcher::method("GET").matches(&put));
        assert!(!Matcher::any().name("other").matches(&put));
        assert!(Matcher::writes().matches(&put));
        assert!(!Matcher::writes().matches(&input("GET", "/", RequestKind::Poll)));
    }

    #[test]
    fn counts_down_and_falls_through() {
        let mut book = FaultBook::default();
        book.add(Fault::Conflict {
            matcher: Matcher::any(),
            times: 1,
        });
        book.add(Fault::Reject {
            matcher: Matcher::any(),
            status: 400,
            code: "InsufficientQuota".into(),
            message: "no".into(),
            times: None,
        });
        let put = input("PUT", "/", RequestKind::Write);
        let statuses: Vec<u16> = (0..3)
            .filter_map(|_| match book.take(&put, "/id") {
                Some(Injected::Respond(r)) => Some(r.status),
                _ => None,
            })
            .collect();
        assert_eq!(statuses, [409, 400, 400]);
    }
}
