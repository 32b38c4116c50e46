//! A run that ends without a result of its own: the error once on stderr, annotations and the
//! failed step in CI, and with `--output json` one [`FailureReport`] on stdout.

use std::io::Write;

use super::output::Output;
use super::{Command, Session};
use crate::ci::Platform;
use crate::ci::publish::Publisher;
use crate::console::{ColorChoice, Colors};
use crate::env::Env;
use crate::error::Error;
use crate::exit::{self, Outcome};
use crate::interrupt::LastWords;
use crate::render::style::{ERROR, paint};
use crate::render::summary::{self, Target};
use crate::report::{ErrorReport, FailureOutcome, FailureReport};

/// A failure before a report: annotations, the step result, the error on stderr, with
/// `--output json` one JSON document on stdout, and for a plan the pull request comment.
pub(super) fn fail(session: &Session<'_>, publisher: &mut Publisher<'_>, error: Error) -> Outcome {
    let command = session.command.name();
    let diagnostics = error.diagnostics();
    publisher.annotate(&diagnostics);
    let mut message: String = diagnostics.iter().map(|d| d.render(false)).collect();
    message.push_str(&error.to_string());
    publisher.run_failed(command, &message, !diagnostics.is_empty());
    let colors = session.output.colors;
    let mut text: String = diagnostics
        .iter()
        .map(|d| d.render(colors.stderr))
        .collect();
    text.push_str(&format!("{} {error}", paint(ERROR, "aigw: error:")));
    session.output.stderr(publisher, &text);
    let error_report = ErrorReport {
        message: error.to_string(),
        diagnostics: diagnostics.iter().flat_map(|d| d.located()).collect(),
    };
    let interrupted = matches!(error, Error::Interrupted);
    let outcome = Outcome::Failed(error);
    if session.command.json_output() {
        let report = FailureReport {
            command: Some(command),
            outcome: if interrupted {
                FailureOutcome::Interrupted
            } else {
                FailureOutcome::Failed
            },
            exit_code: exit::code(&outcome),
            error: error_report,
        };
        let _ = session.output.json(publisher, &report);
    }
    // A failed plan replaces the previous plan comment, which would otherwise look current.
    if let (Some(params), Some(runtime)) = (session.command.pr_comment_params(), session.runtime)
        && publisher.platform() == Platform::GitHub
        && !interrupted
    {
        let markdown = summary::render_error("plan", &message, Target::PullRequestComment);
        super::github::comment_plan(runtime, session.env, publisher, &params, &markdown);
    }
    outcome
}

/// A command line the binary's parser refused, described without the parser's types.
#[derive(Clone, Debug)]
pub struct Refusal {
    /// The subcommand the command line names, if any.
    pub command: Option<&'static str>,
    /// The parser's message, one line.
    pub message: String,
    /// The parser's whole text (message, usage, pointer to `--help`), possibly styled.
    pub text: String,
    /// `--output json` was on the command line: stdout must still be one JSON document.
    pub json_output: bool,
}

/// Reports a refused command line: its text on stderr (fenced in CI), the failed step, and with
/// `--output json` one JSON document on stdout.
pub fn refuse(refusal: Refusal, env: &Env, platform: Platform) -> Outcome {
    let output = Output::new(None, Colors::detect(ColorChoice::Auto, env));
    let mut publisher = Publisher::new(platform, env, Box::new(std::io::stderr()));
    publisher.mask_secrets();
    output.stderr(&publisher, &refusal.text);
    publisher.run_failed(refusal.command.unwrap_or("aigw"), &refusal.message, false);
    let outcome = Outcome::Failed(Error::Usage(refusal.message.clone()));
    if refusal.json_output {
        let report = FailureReport {
            command: refusal.command,
            outcome: FailureOutcome::Failed,
            exit_code: exit::code(&outcome),
            error: ErrorReport {
                message: refusal.message,
                diagnostics: Vec::new(),
            },
        };
        let _ = output.json(&publisher, &report);
    }
    output.warnings(&publisher);
    outcome
}

/// What an interrupt that ends aigw at once leaves on stdout when the command promised JSON.
pub(super) fn last_words(command: &Command) -> Option<LastWords> {
    if !command.json_output() {
        return None;
    }
    let report = FailureReport {
        command: Some(command.name()),
        outcome: FailureOutcome::Interrupted,
        exit_code: exit::code(&Outcome::Failed(Error::Interrupted)),
        error: ErrorReport {
            message: "interrupted by SIGINT/SIGTERM".into(),
            diagnostics: Vec::new(),
        },
    };
    let document = crate::render::json::render(&report);
    Some(Box::new(move |out: &mut dyn Write| {
        writeln!(out, "{document}")
    }))
}
