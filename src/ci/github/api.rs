//! The GitHub REST calls aigw makes, through octocrab: the sticky plan comment on a pull request
//! and GitHub Deployments with their statuses. None of them may fail a deployment: callers turn
//! errors (a 403 from a token without `pull-requests: write`, say) into warnings.
//!
//! Every call is bounded: a connect and a read timeout on the connection, and an overall budget
//! per side effect ([`GitHubApi::bounded`]), so a GitHub API that accepts the connection and never
//! answers costs a warning, not a hung deployment.

use std::time::Duration;

use octocrab::Octocrab;
use octocrab::models::repos::DeploymentStatusState;
use serde_json::Value;

use crate::env::Env;

pub struct GitHubApi {
    client: Octocrab,
    owner: String,
    repo: String,
    timeouts: Timeouts,
}

/// How long GitHub gets. Its REST API answers in well under a second; these bound a server that
/// does not.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timeouts {
    pub connect: Duration,
    /// Between two reads on the connection.
    pub read: Duration,
    /// One side effect as a whole (the plan comment is up to four calls).
    pub overall: Duration,
}

impl Timeouts {
    pub const DEFAULT: Timeouts = Timeouts {
        connect: Duration::from_secs(10),
        read: Duration::from_secs(20),
        overall: Duration::from_secs(30),
    };

    /// The defaults; for a loopback API (a test fake) scaled by the `AIGW_TEST_TIME_SCALE` hook,
    /// which never applies to a real GitHub.
    pub fn for_api(env: &Env, api: &url::Url) -> Self {
        if !crate::endpoint::is_loopback(api) {
            return Timeouts::DEFAULT;
        }
        let clock = crate::arm::Clock::from_env(env);
        Timeouts {
            connect: clock.budget(Timeouts::DEFAULT.connect),
            read: clock.budget(Timeouts::DEFAULT.read),
            overall: clock.budget(Timeouts::DEFAULT.overall),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum CommentAction {
    Created,
    Updated,
}

/// Where this run happens in GitHub terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunContext {
    pub repository: String,
    pub sha: Option<String>,
    pub run_url: Option<String>,
    /// The pull request of a `pull_request` / `pull_request_target` event.
    pub pull_request: Option<u64>,
}

impl RunContext {
    pub fn from_env(env: &Env) -> Option<Self> {
        let repository = env.non_empty("GITHUB_REPOSITORY")?.to_string();
        let server = env
            .non_empty("GITHUB_SERVER_URL")
            .unwrap_or("https://github.com");
        let run_url = env.non_empty("GITHUB_RUN_ID").map(|id| {
            format!(
                "{}/{repository}/actions/runs/{id}",
                server.trim_end_matches('/')
            )
        });
        let pull_request = match env.get("GITHUB_EVENT_NAME") {
            Some("pull_request" | "pull_request_target") => env
                .non_empty("GITHUB_EVENT_PATH")
                .and_then(pull_request_number),
            _ => None,
        };
        Some(RunContext {
            repository,
            sha: env.non_empty("GITHUB_SHA").map(String::from),
            run_url,
            pull_request,
        })
    }
}

/// `pull_request.number` from the event payload file.
fn pull_request_number(path: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let event: Value = serde_json::from_str(&text).ok()?;
    event
        .pointer("/pull_request/number")
        .or_else(|| event.get("number"))
        .and_then(Value::as_u64)
}

impl GitHubApi {
    /// Uses `GITHUB_API_URL` (https, or http to loopback for tests) and `GITHUB_TOKEN`.
    pub fn new(env: &Env, repository: &str) -> Result<Self, String> {
        let token = env
            .non_empty("GITHUB_TOKEN")
            .ok_or("GITHUB_TOKEN is not set (the action passes its github-token input)")?;
        let api = env
            .non_empty("GITHUB_API_URL")
            .unwrap_or("https://api.github.com");
        let url =
            crate::endpoint::parse_endpoint(api).map_err(|e| format!("GITHUB_API_URL: {e}"))?;
        let (owner, repo) = repository
            .split_once('/')
            .ok_or_else(|| format!("GITHUB_REPOSITORY `{repository}` is not owner/repo"))?;
        let timeouts = Timeouts::for_api(env, &url);
        crate::tls::install_crypto_provider();
        let client = Octocrab::builder()
            // No retries inside octocrab: a POST retried after a read timeout could create a
            // second deployment or comment, and retries would multiply the budget.
            .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
            .set_connect_timeout(Some(timeouts.connect))
            .set_read_timeout(Some(timeouts.read))
            .set_write_timeout(Some(timeouts.read))
            .personal_token(token.to_string())
            .base_uri(api)
            .map_err(|e| format!("GITHUB_API_URL: {e}"))?
            .build()
            .map_err(|e| format!("cannot create the GitHub client: {e}"))?;
        Ok(GitHubApi {
            client,
            owner: owner.to_string(),
            repo: repo.to_string(),
            timeouts,
        })
    }

    /// `call`, or an error once the overall budget is spent.
    pub async fn bounded<T>(
        &self,
        call: impl std::future::Future<Output = Result<T, String>>,
    ) -> Result<T, String> {
        let budget = self.timeouts.overall;
        tokio::time::timeout(budget, call)
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "GitHub did not answer within {}",
                    crate::duration::human(budget)
                ))
            })
    }

    /// Creates the comment, or updates the one carrying `marker` (one sticky comment per marker).
    pub async fn upsert_comment(
        &self,
        pull_request: u64,
        marker: &str,
        body: &str,
    ) -> Result<CommentAction, String> {
        let issues = self.client.issues(&self.owner, &self.repo);
        let first = issues
            .list_comments(pull_request)
            .per_page(100)
            .send()
            .await
            .map_err(|e| self.describe(e))?;
        let comments = self
            .client
            .all_pages(first)
            .await
            .map_err(|e| self.describe(e))?;
        let text = format!("{marker}\n{body}");
        // Only a comment aigw's own token wrote is updated: anyone can post the marker. The
        // workflow GITHUB_TOKEN cannot read /user; its comments are by github-actions[bot].
        let author = match self.client.current().user().await {
            Ok(user) => user.login,
            Err(_) => "github-actions[bot]".to_string(),
        };
        match comments.iter().find(|c| {
            c.user.login == author && c.body.as_deref().is_some_and(|b| b.contains(marker))
        }) {
            Some(existing) => {
                // The documented verb is PATCH (octocrab's update_comment sends POST).
                let route = format!(
                    "/repos/{}/{}/issues/comments/{}",
                    self.owner, self.repo, existing.id
                );
                let _: octocrab::models::issues::Comment = self
                    .client
                    .patch(route, Some(&serde_json::json!({ "body": text })))
                    .await
                    .map_err(|e| self.describe(e))?;
                Ok(CommentAction::Updated)
            }
            None => {
                issues
                    .create_comment(pull_request, text)
                    .await
                    .map_err(|e| self.describe(e))?;
                Ok(CommentAction::Created)
            }
        }
    }

    /// A deployment of `sha` to `environment`; returns its id.
    pub async fn create_deployment(
        &self,
        sha: &str,
        environment: &str,
        description: &str,
    ) -> Result<u64, String> {
        let deployment = self
            .client
            .repos(&self.owner, &self.repo)
            .deployments()
            .create(sha)
            .environment(environment)
            .description(description)
            // Deploy exactly this commit (no merge of the default branch) whatever its checks say:
            // the workflow running aigw already decided to deploy.
            .auto_merge(false)
            .required_contexts(Vec::<String>::new())
            .transient_environment(false)
            .send()
            .await
            .map_err(|e| self.describe(e))?;
        Ok(deployment.id.into_inner())
    }

    pub async fn deployment_status(
        &self,
        deployment: u64,
        state: DeploymentStatusState,
        environment_url: Option<&str>,
        log_url: Option<&str>,
        description: &str,
    ) -> Result<(), String> {
        let repos = self.client.repos(&self.owner, &self.repo);
        let deployments = repos.deployments();
        let statuses = deployments.statuses(deployment);
        let mut request = statuses
            .create(state)
            .description(truncate(description, 140));
        if let Some(url) = environment_url {
            request = request.environment_url(url);
        }
        if let Some(url) = log_url {
            request = request.log_url(url);
        }
        request
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.describe(e))
    }
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

impl GitHubApi {
    /// GitHub's own answer, a timeout, or the innermost cause of a failed request (octocrab's
    /// outer message alone, "client error (SendRequest)", says nothing). Where GitHub's text
    /// enters aigw: scrubbed of credentials (an API or proxy may quote the request's token back),
    /// see [`crate::auth::secrets`].
    fn describe(&self, error: octocrab::Error) -> String {
        if let octocrab::Error::GitHub { source, .. } = &error {
            return crate::auth::secrets::global().scrub(&format!(
                "GitHub answered {}: {}",
                source.status_code, source.message
            ));
        }
        let mut cause: &(dyn std::error::Error + 'static) = &error;
        loop {
            if cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::TimedOut)
            {
                return format!(
                    "GitHub did not answer within {}",
                    crate::duration::human(self.timeouts.read)
                );
            }
            match cause.source() {
                Some(next) => cause = next,
                None => {
                    return crate::auth::secrets::global()
                        .scrub(&format!("GitHub request failed: {error}: {cause}"));
                }
            }
        }
    }
}
