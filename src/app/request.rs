//! What the user asked for, as plain values: the binary fills these from its flags (the library
//! never sees clap) and [`super::run`] turns them into the commands' own requests, where a value
//! that does not make sense (an `--arm-endpoint` that is not https) is reported like any other
//! failure of the run.

use std::path::PathBuf;
use std::time::Duration;

use crate::auth::AuthMethod;
use crate::commands::{LiveRequest, PlanRequest, Target, ValidateRequest};
use crate::console::ColorChoice;
use crate::deploy::EngineOptions;
use crate::env::Env;
use crate::error::Error;
use crate::params::{LoadOptions, ValidateOptions};
use crate::report::Mode;

/// One run of aigw.
#[derive(Clone, Debug)]
pub struct Request {
    pub command: Command,
    /// `--color`.
    pub color: ColorChoice,
}

#[derive(Clone, Debug)]
pub enum Command {
    Validate(ValidateCommand),
    Plan(PlanCommand),
    Deploy(DeployCommand),
    Emulator(EmulatorCommand),
}

/// The stack's input files.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// `--params`.
    pub params: PathBuf,
    /// `--allow-region`.
    pub allowed_regions: Vec<String>,
    /// `--policies`.
    pub policies: Option<PathBuf>,
}

/// Where and how to reach Azure (deploy and live plan).
#[derive(Clone, Debug)]
pub struct TargetOptions {
    pub subscription_id: Option<String>,
    /// `--arm-endpoint`, checked when the run starts.
    pub arm_endpoint: String,
    /// `--auth`; `None` tries each credential in turn.
    pub auth: Option<AuthMethod>,
    pub resource_timeout: Duration,
    /// `--emulator` with its latency scale: the rehearsal.
    pub emulator: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidateFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct ValidateCommand {
    pub inputs: Inputs,
    pub output: ValidateFormat,
}

#[derive(Clone, Debug)]
pub struct PlanCommand {
    pub inputs: Inputs,
    pub target: TargetOptions,
    pub offline: bool,
    pub output: PlanFormat,
    pub detailed_exitcode: bool,
    /// Create or update the sticky plan comment on a GitHub pull request.
    pub pr_comment: bool,
}

#[derive(Clone, Debug)]
pub struct DeployCommand {
    pub inputs: Inputs,
    pub target: TargetOptions,
    pub purge_soft_deleted: bool,
    pub output: RunFormat,
    /// `--github-deployment`: the environment of the GitHub Deployment to record.
    pub github_deployment: Option<String>,
}

#[derive(Clone, Debug)]
pub struct EmulatorCommand {
    pub port: u16,
    pub latency: f64,
    pub faults: Vec<crate::emulator::Fault>,
}

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Command::Validate(_) => "validate",
            Command::Plan(_) => "plan",
            Command::Deploy(_) => "deploy",
            Command::Emulator(_) => "emulator",
        }
    }

    /// Whether stdout carries one JSON document (then failures are JSON too).
    pub fn json_output(&self) -> bool {
        match self {
            Command::Validate(c) => c.output == ValidateFormat::Json,
            Command::Plan(c) => c.output == PlanFormat::Json,
            Command::Deploy(c) => c.output == RunFormat::Json,
            Command::Emulator(_) => false,
        }
    }

    /// The parameter file of a plan that may comment on a pull request.
    pub fn pr_comment_params(&self) -> Option<String> {
        match self {
            Command::Plan(c) if c.pr_comment => Some(c.inputs.params.display().to_string()),
            _ => None,
        }
    }
}

impl Inputs {
    fn load_options(&self, env: &Env) -> LoadOptions {
        LoadOptions {
            env: env.vars().clone(),
            validate: ValidateOptions {
                allowed_regions: self
                    .allowed_regions
                    .iter()
                    .map(|r| r.trim().to_ascii_lowercase())
                    .collect(),
            },
            policies_dir: self.policies.clone(),
        }
    }
}

impl ValidateCommand {
    pub fn request(&self, env: &Env) -> ValidateRequest {
        ValidateRequest {
            params: self.inputs.params.clone(),
            load: self.inputs.load_options(env),
        }
    }
}

impl PlanCommand {
    pub fn offline_request(&self, env: &Env) -> PlanRequest {
        PlanRequest {
            params: self.inputs.params.clone(),
            load: self.inputs.load_options(env),
            subscription_id: self.target.subscription_id.clone(),
        }
    }

    pub fn live_request(&self, env: &Env) -> Result<LiveRequest, Error> {
        self.target
            .live_request(&self.inputs, env, Mode::Plan, false)
    }
}

impl DeployCommand {
    pub fn request(&self, env: &Env) -> Result<LiveRequest, Error> {
        self.target
            .live_request(&self.inputs, env, Mode::Deploy, self.purge_soft_deleted)
    }
}

impl TargetOptions {
    fn live_request(
        &self,
        inputs: &Inputs,
        env: &Env,
        mode: Mode,
        purge_soft_deleted: bool,
    ) -> Result<LiveRequest, Error> {
        let target = match self.emulator {
            Some(latency_scale) => Target::Emulator { latency_scale },
            None => Target::Azure {
                endpoint: crate::endpoint::parse_endpoint(&self.arm_endpoint)
                    .map_err(|e| Error::Usage(format!("--arm-endpoint: {e}")))?,
                auth: self.auth,
            },
        };
        Ok(LiveRequest {
            params: inputs.params.clone(),
            load: inputs.load_options(env),
            subscription_id: self.subscription_id.clone(),
            target,
            engine: EngineOptions {
                resource_timeout: self.resource_timeout,
                purge_soft_deleted,
            },
            mode,
        })
    }
}
