//! One emulator, one ARM client on tokio's paused clock, and a run of the engine with what it
//! told the progress.

use std::sync::Arc;
use std::time::Duration;

pub use aigw_emulator::{
    Emulator, EmulatorBuilder, Fault, LatencyProfile, Matcher, OverrideResponse, RunningEmulator,
};
use serde_json::Value;

use crate::arm::{ArmClient, Clock, parse_endpoint};
use crate::auth::StaticToken;
use crate::deploy::cancel::Cancel;
use crate::deploy::events::{Event, Observer};
use crate::deploy::{EngineOptions, run};
use crate::plan::{Operation, Plan};
use crate::report::{Mode, OperationReport, RunReport};

pub fn plan() -> Plan {
    crate::plan::tests::example_plan()
}

/// The planned operation called `name`.
pub fn operation<'p>(plan: &'p Plan, name: &str) -> &'p Operation {
    plan.operations()
        .map(|(_, o)| o)
        .find(|o| o.name == name || o.title == name)
        .unwrap_or_else(|| panic!("no operation {name}"))
}

/// An emulator as the CLI tests start it, without body validation (these tests are about the
/// engine's decisions; `tests/cli` validates every body).
pub fn emulator() -> EmulatorBuilder {
    Emulator::builder().retry_after_secs(1).lro_polls(1)
}

/// aigw's client for `emulator`, sleeping on tokio's clock (paused in these tests).
pub fn client(emulator: &RunningEmulator) -> ArmClient {
    let endpoint = parse_endpoint(&emulator.url()).unwrap_or_else(|e| panic!("{e}"));
    let token = Arc::new(StaticToken::new("test-token".to_string().into(), "test"));
    ArmClient::new(endpoint, token, Clock::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// What the engine told the progress, as lines.
#[derive(Default)]
pub struct Recorded {
    pub waits: Vec<String>,
    pub warnings: Vec<String>,
}

/// Records waits and warnings; optionally moves the emulator's (manual) clock by each pause
/// aigw announces, so Azure's time passes while aigw waits.
pub struct Recorder<'e> {
    pub recorded: Recorded,
    pub advance: Option<&'e RunningEmulator>,
}

impl Observer for Recorder<'_> {
    fn on(&mut self, event: Event<'_>) {
        match event {
            Event::Waiting { operation, message } => {
                if let Some(emulator) = self.advance {
                    emulator.advance(announced_pause(message));
                }
                self.recorded
                    .waits
                    .push(format!("{}: {message}", operation.title));
            }
            Event::Warning { message } => self.recorded.warnings.push(message.to_string()),
            _ => {}
        }
    }
}

/// The pause a waiting line announces ("... trying again in 1m"), read back as humantime writes it.
pub fn announced_pause(message: &str) -> Duration {
    let text = message.rsplit("trying again in ").next().unwrap_or("");
    humantime::parse_duration(text.trim()).unwrap_or_default()
}

/// A run of the engine and what it told the progress.
pub struct Ran {
    pub report: RunReport,
    pub recorded: Recorded,
}

impl Ran {
    pub fn operation(&self, name: &str) -> &OperationReport {
        self.report
            .operations()
            .find(|o| o.name == name || o.title == name)
            .unwrap_or_else(|| panic!("no report for {name}"))
    }

    pub fn failure_code(&self) -> Option<&str> {
        self.report.failure.as_ref().and_then(|f| f.code.as_deref())
    }
}

pub async fn run_engine(
    plan: &Plan,
    client: &ArmClient,
    mode: Mode,
    options: &EngineOptions,
    advance: Option<&RunningEmulator>,
) -> Ran {
    let mut recorder = Recorder {
        recorded: Recorded::default(),
        advance,
    };
    let report = run(plan, client, mode, options, &mut recorder, &Cancel::never()).await;
    Ran {
        report,
        recorded: recorder.recorded,
    }
}

pub fn options(purge_soft_deleted: bool, resource_timeout: Duration) -> EngineOptions {
    EngineOptions {
        resource_timeout,
        purge_soft_deleted,
    }
}

/// Requests the emulator saw whose path contains `fragment`, as `METHOD status`.
pub fn requests_to(emulator: &RunningEmulator, fragment: &str) -> Vec<String> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| r.path.contains(fragment))
        .map(|r| format!("{} {}", r.method, r.status))
        .collect()
}

/// The PUTs and DELETEs of the resource `id` (not of its children), as `METHOD status`.
pub fn writes_to(emulator: &RunningEmulator, id: &str) -> Vec<String> {
    emulator
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.path.eq_ignore_ascii_case(id))
        .map(|r| format!("{} {}", r.method, r.status))
        .collect()
}

/// `body` as ARM returns it for `operation`: what aigw would write, read back.
pub fn as_read(operation: &Operation, body: &Value) -> Value {
    let mut read = body.clone();
    if let Some(map) = read.as_object_mut() {
        map.insert("id".into(), operation.id.clone().into());
        map.insert("name".into(), operation.name.clone().into());
        map.insert("type".into(), operation.kind.arm_type().into());
    }
    read
}
