//! The `aigw` binary: parse flags, run one command, render its result, speak the CI platform's
//! protocols, map the outcome to an exit code.
//!
//! Order of a live run (deploy, live plan): read and plan (files only), get a credential, and
//! only then touch anything outside aigw's own output (the GitHub Deployment, ARM writes). The
//! result goes to stdout and the step outputs before the last GitHub call, which is bounded.
//! Interrupts are watched from the first line to the exit ([`aigw::interrupt`]).

mod cli;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use aigw::ci::Platform;
use aigw::ci::github::flows;
use aigw::ci::publish::Publisher;
use aigw::commands::LiveRequest;
use aigw::console::{Console, Style};
use aigw::env::Env;
use aigw::error::{Error, exit};
use aigw::interrupt::{Interrupts, LastWords};
use aigw::render::progress::Progress;
use aigw::render::summary::Target;
use aigw::report::{Outcome, RunReport};
use cli::{Cli, ColorChoice, Command, PlanFormat, RunFormat, ValidateFormat};

fn main() -> ExitCode {
    let env = Env::from_process();
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match cli::parse(&args) {
        Ok(cli) => cli,
        Err(error) => return exit_code(usage_error(&error, &args, &env)),
    };
    let platform = Platform::detect(&env, cli.ci.forced());
    let console = Console::new(console_style(platform, &env));
    let command = cli.command.name();
    // Before anything else runs: no phase may leave an interrupt unanswered.
    let last_words = cli
        .command
        .json_output()
        .then(|| interrupted_document(command));
    let interrupts = Interrupts::install(console.clone(), last_words);
    init_logging(&console, &env);
    let mut publisher = Publisher::new(platform, &env, Box::new(std::io::stderr()));
    publisher.mask_secrets();
    let app = App {
        cli: &cli,
        env: &env,
        console,
        interrupts: &interrupts,
        color: use_color(cli.color, &env),
    };
    let code = match run(&app, &mut publisher) {
        Ok(code) => code,
        Err(error) => fail(&app, &mut publisher, &error),
    };
    print_warnings(&publisher);
    exit_code(code)
}

/// What every command reads.
struct App<'a> {
    cli: &'a Cli,
    env: &'a Env,
    console: Console,
    interrupts: &'a Interrupts,
    color: bool,
}

/// Runs the command; what it prints on stdout is the command's result, stderr gets the rest.
fn run(app: &App<'_>, publisher: &mut Publisher<'_>) -> Result<i32, Error> {
    let env = app.env;
    match &app.cli.command {
        Command::Validate(args) => {
            let (_, report) = aigw::commands::validate(&args.request(env))?;
            let written = match args.output {
                ValidateFormat::Text => write_text(
                    app,
                    publisher,
                    &format!(
                        "{}: valid ({} regions, {} model deployments, {} pools, {} policy files)",
                        report.file,
                        report.regions,
                        report.deployments,
                        report.pools,
                        report.policy_files
                    ),
                ),
                ValidateFormat::Json => write_json(app, publisher, &report),
            };
            finish_write(written, exit::OK, None)
        }
        Command::Plan(args) if args.offline => {
            let plan = aigw::commands::plan_offline(&args.offline_request(env))?;
            let markdown = aigw::render::plan_markdown::render(&plan);
            let written = match args.output {
                PlanFormat::Text => {
                    write_text(app, publisher, &aigw::render::plan_text::render(&plan))
                }
                PlanFormat::Json => write_json(app, publisher, &plan),
                PlanFormat::Markdown => write_text(app, publisher, &markdown),
            };
            if publisher.platform() == Platform::GitHub && !args.no_pr_comment {
                let params = args.params.params.display().to_string();
                comment_plan(env, publisher, &params, &markdown);
            }
            finish_write(written, exit::OK, None)
        }
        Command::Plan(args) => {
            let request = args.live_request(env)?;
            let runtime = runtime()?;
            let (report, _) = run_live(app, &runtime, publisher, &request, None)?;
            publisher.run_finished(&report);
            let mut code = aigw::error::run_exit_code(&report);
            if args.detailed_exitcode && report.outcome == Outcome::ChangesPending {
                code = exit::CHANGES_PENDING;
            }
            let written = match args.output {
                // The same Markdown as the PR comment and the job summary.
                PlanFormat::Markdown => write_text(
                    app,
                    publisher,
                    &aigw::render::summary::render(&report, Target::Stdout),
                ),
                PlanFormat::Json => write_json(app, publisher, &report),
                PlanFormat::Text => {
                    write_text(app, publisher, &aigw::render::run_text::render(&report))
                }
            };
            if publisher.platform() == Platform::GitHub && !args.no_pr_comment {
                let markdown = aigw::render::summary::render(&report, Target::PullRequestComment);
                let params = request.params.display().to_string();
                comment_plan(env, publisher, &params, &markdown);
            }
            finish_write(written, code, Some(&report))
        }
        Command::Deploy(args) => {
            let request = args.request(env)?;
            let environment = args.github_deployment.as_deref();
            if let Some(environment) = environment
                && publisher.platform() != Platform::GitHub
            {
                publisher.warnings.push(format!(
                    "--github-deployment {environment}: GitHub Deployments are recorded only in GitHub Actions; none was recorded"
                ));
            }
            let environment = environment.filter(|_| publisher.platform() == Platform::GitHub);
            let runtime = runtime()?;
            let (report, deployment) = run_live(app, &runtime, publisher, &request, environment)?;
            publisher.run_finished(&report);
            let code = aigw::error::run_exit_code(&report);
            let written = match args.output {
                RunFormat::Json => write_json(app, publisher, &report),
                RunFormat::Text => {
                    write_text(app, publisher, &aigw::render::run_text::render(&report))
                }
            };
            // Last, after the result and the step outputs are out: a bounded GitHub call.
            if let Some(deployment) = deployment {
                finish_deployment(&runtime, publisher, &deployment, &report);
            }
            finish_write(written, code, Some(&report))
        }
        Command::Emulator(args) => run_emulator(app, args),
    }
}

/// A failure before a report: annotations, the step result, the error on stderr and, with
/// `--output json`, one JSON document on stdout.
fn fail(app: &App<'_>, publisher: &mut Publisher<'_>, error: &Error) -> i32 {
    let command = app.cli.command.name();
    let diagnostics = error.diagnostics();
    publisher.annotate(&diagnostics);
    let mut message: String = diagnostics.iter().map(|d| d.render(false)).collect();
    message.push_str(&error.to_string());
    publisher.run_failed(command, &message, !diagnostics.is_empty());
    let mut text: String = diagnostics.iter().map(|d| d.render(app.color)).collect();
    text.push_str(&format!("aigw: error: {error}"));
    print_stderr(publisher, &text);
    if app.cli.command.json_output() {
        let document = failure_document(
            Some(command),
            error.outcome(),
            error.exit_code(),
            &error.to_string(),
            diagnostics.iter().flat_map(|d| d.located()).collect(),
        );
        let _ = write_json(app, publisher, &document);
    }
    // A failed plan replaces the previous plan comment, which would otherwise look current.
    if let Some(params) = app.cli.command.pr_comment_params()
        && publisher.platform() == Platform::GitHub
        && !matches!(error, Error::Interrupted)
    {
        let markdown =
            aigw::render::summary::render_error("plan", &message, Target::PullRequestComment);
        comment_plan(app.env, publisher, &params, &markdown);
    }
    error.exit_code()
}

/// A command line clap refused: its message on stderr (fenced in CI), the step result, and with
/// `--output json` one JSON document on stdout.
fn usage_error(error: &clap::Error, args: &[OsString], env: &Env) -> i32 {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    ) {
        // Not an error: `--help` / `--version` go to stdout.
        let _ = error.print();
        return exit::OK;
    }
    let platform = cli::ci_platform(args, env).unwrap_or_else(|| Platform::detect(env, None));
    let mut publisher = Publisher::new(platform, env, Box::new(std::io::stderr()));
    publisher.mask_secrets();
    let command = cli::command_name(args);
    let text = error.render().to_string();
    if platform == Platform::None {
        let _ = error.print();
    } else {
        print_stderr(&publisher, text.trim_end());
    }
    // clap's first line is the message; the rest is usage and a pointer to --help.
    let message = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    publisher.run_failed(command.unwrap_or("aigw"), &message, false);
    if cli::wants_json(args) {
        let document =
            failure_document(command, "failed", exit::INVALID_INPUT, &message, Vec::new());
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", to_json(&document));
    }
    print_warnings(&publisher);
    exit::INVALID_INPUT
}

/// The one JSON document on stdout of a run that has no report.
fn failure_document(
    command: Option<&str>,
    outcome: &str,
    exit_code: i32,
    message: &str,
    diagnostics: Vec<aigw::diagnostic::LocatedDiagnostic>,
) -> serde_json::Value {
    serde_json::json!({
        "command": command,
        "outcome": outcome,
        "exitCode": exit_code,
        "error": { "message": message, "diagnostics": diagnostics }
    })
}

/// What an interrupt that ends aigw at once leaves on stdout with `--output json`.
fn interrupted_document(command: &'static str) -> LastWords {
    Box::new(move |out: &mut dyn Write| {
        let document = failure_document(
            Some(command),
            "interrupted",
            exit::INTERRUPTED,
            "interrupted by SIGINT/SIGTERM",
            Vec::new(),
        );
        writeln!(out, "{}", to_json(&document))
    })
}

/// `aigw emulator`: serves until interrupted.
fn run_emulator(app: &App<'_>, args: &cli::EmulatorArgs) -> Result<i32, Error> {
    runtime()?.block_on(async {
        let running =
            aigw::commands::start_emulator(args.latency, args.port, false, &args.faults)
                .await?;
        app.console.line("Ctrl-C stops the emulator");
        app.console.line(&format!(
            "try: AZURE_ACCESS_TOKEN=anything aigw deploy --params <file> --arm-endpoint {} --subscription-id {} --auth token",
            running.url(),
            aigw::commands::EMULATOR_SUBSCRIPTION
        ));
        let _phase = app.interrupts.cooperate("stopping the emulator");
        let cancel = app.interrupts.cancel().clone();
        running.run_until(async move { cancel.cancelled().await }).await;
        Ok(exit::OK)
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Internal {
            context: "cannot start the async runtime",
            message: e.to_string(),
        })
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

/// Deploy or live plan: read and plan (files only), get a credential (or start the rehearsal's
/// emulator), then open the GitHub Deployment when asked, then walk the plan.
fn run_live(
    app: &App<'_>,
    runtime: &tokio::runtime::Runtime,
    publisher: &mut Publisher<'_>,
    request: &LiveRequest,
    github_environment: Option<&str>,
) -> Result<(RunReport, Option<flows::Deployment>), Error> {
    let plan = aigw::commands::live_plan(request)?;
    let (env, console, platform) = (app.env, &app.console, publisher.platform());
    if platform == Platform::GitHub && env.is_true("ACT") {
        console.line("running under act: GitHub OIDC is not available here; aigw uses the other credentials (AZURE_ACCESS_TOKEN, client secret, Azure CLI)");
    }
    let cancel = app.interrupts.cancel();
    runtime.block_on(async {
        let connection = {
            let _phase = app
                .interrupts
                .cooperate("stopping before anything is written to Azure");
            tokio::select! {
                connection = aigw::commands::connect(request, env) => connection?,
                () = cancel.cancelled() => return Err(Error::Interrupted),
            }
        };
        // The parameters are valid, the plan is built and a credential works: only now may
        // anything outside aigw's own output change. (A bounded GitHub call; an interrupt
        // during it ends aigw at once.)
        let deployment = match github_environment {
            Some(environment) => {
                let params = request.params.display().to_string();
                match flows::start_deployment(env, environment, &params).await {
                    Ok((deployment, warning)) => {
                        publisher.warnings.extend(warning);
                        Some(deployment)
                    }
                    Err(warning) => {
                        publisher.warnings.push(warning);
                        None
                    }
                }
            }
            None => None,
        };
        let _phase = app
            .interrupts
            .cooperate("no new writes will start; reporting what was done");
        let ticker = console.start_ticker();
        let mut progress = Progress::new(console.clone(), request.mode, platform);
        let report =
            aigw::commands::execute(request, &plan, connection, &mut progress, cancel).await;
        progress.finish();
        console.status(None);
        if let Some(ticker) = ticker {
            ticker.abort();
        }
        Ok((report, deployment))
    })
}

/// Success with the gateway URL, or failure with the first line of the error.
fn finish_deployment(
    runtime: &tokio::runtime::Runtime,
    publisher: &mut Publisher<'_>,
    deployment: &flows::Deployment,
    report: &RunReport,
) {
    let succeeded = report.failure.is_none() && report.outcome != Outcome::Interrupted;
    let url = report
        .outputs
        .get("gatewayUrl")
        .and_then(|v| v.as_str())
        .filter(|_| succeeded);
    let description = match &report.failure {
        Some(failure) => failure.message.lines().next().unwrap_or("").to_string(),
        None => format!("aigw deploy {}", aigw::ci::outputs::result(report)),
    };
    if let Err(warning) = runtime.block_on(deployment.finish(succeeded, url, &description)) {
        publisher.warnings.push(warning);
    }
}

fn console_style(platform: Platform, env: &Env) -> Style {
    if platform != Platform::None || env.is_true("CI") || !std::io::stderr().is_terminal() {
        Style::Plain
    } else {
        Style::Live
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

/// Text on stdout (a report, a plan). In CI it can carry parameter values and Azure's messages,
/// so it is fenced and cannot act as workflow commands — unless stdout is a file, which no
/// runner reads and which the fence would only clutter.
fn write_text(app: &App<'_>, publisher: &Publisher<'_>, text: &str) -> std::io::Result<()> {
    let text = text.trim_end();
    let text = if stdout_is_file() {
        text.to_string()
    } else {
        publisher.untrusted(text)
    };
    app.interrupts.write_result(|out| writeln!(out, "{text}"))
}

/// One JSON document on stdout (in Azure DevOps with `##` escaped inside strings, see
/// [`Publisher::untrusted_json`]).
fn write_json(
    app: &App<'_>,
    publisher: &Publisher<'_>,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    let text = publisher.untrusted_json(&to_json(value));
    app.interrupts.write_result(|out| writeln!(out, "{text}"))
}

/// The exit code once the result was (or could not be) written. When it could not, the error
/// keeps the run's headline so what happened in Azure is still said.
fn finish_write(
    result: std::io::Result<()>,
    code: i32,
    report: Option<&RunReport>,
) -> Result<i32, Error> {
    match result {
        Ok(()) => Ok(code),
        // A closed pipe (`aigw plan | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(code),
        Err(source) => Err(Error::ResultNotWritten {
            outcome: report.map(aigw::render::run_text::headline),
            source,
        }),
    }
}

/// Whether stdout is redirected to a regular file.
fn stdout_is_file() -> bool {
    #[cfg(unix)]
    let handle = {
        use std::os::fd::AsFd;
        std::io::stdout().as_fd().try_clone_to_owned()
    };
    #[cfg(windows)]
    let handle = {
        use std::os::windows::io::AsHandle;
        std::io::stdout().as_handle().try_clone_to_owned()
    };
    handle
        .map(std::fs::File::from)
        .and_then(|file| file.metadata())
        .is_ok_and(|metadata| metadata.is_file())
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise: {e}\"}}"))
}

/// Text for humans that may carry untrusted text (diagnostics echo parameter values, errors
/// carry Azure's and GitHub's messages): fenced in CI.
fn print_stderr(publisher: &Publisher<'_>, text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{}", publisher.untrusted(text.trim_end()));
}

fn print_warnings(publisher: &Publisher<'_>) {
    if publisher.warnings.is_empty() {
        return;
    }
    let text: Vec<String> = publisher
        .warnings
        .iter()
        .map(|warning| format!("aigw: warning: {warning}"))
        .collect();
    print_stderr(publisher, &text.join("\n"));
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

fn exit_code(code: i32) -> ExitCode {
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}
