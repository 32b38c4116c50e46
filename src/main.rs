//! The `aigw` binary: parse flags, run one command, render its result, map it to an exit code.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use aigw::commands::LiveRequest;
use aigw::console::{Console, Style};
use aigw::deploy::cancel;
use aigw::env::Env;
use aigw::error::{Error, exit};
use aigw::params::LoadError;
use aigw::render::progress::Progress;
use aigw::report::{Outcome, RunReport};
use cli::{Cli, ColorChoice, Command, PlanFormat, RunFormat, ValidateFormat};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let env = Env::from_process();
    let color = use_color(cli.color, &env);
    let mut stdout = std::io::stdout().lock();
    let code = match run(&cli, &env, &mut stdout) {
        Ok(code) => code,
        Err(error) => {
            report_error(&error, color);
            error.exit_code()
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Runs the command; what it prints on stdout is the command's result, stderr gets the rest.
fn run(cli: &Cli, env: &Env, stdout: &mut impl Write) -> Result<i32, Error> {
    match &cli.command {
        Command::Validate(args) => {
            let (_, report) = aigw::commands::validate(&args.request(env))?;
            let written = match args.output {
                ValidateFormat::Text => writeln!(
                    stdout,
                    "{}: valid ({} regions, {} model deployments, {} pools)",
                    report.file, report.regions, report.deployments, report.pools
                ),
                ValidateFormat::Json => writeln!(stdout, "{}", to_json(&report)),
            };
            finish_write(written, exit::OK)
        }
        Command::Plan(args) if args.offline => {
            let plan = aigw::commands::plan_offline(&args.offline_request(env))?;
            let written = match args.output {
                PlanFormat::Text => write!(stdout, "{}", aigw::render::plan_text::render(&plan)),
                PlanFormat::Json => writeln!(stdout, "{}", to_json(&plan)),
                PlanFormat::Markdown => {
                    write!(stdout, "{}", aigw::render::plan_markdown::render(&plan))
                }
            };
            finish_write(written, exit::OK)
        }
        Command::Plan(args) => {
            if args.output == PlanFormat::Markdown {
                return Err(Error::Usage(
                    "--output markdown is available for --offline plans".into(),
                ));
            }
            let report = run_live(&args.live_request(env)?, env)?;
            let json = args.output == PlanFormat::Json;
            let mut code = outcome_code(&report);
            if args.detailed_exitcode && report.outcome == Outcome::ChangesPending {
                code = exit::CHANGES_PENDING;
            }
            finish_write(write_report(stdout, &report, json), code)
        }
        Command::Deploy(args) => {
            let report = run_live(&args.request(env)?, env)?;
            let code = outcome_code(&report);
            finish_write(
                write_report(stdout, &report, args.output == RunFormat::Json),
                code,
            )
        }
    }
}

/// Runs deploy or a live plan on a tokio runtime, with progress on stderr and signals handled.
fn run_live(request: &LiveRequest, env: &Env) -> Result<RunReport, Error> {
    let style = if is_ci(env) || !std::io::stderr().is_terminal() {
        Style::Plain
    } else {
        Style::Live
    };
    let console = Console::new(style);
    init_logging(&console, env);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let (handle, cancel) = cancel::channel();
        let signals = tokio::spawn(watch_signals(handle, console.clone()));
        let ticker = console.start_ticker();
        let mut progress = Progress::new(console.clone(), request.mode, aigw::ci::Platform::None);
        let result = aigw::commands::live(request, env, &mut progress, &cancel).await;
        console.status(None);
        signals.abort();
        if let Some(ticker) = ticker {
            ticker.abort();
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
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(term) => term,
                    Err(_) => return,
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

fn is_ci(env: &Env) -> bool {
    ["CI", "GITHUB_ACTIONS", "TF_BUILD", "ACT"]
        .iter()
        .any(|v| env.is_true(v))
}

/// Exit code of a finished run: failures caused by a rejected token are authentication failures.
fn outcome_code(report: &RunReport) -> i32 {
    match report.outcome {
        Outcome::Succeeded | Outcome::NoChanges | Outcome::ChangesPending => exit::OK,
        Outcome::Interrupted => exit::DEPLOYMENT_FAILED,
        Outcome::Failed => {
            let code = report
                .failure
                .as_ref()
                .and_then(|f| f.code.as_deref())
                .unwrap_or("");
            if matches!(
                code,
                "InvalidAuthenticationToken"
                    | "AuthenticationFailed"
                    | "ExpiredAuthenticationToken"
            ) {
                exit::AUTHENTICATION_FAILED
            } else {
                exit::DEPLOYMENT_FAILED
            }
        }
    }
}

fn write_report(stdout: &mut impl Write, report: &RunReport, json: bool) -> std::io::Result<()> {
    if json {
        writeln!(stdout, "{}", to_json(report))
    } else {
        write!(stdout, "{}", aigw::render::run_text::render(report))
    }
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

fn report_error(error: &Error, color: bool) {
    let mut stderr = std::io::stderr().lock();
    let _ = match error {
        Error::Params(LoadError::Invalid(diagnostics)) => {
            let _ = write!(stderr, "{}", diagnostics.render(color));
            writeln!(
                stderr,
                "aigw: error: {} problem{} in {}",
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" },
                diagnostics.file.name()
            )
        }
        other => writeln!(stderr, "aigw: error: {other}"),
    };
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
