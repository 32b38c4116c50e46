//! ARM emulator: a local HTTP server on 127.0.0.1 that behaves like Azure Resource Manager for
//! exactly the resource types aigw deploys. For tests and rehearsals; never on a production path.
//!
//! What it owns: ARM's request rules (bearer token, `api-version`, error envelope, request-id
//! headers), in-memory resources with server-computed values, long-running operations in the
//! three polling styles ARM uses, the cross-resource rules a client meets (parents, role
//! assignments, soft delete, APIM policy references) and injected faults. Request bodies are
//! checked with [`crate::openapi::SpecSet`]; this module has no validator of its own beyond two
//! built-in schemas for types without a spec copy. `docs/emulator.md` describes the behaviour.
//!
//! Layout: `builder` (configuration) → `server` (listener, connections, lifecycle) → `dispatch`
//! (one request: log, override, auth, faults, api-version, route) → `handlers/*` (one job each),
//! with the state in `state` and `ops`.

mod apim_checks;
mod apiversion;
mod armpath;
mod builder;
mod clock;
mod computed;
mod conn;
mod dispatch;
mod fault;
mod fault_spec;
mod handlers;
mod incoming;
mod kinds;
mod latency;
mod log;
mod ops;
mod overrides;
mod policy_form;
mod reply;
mod route;
mod semantic;
mod server;
mod state;
mod timefmt;
mod validation;
mod view;

pub use builder::EmulatorBuilder;
pub use fault::{Fault, Matcher};
pub use fault_spec::FaultSpecError;
pub use latency::LatencyProfile;
pub use log::{LoggedRequest, RequestKind};
pub use overrides::{OverrideRequest, OverrideResponse};
pub use server::RunningEmulator;

/// Namespace for starting an emulator: `Emulator::builder().start().await`.
pub struct Emulator;

impl Emulator {
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The Azure specification files built into aigw, for body validation
    /// (`builder().specs(Emulator::specs()?)`).
    pub fn specs() -> Result<std::sync::Arc<crate::openapi::SpecSet>, crate::openapi::LoadError> {
        crate::openapi::SpecSet::embedded()
    }
}

#[cfg(test)]
mod tests;
