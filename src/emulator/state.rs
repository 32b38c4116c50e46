//! The emulator's memory: resources, operations, provider registrations, known principals,
//! soft-deleted services and accounts, fault countdowns — and the shared handle around it.
//!
//! Handlers take the mutex, do synchronous work and release it before any await.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use serde_json::{Map, Value};

use super::builder::Config;
use super::clock::Clock;
use super::fault::FaultBook;
use super::kinds::Kind;
use super::log::LoggedRequest;
use super::ops::{Now, OpStatus, OpTarget, Operation};

/// Where a resource's provisioning stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Phase {
    Succeeded,
    Failed,
    Canceled,
    Running { op: String, state: &'static str },
}

#[derive(Clone, Debug)]
pub(crate) struct Resource {
    /// Canonical id (casing of the first create, `resourceGroups` spelled as ARM does).
    pub id: String,
    pub kind: Kind,
    /// The stored representation, without the live `provisioningState`.
    pub body: Value,
    /// Server-generated values kept across updates (GUIDs, endpoints, creation times).
    pub stable: Map<String, Value>,
    pub phase: Phase,
}

#[derive(Clone, Debug)]
pub(crate) struct DeletedApim {
    pub name: String,
    pub location: String,
    /// `None` for entries configured by a fault: they belong to every subscription.
    pub subscription: Option<String>,
    pub service_id: Option<String>,
    pub deletion_date: String,
    pub purge_date: String,
    /// The running purge operation.
    pub purging: Option<String>,
    pub resource: Option<Resource>,
}

#[derive(Clone, Debug)]
pub(crate) struct DeletedAccount {
    pub name: String,
    pub location: String,
    pub resource_group: String,
    pub subscription: Option<String>,
    pub deletion_date: String,
    pub purge_date: String,
    pub purging: Option<String>,
    pub resource: Option<Resource>,
}

impl DeletedAccount {
    pub fn key(&self) -> String {
        format!("{}/{}", self.resource_group, self.name).to_lowercase()
    }
}

/// A provider namespace that is not (yet) registered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Registration {
    NotRegistered,
    /// After `POST register`; the next GET of the provider sees it `Registered`.
    Registering,
}

#[derive(Default)]
pub(crate) struct State {
    /// By lower-case id.
    pub resources: BTreeMap<String, Resource>,
    pub ops: HashMap<String, Operation>,
    /// By lower-case namespace; absent means registered.
    pub providers: HashMap<String, Registration>,
    /// Lower-case object ids role assignments may name; `true` for the managed identities the
    /// emulator created (their principal type is `ServicePrincipal`).
    pub principals: HashMap<String, bool>,
    /// Role-assignment PUTs seen per principal (for `Fault::PrincipalNotFound`).
    pub principal_attempts: HashMap<String, u32>,
    pub deleted_apim: Vec<DeletedApim>,
    pub deleted_accounts: Vec<DeletedAccount>,
    pub faults: FaultBook,
    /// By lower-case table id: when a newly created custom table may be a data collection
    /// rule's output, on the emulator clock (see `LatencyProfile::with_output_table_delay`).
    pub table_usable_by_rules: HashMap<String, std::time::Duration>,
}

impl State {
    /// Finishes the operation when it is done at `now`; `poll` counts this access as a status
    /// poll.
    pub fn refresh_op(&mut self, op_id: &str, poll: bool, now: Now) {
        let Some(op) = self.ops.get_mut(op_id) else {
            return;
        };
        if poll && op.running() {
            op.polls = op.polls.saturating_add(1);
        }
        if !op.ready(now) {
            return;
        }
        op.finish();
        let (status, target) = (op.status, op.target.clone());
        self.apply_finished(op_id, status, &target);
    }

    fn apply_finished(&mut self, op_id: &str, status: OpStatus, target: &OpTarget) {
        match target {
            OpTarget::Resource(key) => {
                if let Some(resource) = self.resources.get_mut(key)
                    && matches!(&resource.phase, Phase::Running { op, .. } if op == op_id)
                {
                    resource.phase = match status {
                        OpStatus::Failed => Phase::Failed,
                        OpStatus::Canceled => Phase::Canceled,
                        _ => Phase::Succeeded,
                    };
                }
            }
            OpTarget::PurgeApim(name) => self
                .deleted_apim
                .retain(|d| !d.name.eq_ignore_ascii_case(name)),
            OpTarget::PurgeAccount(key) => self.deleted_accounts.retain(|d| d.key() != *key),
        }
    }

    /// Finishes every operation that is done at `now` (no poll counted). Every request and
    /// every inspection starts with it, so all of them see the same, current state.
    pub fn refresh_all(&mut self, now: Now) {
        let ready: Vec<String> = self
            .ops
            .values()
            .filter(|o| o.ready(now))
            .map(|o| o.id.clone())
            .collect();
        for id in ready {
            self.refresh_op(&id, false, now);
        }
    }

    /// The running operation holding this Cognitive Services account busy, if any.
    pub fn account_busy(&mut self, account_key: &str, now: Now) -> bool {
        self.refresh_all(now);
        self.ops
            .values()
            .any(|o| o.running() && o.lock.as_deref() == Some(account_key))
    }

    /// The resource's running operation id, after refreshing it (optionally counting a poll).
    pub fn running_op(&mut self, key: &str, poll: bool, now: Now) -> Option<String> {
        let op = match &self.resources.get(key)?.phase {
            Phase::Running { op, .. } => op.clone(),
            _ => return None,
        };
        self.refresh_op(&op, poll, now);
        match &self.resources.get(key)?.phase {
            Phase::Running { op, .. } => Some(op.clone()),
            _ => None,
        }
    }

    /// Removes a resource and everything under it (children and extension resources such as
    /// role assignments), cancelling their operations. Returns what was removed.
    pub fn remove_tree(&mut self, key: &str) -> Vec<Resource> {
        let prefix = format!("{key}/");
        let keys: Vec<String> = self
            .resources
            .keys()
            .filter(|k| *k == key || k.starts_with(&prefix))
            .cloned()
            .collect();
        let mut removed = Vec::new();
        for k in keys {
            if let Some(resource) = self.resources.remove(&k) {
                if let Phase::Running { op, .. } = &resource.phase
                    && let Some(op) = self.ops.get_mut(op)
                {
                    op.cancel();
                }
                removed.push(resource);
            }
        }
        removed
    }

    pub fn exists(&self, key: &str) -> bool {
        self.resources.contains_key(key)
    }

    pub fn is_registered(&self, namespace: &str) -> bool {
        !self.providers.contains_key(&namespace.to_ascii_lowercase())
    }
}

/// What every request handler shares.
pub(crate) struct Shared {
    pub config: Config,
    pub addr: std::net::SocketAddr,
    pub state: Mutex<State>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub seq: AtomicU64,
    /// Real time, for the request log.
    pub epoch: Instant,
    /// The time operations are measured against.
    pub clock: Clock,
}

impl Shared {
    /// The state; a poisoned lock (a panic elsewhere, which would be a bug) is recovered.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn log(&self) -> MutexGuard<'_, Vec<LoggedRequest>> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The moment to judge operations at.
    pub fn now(&self) -> Now {
        Now {
            at: self.clock.now(),
            required_polls: self.config.lro_polls,
        }
    }
}
