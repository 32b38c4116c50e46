//! The GitHub side effects of a run, on aigw's runtime: the sticky plan comment and the final
//! status of a GitHub Deployment. Each is bounded and none can fail the run: a problem becomes a
//! warning.

use tokio::runtime::Runtime;

use crate::ci::github::api::CommentAction;
use crate::ci::github::flows;
use crate::ci::publish::Publisher;
use crate::env::Env;
use crate::report::{Outcome, RunReport};

/// Posts the plan as the pull request's sticky comment (on a pull_request event only).
pub(super) fn comment_plan(
    runtime: &Runtime,
    env: &Env,
    publisher: &mut Publisher<'_>,
    params: &str,
    markdown: &str,
) {
    match runtime.block_on(flows::comment_plan(env, params, markdown)) {
        Ok(Some(action)) => eprintln!(
            "aigw: plan comment {}",
            match action {
                CommentAction::Created => "created",
                CommentAction::Updated => "updated",
            }
        ),
        Ok(None) => {}
        Err(warning) => publisher.warnings.push(warning),
    }
}

/// Marks the deployment a success with the gateway URL, or a failure with the first line of the
/// error.
pub(super) fn finish_deployment(
    runtime: &Runtime,
    publisher: &mut Publisher<'_>,
    deployment: &flows::Deployment,
    report: &RunReport,
) {
    let succeeded = report.failure.is_none() && report.outcome != Outcome::Interrupted;
    let url = report
        .outputs
        .get("gatewayUrl")
        .and_then(|v| v.as_str())
        .filter(|_| succeeded);
    let description = match &report.failure {
        Some(failure) => failure.message.lines().next().unwrap_or("").to_string(),
        None => format!("aigw deploy {}", crate::ci::outputs::result(report)),
    };
    if let Err(warning) = runtime.block_on(deployment.finish(succeeded, url, &description)) {
        publisher.warnings.push(warning);
    }
}
