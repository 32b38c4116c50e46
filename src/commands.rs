//! The commands as library functions taking plain request values (the binary converts flags into
//! these; tests call them directly).

use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::arm::{ArmClient, Clock};
use crate::auth::{AuthMethod, StaticToken, TokenSource};
use crate::deploy::cancel::Cancel;
use crate::deploy::events::Observer;
use crate::deploy::{self, EngineOptions};
use crate::env::Env;
use crate::error::Error;
use crate::params::{self, LoadOptions};
use crate::plan::{self, Plan};
use crate::policy::{self, PolicyFile};
use crate::rehearsal::{EmulatorLauncher, EmulatorSettings, LaunchedEmulator};
pub use crate::report::ValidateReport;
use crate::report::{Mode, RunReport};
use crate::spec::StackSpec;

#[derive(Clone, Debug)]
pub struct ValidateRequest {
    pub params: PathBuf,
    pub load: LoadOptions,
}

/// The stack's inputs, all checked: the parameter file and the policy files. Problems in both
/// are reported together.
pub fn inputs(
    params_file: &Path,
    load: &LoadOptions,
) -> Result<(StackSpec, Vec<PolicyFile>), Error> {
    let files = match &load.policies_dir {
        Some(dir) => policy::load_dir(dir)?,
        None => policy::embedded(),
    };
    let policy_problems = policy::check(&files);
    match params::load(params_file, load) {
        Ok(spec) if policy_problems.is_empty() => {
            // Routes need the deployments of the parameter file, and sound policy files.
            let route_problems = policy::route_problems(&files, &spec);
            if route_problems.is_empty() {
                Ok((spec, files))
            } else {
                Err(Error::Invalid {
                    params: None,
                    policies: route_problems,
                })
            }
        }
        Ok(_) => Err(Error::Invalid {
            params: None,
            policies: policy_problems,
        }),
        Err(params::LoadError::Invalid(diagnostics)) => Err(Error::Invalid {
            params: Some(diagnostics),
            policies: policy_problems,
        }),
        Err(other) => Err(Error::Params(other)),
    }
}

pub fn validate(request: &ValidateRequest) -> Result<(StackSpec, ValidateReport), Error> {
    let (spec, policies) = inputs(&request.params, &request.load)?;
    let report = ValidateReport {
        file: request.params.display().to_string(),
        valid: true,
        regions: spec.regions.len(),
        deployments: spec.deployment_count(),
        pools: spec.pools().len(),
        policy_files: policies.len(),
    };
    Ok((spec, report))
}

#[derive(Clone, Debug)]
pub struct PlanRequest {
    pub params: PathBuf,
    pub load: LoadOptions,
    /// `None` offline: ids use [`plan::ids::OFFLINE_SUBSCRIPTION`].
    pub subscription_id: Option<String>,
}

/// The offline plan: no credentials, no network.
pub fn plan_offline(request: &PlanRequest) -> Result<Plan, Error> {
    if let Some(id) = &request.subscription_id {
        check_subscription_id(id)?;
    }
    let (spec, policies) = inputs(&request.params, &request.load)?;
    let subscription = request
        .subscription_id
        .as_deref()
        .unwrap_or(plan::ids::OFFLINE_SUBSCRIPTION);
    Ok(plan::build(&spec, subscription, &policies))
}

/// A subscription id is a GUID; anything else would produce ids ARM rejects much later.
pub fn check_subscription_id(id: &str) -> Result<(), Error> {
    match uuid::Uuid::parse_str(id) {
        Ok(parsed) if parsed.hyphenated().to_string() == id.to_ascii_lowercase() => Ok(()),
        _ => Err(Error::Usage(format!(
            "subscription id `{id}` is not a GUID (like 11111111-2222-3333-4444-555555555555); check --subscription-id or AZURE_SUBSCRIPTION_ID"
        ))),
    }
}

/// Where the deployment goes.
#[derive(Clone, Debug)]
pub enum Target {
    /// Azure Resource Manager at `endpoint`, with credentials from the environment.
    Azure {
        endpoint: url::Url,
        auth: Option<AuthMethod>,
    },
    /// An ARM emulator started inside this process (the rehearsal): no Azure, no credentials.
    /// `latency_scale` is the fraction of real provisioning times it takes (and of aigw's waits);
    /// `launcher` starts it (the binary's, see [`crate::rehearsal`]).
    Emulator {
        latency_scale: f64,
        launcher: Arc<dyn EmulatorLauncher>,
    },
}

/// The subscription a rehearsal deploys into when none is given.
pub const EMULATOR_SUBSCRIPTION: &str = "5ca1ab1e-0000-4000-8000-00000000a16e";
/// The bearer token aigw and the in-process emulator agree on (not a secret: nothing real).
const EMULATOR_TOKEN: &str = "aigw-rehearsal";

#[derive(Clone, Debug)]
pub struct LiveRequest {
    pub params: PathBuf,
    pub load: LoadOptions,
    pub subscription_id: Option<String>,
    pub target: Target,
    pub engine: EngineOptions,
    /// Deploy, or a live plan (reads only).
    pub mode: Mode,
}

/// `deploy`, or `plan` without `--offline`, runs in three steps, so that nothing outside aigw's
/// own output changes before the inputs are valid, the plan is built and a credential works:
/// [`live_plan`] (files only), [`connect`] (a token, or the rehearsal's emulator), [`execute`]
/// (the walk against ARM).
pub fn live_plan(request: &LiveRequest) -> Result<Plan, Error> {
    let (spec, policies) = inputs(&request.params, &request.load)?;
    let subscription_id = match (&request.subscription_id, &request.target) {
        (Some(id), _) => id.clone(),
        (None, Target::Emulator { .. }) => EMULATOR_SUBSCRIPTION.to_string(),
        (None, Target::Azure { .. }) => {
            return Err(Error::Usage(
                "no subscription: pass --subscription-id or set AZURE_SUBSCRIPTION_ID".into(),
            ));
        }
    };
    check_subscription_id(&subscription_id)?;
    Ok(plan::build(&spec, &subscription_id, &policies))
}

/// A way to ARM that has proven to work: a credential that produced a token, or the rehearsal's
/// emulator (stopped by [`execute`]).
pub struct Connection {
    client: ArmClient,
    emulator: Option<Box<dyn LaunchedEmulator>>,
}

/// Obtains a token (or starts the rehearsal's emulator) and builds the ARM client.
///
/// Every token obtained for Azure is registered as a secret ([`crate::auth::secrets`]) before
/// it is used: masked with the CI runner, scrubbed from what servers answer.
pub async fn connect(request: &LiveRequest, env: &Env) -> Result<Connection, Error> {
    let mut clock = Clock::from_env(env);
    let mut emulator = None;
    let (endpoint, tokens): (url::Url, Arc<dyn TokenSource>) = match &request.target {
        Target::Azure { endpoint, auth } => {
            let resolved = crate::auth::resolve(env, *auth).await?;
            for skipped in &resolved.skipped {
                tracing::debug!(
                    "credential {} not used: {}",
                    skipped.method.label(),
                    skipped.reason
                );
            }
            tracing::info!("authenticated with {}", resolved.method.label());
            let source = Arc::new(crate::auth::MaskedTokens::new(
                resolved.source,
                crate::auth::secrets::global(),
            ));
            (endpoint.clone(), source)
        }
        Target::Emulator {
            latency_scale,
            launcher,
        } => {
            let settings = EmulatorSettings {
                latency_scale: *latency_scale,
                port: 0,
                token: Some(EMULATOR_TOKEN.to_string()),
            };
            let running = launcher.launch(&settings).await?;
            let endpoint = crate::arm::parse_endpoint(&running.url())
                .map_err(|e| Error::Emulator(e.to_string()))?;
            if env.get("AIGW_TEST_TIME_SCALE").is_none() {
                // Waits shrink with the emulated provisioning times, so the rehearsal keeps its shape.
                clock = Clock::scaled(*latency_scale);
            }
            emulator = Some(running);
            let token = StaticToken::new(EMULATOR_TOKEN.to_string().into(), "rehearsal token");
            (endpoint, Arc::new(token) as Arc<dyn TokenSource>)
        }
    };
    // The test hook that shrinks waits never applies to a real endpoint: zero waits would poll
    // Azure in a tight loop.
    if !crate::arm::is_loopback(&endpoint) {
        clock = Clock::default();
    }
    let client = ArmClient::new(endpoint, tokens, clock).map_err(|e| Error::Internal {
        context: "cannot set up the ARM client",
        message: e.to_string(),
    })?;
    Ok(Connection { client, emulator })
}

/// Walks `plan` against ARM (writes only in deploy mode); stops between writes on `cancel`.
pub async fn execute(
    request: &LiveRequest,
    plan: &Plan,
    connection: Connection,
    observer: &mut dyn Observer,
    cancel: &Cancel,
) -> RunReport {
    let report = deploy::run(
        plan,
        &connection.client,
        request.mode,
        &request.engine,
        observer,
        cancel,
    )
    .await;
    if let Some(running) = connection.emulator {
        running.shutdown().await;
    }
    report
}
