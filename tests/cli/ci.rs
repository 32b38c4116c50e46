//! aigw as a CI step: GitHub Actions step outputs, job summary, workflow commands, the sticky PR
//! comment and GitHub Deployments; Azure DevOps logging commands.

use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use aigw::ci::github::output_file;

use crate::support::arm::TestContext;
use crate::support::fake_github::*;
use crate::support::*;

/// A GitHub Actions environment writing to files in `dir`.
fn github_env(cmd: &mut assert_cmd::Command, dir: &std::path::Path) {
    cmd.env("GITHUB_ACTIONS", "true")
        .env("CI", "true")
        .env("GITHUB_OUTPUT", dir.join("output"))
        .env("GITHUB_STEP_SUMMARY", dir.join("summary.md"))
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_RUN_ID", "99")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
}

fn rehearsal(cmd: &mut assert_cmd::Command) {
    cmd.args([
        "deploy",
        "--params",
        EXAMPLE,
        "--emulator",
        "--emulator-latency",
        "0",
    ])
    .env("AIGW_TEST_TIME_SCALE", "0");
}

#[test]
fn github_actions_gets_every_output_a_summary_groups_and_masks() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut cmd = aigw_cmd();
    rehearsal(&mut cmd);
    github_env(&mut cmd, dir.path());
    cmd.env("AZURE_CLIENT_SECRET", "super-secret-value");
    let assert = cmd.assert().code(0);

    let text = std::fs::read_to_string(dir.path().join("output")).unwrap_or_default();
    let outputs = output_file::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    let get = |name: &str| {
        outputs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in {outputs:?}"))
    };
    assert_eq!(
        get("gateway-url"),
        "https://apim-aigw-acc-x7k.azure-api.net"
    );
    assert_eq!(get("resource-group"), "rg-aigw-acc-x7k");
    assert_eq!(get("apim-name"), "apim-aigw-acc-x7k");
    assert_eq!(get("result"), "succeeded");
    assert_eq!(get("changes"), "66");
    assert_eq!(get("identity-client-id").len(), 36);
    let pools: Vec<String> = serde_json::from_str(&get("pool-names")).unwrap_or_default();
    assert_eq!(pools, ["pool-gpt-5-dot-1", "pool-gpt-5-dot-4-mini"]);
    let projects: serde_json::Value = serde_json::from_str(&get("project-ids")).unwrap_or_default();
    assert!(
        projects["francecentral"]
            .as_str()
            .is_some_and(|p| p.ends_with("/projects/proj-aifoundry-acc-x7k-frc"))
    );
    let counts: serde_json::Value =
        serde_json::from_str(&get("deployment-counts")).unwrap_or_default();
    assert_eq!(
        counts,
        json!({"westeurope": 2, "swedencentral": 2, "francecentral": 2})
    );
    assert!(
        get("dce-ingestion-endpoint").starts_with("https://")
            && get("dcr-immutable-id").starts_with("dcr-")
    );

    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap_or_default();
    assert!(
        summary.starts_with("## ✅ aigw deploy succeeded — 66 created"),
        "{summary}"
    );
    assert!(summary.contains("```mermaid\nflowchart LR"));
    assert!(summary.contains("| gatewayUrl | `https://apim-aigw-acc-x7k.azure-api.net` |"));

    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("::add-mask::super-secret-value"),
        "{stderr}"
    );
    assert!(
        stderr.contains("::group::[1/10 foundation]") && stderr.contains("::endgroup::"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("::group::").count(),
        stderr.matches("::endgroup::").count()
    );
    let stdout = stdout_of(&assert);
    let token = stdout
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("::stop-commands::"))
        .unwrap_or_else(|| panic!("report not fenced:\n{stdout}"));
    assert!(stdout.trim_end().ends_with(&format!("::{token}::")));
}

#[test]
fn parameter_problems_become_annotations_at_their_line() {
    let params = fixture("many-mistakes.bicepparam");
    let assert = aigw_cmd()
        .args(["validate", "--params", &params])
        .env("GITHUB_ACTIONS", "true")
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains(&format!("::error file={params},line=3,col=21,title=aigw%3A invalid-name-part::environment: `ACC` cannot be part of Azure resource names%0Ahelp: ")),
        "{stderr}"
    );
    // Eleven problems: `param extra = concat(...)` is both unsupported and an unknown parameter.
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("::error ")).count(),
        11
    );

    let assert = aigw_cmd()
        .args(["validate", "--params", &params])
        .env("TF_BUILD", "True")
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains(&format!("##vso[task.logissue type=error;sourcepath={params};linenumber=4;columnnumber=7;code=unknown-parameter]sufix: unknown parameter `sufix`%0Ahelp: did you mean `suffix`?")),
        "{stderr}"
    );
    assert!(
        stderr.contains("##vso[task.complete result=Failed]aigw validate failed"),
        "{stderr}"
    );
}

#[test]
fn azure_devops_gets_output_variables_a_summary_groups_and_the_result() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut cmd = aigw_cmd();
    rehearsal(&mut cmd);
    cmd.env("TF_BUILD", "True")
        .env("AGENT_TEMPDIRECTORY", dir.path())
        .env("SYSTEM_ACCESSTOKEN", "ado-system-token");
    let assert = cmd.assert().code(0);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("##vso[task.setsecret]ado-system-token"),
        "{stderr}"
    );
    assert!(stderr.contains("##vso[task.setvariable variable=gatewayUrl;isoutput=true;issecret=false]https://apim-aigw-acc-x7k.azure-api.net"), "{stderr}");
    assert!(
        stderr.contains(
            "##vso[task.setvariable variable=result;isoutput=true;issecret=false]succeeded"
        )
    );
    assert!(stderr.contains("##[group][1/10 foundation]") && stderr.contains("##[endgroup]"));
    let summary_line = stderr
        .lines()
        .find(|l| l.starts_with("##vso[task.uploadsummary]"))
        .unwrap_or_else(|| panic!("no summary: {stderr}"));
    let summary_path = summary_line.trim_start_matches("##vso[task.uploadsummary]");
    assert!(
        std::fs::read_to_string(summary_path)
            .unwrap_or_default()
            .contains("aigw deploy succeeded")
    );
    assert!(
        stderr.contains("##vso[task.complete result=Succeeded]aigw succeeded"),
        "{stderr}"
    );
}

/// A pull_request event for PR 7 and a fake GitHub with the given comments.
fn pull_request_setup(
    ctx: &TestContext,
    existing: Vec<serde_json::Value>,
) -> (MockServer, tempfile::TempDir) {
    let server = ctx.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/repos/acme/infra/issues/7/comments"))
            .respond_with(ResponseTemplate::new(200).set_body_json(existing))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/acme/infra/issues/7/comments"))
            .respond_with(ResponseTemplate::new(201).set_body_json(comment(555, "created")))
            .mount(&server)
            .await;
        Mock::given(method("PATCH"))
            .and(path("/repos/acme/infra/issues/comments/555"))
            .respond_with(ResponseTemplate::new(200).set_body_json(comment(555, "updated")))
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(
        dir.path().join("event.json"),
        json!({"number": 7, "pull_request": {"number": 7}}).to_string(),
    )
    .expect("test file written");
    (server, dir)
}

fn plan_on_pull_request(
    server: &MockServer,
    dir: &std::path::Path,
    extra: &[&str],
) -> assert_cmd::assert::Assert {
    let mut cmd = aigw_cmd();
    cmd.args(["plan", "--params", EXAMPLE, "--offline"])
        .args(extra);
    github_env(&mut cmd, dir);
    cmd.env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", dir.join("event.json"))
        .env("GITHUB_API_URL", server.uri())
        .env("GITHUB_TOKEN", "gh-token");
    cmd.assert()
}

#[test]
fn the_first_plan_creates_the_pr_comment_and_the_second_updates_it() {
    let ctx = TestContext::start();
    let (server, dir) = pull_request_setup(&ctx, vec![comment(100, "a human comment")]);
    let assert = plan_on_pull_request(&server, dir.path(), &[]).code(0);
    assert!(
        stderr_of(&assert).contains("aigw: plan comment created"),
        "{}",
        stderr_of(&assert)
    );
    let created = ctx.block_on(bodies(
        &server,
        "POST",
        "/repos/acme/infra/issues/7/comments",
    ));
    assert_eq!(created.len(), 1);
    let body = created[0]["body"].as_str().unwrap_or_default().to_string();
    assert!(body.starts_with("<!-- aigw-plan: examples/main.acc.parameters.bicepparam -->\n### aigw plan: 66 resources in 10 stages"), "{body}");
    assert!(body.contains("[workflow run](https://github.com/acme/infra/actions/runs/99)"));

    let (server, dir) = pull_request_setup(
        &ctx,
        vec![comment(100, "a human comment"), comment(555, &body)],
    );
    let assert = plan_on_pull_request(&server, dir.path(), &[]).code(0);
    assert!(
        stderr_of(&assert).contains("aigw: plan comment updated"),
        "{}",
        stderr_of(&assert)
    );
    assert!(
        ctx.block_on(bodies(
            &server,
            "POST",
            "/repos/acme/infra/issues/7/comments"
        ))
        .is_empty()
    );
    assert_eq!(
        ctx.block_on(bodies(
            &server,
            "PATCH",
            "/repos/acme/infra/issues/comments/555"
        ))
        .len(),
        1
    );

    let (server, dir) = pull_request_setup(&ctx, vec![]);
    plan_on_pull_request(&server, dir.path(), &["--no-pr-comment"]).code(0);
    assert!(
        ctx.block_on(server.received_requests())
            .unwrap_or_default()
            .is_empty(),
        "opt-out sends nothing"
    );
}

#[test]
fn a_403_from_github_is_a_warning_not_a_failure() {
    let ctx = TestContext::start();
    let server = ctx.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(403).set_body_json(json!({"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com"})))
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(
        dir.path().join("event.json"),
        json!({"pull_request": {"number": 7}}).to_string(),
    )
    .expect("test file written");
    let assert = plan_on_pull_request(&server, dir.path(), &[]).code(0);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains(
            "aigw: warning: could not comment the plan on pull request #7: GitHub answered 403"
        ),
        "{stderr}"
    );
}

#[test]
fn a_github_deployment_goes_in_progress_then_success_with_the_gateway_url() {
    let ctx = TestContext::start();
    let server = ctx.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/repos/acme/infra/deployments"))
            .respond_with(ResponseTemplate::new(201).set_body_json(deployment(42)))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/acme/infra/deployments/42/statuses"))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(deployment_status(1, "in_progress")),
            )
            .mount(&server)
            .await;
        server
    });
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut cmd = aigw_cmd();
    rehearsal(&mut cmd);
    github_env(&mut cmd, dir.path());
    cmd.args(["--github-deployment", "acc"])
        .env("GITHUB_API_URL", server.uri())
        .env("GITHUB_TOKEN", "gh-token");
    cmd.assert().code(0);

    let created = ctx.block_on(bodies(&server, "POST", "/repos/acme/infra/deployments"));
    assert_eq!(created.len(), 1);
    assert_eq!(
        created[0]["ref"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(created[0]["environment"], "acc");
    assert_eq!(created[0]["auto_merge"], false);
    assert_eq!(created[0]["required_contexts"], json!([]));
    let statuses = ctx.block_on(bodies(
        &server,
        "POST",
        "/repos/acme/infra/deployments/42/statuses",
    ));
    let states: Vec<&str> = statuses
        .iter()
        .filter_map(|s| s["state"].as_str())
        .collect();
    assert_eq!(states, ["in_progress", "success"]);
    assert_eq!(
        statuses[0]["log_url"],
        "https://github.com/acme/infra/actions/runs/99"
    );
    assert_eq!(
        statuses[1]["environment_url"],
        "https://apim-aigw-acc-x7k.azure-api.net"
    );
}

#[test]
fn a_failed_plan_replaces_the_plan_comment_and_a_foreign_marker_is_left_alone() {
    let ctx = TestContext::start();
    // Someone else posted a comment with aigw's marker: it is not aigw's to edit.
    let forged = comment_by(
        555,
        "<!-- aigw-plan: tests/fixtures/many-mistakes.bicepparam -->\nforged",
        user_named("mallory"),
    );
    let (server, dir) = pull_request_setup(&ctx, vec![forged]);
    let mut cmd = aigw_cmd();
    cmd.args([
        "plan",
        "--params",
        &fixture("many-mistakes.bicepparam"),
        "--offline",
    ]);
    github_env(&mut cmd, dir.path());
    cmd.env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", dir.path().join("event.json"))
        .env("GITHUB_API_URL", server.uri())
        .env("GITHUB_TOKEN", "gh-token");
    let assert = cmd.assert().code(2);
    assert!(
        stderr_of(&assert).contains("aigw: plan comment created"),
        "{}",
        stderr_of(&assert)
    );
    assert!(
        ctx.block_on(bodies(
            &server,
            "PATCH",
            "/repos/acme/infra/issues/comments/555"
        ))
        .is_empty()
    );
    let created = ctx.block_on(bodies(
        &server,
        "POST",
        "/repos/acme/infra/issues/7/comments",
    ));
    let body = created[0]["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("## ❌ aigw plan failed") && body.contains("unknown parameter `sufix`"),
        "{body}"
    );

    // The step still reports a result and a summary.
    let outputs =
        output_file::parse(&std::fs::read_to_string(dir.path().join("output")).unwrap_or_default())
            .unwrap_or_default();
    assert!(
        outputs.contains(&("result".to_string(), "failed".to_string())),
        "{outputs:?}"
    );
    let summary = std::fs::read_to_string(dir.path().join("summary.md")).unwrap_or_default();
    assert!(summary.starts_with("## ❌ aigw plan failed"), "{summary}");
}

#[test]
fn a_failure_before_any_report_still_sets_the_result_and_completes_the_task() {
    let params = fixture("many-mistakes.bicepparam");
    let assert = aigw_cmd()
        .args([
            "deploy",
            "--params",
            &params,
            "--subscription-id",
            "11111111-2222-3333-4444-555555555555",
        ])
        .env("TF_BUILD", "True")
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    assert!(
        stderr
            .contains("##vso[task.setvariable variable=result;isoutput=true;issecret=false]failed"),
        "{stderr}"
    );
    assert!(stderr.contains("##vso[task.uploadsummary]"), "{stderr}");
    assert!(
        stderr.contains("##vso[task.complete result=Failed]aigw deploy failed"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("##vso[task.complete").count(), 1);
}

/// A fake GitHub that accepts deployments and statuses.
fn deployments_fake(ctx: &TestContext) -> MockServer {
    ctx.block_on(async {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/repos/acme/infra/deployments"))
            .respond_with(ResponseTemplate::new(201).set_body_json(deployment(42)))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/repos/acme/infra/deployments/42/statuses"))
            .respond_with(
                ResponseTemplate::new(201).set_body_json(deployment_status(1, "in_progress")),
            )
            .mount(&server)
            .await;
        server
    })
}

#[test]
fn no_github_deployment_is_created_before_the_parameters_are_valid_and_a_credential_works() {
    let ctx = TestContext::start();
    let server = deployments_fake(&ctx);
    let dir = tempfile::tempdir().expect("temporary directory");
    let github = |cmd: &mut assert_cmd::Command| {
        github_env(cmd, dir.path());
        cmd.args(["--github-deployment", "acc"])
            .env("GITHUB_API_URL", server.uri())
            .env("GITHUB_TOKEN", "gh-token");
    };

    // An invalid parameter file.
    let mut cmd = ctx.aigw("deploy", &fixture("many-mistakes.bicepparam"));
    github(&mut cmd);
    cmd.assert().code(2);
    // A valid file, but no credential.
    let mut cmd = ctx.aigw("deploy", EXAMPLE);
    github(&mut cmd);
    cmd.env_remove("AZURE_ACCESS_TOKEN")
        .args(["--auth", "token"]);
    cmd.assert().code(3);
    assert!(
        ctx.block_on(server.received_requests())
            .unwrap_or_default()
            .is_empty(),
        "GitHub was called"
    );
    assert!(ctx.writes_since(0).is_empty());

    // Valid file and a working credential: the deployment is recorded.
    let mut cmd = ctx.aigw("deploy", EXAMPLE);
    github(&mut cmd);
    cmd.assert().code(0);
    assert_eq!(
        ctx.block_on(bodies(&server, "POST", "/repos/acme/infra/deployments"))
            .len(),
        1
    );
}

#[test]
fn a_github_api_that_never_answers_costs_a_warning_not_the_run() {
    let hanging = crate::support::hanging::HangingServer::start();
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(
        dir.path().join("event.json"),
        json!({"pull_request": {"number": 7}}).to_string(),
    )
    .expect("test file written");

    // The PR comment of a plan. The test hook scales GitHub's timeouts for a loopback fake.
    let mut cmd = aigw_cmd();
    cmd.args(["plan", "--params", EXAMPLE, "--offline"]);
    github_env(&mut cmd, dir.path());
    cmd.env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", dir.path().join("event.json"))
        .env("GITHUB_API_URL", &hanging.url)
        .env("GITHUB_TOKEN", "gh-token")
        .env("AIGW_TEST_TIME_SCALE", "0.01")
        .timeout(std::time::Duration::from_secs(60));
    let assert = cmd.assert().code(0);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains(
            "aigw: warning: could not comment the plan on pull request #7: GitHub did not answer within "
        ),
        "{stderr}"
    );

    // A deploy with a GitHub Deployment.
    let mut cmd = aigw_cmd();
    rehearsal(&mut cmd);
    github_env(&mut cmd, dir.path());
    cmd.args(["--github-deployment", "acc"])
        .env("GITHUB_API_URL", &hanging.url)
        .env("GITHUB_TOKEN", "gh-token")
        .env("AIGW_TEST_TIME_SCALE", "0.01")
        .timeout(std::time::Duration::from_secs(60));
    let assert = cmd.assert().code(0);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains(
            "aigw: warning: could not create the GitHub deployment: GitHub did not answer within "
        ),
        "{stderr}"
    );
    assert!(
        stdout_of(&assert).contains("Deploy succeeded: 66 created"),
        "{}",
        stdout_of(&assert)
    );
    assert!(hanging.accepted() >= 2);
}

/// The workflow commands the GitHub runner would execute in `log`: lines (the runner splits on
/// `\n` and `\r`, and trims leading spaces) starting with `::`, outside `::stop-commands::T`
/// … `::T::` fences.
fn github_commands(log: &str) -> Vec<String> {
    let mut fence: Option<String> = None;
    let mut commands = Vec::new();
    for line in log.split(['\n', '\r']).map(str::trim_start) {
        match &fence {
            Some(token) if line == format!("::{token}::") => fence = None,
            Some(_) => {}
            None => {
                if let Some(token) = line.strip_prefix("::stop-commands::") {
                    fence = Some(token.to_string());
                } else if line.starts_with("::") {
                    commands.push(line.to_string());
                }
            }
        }
    }
    commands
}

/// The logging commands the Azure DevOps agent would execute: the first `##vso[` of each line.
fn azure_devops_commands(log: &str) -> Vec<String> {
    log.split(['\n', '\r'])
        .filter_map(|line| line.find("##vso[").map(|i| line[i..].to_string()))
        .collect()
}

#[test]
fn untrusted_text_in_diagnostics_cannot_act_as_a_workflow_command() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let text = std::fs::read_to_string(repo_root().join(EXAMPLE)).unwrap_or_default();
    // A value that starts a new line (for the runner, `\r` does) with a workflow command, and
    // carries an Azure DevOps logging command.
    let hostile = text.replace(
        "param environment = 'acc'",
        r"param environment = 'ACC\r::warning title=x::injected ##vso[task.setvariable variable=pwned]1'",
    );
    assert_ne!(hostile, text);
    let params = dir.path().join("hostile.bicepparam");
    std::fs::write(&params, hostile).expect("test file written");
    let params = params.display().to_string();

    for command in ["validate", "plan"] {
        let mut args = vec![command, "--params", params.as_str()];
        if command == "plan" {
            args.push("--offline");
        }
        let assert = aigw_cmd()
            .args(&args)
            .env("GITHUB_ACTIONS", "true")
            .assert()
            .code(2);
        let stderr = stderr_of(&assert);
        assert!(stderr.contains("injected"), "the value is shown: {stderr}");
        let commands = github_commands(&stderr);
        assert!(
            commands.iter().all(|c| !c.starts_with("::warning")),
            "{commands:#?}"
        );
        assert!(commands.iter().any(|c| c.starts_with("::error file=")));

        let assert = aigw_cmd()
            .args(&args)
            .env("TF_BUILD", "True")
            .assert()
            .code(2);
        let stderr = stderr_of(&assert);
        assert!(stderr.contains("injected"), "the value is shown: {stderr}");
        let commands = azure_devops_commands(&stderr);
        assert!(
            commands
                .iter()
                .all(|c| !c.starts_with("##vso[task.setvariable variable=pwned")),
            "{commands:#?}"
        );
        assert!(
            commands
                .iter()
                .any(|c| c.starts_with("##vso[task.logissue"))
        );
    }
}
