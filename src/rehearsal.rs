//! The seam to the ARM emulator: `--emulator` deploys into an emulator started inside this
//! process, and `aigw emulator` serves one.
//!
//! The library knows only these two traits. The `aigw` binary implements them with the
//! `aigw-emulator` crate, which this library does not depend on: no production path (params,
//! plan, deploy, arm, auth, report, ci) can reach the emulator, and the compiler checks it. The
//! rehearsal's emulator starts when the run connects ([`crate::commands::connect`], after the
//! inputs are valid and the plan is built) and stops when the walk ends
//! ([`crate::commands::execute`]).

use std::fmt::Debug;

use async_trait::async_trait;

use crate::error::Error;

/// How to start an emulator.
#[derive(Clone, Debug, PartialEq)]
pub struct EmulatorSettings {
    /// The fraction of Azure's provisioning times it takes.
    pub latency_scale: f64,
    /// Port on 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// Accept only this bearer token; `None` accepts any non-empty token.
    pub token: Option<String>,
}

/// Starts ARM emulators (the binary's; it also holds what `aigw emulator --fault` injects).
#[async_trait]
pub trait EmulatorLauncher: Debug + Send + Sync {
    async fn launch(&self, settings: &EmulatorSettings)
    -> Result<Box<dyn LaunchedEmulator>, Error>;
}

/// An emulator an [`EmulatorLauncher`] started.
#[async_trait]
pub trait LaunchedEmulator: Send {
    /// Its base URL, `http://127.0.0.1:{port}`.
    fn url(&self) -> String;

    /// Stops accepting requests and waits for those in progress.
    async fn shutdown(self: Box<Self>);
}
