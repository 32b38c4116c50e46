//! The rehearsal's seam: `--emulator` deploys into an ARM emulator started inside this process.
//!
//! The library knows only these two traits. The `aigw` binary implements them with the
//! `aigw-emulator` crate, which this library does not depend on: no production path (params,
//! plan, deploy, arm, auth, report, ci) can reach the emulator, and the compiler checks it. The
//! emulator starts when the rehearsal connects ([`crate::commands::connect`], after the inputs
//! are valid and the plan is built) and stops when the walk ends ([`crate::commands::execute`]).

use std::fmt::Debug;

use async_trait::async_trait;

use crate::error::Error;

/// Starts the ARM emulator a rehearsal deploys into.
#[async_trait]
pub trait EmulatorLauncher: Debug + Send + Sync {
    /// An emulator on 127.0.0.1 (a free port) that accepts only the bearer token `token` and
    /// takes `latency_scale` × Azure's provisioning times.
    async fn launch(
        &self,
        latency_scale: f64,
        token: &str,
    ) -> Result<Box<dyn LaunchedEmulator>, Error>;
}

/// An emulator an [`EmulatorLauncher`] started.
#[async_trait]
pub trait LaunchedEmulator: Send {
    /// Its base URL, `http://127.0.0.1:{port}`.
    fn url(&self) -> String;

    /// Stops it and waits until it has stopped.
    async fn shutdown(self: Box<Self>);
}
