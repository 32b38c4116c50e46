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
