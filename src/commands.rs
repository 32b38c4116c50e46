//! The commands as library functions taking plain request values (the binary converts flags into
//! these; tests call them directly).

use std::path::PathBuf;

use std::sync::Arc;

use crate::arm::{ArmClient, Clock};
use crate::auth::{AuthMethod, TokenSource};
use crate::deploy::cancel::Cancel;
use crate::deploy::events::Observer;
use crate::deploy::{self, EngineOptions};
use crate::env::Env;
use crate::error::Error;
use crate::params::{self, LoadOptions};
use crate::plan::{self, Plan};
use crate::report::{Mode, RunReport};
use crate::spec::StackSpec;

#[derive(Clone, Debug)]
pub struct ValidateRequest {
    pub params: PathBuf,
    pub load: LoadOptions,
}

/// What a successful validation found.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidateReport {
    pub file: String,
    pub valid: bool,
    pub regions: usize,
    pub deployments: usize,
    pub pools: usize,
}

pub fn validate(request: &ValidateRequest) -> Result<(StackSpec, ValidateReport), Error> {
    let spec = params::load(&request.params, &request.load)?;
    let report = ValidateReport {
        file: request.params.display().to_string(),
        valid: true,
        regions: spec.regions.len(),
        deployments: spec.deployment_count(),
        pools: spec.pools().len(),
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
    let spec = params::load(&request.params, &request.load)?;
    let subscription = request
        .subscription_id
        .as_deref()
        .unwrap_or(plan::ids::OFFLINE_SUBSCRIPTION);
    Ok(plan::build(&spec, subscription))
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
}

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

/// `deploy`, or `plan` without `--offline`: validate, plan, then walk the plan against ARM.
pub async fn live(
    request: &LiveRequest,
    env: &Env,
    observer: &mut dyn Observer,
    cancel: &Cancel,
) -> Result<RunReport, Error> {
    let spec = params::load(&request.params, &request.load)?;
    let subscription_id = request.subscription_id.clone().ok_or_else(|| {
        Error::Usage("no subscription: pass --subscription-id or set AZURE_SUBSCRIPTION_ID".into())
    })?;
    check_subscription_id(&subscription_id)?;
    let plan = plan::build(&spec, &subscription_id);
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
            (endpoint.clone(), resolved.source)
        }
    };
    let client = ArmClient::new(endpoint, tokens, Clock::from_env(env))
        .map_err(|e| Error::Usage(e.to_string()))?;
    Ok(deploy::run(
        &plan,
        &client,
        request.mode,
        &request.engine,
        observer,
        cancel,
    )
    .await)
}
