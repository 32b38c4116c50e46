//! The `aigw` binary: parse flags, run one command, render its result, map it to an exit code.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use aigw::env::Env;
use aigw::error::{Error, exit};
use aigw::params::LoadError;
use cli::{Cli, ColorChoice, Command, PlanFormat, ValidateFormat};

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
    let result = match &cli.command {
        Command::Validate(args) => {
            let (_, report) = aigw::commands::validate(&args.request(env))?;
            match args.output {
                ValidateFormat::Text => writeln!(
                    stdout,
                    "{}: valid ({} regions, {} model deployments, {} pools)",
                    report.file, report.regions, report.deployments, report.pools
                ),
                ValidateFormat::Json => writeln!(stdout, "{}", to_json(&report)),
            }
        }
        Command::Plan(args) => {
            if !args.offline {
                return Err(Error::Usage(
                    "a live plan needs the deploy engine, which this build does not include yet; pass --offline".into(),
                ));
            }
            let plan = aigw::commands::plan_offline(&args.request(env))?;
            match args.output {
                PlanFormat::Text => write!(stdout, "{}", aigw::render::plan_text::render(&plan)),
                PlanFormat::Json => writeln!(stdout, "{}", to_json(&plan)),
                PlanFormat::Markdown => {
                    write!(stdout, "{}", aigw::render::plan_markdown::render(&plan))
                }
            }
        }
    };
    match result {
        // A closed pipe (`aigw plan | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(exit::OK),
        Err(e) => Err(Error::Usage(format!("cannot write the output: {e}"))),
        Ok(()) => Ok(exit::OK),
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
