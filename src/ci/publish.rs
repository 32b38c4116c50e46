//! What a run leaves behind in CI: masks for secrets, annotations for parameter problems, step
//! outputs, the summary and the step result, each in the platform's own protocol. Commands go to
//! stderr (both runners read workflow/logging commands from stdout and stderr), so stdout holds
//! only the command's result (e.g. one JSON document with `--output json`).

use std::io::Write;
use std::path::PathBuf;

use super::outputs::{result, step_outputs};
use super::{Platform, SECRET_VARIABLES, azure_devops, github};
use crate::diagnostic::Diagnostics;
use crate::env::Env;
use crate::render::summary;
use crate::report::RunReport;

pub struct Publisher<'e> {
    platform: Platform,
    env: &'e Env,
    /// Where workflow / logging commands go.
    out: Box<dyn Write + Send + 'e>,
    /// Problems publishing (never fatal: the deployment result stands).
    pub warnings: Vec<String>,
}

impl<'e> Publisher<'e> {
    pub fn new(platform: Platform, env: &'e Env, out: Box<dyn Write + Send + 'e>) -> Self {
        Publisher {
            platform,
            env,
            out,
            warnings: Vec::new(),
        }
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    fn emit(&mut self, line: &str) {
        let _ = writeln!(self.out, "{line}");
    }

    /// Registers the values of secret variables with the runner before anything is printed.
    pub fn mask_secrets(&mut self) {
        for name in SECRET_VARIABLES {
            let Some(value) = self.env.non_empty(name).map(String::from) else {
                continue;
            };
            self.mask(&value);
        }
    }

    /// Masks one secret value (tokens aigw obtains, for instance).
    pub fn mask(&mut self, secret: &str) {
        let line = match self.platform {
            Platform::GitHub => github::commands::add_mask(secret),
            Platform::AzureDevOps => azure_devops::set_secret(secret),
            Platform::None => None,
        };
        if let Some(line) = line {
            self.emit(&line);
        }
    }

    /// One annotation per problem in the parameter and policy files, at its file, line and column.
    pub fn annotate(&mut self, files: &[&Diagnostics]) {
        if files.is_empty() {
            return;
        }
        for diagnostics in files {
            for d in diagnostics.located() {
                let title = format!("aigw: {}", d.code);
                let path = d
                    .path
                    .as_ref()
                    .map(|p| format!("{p}: "))
                    .unwrap_or_default();
                let message = match &d.help {
                    Some(help) => format!("{path}{}\nhelp: {help}", d.message),
                    None => format!("{path}{}", d.message),
                };
                let line = match self.platform {
                    Platform::GitHub => github::commands::annotation(
                        "error",
                        Some(&d.file),
                        d.line,
                        d.column,
                        Some(&title),
                        &message,
                    ),
                    Platform::AzureDevOps => azure_devops::log_issue(
                        "error",
                        Some(&d.file),
                        d.line,
                        d.column,
                        Some(d.code),
                        &message,
                    ),
                    Platform::None => continue,
                };
                self.emit(&line);
            }
        }
        if self.platform == Platform::AzureDevOps {
            let summary: Vec<String> = files
                .iter()
                .map(|d| format!("{} problem(s) in {}", d.len(), d.file.name()))
                .collect();
            self.emit(&azure_devops::complete("Failed", &summary.join(", ")));
        }
    }

    /// Step outputs, summary, failure annotation and the step result of a deploy or live plan.
    pub fn run_finished(&mut self, report: &RunReport) {
        let outputs = step_outputs(report);
        match self.platform {
            Platform::None => {}
            Platform::GitHub => {
                if let Some(path) = self.env.non_empty("GITHUB_OUTPUT").map(PathBuf::from) {
                    let pairs: Vec<(&str, &str)> = outputs
                        .iter()
                        .map(|o| (o.kebab.as_str(), o.value.as_str()))
                        .collect();
                    if let Err(e) = github::output_file::append(&path, &pairs) {
                        self.warnings
                            .push(format!("cannot write step outputs to $GITHUB_OUTPUT: {e}"));
                    }
                }
                if let Some(path) = self.env.non_empty("GITHUB_STEP_SUMMARY").map(PathBuf::from) {
                    let text = summary::render(report, summary::GITHUB_SUMMARY_LIMIT);
                    if let Err(e) = append(&path, &text) {
                        self.warnings.push(format!(
                            "cannot write the job summary to $GITHUB_STEP_SUMMARY: {e}"
                        ));
                    }
                }
                if let Some(failure) = &report.failure {
                    let title = format!(
                        "aigw: {} failed",
                        if report.mode == crate::report::Mode::Deploy {
                            "deploy"
                        } else {
                            "plan"
                        }
                    );
                    let message = match (&failure.resource, &failure.remedy) {
                        (Some(r), Some(fix)) => format!("{r}: {}\nfix: {fix}", failure.message),
                        (Some(r), None) => format!("{r}: {}", failure.message),
                        (None, Some(fix)) => format!("{}\nfix: {fix}", failure.message),
                        (None, None) => failure.message.clone(),
                    };
                    // Annotation data is escaped, so ARM's text cannot inject commands here.
                    let line = github::commands::annotation(
                        "error",
                        None,
                        None,
                        None,
                        Some(&title),
                        &message,
                    );
                    self.emit(&line);
                }
            }
            Platform::AzureDevOps => {
                for output in &outputs {
                    let line = azure_devops::set_output(&output.camel, &output.value);
                    self.emit(&line);
                }
                let dir = self
                    .env
                    .non_empty("AGENT_TEMPDIRECTORY")
                    .map(PathBuf::from)
                    .unwrap_or_else(std::env::temp_dir);
                let path = dir.join(format!("aigw-summary-{}.md", uuid::Uuid::new_v4().simple()));
                match std::fs::write(
                    &path,
                    summary::render(report, summary::GITHUB_SUMMARY_LIMIT),
                ) {
                    Ok(()) => {
                        let line = azure_devops::upload_summary(&path.display().to_string());
                        self.emit(&line);
                    }
                    Err(e) => self.warnings.push(format!(
                        "cannot write the summary file {}: {e}",
                        path.display()
                    )),
                }
                if let Some(failure) = &report.failure {
                    let line = azure_devops::log_issue(
                        "error",
                        None,
                        None,
                        None,
                        failure.code.as_deref(),
                        &failure.message,
                    );
                    self.emit(&line);
                }
                let status = if result(report) == "failed" {
                    "Failed"
                } else {
                    "Succeeded"
                };
                let line = azure_devops::complete(status, &format!("aigw {}", result(report)));
                self.emit(&line);
            }
        }
    }

    /// Prints untrusted text (ARM messages) so that it cannot act as a command.
    pub fn untrusted(&self, text: &str) -> String {
        match self.platform {
            Platform::GitHub => github::commands::untrusted(text),
            Platform::AzureDevOps => azure_devops::neutralize(text),
            Platform::None => text.to_string(),
        }
    }
}

fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}
