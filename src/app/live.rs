//! `deploy` and the live `plan`: read and plan (files only), get a credential (or start the
//! rehearsal's emulator), only then open the GitHub Deployment when asked, walk the plan, and
//! report: step outputs and the result before the last, bounded, GitHub call.

use super::github::{comment_plan, finish_deployment};
use super::output::finish_write;
use super::progress::Progress;
use super::{DeployCommand, PlanCommand, PlanFormat, RunFormat, Session};
use crate::ci::Platform;
use crate::ci::github::flows;
use crate::ci::publish::Publisher;
use crate::commands::LiveRequest;
use crate::error::Error;
use crate::exit::Outcome;
use crate::render::summary::{self, Target};
use crate::report::RunReport;

pub(super) fn plan(
    session: &Session<'_>,
    publisher: &mut Publisher<'_>,
    command: &PlanCommand,
) -> Result<Outcome, Error> {
    let request = command.live_request(session.env)?;
    let (report, _) = walk(session, publisher, &request, None)?;
    publisher.run_finished(&report);
    let outcome = Outcome::ran(&report, command.detailed_exitcode);
    let output = &session.output;
    let written = match command.output {
        // The same Markdown as the PR comment and the job summary.
        PlanFormat::Markdown => output.text(publisher, &summary::render(&report, Target::Stdout)),
        PlanFormat::Json => output.json(publisher, &report),
        PlanFormat::Text => output.text(publisher, &crate::render::run_text::render(&report)),
    };
    if publisher.platform() == Platform::GitHub && command.pr_comment {
        let markdown = summary::render(&report, Target::PullRequestComment);
        let params = request.params.display().to_string();
        comment_plan(
            session.runtime()?,
            session.env,
            publisher,
            &params,
            &markdown,
        );
    }
    finish_write(written, outcome, Some(&report))
}

pub(super) fn deploy(
    session: &Session<'_>,
    publisher: &mut Publisher<'_>,
    command: &DeployCommand,
) -> Result<Outcome, Error> {
    let request = command.request(session.env)?;
    let environment = command.github_deployment.as_deref();
    if let Some(environment) = environment
        && publisher.platform() != Platform::GitHub
    {
        publisher.warnings.push(format!(
            "--github-deployment {environment}: GitHub Deployments are recorded only in GitHub Actions; none was recorded"
        ));
    }
    let environment = environment.filter(|_| publisher.platform() == Platform::GitHub);
    let (report, deployment) = walk(session, publisher, &request, environment)?;
    publisher.run_finished(&report);
    let outcome = Outcome::ran(&report, false);
    let written = match command.output {
        RunFormat::Json => session.output.json(publisher, &report),
        RunFormat::Text => session
            .output
            .text(publisher, &crate::render::run_text::render(&report)),
    };
    // Last, after the result and the step outputs are out: a bounded GitHub call.
    if let Some(deployment) = deployment {
        finish_deployment(session.runtime()?, publisher, &deployment, &report);
    }
    finish_write(written, outcome, Some(&report))
}

/// Plans, connects, opens the GitHub Deployment when asked, and walks the plan.
fn walk(
    session: &Session<'_>,
    publisher: &mut Publisher<'_>,
    request: &LiveRequest,
    github_environment: Option<&str>,
) -> Result<(RunReport, Option<flows::Deployment>), Error> {
    let plan = crate::commands::live_plan(request)?;
    let (env, console, platform) = (session.env, &session.console, publisher.platform());
    if platform == Platform::GitHub && env.is_true("ACT") {
        console.line("running under act: GitHub OIDC is not available here; aigw uses the other credentials (AZURE_ACCESS_TOKEN, client secret, Azure CLI)");
    }
    let interrupts = session.interrupts()?;
    let cancel = interrupts.cancel();
    session.runtime()?.block_on(async {
        let connection = {
            let _phase = interrupts.cooperate("stopping before anything is written to Azure");
            tokio::select! {
                connection = crate::commands::connect(request, env) => connection?,
                () = cancel.cancelled() => return Err(Error::Interrupted),
            }
        };
        // The parameters are valid, the plan is built and a credential works: only now may
        // anything outside aigw's own output change. (A bounded GitHub call; an interrupt
        // during it ends aigw at once.)
        let deployment = match github_environment {
            Some(environment) => {
                let params = request.params.display().to_string();
                match flows::start_deployment(env, environment, &params).await {
                    Ok((deployment, warning)) => {
                        publisher.warnings.extend(warning);
                        Some(deployment)
                    }
                    Err(warning) => {
                        publisher.warnings.push(warning);
                        None
                    }
                }
            }
            None => None,
        };
        let _phase = interrupts.cooperate("no new writes will start; reporting what was done");
        let ticker = console.start_ticker();
        let mut progress = Progress::new(console.clone(), request.mode, platform);
        let report =
            crate::commands::execute(request, &plan, connection, &mut progress, cancel).await;
        progress.finish();
        console.status(None);
        if let Some(ticker) = ticker {
            ticker.abort();
        }
        Ok((report, deployment))
    })
}
