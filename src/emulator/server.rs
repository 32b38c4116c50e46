//! Lifecycle: bind 127.0.0.1, serve every path with `dispatch`, inspect state, shut down.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use axum::Router;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::builder::EmulatorBuilder;
use super::clock::Clock;
use super::conn::{ConnHandle, KillableListener};
use super::fault::Fault;
use super::log::{self, LoggedRequest};
use super::state::{DeletedAccount, DeletedApim, Registration, Shared, State};
use super::{dispatch, timefmt, view};

/// A started emulator. Dropping it stops the server too; `shutdown` waits for that.
pub struct RunningEmulator {
    shared: Arc<Shared>,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

pub(crate) async fn start(builder: EmulatorBuilder, port: u16) -> std::io::Result<RunningEmulator> {
    if builder.config.specs.is_none() {
        tracing::warn!(
            "ARM emulator runs without Azure specification files: request bodies get structural \
             checks only (pass `.specs(Emulator::specs()?)` to validate them)"
        );
    }
    let mut state = State::default();
    for namespace in &builder.unregistered {
        state
            .providers
            .insert(namespace.to_ascii_lowercase(), Registration::NotRegistered);
    }
    state.principals = builder
        .principals
        .iter()
        .map(|p| (p.to_ascii_lowercase(), false))
        .collect();
    for fault in builder.faults {
        seed_fault(&mut state, fault);
    }
    let manual_clock = builder.config.manual_clock;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        config: builder.config,
        addr,
        state: std::sync::Mutex::new(state),
        log: std::sync::Mutex::new(Vec::new()),
        seq: AtomicU64::new(0),
        epoch: Instant::now(),
        clock: if manual_clock {
            Clock::manual()
        } else {
            Clock::system()
        },
    });
    let app = Router::new()
        .fallback(dispatch::entry)
        .with_state(shared.clone())
        .into_make_service_with_connect_info::<ConnHandle>();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve =
            axum::serve(KillableListener::new(listener), app).with_graceful_shutdown(async move {
                let _ = stopped.await;
            });
        if let Err(e) = serve.await {
            tracing::warn!("ARM emulator stopped with an error: {e}");
        }
    });
    tracing::debug!("ARM emulator listening on http://{addr}");
    Ok(RunningEmulator {
        shared,
        addr,
        stop: Some(stop),
        task: Some(task),
    })
}

/// Faults that describe initial state become state; the rest go to the fault book.
fn seed_fault(state: &mut State, fault: Fault) {
    match fault {
        Fault::SoftDeletedApim { name, location } => state.deleted_apim.push(DeletedApim {
            name,
            location,
            subscription: None,
            service_id: None,
            deletion_date: timefmt::now(),
            purge_date: timefmt::days_from_now(2),
            purging: None,
            resource: None,
        }),
        Fault::SoftDeletedAccount {
            name,
            location,
            resource_group,
        } => state.deleted_accounts.push(DeletedAccount {
            name,
            location,
            resource_group,
            subscription: None,
            deletion_date: timefmt::now(),
            purge_date: timefmt::days_from_now(2),
            purging: None,
            resource: None,
        }),
        other => state.faults.add(other),
    }
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        let mut entries = self.shared.log().clone();
        entries.sort_by_key(|e| e.seq);
        entries
    }

    /// The resource's GET representation (id compared ignoring case); no poll is counted.
    pub fn resource(&self, id: &str) -> Option<Value> {
        let mut state = self.shared.state();
        state.refresh_all(self.shared.now());
        let resource = state.resources.get(&super::armpath::key(id))?;
        Some(view::representation(resource, &self.shared.config, false))
    }

    /// All resources with their canonical ids, sorted by id ignoring case.
    pub fn resources(&self) -> Vec<(String, Value)> {
        let mut state = self.shared.state();
        state.refresh_all(self.shared.now());
        state
            .resources
            .values()
            .map(|r| {
                (
                    r.id.clone(),
                    view::representation(r, &self.shared.config, false),
                )
            })
            .collect()
    }

    /// The largest number of writes (PUT/POST/PATCH/DELETE, polls excluded) that overlapped.
    pub fn max_writes_in_flight(&self) -> usize {
        log::max_writes_in_flight(&self.shared.log())
    }

    /// Moves the emulator's clock forward: operations that are old enough by then are finished
    /// (see [`EmulatorBuilder::manual_clock`]; a system clock is moved ahead of real time).
    pub fn advance(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Adds a fault while running (after earlier faults in matching order).
    pub fn add_fault(&self, fault: Fault) {
        seed_fault(&mut self.shared.state(), fault);
    }

    /// Removes every fault, e.g. to show that a rerun after a failure converges.
    pub fn clear_faults(&self) {
        self.shared.state().faults.clear();
    }

    /// Lets role assignments name this principal from now on.
    pub fn add_principal(&self, object_id: &str) {
        self.shared
            .state()
            .principals
            .entry(object_id.to_ascii_lowercase())
            .or_insert(false);
    }

    /// Serves until `signal` completes (e.g. `tokio::signal::ctrl_c()`), then shuts down.
    pub async fn run_until<F: std::future::Future>(self, signal: F) {
        signal.await;
        self.shutdown().await;
    }

    /// Stops accepting requests and waits (up to 5 s) for requests in progress to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
