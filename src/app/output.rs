//! Where a run's text goes: the command's result on stdout (once, never torn by an interrupt),
//! everything for people on stderr. In CI both may carry parameter values and Azure's messages,
//! so they are written so that they cannot act as workflow commands ([`Publisher::untrusted`]).

use std::io::Write;

use crate::ci::publish::Publisher;
use crate::console::{Colors, for_stream};
use crate::error::Error;
use crate::exit::Outcome;
use crate::interrupt::Interrupts;
use crate::render::style::{WARNING, paint};
use crate::report::RunReport;

pub(super) struct Output<'a> {
    /// `None` only when aigw could not start its runtime (and so no interrupt watcher).
    interrupts: Option<&'a Interrupts>,
    pub colors: Colors,
}

impl<'a> Output<'a> {
    pub fn new(interrupts: Option<&'a Interrupts>, colors: Colors) -> Self {
        Output { interrupts, colors }
    }

    /// Text on stdout (a report, a plan). It is fenced in CI — unless stdout is a file, which no
    /// runner reads and which the fence would only clutter.
    pub fn text(&self, publisher: &Publisher<'_>, text: &str) -> std::io::Result<()> {
        let text = for_stream(text.trim_end(), self.colors.stdout);
        let text = if stdout_is_file() {
            text.into_owned()
        } else {
            publisher.untrusted(&text)
        };
        self.result(|out| writeln!(out, "{text}"))
    }

    /// One JSON document on stdout (in Azure DevOps with `##` escaped inside strings, see
    /// [`Publisher::untrusted_json`]).
    pub fn json(
        &self,
        publisher: &Publisher<'_>,
        value: &impl serde::Serialize,
    ) -> std::io::Result<()> {
        let text = publisher.untrusted_json(&crate::render::json::render(value));
        self.result(|out| writeln!(out, "{text}"))
    }

    fn result(
        &self,
        write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        match self.interrupts {
            Some(interrupts) => interrupts.write_result(write),
            None => {
                let mut stdout = std::io::stdout().lock();
                write(&mut stdout).and_then(|()| stdout.flush())
            }
        }
    }

    /// Text for people that may carry untrusted text (diagnostics echo parameter values, errors
    /// carry Azure's and GitHub's messages): fenced in CI.
    pub fn stderr(&self, publisher: &Publisher<'_>, text: &str) {
        let text = for_stream(text.trim_end(), self.colors.stderr);
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{}", publisher.untrusted(&text));
    }

    /// The warnings the run collected, last.
    pub fn warnings(&self, publisher: &Publisher<'_>) {
        if publisher.warnings.is_empty() {
            return;
        }
        let prefix = paint(WARNING, "aigw: warning:");
        let text: Vec<String> = publisher
            .warnings
            .iter()
            .map(|warning| format!("{prefix} {warning}"))
            .collect();
        self.stderr(publisher, &text.join("\n"));
    }
}

/// How the run ends once its result was (or could not be) written. When it could not, the error
/// keeps the run's headline so what happened in Azure is still said.
pub(super) fn finish_write(
    result: std::io::Result<()>,
    outcome: Outcome,
    report: Option<&RunReport>,
) -> Result<Outcome, Error> {
    match result {
        Ok(()) => Ok(outcome),
        // A closed pipe (`aigw plan | head`) is the reader's choice, not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(outcome),
        Err(source) => Err(Error::ResultNotWritten {
            outcome: report.map(crate::render::run_text::headline),
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
