//! The binary's side of the ARM emulator: `aigw emulator` and the `--emulator` rehearsal start
//! the `aigw-emulator` crate here. The library sees only [`aigw::rehearsal`]'s traits, which
//! [`Launcher`] implements, so nothing but the binary depends on the emulator.

use aigw::error::Error;
use aigw::rehearsal::{EmulatorLauncher, LaunchedEmulator};
use aigw_emulator::{Emulator, Fault, LatencyProfile, RunningEmulator};
use async_trait::async_trait;

/// An ARM emulator with realistic provisioning times × `latency_scale`, checking request bodies
/// against the Azure REST specifications built into aigw. Operations finish by time, as in
/// Azure. The rehearsal binds any free port and accepts only its own token; `aigw emulator`
/// passes its port and faults and accepts any token.
pub async fn start(
    latency_scale: f64,
    port: u16,
    token: Option<&str>,
    faults: &[Fault],
) -> Result<RunningEmulator, Error> {
    let mut builder =
        Emulator::builder().latency(LatencyProfile::realistic().scaled(latency_scale));
    if let Some(token) = token {
        builder = builder.token(token);
    }
    for fault in faults {
        tracing::info!("fault injected: {fault:?}");
        builder = builder.fault(fault.clone());
    }
    let specs = Emulator::specs().map_err(|e| Error::Emulator(e.to_string()))?;
    builder = builder.specs(specs);
    let running = builder
        .start_on(port)
        .await
        .map_err(|e| Error::Emulator(e.to_string()))?;
    tracing::info!(
        "ARM emulator on {} (provisioning times × {latency_scale})",
        running.url()
    );
    Ok(running)
}

/// Starts the rehearsal's emulator for the library ([`aigw::commands::Target::Emulator`]).
#[derive(Debug)]
pub struct Launcher;

#[async_trait]
impl EmulatorLauncher for Launcher {
    async fn launch(
        &self,
        latency_scale: f64,
        token: &str,
    ) -> Result<Box<dyn LaunchedEmulator>, Error> {
        let running = start(latency_scale, 0, Some(token), &[]).await?;
        Ok(Box::new(Launched(running)))
    }
}

/// The orphan rule keeps aigw's trait off aigw-emulator's type: a newtype carries it.
struct Launched(RunningEmulator);

#[async_trait]
impl LaunchedEmulator for Launched {
    fn url(&self) -> String {
        self.0.url()
    }

    async fn shutdown(self: Box<Self>) {
        self.0.shutdown().await;
    }
}
