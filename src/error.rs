//! The one error type commands return, and its exit code (DESIGN.md "Contract with users").

use crate::diagnostic::Diagnostics;
use crate::params::LoadError;

/// Exit codes, stable for scripts.
pub mod exit {
    pub const OK: i32 = 0;
    /// The deploy failed, or aigw itself did (an internal or I/O failure).
    pub const DEPLOYMENT_FAILED: i32 = 1;
    pub const INVALID_INPUT: i32 = 2;
    pub const AUTHENTICATION_FAILED: i32 = 3;
    /// `plan --detailed-exitcode` with changes pending.
    pub const CHANGES_PENDING: i32 = 4;
    /// Stopped by SIGINT/SIGTERM outside the deploy walk, or by a second interrupt
    /// (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: i32 = 130;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The parameter file could not be read or has problems (diagnostics inside).
    #[error(transparent)]
    Params(#[from] LoadError),
    /// Problems in the parameter file and/or the policy files, each with its position.
    #[error("{}", invalid_summary(.params.as_ref(), .policies))]
    Invalid {
        params: Option<Diagnostics>,
        policies: Vec<Diagnostics>,
    },
    /// A policy directory (`--policies`) could not be read.
    #[error(transparent)]
    PolicyFiles(#[from] crate::policy::LoadError),
    /// Flags or environment that do not make sense together.
    #[error("{0}")]
    Usage(String),
    /// No credential produced a token.
    #[error(transparent)]
    Auth(#[from] crate::auth::AuthFailure),
    /// The in-process ARM emulator could not start.
    #[error("cannot start the ARM emulator: {0}")]
    Emulator(String),
    /// aigw could not set itself up on this machine (async runtime, HTTP client): not the
    /// user's input.
    #[error("{context}: {message}")]
    Internal {
        context: &'static str,
        message: String,
    },
    /// The result could not be written to stdout (a full disk, a closed file). `outcome` is the
    /// finished run's headline, so what happened in Azure is still said on stderr.
    #[error("cannot write the result to stdout: {source}{}", outcome_note(.outcome.as_deref()))]
    ResultNotWritten {
        outcome: Option<String>,
        source: std::io::Error,
    },
    /// SIGINT/SIGTERM before the deploy walk began: nothing was written to Azure.
    #[error("interrupted before anything was written to Azure")]
    Interrupted,
}

fn outcome_note(outcome: Option<&str>) -> String {
    outcome
        .map(|headline| format!("\nthe run itself finished: {headline}"))
        .unwrap_or_default()
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Params(_) | Error::Usage(_) | Error::Invalid { .. } | Error::PolicyFiles(_) => {
                exit::INVALID_INPUT
            }
            Error::Auth(_) => exit::AUTHENTICATION_FAILED,
            // Internal and I/O failures are not invalid input (README, exit codes).
            Error::Emulator(_) | Error::Internal { .. } | Error::ResultNotWritten { .. } => {
                exit::DEPLOYMENT_FAILED
            }
            Error::Interrupted => exit::INTERRUPTED,
        }
    }

    /// The `outcome` of the JSON document a failure leaves on stdout.
    pub fn outcome(&self) -> &'static str {
        match self {
            Error::Interrupted => "interrupted",
            _ => "failed",
        }
    }
}

impl Error {
    /// Every file with problems, parameter file first.
    pub fn diagnostics(&self) -> Vec<&Diagnostics> {
        match self {
            Error::Invalid { params, policies } => params.iter().chain(policies.iter()).collect(),
            Error::Params(LoadError::Invalid(d)) => vec![d],
            _ => Vec::new(),
        }
    }
}

fn invalid_summary(params: Option<&Diagnostics>, policies: &[Diagnostics]) -> String {
    let files: Vec<String> = params
        .into_iter()
        .chain(policies.iter())
        .map(|d| {
            format!(
                "{} problem{} in {}",
                d.len(),
                if d.len() == 1 { "" } else { "s" },
                d.file.name()
            )
        })
        .collect();
    files.join(", ")
}

/// The exit code of a finished deploy or live plan (DESIGN.md "Contract with users").
pub fn run_exit_code(report: &crate::report::RunReport) -> i32 {
    use crate::report::Outcome;
    match report.outcome {
        Outcome::Succeeded | Outcome::NoChanges | Outcome::ChangesPending => exit::OK,
        Outcome::Interrupted => exit::DEPLOYMENT_FAILED,
        Outcome::Failed if report.failure.as_ref().is_some_and(|f| f.authentication) => {
            exit::AUTHENTICATION_FAILED
        }
        Outcome::Failed => exit::DEPLOYMENT_FAILED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_and_io_failures_are_not_invalid_input() {
        let internal = Error::Internal {
            context: "cannot start the async runtime",
            message: "no threads".into(),
        };
        assert_eq!(internal.exit_code(), exit::DEPLOYMENT_FAILED);
        let unwritten = Error::ResultNotWritten {
            outcome: Some("Deploy succeeded: 66 created".into()),
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        };
        assert_eq!(unwritten.exit_code(), exit::DEPLOYMENT_FAILED);
        assert!(
            unwritten
                .to_string()
                .ends_with("\nthe run itself finished: Deploy succeeded: 66 created"),
            "{unwritten}"
        );
        assert_eq!(Error::Usage("x".into()).exit_code(), exit::INVALID_INPUT);
        assert_eq!(Error::Interrupted.exit_code(), 130);
        assert_eq!(Error::Interrupted.outcome(), "interrupted");
        assert_eq!(internal.outcome(), "failed");
    }
}
