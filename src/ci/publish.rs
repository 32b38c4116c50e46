//! What a run leaves behind in CI: masks for secrets, annotations for parameter and policy
//! problems, step outputs, the summary and the step result, each in the platform's own protocol.
//! Commands go to stderr (both runners read workflow/logging commands from stdout and stderr), so
//! stdout holds only the command's result (e.g. one JSON document with `--output json`).

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use super::outputs::{StepOutput, result, step_outputs};
use super::{Platform, azure_devops, github};
use crate::diagnostic::Diagnostics;
use crate::env::Env;
use crate::render::summary::{self, Target};
use crate::report::{Mode, RunReport};

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

    /// Makes the runner mask every credential aigw registers from now on
    /// ([`crate::auth::secrets`]), in each encoding, and registers the secret variables' values
    /// at once, before anything is printed. The commands go to stderr, like every other command.
    pub fn mask_secrets(&mut self) {
        let secrets = crate::auth::secrets::global();
        let platform = self.platform;
        if platform != Platform::None {
            secrets.set_masker(Arc::new(move |secret: &str| {
                let commands = mask_commands(platform, secret);
                if commands.is_empty() {
                    return;
                }
                // One write per value, so no other line lands between its commands.
                let text: String = commands.iter().map(|c| format!("{c}\n")).collect();
                let _ = std::io::stderr().lock().write_all(text.as_bytes());
            }));
        }
        secrets.register_env(self.env);
    }

    /// One annotation per problem in the parameter and policy files, at its file, line and column.
    pub fn annotate(&mut self, files: &[&Diagnostics]) {
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
    }

    /// A run that stopped before it produced a report (invalid input, no credential, ...): the
    /// step still reports `result=failed`, a summary with the error, and a failed step result.
    pub fn run_failed(&mut self, command: &str, message: &str, annotated: bool) {
        let outputs = [
            StepOutput {
                camel: "changes".into(),
                kebab: "changes".into(),
                value: "0".into(),
            },
            StepOutput {
                camel: "result".into(),
                kebab: "result".into(),
                value: "failed".into(),
            },
        ];
        match self.platform {
            Platform::None => {}
            Platform::GitHub => {
                self.github_outputs(&outputs);
                self.github_summary(&summary::render_error(
                    command,
                    message,
                    Target::GitHubSummary,
                ));
                if !annotated {
                    let line = github::commands::annotation(
                        "error",
                        None,
                        None,
                        None,
                        Some(&format!("aigw {command} failed")),
                        message,
                    );
                    self.emit(&line);
                }
            }
            Platform::AzureDevOps => {
                self.azure_devops_outputs(&outputs);
                self.azure_devops_summary(&summary::render_error(
                    command,
                    message,
                    Target::AzureDevOpsSummary,
                ));
                if !annotated {
                    let line = azure_devops::log_issue("error", None, None, None, None, message);
                    self.emit(&line);
                }
                let line = azure_devops::complete("Failed", &format!("aigw {command} failed"));
                self.emit(&line);
            }
        }
    }

    /// Step outputs, summary, failure annotation and the step result of a deploy or live plan.
    pub fn run_finished(&mut self, report: &RunReport) {
        let outputs = step_outputs(report);
        match self.platform {
            Platform::None => {}
            Platform::GitHub => {
                self.github_outputs(&outputs);
                self.github_summary(&summary::render(report, Target::GitHubSummary));
                if let Some(failure) = &report.failure {
                    let title = format!(
                        "aigw: {} failed",
                        if report.mode == Mode::Deploy {
                            "deploy"
                        } else {
                            "plan"
                        }
                    );
                    let message = match (&failure.subject(), &failure.remedy) {
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
                self.azure_devops_outputs(&outputs);
                self.azure_devops_summary(&summary::render(report, Target::AzureDevOpsSummary));
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

    fn github_outputs(&mut self, outputs: &[StepOutput]) {
        let Some(path) = self.env.non_empty("GITHUB_OUTPUT").map(PathBuf::from) else {
            return;
        };
        let pairs: Vec<(&str, &str)> = outputs
            .iter()
            .map(|o| (o.kebab.as_str(), o.value.as_str()))
            .collect();
        if let Err(e) = github::output_file::append(&path, &pairs) {
            self.warnings
                .push(format!("cannot write step outputs to $GITHUB_OUTPUT: {e}"));
        }
    }

    fn github_summary(&mut self, markdown: &str) {
        let Some(path) = self.env.non_empty("GITHUB_STEP_SUMMARY").map(PathBuf::from) else {
            return;
        };
        if let Err(e) = append(&path, markdown) {
            self.warnings.push(format!(
                "cannot write the job summary to $GITHUB_STEP_SUMMARY: {e}"
            ));
        }
    }

    fn azure_devops_outputs(&mut self, outputs: &[StepOutput]) {
        for output in outputs {
            let line = azure_devops::set_output(&output.camel, &output.value);
            self.emit(&line);
        }
    }

    fn azure_devops_summary(&mut self, markdown: &str) {
        let dir = self
            .env
            .non_empty("AGENT_TEMPDIRECTORY")
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        let path = dir.join(format!("aigw-summary-{}.md", uuid::Uuid::new_v4().simple()));
        match std::fs::write(&path, markdown) {
            Ok(()) => {
                let line = azure_devops::upload_summary(&path.display().to_string());
                self.emit(&line);
            }
            Err(e) => self.warnings.push(format!(
                "cannot write the summary file {}: {e}",
                path.display()
            )),
        }
    }

    /// Prints untrusted text (ARM messages, echoed parameter values) so that it cannot act as a
    /// command: between `::stop-commands::` markers on GitHub, with `##vso[` / `##[` defused on
    /// Azure DevOps.
    pub fn untrusted(&self, text: &str) -> String {
        match self.platform {
            Platform::GitHub => github::commands::untrusted(text),
            Platform::AzureDevOps => azure_devops::neutralize(text),
            Platform::None => text.to_string(),
        }
    }

    /// A JSON document for stdout. GitHub needs nothing: pretty-printed JSON never starts a line
    /// with `::`. The Azure DevOps agent finds `##vso[` anywhere in a line, so there every `#`
    /// of such a marker is written as the JSON escape `\u0023`: the same value for any JSON
    /// reader, inert for the agent.
    pub fn untrusted_json(&self, json: &str) -> String {
        match self.platform {
            Platform::AzureDevOps => escape_markers_in_json(json),
            Platform::GitHub | Platform::None => json.to_string(),
        }
    }
}

/// `##vso[` and `##[` in serialised JSON with their `#`s escaped. `#` only occurs inside JSON
/// strings, where `\u0023` means the same character.
fn escape_markers_in_json(json: &str) -> String {
    let defused = azure_devops::neutralize(json);
    if defused == json {
        return defused;
    }
    // `neutralize` turned each marker's `##` into `**`; put the escapes where it did.
    let mut out = String::with_capacity(json.len() + 16);
    let (mut original, mut changed) = (json.char_indices(), defused.chars());
    while let (Some((_, a)), Some(b)) = (original.next(), changed.next()) {
        if a == '#' && b == '*' {
            out.push_str("\\u0023");
        } else {
            out.push(a);
        }
    }
    out
}

/// The commands that mask `secret` (each non-empty line on its own).
pub fn mask_commands(platform: Platform, secret: &str) -> Vec<String> {
    match platform {
        Platform::GitHub => github::commands::add_mask(secret).into_iter().collect(),
        Platform::AzureDevOps => secret
            .lines()
            .filter_map(azure_devops::set_secret)
            .collect(),
        Platform::None => Vec::new(),
    }
}

fn append(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_for_azure_devops_escapes_markers_and_keeps_every_value() {
        let value = serde_json::json!({
            "message": "x ##vso[task.setvariable variable=result]succeeded ##[group]g # ## #",
            "list": ["##VSO[task.complete]", "a#b"]
        });
        let json = serde_json::to_string_pretty(&value).unwrap_or_default();
        let env = Env::default();
        let publisher = Publisher::new(Platform::AzureDevOps, &env, Box::new(std::io::sink()));
        let escaped = publisher.untrusted_json(&json);
        assert!(
            !escaped.to_ascii_lowercase().contains("##vso["),
            "{escaped}"
        );
        assert!(!escaped.contains("##["), "{escaped}");
        let parsed: serde_json::Value = serde_json::from_str(&escaped).unwrap_or_default();
        assert_eq!(parsed, value);
        let github = Publisher::new(Platform::GitHub, &env, Box::new(std::io::sink()));
        assert_eq!(github.untrusted_json(&json), json);
    }
}
