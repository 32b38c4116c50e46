//! How a run ends, and the one function that turns that into the process exit code (DESIGN.md
//! "Contract with users"; the codes are stable for scripts).

use crate::error::Error;
use crate::report;

pub const OK: u8 = 0;
/// The deploy failed, or aigw itself did (an internal or I/O failure).
pub const DEPLOYMENT_FAILED: u8 = 1;
pub const INVALID_INPUT: u8 = 2;
pub const AUTHENTICATION_FAILED: u8 = 3;
/// `plan --detailed-exitcode` with changes pending.
pub const CHANGES_PENDING: u8 = 4;
/// Stopped by SIGINT/SIGTERM outside the deploy walk, or by a second interrupt (128 + SIGINT, as
/// shells report it).
pub const INTERRUPTED: u8 = 130;

/// How a command ended.
#[derive(Debug)]
pub enum Outcome {
    /// It did what was asked: `validate`, an offline plan, the emulator, `--help`.
    Done,
    /// A deploy or live plan walked the plan and reported; the report says how it went.
    Ran {
        result: report::Outcome,
        /// The failure was a missing or refused access token.
        authentication_failed: bool,
        /// `plan --detailed-exitcode`: pending changes exit 4.
        detailed_exitcode: bool,
    },
    /// It stopped before a report (invalid input, no credential, an interrupt), or its result
    /// could not be written.
    Failed(Error),
}

impl Outcome {
    /// The outcome of a finished deploy or live plan.
    pub fn ran(report: &report::RunReport, detailed_exitcode: bool) -> Self {
        Outcome::Ran {
            result: report.outcome,
            authentication_failed: report.failure.as_ref().is_some_and(|f| f.authentication),
            detailed_exitcode,
        }
    }
}

/// The exit code of `outcome`: the only place exit codes are decided.
pub fn code(outcome: &Outcome) -> u8 {
    use report::Outcome as Result;
    match outcome {
        Outcome::Done => OK,
        Outcome::Ran {
            result,
            authentication_failed,
            detailed_exitcode,
        } => match result {
            Result::Succeeded | Result::NoChanges => OK,
            Result::ChangesPending if *detailed_exitcode => CHANGES_PENDING,
            Result::ChangesPending => OK,
            // The walk stopped cleanly between writes and reported: the deploy did not finish.
            Result::Interrupted => DEPLOYMENT_FAILED,
            Result::Failed if *authentication_failed => AUTHENTICATION_FAILED,
            Result::Failed => DEPLOYMENT_FAILED,
        },
        Outcome::Failed(error) => match error {
            Error::Params(_) | Error::Usage(_) | Error::Invalid { .. } | Error::PolicyFiles(_) => {
                INVALID_INPUT
            }
            Error::Auth(_) => AUTHENTICATION_FAILED,
            // Internal and I/O failures are not invalid input (README, exit codes).
            Error::Emulator(_) | Error::Internal { .. } | Error::ResultNotWritten { .. } => {
                DEPLOYMENT_FAILED
            }
            Error::Interrupted => INTERRUPTED,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Outcome as Result;

    fn ran(result: Result, authentication_failed: bool, detailed_exitcode: bool) -> u8 {
        code(&Outcome::Ran {
            result,
            authentication_failed,
            detailed_exitcode,
        })
    }

    #[test]
    fn finished_runs_exit_by_their_result() {
        assert_eq!(code(&Outcome::Done), 0);
        assert_eq!(ran(Result::Succeeded, false, false), 0);
        assert_eq!(ran(Result::NoChanges, false, true), 0);
        assert_eq!(ran(Result::ChangesPending, false, false), 0);
        assert_eq!(ran(Result::ChangesPending, false, true), 4);
        assert_eq!(ran(Result::Failed, false, false), 1);
        assert_eq!(ran(Result::Failed, true, false), 3);
        assert_eq!(ran(Result::Interrupted, false, false), 1);
    }

    #[test]
    fn internal_and_io_failures_are_not_invalid_input() {
        let failed = |error| code(&Outcome::Failed(error));
        let internal = Error::Internal {
            context: "cannot start the async runtime",
            message: "no threads".into(),
        };
        assert_eq!(failed(internal), DEPLOYMENT_FAILED);
        let unwritten = Error::ResultNotWritten {
            outcome: Some("Deploy succeeded: 62 created".into()),
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        };
        assert_eq!(failed(unwritten), DEPLOYMENT_FAILED);
        assert_eq!(failed(Error::Usage("x".into())), INVALID_INPUT);
        assert_eq!(failed(Error::Emulator("x".into())), DEPLOYMENT_FAILED);
        assert_eq!(failed(Error::Interrupted), 130);
    }
}
