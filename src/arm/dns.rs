//! Name resolution for the ARM client, kept apart from connecting so that the retry policy can
//! tell "this host name does not resolve" from "the connection failed".
//!
//! A host that never resolved in this run is a typo in `--arm-endpoint` or a missing DNS entry:
//! retrying does not fix it (before, 8 attempts over 137 s ended in the same error), so it fails
//! at once with the cause. A host that did resolve earlier and then stops is a resolver hiccup
//! and is retried like any transient network failure.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a host name did not resolve; found in a failed request's error chain.
#[derive(Debug, thiserror::Error)]
#[error("cannot resolve host name `{host}`: {cause}")]
pub struct Unresolved {
    pub host: String,
    pub cause: String,
    /// The host resolved earlier in this run (so this failure may be transient).
    pub resolved_before: bool,
}

/// Wraps a resolver and remembers whether any name resolved.
pub struct TrackingResolver {
    inner: Arc<dyn Resolve>,
    resolved: Arc<AtomicBool>,
}

impl TrackingResolver {
    /// The operating system's resolver (`getaddrinfo`, on tokio's blocking pool), like reqwest's
    /// default.
    pub fn system() -> Self {
        Self::wrapping(Arc::new(SystemResolver))
    }

    pub fn wrapping(inner: Arc<dyn Resolve>) -> Self {
        TrackingResolver {
            inner,
            resolved: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl Resolve for TrackingResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let resolving = self.inner.resolve(name);
        let resolved = Arc::clone(&self.resolved);
        Box::pin(async move {
            match resolving.await {
                Ok(addrs) => {
                    resolved.store(true, Ordering::Relaxed);
                    Ok(addrs)
                }
                Err(cause) => Err(Box::new(Unresolved {
                    host,
                    cause: cause.to_string(),
                    resolved_before: resolved.load(Ordering::Relaxed),
                }) as _),
            }
        })
    }
}

struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let addrs: Vec<_> = addrs.collect();
            if addrs.is_empty() {
                return Err("no address".into());
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The [`Unresolved`] cause of a failed request, if name resolution is what failed.
pub fn unresolved<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Unresolved> {
    let mut source = Some(error);
    while let Some(error) = source {
        if let Some(unresolved) = error.downcast_ref::<Unresolved>() {
            return Some(unresolved);
        }
        source = error.source();
    }
    None
}
