//! Command-line flags. The command line converts into an [`aigw::app::Request`] of plain values,
//! and a command line clap refuses into an [`aigw::app::Refusal`]: the library never sees clap.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use aigw::app;
use aigw::auth::AuthMethod;
use aigw::env::Env;

const EXAMPLES: &str = "\
Examples:
  aigw validate --params main.acc.parameters.bicepparam
  aigw plan --params main.acc.parameters.bicepparam --offline
  aigw deploy --params main.acc.parameters.bicepparam --subscription-id <GUID>";

/// Deploys a multi-region AI gateway (AI Foundry + API Management) on Azure as one CI step.
#[derive(Debug, Parser)]
#[command(name = "aigw", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// CI platform whose protocols to speak (step outputs, summaries, annotations); detected
    /// from GITHUB_ACTIONS / TF_BUILD / ACT unless given.
    #[arg(long, global = true, value_enum, default_value_t = CiArg::Auto, env = "AIGW_CI")]
    pub ci: CiArg,

    /// When to colour output (results, progress, errors; never JSON): auto (a terminal, unless
    /// NO_COLOR, TERM=dumb or CLICOLOR=0; CLICOLOR_FORCE=1 forces colour), always or never.
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
    /// Show what deploy would do: every resource with create / update (changed fields) /
    /// unchanged, or with --offline the whole staged plan without credentials.
    #[command(
        after_help = "Examples:\n  aigw plan --params main.acc.parameters.bicepparam --offline\n  aigw plan --params main.acc.parameters.bicepparam --offline --output markdown > plan.md\n  aigw plan --params main.acc.parameters.bicepparam --subscription-id <GUID> --detailed-exitcode"
    )]
    Plan(PlanArgs),
    /// Deploy the stack: every stage in order, one write at a time, only what differs.
    #[command(
        after_help = "Examples:\n  aigw deploy --params main.acc.parameters.bicepparam --subscription-id <GUID>\n  aigw deploy --params main.acc.parameters.bicepparam --emulator   (rehearsal, no Azure needed)\n  aigw deploy --params main.acc.parameters.bicepparam --output json > result.json"
    )]
    Deploy(DeployArgs),
    /// Run the ARM emulator on its own (127.0.0.1) to point aigw or other tools at it, with
    /// faults to rehearse.
    #[command(
        after_help = "Fault kinds (--fault KIND[:KEY=VALUE,...]):\n  throttle              times=1, retry-after=1: 429 TooManyRequests with Retry-After\n  server-error          times=1, status=500: InternalServerError (503: ServiceUnavailable)\n  drop-connection       times=1: the connection closes before the request is handled\n  lose-response         times=1: the request is handled, its answer is lost\n  conflict              times=1: 409 RequestConflict\n  reject                code=CODE (required), status=400, message=TEXT, times (default: always)\n  fail-operation        code=CODE (required), message=TEXT: the long-running operation ends Failed\n  principal-not-found   times=1: each principal's first role assignments get PrincipalNotFound\n  soft-deleted-apim     name=, location=: that API Management name starts soft-deleted\n  soft-deleted-account  name=, location=, resource-group=: that account starts soft-deleted\nThe first five and reject/fail-operation select requests with method=PUT, type=Microsoft.X/y,\nname=NAME, path=TEXT, kind=write|read|poll (all given must hold; none: every request).\nValues cannot contain commas. docs/emulator.md has the details.\n\nExamples:\n  aigw emulator --port 8400\n  aigw emulator --port 8400 --fault throttle:method=PUT,times=3,retry-after=2 \\\n    --fault lose-response:type=Microsoft.CognitiveServices/accounts \\\n    --fault reject:type=Microsoft.CognitiveServices/accounts/deployments,code=InsufficientQuota\n  AZURE_ACCESS_TOKEN=anything aigw deploy --params main.acc.parameters.bicepparam \\\n    --arm-endpoint http://127.0.0.1:8400 --subscription-id 5ca1ab1e-0000-4000-8000-00000000a16e --auth token"
    )]
    Emulator(EmulatorArgs),
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// The fraction of real Azure provisioning times the emulator takes.
    #[arg(long, value_name = "SCALE", default_value_t = 0.1, value_parser = parse_scale)]
    pub latency: f64,

    /// Inject a fault (repeatable; the first matching fault with count left answers), e.g.
    /// `throttle:method=PUT,times=3` or `lose-response:type=Microsoft.CognitiveServices/accounts`.
    /// The kinds and keys are listed below.
    #[arg(long = "fault", value_name = "KIND[:KEY=VALUE,...]", value_parser = parse_fault)]
    pub faults: Vec<aigw::emulator::Fault>,
}

fn parse_fault(text: &str) -> Result<aigw::emulator::Fault, String> {
    text.parse()
        .map_err(|e: aigw::emulator::FaultSpecError| e.to_string())
}

/// Where and how to reach Azure (shared by deploy and live plan).
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Subscription the stack lives in.
    #[arg(long, value_name = "ID", env = "AZURE_SUBSCRIPTION_ID")]
    pub subscription_id: Option<String>,

    /// Azure Resource Manager endpoint (plain http only to loopback, for the emulator).
    #[arg(long, value_name = "URL", env = "AIGW_ARM_ENDPOINT", default_value = aigw::arm::DEFAULT_ENDPOINT)]
    pub arm_endpoint: String,

    /// Use only this credential instead of trying each in turn.
    #[arg(long, value_enum, value_name = "METHOD", env = "AIGW_AUTH", default_value_t = AuthArg::Auto)]
    pub auth: AuthArg,

    /// Longest wait for one resource to finish provisioning, between 1s and 24h (e.g. 90s, 45m,
    /// 1h30m, 1.5h).
    #[arg(long, value_name = "DURATION", default_value = "60m", value_parser = parse_resource_timeout)]
    pub resource_timeout: Duration,

    /// Rehearse against an ARM emulator started in this process: no Azure subscription, no
    /// credentials; every stage runs as it would against Azure.
    #[arg(long)]
    pub emulator: bool,

    /// With --emulator: the fraction of real Azure provisioning times the emulator takes
    /// (API Management about 5 minutes, accounts and model deployments about 30 seconds).
    #[arg(long, value_name = "SCALE", default_value_t = 0.02, requires = "emulator", value_parser = parse_scale)]
    pub emulator_latency: f64,
}

#[derive(Debug, Args)]
pub struct ParamsArgs {
    /// Parameter file: `.bicepparam` or an ARM JSON parameter file.
    #[arg(long, value_name = "FILE", env = "AIGW_PARAMS")]
    pub params: PathBuf,

    /// Accept this Azure region although aigw does not know it yet (repeatable).
    #[arg(long = "allow-region", value_name = "REGION")]
    pub allow_region: Vec<String>,

    /// Attach the policies in this directory (aoai-policy.xml, oaiv1-policy.xml, fragments/*.xml)
    /// instead of the ones built into aigw; they are checked like the built-in ones.
    #[arg(long, value_name = "DIR", env = "AIGW_POLICIES")]
    pub policies: Option<PathBuf>,
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

    /// Plan without credentials or network: every resource as it would be written
    /// (ids use a zero GUID unless a subscription is given).
    #[arg(long)]
    pub offline: bool,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub output: PlanFormat,

    /// Exit 4 when changes are pending (0 when none), like terraform plan.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// On a GitHub pull_request event, do not create or update the sticky plan comment.
    #[arg(long, env = "AIGW_NO_PR_COMMENT")]
    pub no_pr_comment: bool,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub params: ParamsArgs,

    #[command(flatten)]
    pub target: TargetArgs,

    /// Purge a soft-deleted API Management service or AI Foundry account of the same name before
    /// creating it (otherwise aigw stops and says how).
    #[arg(long)]
    pub purge_soft_deleted: bool,

    /// Output format on stdout (progress always goes to stderr).
    #[arg(long, value_enum, default_value_t = RunFormat::Text)]
    pub output: RunFormat,

    /// Record a GitHub Deployment of GITHUB_SHA in this environment (in_progress, then success or
    /// failure with the gateway URL).
    #[arg(long, value_name = "ENVIRONMENT", env = "AIGW_GITHUB_DEPLOYMENT")]
    pub github_deployment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    Auto,
    Token,
    GithubOidc,
    AzurePipelines,
    ClientSecret,
    WorkloadIdentity,
    ManagedIdentity,
    AzureCli,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CiArg {
    Auto,
    Github,
    AzureDevops,
    None,
}

impl CiArg {
    pub fn forced(self) -> Option<aigw::ci::Platform> {
        match self {
            CiArg::Auto => None,
            CiArg::Github => Some(aigw::ci::Platform::GitHub),
            CiArg::AzureDevops => Some(aigw::ci::Platform::AzureDevOps),
            CiArg::None => Some(aigw::ci::Platform::None),
        }
    }
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

impl Cli {
    /// The run the command line asks for.
    pub fn into_request(self) -> app::Request {
        let command = match self.command {
            Command::Validate(args) => app::Command::Validate(app::ValidateCommand {
                inputs: args.params.into_inputs(),
                output: match args.output {
                    ValidateFormat::Text => app::ValidateFormat::Text,
                    ValidateFormat::Json => app::ValidateFormat::Json,
                },
            }),
            Command::Plan(args) => app::Command::Plan(app::PlanCommand {
                inputs: args.params.into_inputs(),
                target: args.target.into_options(),
                offline: args.offline,
                output: match args.output {
                    PlanFormat::Text => app::PlanFormat::Text,
                    PlanFormat::Json => app::PlanFormat::Json,
                    PlanFormat::Markdown => app::PlanFormat::Markdown,
                },
                detailed_exitcode: args.detailed_exitcode,
                pr_comment: !args.no_pr_comment,
            }),
            Command::Deploy(args) => app::Command::Deploy(app::DeployCommand {
                inputs: args.params.into_inputs(),
                target: args.target.into_options(),
                purge_soft_deleted: args.purge_soft_deleted,
                output: match args.output {
                    RunFormat::Text => app::RunFormat::Text,
                    RunFormat::Json => app::RunFormat::Json,
                },
                github_deployment: args.github_deployment,
            }),
            Command::Emulator(args) => app::Command::Emulator(app::EmulatorCommand {
                port: args.port,
                latency: args.latency,
                faults: args.faults,
            }),
        };
        app::Request {
            command,
            color: match self.color {
                ColorChoice::Auto => aigw::console::ColorChoice::Auto,
                ColorChoice::Always => aigw::console::ColorChoice::Always,
                ColorChoice::Never => aigw::console::ColorChoice::Never,
            },
        }
    }
}

impl ParamsArgs {
    fn into_inputs(self) -> app::Inputs {
        app::Inputs {
            params: self.params,
            allowed_regions: self.allow_region,
            policies: self.policies,
        }
    }
}

impl TargetArgs {
    fn into_options(self) -> app::TargetOptions {
        app::TargetOptions {
            subscription_id: self.subscription_id,
            arm_endpoint: self.arm_endpoint,
            auth: self.auth.method(),
            resource_timeout: self.resource_timeout,
            emulator: self.emulator.then_some(self.emulator_latency),
        }
    }
}

impl AuthArg {
    fn method(self) -> Option<AuthMethod> {
        match self {
            AuthArg::Auto => None,
            AuthArg::Token => Some(AuthMethod::Token),
            AuthArg::GithubOidc => Some(AuthMethod::GithubOidc),
            AuthArg::AzurePipelines => Some(AuthMethod::AzurePipelines),
            AuthArg::ClientSecret => Some(AuthMethod::ClientSecret),
            AuthArg::WorkloadIdentity => Some(AuthMethod::WorkloadIdentity),
            AuthArg::ManagedIdentity => Some(AuthMethod::ManagedIdentity),
            AuthArg::AzureCli => Some(AuthMethod::AzureCli),
        }
    }
}

/// A latency factor between 0 (instant) and 1 (real Azure times).
fn parse_scale(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(scale) if (0.0..=1.0).contains(&scale) => Ok(scale),
        _ => Err(format!(
            "`{text}` is not a factor between 0 and 1 (e.g. 0.02)"
        )),
    }
}

/// `--resource-timeout`: a duration as humantime reads it (`90s`, `45m`, `1h30m`, `1.5h`), or
/// plain seconds, between 1s and 24h. Every refusal gives the same message with the range and
/// the format.
fn parse_resource_timeout(text: &str) -> Result<Duration, String> {
    /// Azure's slowest resource (API Management) takes under an hour; more than a day is a typo.
    const RANGE: std::ops::RangeInclusive<Duration> =
        Duration::from_secs(1)..=Duration::from_secs(24 * 3600);
    let text = text.trim();
    let parsed = match text.parse::<u64>() {
        Ok(seconds) => Some(Duration::from_secs(seconds)),
        Err(_) => humantime::parse_duration(text).ok(),
    };
    match parsed {
        Some(duration) if RANGE.contains(&duration) => Ok(duration),
        _ => Err(format!(
            "`{text}` is not a duration between 1s and 24h; write a number with a unit (s, m, h), e.g. 90s, 45m, 1h30m or 1.5h"
        )),
    }
}

/// Parses the command line: clap's own checks, then flags that contradict each other.
pub fn parse(args: &[OsString]) -> Result<Cli, clap::Error> {
    let mut command = Cli::command();
    let matches = command.try_get_matches_from_mut(args)?;
    check_conflicts(&mut command, &matches)?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut command))
}

/// Flags that contradict each other: (subcommands, flag, other flag, why). Only flags given on
/// the command line count: a value from an environment variable (`AIGW_ARM_ENDPOINT`,
/// `AIGW_AUTH`, ...) is a job-wide default that a contradicting flag simply does not use.
const CONFLICTS: &[(&[&str], &str, &str, &str)] = &[
    (
        &["plan"],
        "offline",
        "emulator",
        "an offline plan talks to no endpoint, the emulator included",
    ),
    (
        &["plan"],
        "offline",
        "arm_endpoint",
        "an offline plan talks to no endpoint",
    ),
    (
        &["plan"],
        "offline",
        "auth",
        "an offline plan uses no credential",
    ),
    (
        &["plan"],
        "offline",
        "resource_timeout",
        "an offline plan waits for no resource",
    ),
    (
        &["plan"],
        "offline",
        "detailed_exitcode",
        "an offline plan does not read Azure, so it cannot know whether changes are pending",
    ),
    (
        &["plan", "deploy"],
        "emulator",
        "arm_endpoint",
        "the rehearsal uses the endpoint of its own emulator",
    ),
    (
        &["plan", "deploy"],
        "emulator",
        "auth",
        "the rehearsal needs no credential",
    ),
];

fn check_conflicts(command: &mut clap::Command, matches: &ArgMatches) -> Result<(), clap::Error> {
    let Some((name, sub)) = matches.subcommand() else {
        return Ok(());
    };
    let given = |id: &str| sub.value_source(id) == Some(ValueSource::CommandLine);
    for (commands, flag, other, why) in CONFLICTS {
        if commands.contains(&name) && given(flag) && given(other) {
            let message = format!("{} cannot be used with {}: {why}", long(other), long(flag));
            let subcommand = command
                .find_subcommand_mut(name)
                .unwrap_or_else(|| unreachable!("clap matched `{name}`"));
            return Err(subcommand.error(clap::error::ErrorKind::ArgumentConflict, message));
        }
    }
    Ok(())
}

/// `--flag` of an argument id (clap derives long names from field names).
fn long(id: &str) -> String {
    format!("--{}", id.replace('_', "-"))
}

/// `--help` and `--version` are not errors: clap's text goes to stdout.
pub fn is_help(error: &clap::Error) -> bool {
    use clap::error::ErrorKind;
    matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    )
}

/// A command line clap refused, for [`app::refuse`].
pub fn refusal(error: &clap::Error, args: &[OsString]) -> app::Refusal {
    let text = error.render();
    let plain = text.to_string();
    app::Refusal {
        command: command_name(args),
        // clap's first line is the message; the rest is usage and a pointer to --help.
        message: plain
            .lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("error: ")
            .to_string(),
        text: text.ansi().to_string(),
        json_output: wants_json(args),
    }
}

/// Reads what the result format will be from raw arguments, for a command line clap refused:
/// with `--output json` stdout must still be one JSON document.
pub fn wants_json(args: &[OsString]) -> bool {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    args.iter().enumerate().any(|(i, arg)| {
        *arg == "--output=json" || (*arg == "--output" && args.get(i + 1) == Some(&"json"))
    })
}

/// The subcommand a refused command line names, if any.
pub fn command_name(args: &[OsString]) -> Option<&'static str> {
    let command = Cli::command();
    args.iter()
        .skip(1)
        .filter_map(|a| a.to_str())
        .find_map(|arg| {
            command
                .get_subcommands()
                .find(|sub| sub.get_name() == arg)
                .map(|sub| match sub.get_name() {
                    "validate" => "validate",
                    "plan" => "plan",
                    "deploy" => "deploy",
                    _ => "emulator",
                })
        })
}

/// `--ci` from raw arguments or `AIGW_CI`, for a command line clap refused.
pub fn ci_platform(args: &[OsString], env: &Env) -> Option<aigw::ci::Platform> {
    let args: Vec<&str> = args.iter().filter_map(|a| a.to_str()).collect();
    let given = args.iter().enumerate().find_map(|(i, arg)| {
        arg.strip_prefix("--ci=")
            .or_else(|| (*arg == "--ci").then(|| args.get(i + 1).copied()).flatten())
    });
    let value = given.or_else(|| env.non_empty("AIGW_CI"))?;
    CiArg::from_str(value, true).ok()?.forced()
}

#[cfg(test)]
mod tests;
