//! A test context with the ARM emulator on 127.0.0.1 and an `aigw` command pointed at it.

use std::path::PathBuf;

use aigw::emulator::{Emulator, EmulatorBuilder, LoggedRequest, RequestKind, RunningEmulator};
use assert_cmd::Command;

use super::aigw_cmd;

pub const SUBSCRIPTION: &str = "11111111-2222-3333-4444-555555555555";
pub const TOKEN: &str = "test-arm-token";

pub struct TestContext {
    // Keeps the emulator's runtime alive while the blocking `aigw` process runs.
    runtime: tokio::runtime::Runtime,
    emulator: Option<RunningEmulator>,
    pub url: String,
    /// Scratch space for parameter files.
    pub dir: tempfile::TempDir,
}

impl TestContext {
    /// An emulator that checks bodies against the Azure specs and accepts only [`TOKEN`].
    pub fn start() -> Self {
        Self::with(|b| b)
    }

    pub fn with(configure: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let specs = Emulator::specs().expect("embedded specifications");
        // Every operation must be polled once before it is seen finished (on top of finishing
        // by time): proves that aigw follows each operation before it writes under it. A test
        // of lost answers sets `lro_polls(0)`, as an operation nobody polls never finishes.
        let builder = configure(
            Emulator::builder()
                .specs(specs)
                .token(TOKEN)
                .retry_after_secs(1)
                .lro_polls(1),
        );
        let emulator = runtime.block_on(builder.start()).expect("emulator");
        let url = emulator.url();
        TestContext {
            runtime,
            emulator: Some(emulator),
            url,
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    pub fn emulator(&self) -> &RunningEmulator {
        self.emulator.as_ref().expect("emulator stopped")
    }

    /// `aigw <command> --params P` against the emulator, sleeps scaled to nothing.
    pub fn aigw(&self, command: &str, params: &str) -> Command {
        let mut cmd = aigw_cmd();
        cmd.args([
            command,
            "--params",
            params,
            "--arm-endpoint",
            &self.url,
            "--subscription-id",
            SUBSCRIPTION,
        ])
        .env("AZURE_ACCESS_TOKEN", TOKEN)
        .env("AIGW_TEST_TIME_SCALE", "0");
        cmd
    }

    /// Deploys and returns the JSON report and the exit code.
    pub fn deploy_json(&self, params: &str, extra: &[&str]) -> (serde_json::Value, i32) {
        let output = self
            .aigw("deploy", params)
            .args(["--output", "json"])
            .args(extra)
            .output()
            .expect("command runs");
        let code = output.status.code().unwrap_or(-1);
        let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (report, code)
    }

    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.emulator().requests()
    }

    /// Writes requests (PUT/POST/DELETE, not polls) since `from` in the log.
    pub fn writes_since(&self, from: usize) -> Vec<LoggedRequest> {
        self.requests()
            .into_iter()
            .skip(from)
            .filter(|r| r.kind == RequestKind::Write)
            .collect()
    }

    /// A copy of the example with `edit` applied, in the scratch directory.
    pub fn params_with(&self, name: &str, edit: impl Fn(&str) -> String) -> String {
        let text = std::fs::read_to_string(super::repo_root().join(super::EXAMPLE))
            .expect("file readable");
        let path: PathBuf = self.dir.path().join(name);
        std::fs::write(&path, edit(&text)).expect("test file written");
        path.display().to_string()
    }

    pub fn resource(&self, id: &str) -> Option<serde_json::Value> {
        self.emulator().resource(id)
    }

    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

impl Drop for TestContext {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            self.runtime.block_on(emulator.shutdown());
        }
    }
}

/// Every operation's `action` in a JSON report, as `name:action`.
pub fn actions(report: &serde_json::Value) -> Vec<String> {
    report["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["operations"].as_array().into_iter().flatten())
        .map(|o| {
            format!(
                "{}:{}",
                o["name"].as_str().unwrap_or_default(),
                o["action"].as_str().unwrap_or_default()
            )
        })
        .collect()
}
