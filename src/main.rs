//! The `aigw` binary: parse flags, run one command, render its result, speak the CI platform's
//! protocols, map the outcome to an exit code.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use aigw::ci::Platform;
use aigw::ci::github::flows;
use aigw::ci::publish::Publisher;
use aigw::commands::LiveRequest;
use aigw::console::{Console, Style};
use aigw::deploy::cancel;
use aigw::env::Env;
use aigw::error::{Error, exit};
use aigw::render::progress::Progress;
use aigw::render::summary::Target;
use aigw::report::{Outcome, RunReport};
use cli::{Cli, ColorChoice, Command, PlanFormat, RunFormat, ValidateFormat};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = Env::from_process();
    let color = use_color(cli.color, &env);
    let platform = Platform::detect(&env, cli.ci.forced());
    let mut publisher = Publisher::new(platform, &env, Box::new(std::io::stderr()));
    publisher.mask_secrets();
    let mut stdout = std::io::stdout().lock();
    let code = match run(&cli, &env, &mut publisher, &mut stdout) {
        Ok(code) => code,
        Err(error) => {
            let diagnostics = error.diagnostics();
            publisher.annotate(&diagnostics);
            let mut message: String = diagnostics.iter().map(|d| d.render(false)).collect();
            message.push_str(&error.to_string());
            publisher.run_failed(cli.command.name(), &message, !diagnostics.is_empty());
            // A failed plan replaces the previous plan comment, which would otherwise look current.
            if let Some(params) = cli.command.pr_comment_params()
                && publisher.platform() == Platform::GitHub
            {
                let markdown = aigw::render::summary::render_error(
                    "plan",
                    &message,
                    Target::PullRequestComment,
                );
                comment_plan(&env, &mut publisher, &params, &markdown);
            }
            report_error(&error, color, &publisher);
            if cli.command.json_output() {
                // With --output json, stdout is one JSON document, failures included.
                let document = serde_json::json!({
                    "command": cli.command.name(),
                    "outcome": "failed",
                    "exitCode": error.exit_code(),
                    "error": {
                        "message": error.to_string(),
                        "diagnostics": diagnostics.iter().flat_map(|d| d.located()).collect::<Vec<_>>(),
                    }
                });
                let _ = writeln!(stdout, "{}", to_json(&document));
            }
            error.exit_code()
        }
    };
    for warning in &publisher.warnings {
        eprintln!("aigw: warning: {warning}");
    }
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Runs the command; what it prints on stdout is the command's result, stderr gets the rest.
fn run(
    cli: &Cli,
    env: &Env,
    publisher: &mut Publisher<'_>,
    stdout: &mut impl Write,
) -> Result<i32, Error> {
    match &cli.command {
        Command::Validate(args) => {
            let (_, report) = aigw::commands::validate(&args.request(env))?;
            let written = match args.output {
                ValidateFormat::Text => writeln!(
                    stdout,
                    "{}: valid ({} regions, {} model deployments, {} pools, {} policy files)",
                    report.file,
                    report.regions,
                    report.deployments,
                    report.pools,
                    report.policy_files
                ),
                ValidateFormat::Json => writeln!(stdout, "{}", to_json(&report)),
            };
            finish_write(written, exit::OK)
        }
        Command::Plan(args) if args.offline => {
            let plan = aigw::commands::plan_offline(&args.offline_request(env))?;
            let markdown = aigw::render::plan_markdown::render(&plan);
            let written = match args.output {
                PlanFormat::Text => write!(stdout, "{}", aigw::render::plan_text::render(&plan)),
                PlanFormat::Json => writeln!(stdout, "{}", to_json(&plan)),
                PlanFormat::Markdown => write!(stdout, "{markdown}"),
            };
            if publisher.platform() == Platform::GitHub && !args.no_pr_comment {
                let params = args.params.params.display().to_string();
                comment_plan(env, publisher, &params, &markdown);
            }
            finish_write(written, exit::OK)
        }
        Command::Plan(args) => {
            let request = args.live_request(env)?;
            let report = run_live(&request, env, publisher.platform(), None)?;
            publisher.run_finished(&report);
            if publisher.platform() == Platform::GitHub && !args.no_pr_comment {
                let markdown = aigw::render::summary::render(&report, Target::PullRequestComment);
                comment_plan(
                    env,
                    publisher,
                    &request.params.display().to_string(),
                    &markdown,
                );
            }
            let mut code = aigw::error::run_exit_code(&report);
            if args.detailed_exitcode && report.outcome == Outcome::ChangesPending {
                code = exit::CHANGES_PENDING;
            }
            let written = match args.output {
                // The same Markdown as the PR comment and the job summary.
                PlanFormat::Markdown => write!(
                    stdout,
                    "{}",
                    aigw::render::summary::render(&report, Target::Stdout)
                ),
                format => write_report(stdout, publisher, &report, format == PlanFormat::Json),
            };
            finish_write(written, code)
        }
        Command::Deploy(args) => {
            let request = args.request(env)?;
            let deployment = args
                .github_deployment
                .as_deref()
                .filter(|_| publisher.platform() == Platform::GitHub);
            let (report, warnings) = run_deploy(&request, env, publisher.platform(), deployment)?;
            publisher.warnings.extend(warnings);
            publisher.run_finished(&report);
            let code = aigw::error::run_exit_code(&report);
            finish_write(
                write_report(stdout, publisher, &report, args.output == RunFormat::Json),
                code,
            )
        }
        Command::Emulator(args) => run_emulator(env, args.port, args.latency),
    }
}

/// `aigw emulator`: serves until interrupted.
fn run_emulator(env: &Env, port: u16, latency: f64) -> Result<i32, Error> {
    let console = Console::new(Style::Plain);
    init_logging(&console, env);
    runtime()?.block_on(async {
        let running = aigw::commands::start_emulator(latency, port, false).await?;
        console.line("Ctrl-C stops the emulator");
        console.line(&format!(
            "try: AZURE_ACCESS_TOKEN=anything aigw deploy --params <file> --arm-endpoint {} --subscription-id {} --auth token",
            running.url(),
            aigw::commands::EMULATOR_SUBSCRIPTION
        ));
        running.run_until(async { let _ = tokio::signal::ctrl_c().await; }).await;
        Ok(exit::OK)
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))
}

/// Posts the plan as the pull request's sticky comment (on a pull_request event only).
fn comment_plan(env: &Env, publisher: &mut Publisher<'_>, params: &str, markdown: &str) {
    let result = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(flows::comment_plan(env, params, markdown)),
        Err(e) => Err(format!("cannot start the async runtime: {e}")),
    };
    match result {
        Ok(Some(action)) => eprintln!(
            "aigw: plan comment {}",
            if action == aigw::ci::github::api::CommentAction::Created {
                "created"
            } else {
                "updated"
            }
        ),
        Ok(None) => {}
        Err(warning) => publisher.warnings.push(warning),
    }
}

/// A deploy, wrapped in a GitHub Deployment when asked.
fn run_deploy(
    request: &LiveRequest,
    env: &Env,
    platform: Platform,
    environment: Option<&str>,
) -> Result<(RunReport, Vec<String>), Error> {
    let mut warnings = Vec::new();
    let report = run_live(
        request,
        env,
        platform,
        environment.map(|e| (e, &mut warnings)),
    )?;
    Ok((report, warnings))
}

/// Runs deploy or a live plan on a tokio runtime, with progress on stderr and signals handled.
fn run_live(
    request: &LiveRequest,
    env: &Env,
    platform: Platform,
    deployment: Option<(&str, &mut Vec<String>)>,
) -> Result<RunReport, Error> {
    let style =
        if platform != Platform::None || env.is_true("CI") || !std::io::stderr().is_terminal() {
            Style::Plain
        } else {
            Style::Live
        };
    let console = Console::new(style);
    init_logging(&console, env);
    if platform == Platform::GitHub && env.is_true("ACT") {
        console.line("running under act: GitHub OIDC is not available here; aigw uses the other credentials (AZURE_ACCESS_TOKEN, client secret, Azure CLI)");
    }
    runtime()?.block_on(async {
        let params = request.params.display().to_string();
        let (github_deployment, warnings) = match deployment {
            Some((environment, warnings)) => {
                match flows::start_deployment(env, environment, &params).await {
                    Ok(started) => (Some(started), Some(warnings)),
                    Err(warning) => {
                        warnings.push(warning);
                        (None, Some(warnings))
                    }
                }
            }
            None => (None, None),
        };
        let (handle, cancel) = cancel::channel();
        let signals = tokio::spawn(watch_signals(handle, console.clone()));
        let ticker = console.start_ticker();
        let mut progress = Progress::new(console.clone(), request.mode, platform);
        let masker = (platform != Platform::None).then(|| {
            let console = console.clone();
            Arc::new(move |secret: &str| {
                for command in aigw::ci::publish::mask_commands(platform, secret) {
                    console.raw(&command);
                }
            }) as aigw::auth::Masker
        });
        let result = aigw::commands::live(request, env, &mut progress, &cancel, masker).await;
        progress.finish();
        console.status(None);
        signals.abort();
        if let Some(ticker) = ticker {
            ticker.abort();
        }
        if let Some(started) = &github_deployment {
            let (succeeded, url, description) = match &result {
                Ok(report) if report.failure.is_none() => {
                    let url = report
                        .outputs
                        .get("gatewayUrl")
                        .and_then(|v| v.as_str())
                        .map(String::from);
                    (
                        true,
                        url,
                        format!("aigw deploy {}", aigw::ci::outputs::result(report)),
                    )
                }
                Ok(report) => (
                    false,
                    None,
                    report
                        .failure
                        .as_ref()
                        .map(|f| f.message.lines().next().unwrap_or("").to_string())
                        .unwrap_or_default(),
                ),
                Err(error) => (false, None, error.to_string()),
            };
            if let Err(warning) = started
                .finish(succeeded, url.as_deref(), &description)
                .await
                && let Some(warnings) = warnings
            {
                warnings.push(warning);
            }
        }
        result
    })
}

/// First SIGINT/SIGTERM: start no new write and report. Second: leave at once.
async fn watch_signals(handle: cancel::CancelHandle, console: Console) {
    let mut stops = 0;
    loop {
        #[cfg(unix)]
        {
            let Ok(mut term) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            else {
                return;
            };
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
        }
        stops += 1;
        if stops > 1 {
            console.line("aigw: second interrupt: exiting now");
            std::process::exit(130);
        }
        console.line("aigw: interrupt received: no new writes will start; reporting what was done (interrupt again to exit at once)");
        handle.cancel();
    }
}

fn init_logging(console: &Console, env: &Env) {
    let filter = tracing_subscriber::EnvFilter::try_new(env.get("AIGW_LOG").unwrap_or("aigw=info"))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("aigw=info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(console.clone())
        .without_time()
        .with_target(false)
        .with_ansi(false)
        .try_init();
}

/// The result on stdout; in CI, text that carries ARM's messages is fenced so it cannot act as
/// workflow commands.
fn write_report(
    stdout: &mut impl Write,
    publisher: &Publisher<'_>,
    report: &RunReport,
    json: bool,
) -> std::io::Result<()> {
    if json {
        return writeln!(stdout, "{}", to_json(report));
    }
    // Values and messages in the report come from Azure: untrusted in a CI log.
    let text = publisher.untrusted(aigw::render::run_text::render(report).trim_end());
    writeln!(stdout, "{text}")
}

fn finish_write(result: std::io::Result<()>, code: i32) -> Result<i32, Error> {
    match result {
        Ok(()) => Ok(code),
        // A closed pipe (`aigw plan | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(code),
        Err(e) => Err(Error::Usage(format!("cannot write the output: {e}"))),
    }
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise: {e}\"}}"))
}

fn report_error(error: &Error, color: bool, publisher: &Publisher<'_>) {
    let mut stderr = std::io::stderr().lock();
    for diagnostics in error.diagnostics() {
        let _ = write!(stderr, "{}", diagnostics.render(color));
    }
    // The message can carry text from Azure or Entra ID: untrusted in a CI log.
    let _ = writeln!(
        stderr,
        "{}",
        publisher.untrusted(&format!("aigw: error: {error}"))
    );
}

fn use_color(choice: ColorChoice, env: &Env) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            env.get("NO_COLOR").is_none_or(str::is_empty)
                && env.get("TERM") != Some("dumb")
                && std::io::stderr().is_terminal()
        }
    }
}
