//! The commands as library functions taking plain request values (the binary converts flags into
//! these; tests call them directly).

use std::path::PathBuf;

use crate::error::Error;
use crate::params::{self, LoadOptions};
use crate::plan::{self, Plan};
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
    let spec = params::load(&request.params, &request.load)?;
    let subscription = request.subscription_id.as_deref().unwrap_or(plan::ids::OFFLINE_SUBSCRIPTION);
    Ok(plan::build(&spec, subscription))
}
