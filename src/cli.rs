//! Command-line flags. Each subcommand converts into a request value of the library, which never
//! sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use aigw::commands::{PlanRequest, ValidateRequest};
use aigw::env::Env;
use aigw::params::{LoadOptions, ValidateOptions};

const EXAMPLES: &str = "\
Examples:
  aigw validate --params main.acc.parameters.bicepparam
  aigw plan --params main.acc.parameters.bicepparam --offline
  aigw plan --params main.acc.parameters.json --offline --output json";

/// Deploys a multi-region AI gateway (AI Foundry + API Management) on Azure as one CI step.
#[derive(Debug, Parser)]
#[command(name = "aigw", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour output: auto (terminal without NO_COLOR), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "AIGW_COLOR")]
    pub color: ColorChoice,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a parameter file offline and report every problem at once (exit 0 or 2).
    #[command(
        after_help = "Examples:\n  aigw validate --params main.acc.parameters.bicepparam\n  aigw validate --params main.acc.parameters.json --output json"
    )]
    Validate(ValidateArgs),
    /// Show the ordered stages and every resource aigw would write.
    #[command(
        after_help = "Examples:\n  aigw plan --params main.acc.parameters.bicepparam --offline\n  aigw plan --params main.acc.parameters.bicepparam --offline --output markdown > plan.md"
    )]
    Plan(PlanArgs),
}

#[derive(Debug, Args)]
pub struct ParamsArgs {
    /// Parameter file: `.bicepparam` or an ARM JSON parameter file.
    #[arg(long, value_name = "FILE", env = "AIGW_PARAMS")]
    pub params: PathBuf,

    /// Accept this Azure region although aigw does not know it yet (repeatable).
    #[arg(long = "allow-region", value_name = "REGION")]
    pub allow_region: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub params: ParamsArgs,

    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Text)]
    pub output: ValidateFormat,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub params: ParamsArgs,

    /// Plan without credentials or network: every resource as it would be written.
    #[arg(long)]
    pub offline: bool,

    /// Subscription the stack lives in (ids in an offline plan use a zero GUID without it).
    #[arg(long, value_name = "ID", env = "AZURE_SUBSCRIPTION_ID")]
    pub subscription_id: Option<String>,

    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub output: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
}

impl ParamsArgs {
    fn load_options(&self, env: &Env) -> LoadOptions {
        LoadOptions {
            env: env.vars().clone(),
            validate: ValidateOptions {
                allowed_regions: self
                    .allow_region
                    .iter()
                    .map(|r| r.trim().to_ascii_lowercase())
                    .collect(),
            },
        }
    }
}

impl ValidateArgs {
    pub fn request(&self, env: &Env) -> ValidateRequest {
        ValidateRequest {
            params: self.params.params.clone(),
            load: self.params.load_options(env),
        }
    }
}

impl PlanArgs {
    pub fn request(&self, env: &Env) -> PlanRequest {
        PlanRequest {
            params: self.params.params.clone(),
            load: self.params.load_options(env),
            subscription_id: self.subscription_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
