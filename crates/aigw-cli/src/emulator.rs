//! The binary's side of the ARM emulator: `aigw emulator` and the `--emulator` rehearsal start
//! the `aigw-emulator` crate here. The library sees only [`aigw::rehearsal`]'s traits, which
//! [`Launcher`] implements, so nothing but the binary depends on the emulator.

use aigw::error::Error;
use aigw::rehearsal::{EmulatorLauncher, EmulatorSettings, LaunchedEmulator};
use aigw_emulator::{Emulator, Fault, LatencyProfile, RunningEmulator};
use async_trait::async_trait;

/// Starts emulators with realistic provisioning times × the settings' scale, checking request
/// bodies against the Azure REST specifications built into aigw; operations finish by time, as
/// in Azure. `faults` (`aigw emulator --fault`; none for the rehearsal) are injected into each.
#[derive(Debug, Default)]
pub struct Launcher {
    pub faults: Vec<Fault>,
}

#[async_trait]
impl EmulatorLauncher for Launcher {
    async fn launch(
        &self,
        settings: &EmulatorSettings,
    ) -> Result<Box<dyn LaunchedEmulator>, Error> {
        let scale = settings.latency_scale;
        let mut builder = Emulator::builder().latency(LatencyProfile::realistic().scaled(scale));
        if let Some(token) = &settings.token {
            builder = builder.token(token.clone());
        }
        for fault in &self.faults {
            tracing::info!("fault injected: {fault:?}");
            builder = builder.fault(fault.clone());
        }
        let specs = Emulator::specs().map_err(|e| Error::Emulator(e.to_string()))?;
        let running = builder
            .specs(specs)
            .start_on(settings.port)
            .await
            .map_err(|e| Error::Emulator(e.to_string()))?;
        tracing::info!(
            "ARM emulator on {} (provisioning times × {scale})",
            running.url()
        );
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
