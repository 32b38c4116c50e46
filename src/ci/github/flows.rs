//! The GitHub side effects around a run: the sticky plan comment on a pull request and the
//! GitHub Deployment of a deploy. Every failure comes back as a warning string, and every call
//! is bounded ([`GitHubApi::bounded`]).

use octocrab::models::repos::DeploymentStatusState;

use super::api::{CommentAction, GitHubApi, RunContext};
use crate::env::Env;

/// The hidden marker that identifies aigw's comment for one parameter file.
pub fn comment_marker(params: &str) -> String {
    format!("<!-- aigw-plan: {} -->", params.replace("--", "-"))
}

/// Creates or updates the plan comment when this run is for a pull request.
pub async fn comment_plan(
    env: &Env,
    params: &str,
    markdown: &str,
) -> Result<Option<CommentAction>, String> {
    let Some(context) = RunContext::from_env(env) else {
        return Ok(None);
    };
    let Some(pull_request) = context.pull_request else {
        return Ok(None);
    };
    let api = GitHubApi::new(env, &context.repository)?;
    let body = format!(
        "{markdown}\n<sub>Parameter file `{params}`{}.</sub>\n",
        run_link(&context)
    );
    api.bounded(api.upsert_comment(pull_request, &comment_marker(params), &body))
        .await
        .map(Some)
        .map_err(|e| format!("could not comment the plan on pull request #{pull_request}: {e}"))
}

fn run_link(context: &RunContext) -> String {
    context
        .run_url
        .as_ref()
        .map(|u| format!(" · [workflow run]({u})"))
        .unwrap_or_default()
}

/// An open GitHub Deployment of this run.
pub struct Deployment {
    api: GitHubApi,
    id: u64,
    log_url: Option<String>,
}

/// Creates the deployment for `GITHUB_SHA` in `environment` and marks it in progress. A
/// deployment that was created but could not be marked comes back with the warning, so that it
/// still gets its final status.
pub async fn start_deployment(
    env: &Env,
    environment: &str,
    params: &str,
) -> Result<(Deployment, Option<String>), String> {
    let context = RunContext::from_env(env).ok_or("GITHUB_REPOSITORY is not set")?;
    let sha = context.sha.clone().ok_or("GITHUB_SHA is not set")?;
    let api = GitHubApi::new(env, &context.repository)?;
    let id = api
        .bounded(api.create_deployment(&sha, environment, &format!("aigw deploy of {params}")))
        .await
        .map_err(|e| format!("could not create the GitHub deployment: {e}"))?;
    let warning = api
        .bounded(api.deployment_status(
            id,
            DeploymentStatusState::InProgress,
            None,
            context.run_url.as_deref(),
            "aigw is deploying",
        ))
        .await
        .err()
        .map(|e| format!("could not mark the GitHub deployment in progress: {e}"));
    let deployment = Deployment {
        api,
        id,
        log_url: context.run_url,
    };
    Ok((deployment, warning))
}

impl Deployment {
    pub async fn finish(
        &self,
        succeeded: bool,
        environment_url: Option<&str>,
        description: &str,
    ) -> Result<(), String> {
        let state = if succeeded {
            DeploymentStatusState::Success
        } else {
            DeploymentStatusState::Failure
        };
        self.api
            .bounded(self.api.deployment_status(
                self.id,
                state,
                environment_url.filter(|_| succeeded),
                self.log_url.as_deref(),
                description,
            ))
            .await
            .map_err(|e| format!("could not update the GitHub deployment: {e}"))
    }
}
