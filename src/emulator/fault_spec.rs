//! Faults written as text, for `aigw emulator --fault SPEC`: `KIND[:KEY=VALUE,...]`, e.g.
//! `throttle:method=PUT,times=3,retry-after=2` or
//! `lose-response:type=Microsoft.CognitiveServices/accounts`. Each kind is one [`Fault`]; the
//! keys `method`, `type`, `name`, `path` and `kind` select requests as a [`Matcher`] does.

use std::collections::BTreeMap;
use std::str::FromStr;

use super::fault::{Fault, Matcher};
use super::log::RequestKind;

/// The kinds (`aigw emulator --help` and `docs/emulator.md` list their keys).
const KINDS: &[&str] = &[
    "throttle",
    "server-error",
    "drop-connection",
    "lose-response",
    "conflict",
    "reject",
    "fail-operation",
    "principal-not-found",
    "soft-deleted-apim",
    "soft-deleted-account",
];

const SELECTORS: &[&str] = &["method", "type", "name", "path", "kind"];

/// Why a fault spec was refused; the message names the part and what is accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("fault `{spec}`: {problem}")]
pub struct FaultSpecError {
    spec: String,
    problem: String,
}

impl FromStr for Fault {
    type Err = FaultSpecError;

    fn from_str(spec: &str) -> Result<Self, Self::Err> {
        let fail = |problem: String| FaultSpecError {
            spec: spec.to_string(),
            problem,
        };
        let (kind, rest) = spec.split_once(':').unwrap_or((spec, ""));
        let kind = kind.trim().to_ascii_lowercase();
        let mut keys = Keys::parse(spec, rest).map_err(fail)?;
        let fault = match kind.as_str() {
            "throttle" => Fault::Throttle {
                matcher: keys.matcher()?,
                times: keys.number("times", 1)?,
                retry_after_secs: keys.number("retry-after", 1)?,
            },
            "server-error" => Fault::ServerError {
                matcher: keys.matcher()?,
                times: keys.number("times", 1)?,
                status: keys.status("status", 500, 500..=599)?,
            },
            "drop-connection" => Fault::DropConnection {
                matcher: keys.matcher()?,
                times: keys.number("times", 1)?,
            },
            "lose-response" => Fault::LoseResponse {
                matcher: keys.matcher()?,
                times: keys.number("times", 1)?,
            },
            "conflict" => Fault::Conflict {
                matcher: keys.matcher()?,
                times: keys.number("times", 1)?,
            },
            "reject" => {
                let code = keys.required("code")?;
                Fault::Reject {
                    matcher: keys.matcher()?,
                    status: keys.status("status", 400, 400..=599)?,
                    message: keys.message(&code),
                    times: keys.optional_number("times")?,
                    code,
                }
            }
            "fail-operation" => {
                let code = keys.required("code")?;
                Fault::FailLongRunning {
                    matcher: keys.matcher()?,
                    message: keys.message(&code),
                    code,
                }
            }
            "principal-not-found" => Fault::PrincipalNotFound {
                times: keys.number("times", 1)?,
            },
            "soft-deleted-apim" => Fault::SoftDeletedApim {
                name: keys.required("name")?,
                location: keys.required("location")?,
            },
            "soft-deleted-account" => Fault::SoftDeletedAccount {
                name: keys.required("name")?,
                location: keys.required("location")?,
                resource_group: keys.required("resource-group")?,
            },
            other => {
                return Err(fail(format!(
                    "unknown kind `{other}`; use one of: {}",
                    KINDS.join(", ")
                )));
            }
        };
        keys.finish().map_err(fail)?;
        Ok(fault)
    }
}

/// `key=value` pairs, consumed as the kind reads them; what is left over is an error.
struct Keys {
    spec: String,
    pairs: BTreeMap<String, String>,
}

impl Keys {
    fn parse(spec: &str, text: &str) -> Result<Keys, String> {
        let mut pairs = BTreeMap::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("`{part}` is not KEY=VALUE"))?;
            let key = key.trim().to_ascii_lowercase();
            if pairs
                .insert(key.clone(), value.trim().to_string())
                .is_some()
            {
                return Err(format!("`{key}` is given twice"));
            }
        }
        Ok(Keys {
            spec: spec.to_string(),
            pairs,
        })
    }

    fn error(&self, problem: String) -> FaultSpecError {
        FaultSpecError {
            spec: self.spec.clone(),
            problem,
        }
    }

    fn required(&mut self, key: &str) -> Result<String, FaultSpecError> {
        self.pairs
            .remove(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| self.error(format!("`{key}=...` is required")))
    }

    fn optional_number(&mut self, key: &str) -> Result<Option<u32>, FaultSpecError> {
        match self.pairs.remove(key) {
            None => Ok(None),
            Some(value) => value.parse::<u32>().map(Some).map_err(|_| {
                self.error(format!(
                    "`{key}={value}` is not a whole number (e.g. {key}=3)"
                ))
            }),
        }
    }

    fn number<T: TryFrom<u32>>(&mut self, key: &str, default: T) -> Result<T, FaultSpecError> {
        match self.optional_number(key)? {
            None => Ok(default),
            Some(n) => T::try_from(n).map_err(|_| self.error(format!("`{key}={n}` is too large"))),
        }
    }

    fn status(
        &mut self,
        key: &str,
        default: u16,
        range: std::ops::RangeInclusive<u16>,
    ) -> Result<u16, FaultSpecError> {
        let status: u16 = self.number(key, default)?;
        if range.contains(&status) {
            Ok(status)
        } else {
            Err(self.error(format!(
                "`{key}={status}` must be between {} and {}",
                range.start(),
                range.end()
            )))
        }
    }

    fn message(&mut self, code: &str) -> String {
        self.pairs
            .remove("message")
            .unwrap_or_else(|| format!("{code} (injected by aigw emulator --fault)"))
    }

    fn matcher(&mut self) -> Result<Matcher, FaultSpecError> {
        let mut matcher = Matcher::any();
        if let Some(method) = self.pairs.remove("method") {
            matcher = matcher.and_method(&method);
        }
        if let Some(resource_type) = self.pairs.remove("type") {
            matcher = matcher.resource_type(&resource_type);
        }
        if let Some(name) = self.pairs.remove("name") {
            matcher = matcher.name(&name);
        }
        if let Some(path) = self.pairs.remove("path") {
            matcher = matcher.path_contains(&path);
        }
        if let Some(kind) = self.pairs.remove("kind") {
            let kind = match kind.to_ascii_lowercase().as_str() {
                "write" => RequestKind::Write,
                "read" => RequestKind::Read,
                "poll" => RequestKind::Poll,
                other => {
                    return Err(
                        self.error(format!("`kind={other}` is not one of write, read, poll"))
                    );
                }
            };
            matcher = matcher.kind(kind);
        }
        Ok(matcher)
    }

    fn finish(self) -> Result<(), String> {
        match self.pairs.keys().next() {
            None => Ok(()),
            Some(key) if SELECTORS.contains(&key.as_str()) => Err(format!(
                "this kind applies to no request selector (`{key}`)"
            )),
            Some(key) => Err(format!("unknown key `{key}` for this kind")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(spec: &str) -> Result<Fault, String> {
        spec.parse::<Fault>().map_err(|e| e.to_string())
    }

    #[test]
    fn every_kind_parses_with_defaults_and_selectors() {
        assert_eq!(
            parse(
                "throttle:method=put,type=Microsoft.CognitiveServices/accounts/deployments,times=3,retry-after=2"
            ),
            Ok(Fault::Throttle {
                matcher: Matcher::method("PUT")
                    .resource_type("Microsoft.CognitiveServices/accounts/deployments"),
                times: 3,
                retry_after_secs: 2,
            })
        );
        assert_eq!(
            parse("lose-response:name=cog-x"),
            Ok(Fault::LoseResponse {
                matcher: Matcher::any().name("cog-x"),
                times: 1,
            })
        );
        assert_eq!(
            parse(
                "reject:code=InsufficientQuota,type=Microsoft.CognitiveServices/accounts/deployments"
            ),
            Ok(Fault::Reject {
                matcher: Matcher::any()
                    .resource_type("Microsoft.CognitiveServices/accounts/deployments"),
                status: 400,
                code: "InsufficientQuota".into(),
                message: "InsufficientQuota (injected by aigw emulator --fault)".into(),
                times: None,
            })
        );
        assert_eq!(
            parse("server-error:status=503,kind=poll,path=/operationStatuses/"),
            Ok(Fault::ServerError {
                matcher: Matcher::any()
                    .path_contains("/operationStatuses/")
                    .kind(RequestKind::Poll),
                times: 1,
                status: 503,
            })
        );
        assert_eq!(
            parse("soft-deleted-account:name=cog,location=swedencentral,resource-group=rg"),
            Ok(Fault::SoftDeletedAccount {
                name: "cog".into(),
                location: "swedencentral".into(),
                resource_group: "rg".into(),
            })
        );
        for kind in KINDS.iter().copied() {
            let minimal = match kind {
                "reject" | "fail-operation" => format!("{kind}:code=X"),
                "soft-deleted-apim" => format!("{kind}:name=a,location=b"),
                "soft-deleted-account" => format!("{kind}:name=a,location=b,resource-group=c"),
                _ => kind.to_string(),
            };
            assert!(parse(&minimal).is_ok(), "{minimal}: {:?}", parse(&minimal));
        }
    }

    #[test]
    fn mistakes_name_the_part_and_what_is_accepted() {
        let cases = [
            ("slow", "unknown kind `slow`; use one of: throttle,"),
            ("throttle:times=many", "`times=many` is not a whole number"),
            ("throttle:times", "`times` is not KEY=VALUE"),
            ("throttle:times=1,times=2", "`times` is given twice"),
            ("throttle:colour=red", "unknown key `colour` for this kind"),
            ("reject:status=400", "`code=...` is required"),
            (
                "server-error:status=404",
                "`status=404` must be between 500 and 599",
            ),
            (
                "conflict:kind=delete",
                "`kind=delete` is not one of write, read, poll",
            ),
            (
                "principal-not-found:type=x",
                "applies to no request selector (`type`)",
            ),
        ];
        for (spec, expected) in cases {
            let error = parse(spec).err().unwrap_or_default();
            assert!(error.contains(expected), "{spec}: {error}");
        }
    }
}
