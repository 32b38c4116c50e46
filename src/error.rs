//! The one error type commands return; [`crate::exit`] turns it into the exit code.

use crate::diagnostic::Diagnostics;
use crate::params::LoadError;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unwritten_result_still_says_how_the_run_ended() {
        let unwritten = Error::ResultNotWritten {
            outcome: Some("Deploy succeeded: 66 created".into()),
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        };
        assert!(
            unwritten
                .to_string()
                .ends_with("\nthe run itself finished: Deploy succeeded: 66 created"),
            "{unwritten}"
        );
    }
}
