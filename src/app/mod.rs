//! One run of aigw, from a [`Request`] to an [`Outcome`]: the CI platform's protocols, the GitHub
//! side effects, interrupts, the one async runtime, and where each piece of text goes. The binary
//! parses flags into a `Request`, calls [`run`] (or [`refuse`] for a command line it could not
//! parse) and exits with [`crate::exit::code`] of the outcome; nothing else decides an exit code.
//!
//! Order of a live run (deploy, live plan): read and plan (files only), get a credential, and
//! only then touch anything outside aigw's own output (the GitHub Deployment, ARM writes). The
//! result goes to stdout and the step outputs before the last GitHub call, which is bounded.
//! Interrupts are watched from the start of [`run`] to its end ([`crate::interrupt`]).

mod failure;
mod github;
mod live;
mod output;
mod progress;
mod request;

use std::io::IsTerminal;

use tokio::runtime::Runtime;

pub use self::failure::{Refusal, refuse};
use self::output::{Output, finish_write};
pub use self::request::{
    Command, DeployCommand, EmulatorCommand, Inputs, PlanCommand, PlanFormat, Request, RunFormat,
    TargetOptions, ValidateCommand, ValidateFormat,
};
use crate::ci::Platform;
use crate::ci::publish::Publisher;
use crate::console::{Colors, Console, Style};
use crate::env::Env;
use crate::error::Error;
pub use crate::exit::Outcome;
use crate::interrupt::Interrupts;

/// Runs one command: what it prints on stdout is the command's result, stderr gets the rest.
/// `platform` is the CI platform whose protocols to speak.
pub fn run(request: Request, env: &Env, platform: Platform) -> Outcome {
    let colors = Colors::detect(request.color, env);
    let console = Console::new(console_style(platform, env), colors.stderr);
    let command = &request.command;
    let runtime = runtime();
    // Before anything else runs: no phase may leave an interrupt unanswered.
    let interrupts = runtime.as_ref().ok().map(|runtime| {
        Interrupts::install(
            runtime.handle(),
            console.clone(),
            failure::last_words(command),
        )
    });
    init_logging(&console, env);
    let mut publisher = Publisher::new(platform, env, Box::new(std::io::stderr()));
    publisher.mask_secrets();
    let session = Session {
        env,
        command,
        console,
        output: Output::new(interrupts.as_ref(), colors),
        runtime: runtime.as_ref().ok(),
        interrupts: interrupts.as_ref(),
    };
    let result = match &runtime {
        Ok(_) => dispatch(&session, &mut publisher),
        Err(error) => Err(Error::Internal {
            context: "cannot start the async runtime",
            message: error.to_string(),
        }),
    };
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(error) => failure::fail(&session, &mut publisher, error),
    };
    session.output.warnings(&publisher);
    if let Ok(runtime) = runtime {
        // aigw is about to exit: nothing left on the runtime (a hung connection) may hold it.
        runtime.shutdown_background();
    }
    outcome
}

/// What every command reads.
struct Session<'a> {
    env: &'a Env,
    command: &'a Command,
    console: Console,
    output: Output<'a>,
    /// `None` only when the runtime could not start, in which case no command runs.
    runtime: Option<&'a Runtime>,
    interrupts: Option<&'a Interrupts>,
}

impl Session<'_> {
    fn runtime(&self) -> Result<&Runtime, Error> {
        self.runtime.ok_or(Error::Internal {
            context: "cannot start the async runtime",
            message: "it did not start".into(),
        })
    }

    fn interrupts(&self) -> Result<&Interrupts, Error> {
        self.interrupts.ok_or(Error::Internal {
            context: "cannot watch for interrupts",
            message: "the async runtime did not start".into(),
        })
    }
}

fn dispatch(session: &Session<'_>, publisher: &mut Publisher<'_>) -> Result<Outcome, Error> {
    match session.command {
        Command::Validate(command) => validate(session, publisher, command),
        Command::Plan(command) if command.offline => plan_offline(session, publisher, command),
        Command::Plan(command) => live::plan(session, publisher, command),
        Command::Deploy(command) => live::deploy(session, publisher, command),
        Command::Emulator(command) => emulator(session, command),
    }
}

fn validate(
    session: &Session<'_>,
    publisher: &mut Publisher<'_>,
    command: &ValidateCommand,
) -> Result<Outcome, Error> {
    let (_, report) = crate::commands::validate(&command.request(session.env))?;
    let written = match command.output {
        ValidateFormat::Text => session
            .output
            .text(publisher, &crate::render::validate_text::render(&report)),
        ValidateFormat::Json => session.output.json(publisher, &report),
    };
    finish_write(written, Outcome::Done, None)
}

fn plan_offline(
    session: &Session<'_>,
    publisher: &mut Publisher<'_>,
    command: &PlanCommand,
) -> Result<Outcome, Error> {
    let plan = crate::commands::plan_offline(&command.offline_request(session.env))?;
    let markdown = crate::render::plan_markdown::render(&plan);
    let output = &session.output;
    let written = match command.output {
        PlanFormat::Text => output.text(publisher, &crate::render::plan_text::render(&plan)),
        PlanFormat::Json => output.json(publisher, &plan),
        PlanFormat::Markdown => output.text(publisher, &markdown),
    };
    if publisher.platform() == Platform::GitHub && command.pr_comment {
        let params = command.inputs.params.display().to_string();
        github::comment_plan(
            session.runtime()?,
            session.env,
            publisher,
            &params,
            &markdown,
        );
    }
    finish_write(written, Outcome::Done, None)
}

/// `aigw emulator`: serves until interrupted.
fn emulator(session: &Session<'_>, command: &EmulatorCommand) -> Result<Outcome, Error> {
    let interrupts = session.interrupts()?;
    session.runtime()?.block_on(async {
        let running = crate::commands::start_emulator(
            command.latency,
            command.port,
            false,
            &command.faults,
        )
        .await?;
        session.console.line("Ctrl-C stops the emulator");
        session.console.line(&format!(
            "try: AZURE_ACCESS_TOKEN=anything aigw deploy --params <file> --arm-endpoint {} --subscription-id {} --auth token",
            running.url(),
            crate::commands::EMULATOR_SUBSCRIPTION
        ));
        let _phase = interrupts.cooperate("stopping the emulator");
        let cancel = interrupts.cancel().clone();
        running
            .run_until(async move { cancel.cancelled().await })
            .await;
        Ok(Outcome::Done)
    })
}

/// The one async runtime of a run. Multi-threaded, so that the interrupt watcher runs while the
/// main thread is blocked.
fn runtime() -> std::io::Result<Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
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
