//! Configuration of one emulator: [`EmulatorBuilder`] collects it, `start` freezes it into
//! [`Config`] and the initial state.

use std::sync::Arc;

use super::fault::Fault;
use super::latency::LatencyProfile;
use super::overrides::{OverrideFn, OverrideRequest, OverrideResponse};
use super::server::{self, RunningEmulator};
use crate::openapi::SpecSet;

/// Everything fixed for the emulator's lifetime.
pub(crate) struct Config {
    pub latency: LatencyProfile,
    /// Polls a test requires before an operation is seen finished (0: time alone decides).
    pub lro_polls: u32,
    /// Time stands still until [`RunningEmulator::advance`] moves it.
    pub manual_clock: bool,
    pub retry_after_secs: u64,
    pub specs: Option<Arc<SpecSet>>,
    pub token: Option<String>,
    pub tenant_id: String,
    /// When set, other subscription ids answer 404 `SubscriptionNotFound`.
    pub subscription_id: Option<String>,
    pub overrides: Vec<Box<OverrideFn>>,
    /// APIM keeps policies in its own format: GET returns them reformatted (see `view`).
    pub reformat_policies: bool,
}

/// Builds an emulator; see `docs/emulator.md` for the behaviour each option changes.
pub struct EmulatorBuilder {
    pub(crate) config: Config,
    pub(crate) faults: Vec<Fault>,
    pub(crate) unregistered: Vec<String>,
    pub(crate) principals: Vec<String>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            config: Config {
                latency: LatencyProfile::instant(),
                lro_polls: 0,
                manual_clock: false,
                retry_after_secs: 1,
                specs: None,
                token: None,
                tenant_id: uuid::Uuid::new_v4().to_string(),
                subscription_id: None,
                overrides: Vec::new(),
                reformat_policies: true,
            },
            faults: Vec::new(),
            unregistered: Vec::new(),
            principals: Vec::new(),
        }
    }
}

impl EmulatorBuilder {
    /// Provisioning durations per resource type (default [`LatencyProfile::instant`]).
    pub fn latency(mut self, profile: LatencyProfile) -> Self {
        self.config.latency = profile;
        self
    }

    /// Test device: an operation is not seen finished before it has been polled this many times,
    /// even when its time is up (default 0: time alone decides, as in ARM). It proves that a
    /// client follows each operation before it goes on; it also means an operation nobody polls
    /// never finishes, so a test of lost responses must leave it at 0.
    pub fn lro_polls(mut self, polls: u32) -> Self {
        self.config.lro_polls = polls;
        self
    }

    /// The emulator's clock stands still until [`RunningEmulator::advance`] moves it, so a
    /// test decides exactly when each operation finishes. Synchronous writes then answer at once
    /// (their latency would be a wait for time that does not pass).
    pub fn manual_clock(mut self) -> Self {
        self.config.manual_clock = true;
        self
    }

    /// The `Retry-After` seconds on long-running responses (default 1).
    pub fn retry_after_secs(mut self, secs: u64) -> Self {
        self.config.retry_after_secs = secs;
        self
    }

    /// Request bodies are validated against these specification files. Without them only
    /// structural checks run and a warning is logged once at start.
    pub fn specs(mut self, specs: Arc<SpecSet>) -> Self {
        self.config.specs = Some(specs);
        self
    }

    /// Accept only this bearer token (default: any non-empty token).
    pub fn token(mut self, bearer: impl Into<String>) -> Self {
        self.config.token = Some(bearer.into());
        self
    }

    /// The tenant of the subscription and of every identity (default: a random GUID).
    pub fn tenant_id(mut self, id: impl Into<String>) -> Self {
        self.config.tenant_id = id.into();
        self
    }

    /// Serve only this subscription (default: any subscription id).
    pub fn subscription_id(mut self, id: impl Into<String>) -> Self {
        self.config.subscription_id = Some(id.into());
        self
    }

    /// The resource provider namespace starts `NotRegistered`: writes to its types answer 409
    /// `MissingSubscriptionRegistration` until `POST .../providers/{ns}/register`.
    pub fn unregistered(mut self, namespace: impl Into<String>) -> Self {
        self.unregistered.push(namespace.into());
        self
    }

    /// A principal (object id) role assignments may name besides the identities the emulator
    /// creates, e.g. the deploying service principal.
    pub fn principal(mut self, object_id: impl Into<String>) -> Self {
        self.principals.push(object_id.into());
        self
    }

    /// Whether policy GETs return the XML in APIM's layout (default true): CRLF line ends, one tab
    /// per nesting level, `<x />`, so a byte-wise comparison with the file fails.
    pub fn reformat_policies(mut self, on: bool) -> Self {
        self.config.reformat_policies = on;
        self
    }

    /// Adds a fault (repeatable; the first matching fault with count left wins).
    pub fn fault(mut self, fault: Fault) -> Self {
        self.faults.push(fault);
        self
    }

    /// A function that sees every request before normal handling and may answer it.
    pub fn route_override(
        mut self,
        f: impl Fn(&OverrideRequest) -> Option<OverrideResponse> + Send + Sync + 'static,
    ) -> Self {
        self.config.overrides.push(Box::new(f));
        self
    }

    /// Starts on `127.0.0.1` with a free port.
    pub async fn start(self) -> std::io::Result<RunningEmulator> {
        server::start(self, 0).await
    }

    /// Starts on `127.0.0.1:port` (0 picks a free port).
    pub async fn start_on(self, port: u16) -> std::io::Result<RunningEmulator> {
        server::start(self, port).await
    }
}
