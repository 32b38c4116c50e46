//! The `aigw` binary: parse the command line into a request, run it ([`aigw::app`], which writes
//! the result and speaks the CI platform's protocols), exit with the code of its outcome.

mod cli;

use std::ffi::OsString;
use std::process::ExitCode;

use aigw::app::{self, Outcome};
use aigw::ci::Platform;
use aigw::env::Env;

fn main() -> ExitCode {
    let env = Env::from_process();
    let args: Vec<OsString> = std::env::args_os().collect();
    let outcome = match cli::parse(&args) {
        Ok(cli) => {
            let platform = Platform::detect(&env, cli.ci.forced());
            app::run(cli.into_request(), &env, platform)
        }
        Err(error) if cli::is_help(&error) => {
            // Not an error: `--help` / `--version` go to stdout.
            let _ = error.print();
            Outcome::Done
        }
        Err(error) => {
            let platform =
                cli::ci_platform(&args, &env).unwrap_or_else(|| Platform::detect(&env, None));
            app::refuse(cli::refusal(&error, &args), &env, platform)
        }
    };
    ExitCode::from(aigw::exit::code(&outcome))
}
