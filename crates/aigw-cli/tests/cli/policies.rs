//! The gateway policies end to end: attached after their fragments and named values, unchanged on
//! a rerun, updated alone when edited, checked by validate, and APIM's rejections pointed at.

use std::path::{Path, PathBuf};

use aigw::naming::NamedValue;
use aigw_emulator::{Fault, Matcher, RequestKind};
use serde_json::json;

use crate::support::arm::*;
use crate::support::*;

const APIM: &str = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-aigw-acc-x7k/providers/Microsoft.ApiManagement/service/apim-aigw-acc-x7k";

/// A copy of the shipped policies to edit, in `root/policies`.
fn policies_copy(root: &Path) -> PathBuf {
    let dir = root.join("policies");
    std::fs::create_dir_all(dir.join("fragments")).expect("directory created");
    for file in aigw::policy::embedded() {
        std::fs::write(root.join(&file.path), &file.text).expect("test file written");
    }
    dir
}

#[test]
fn both_policies_and_every_named_value_are_attached_as_written() {
    let ctx = TestContext::start();
    let (report, code) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(code, 0, "{report:#}");
    // Each with the value the policies need: read from Azure's answers, or from the parameters.
    let outputs = &report["outputs"];
    for named_value in NamedValue::ALL {
        let expected = match named_value {
            NamedValue::DceEndpoint => outputs["dceIngestionEndpoint"].clone(),
            NamedValue::DcrImmutableId => outputs["dcrImmutableId"].clone(),
            NamedValue::StreamName => json!("Custom-AIUsageLog_CL"),
            NamedValue::IdentityClientId => outputs["identityClientId"].clone(),
            NamedValue::TripOnServerErrors => json!("true"),
        };
        assert!(
            expected.as_str().is_some_and(|v| !v.is_empty()),
            "{named_value}: {outputs:#}"
        );
        let resource = ctx
            .resource(&format!("{APIM}/namedValues/{named_value}"))
            .unwrap_or_else(|| panic!("{named_value} missing"));
        assert_eq!(
            resource["properties"]["value"], expected,
            "{named_value}: {resource}"
        );
        assert_eq!(resource["properties"]["secret"], false, "{named_value}");
    }

    // The bodies sent to ARM are the policy files, verbatim, in rawxml.
    let files = aigw::policy::embedded();
    for (api, path) in [
        ("openai", "policies/aoai-policy.xml"),
        ("v1", "policies/oaiv1-policy.xml"),
    ] {
        let put = ctx
            .requests()
            .into_iter()
            .find(|r| {
                r.method == "PUT"
                    && r.path
                        .eq_ignore_ascii_case(&format!("{APIM}/apis/{api}/policies/policy"))
            })
            .unwrap_or_else(|| panic!("{api} policy was not written"));
        let body = put.body.unwrap_or_default();
        let file = files
            .iter()
            .find(|f| f.path == path)
            .unwrap_or_else(|| panic!("{path}"));
        assert_eq!(body["properties"]["format"], "rawxml");
        assert_eq!(
            body["properties"]["value"].as_str(),
            Some(file.text.as_str()),
            "{api}"
        );
        assert_eq!(
            report["outputs"]["policiesAttached"][api]
                .as_str()
                .map(str::to_ascii_lowercase),
            Some(format!("{APIM}/apis/{api}/policies/policy").to_ascii_lowercase())
        );
    }
    let fragments = ctx
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT" && r.path.contains("/policyFragments/"))
        .count();
    assert_eq!(fragments, 7);
}

#[test]
fn a_rerun_leaves_the_policies_alone_and_an_edited_file_updates_exactly_that_policy() {
    let ctx = TestContext::start();
    assert_eq!(ctx.deploy_json(EXAMPLE, &[]).1, 0);
    let before = ctx.requests().len();
    let (again, _) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(
        again["outcome"], "no-changes",
        "policies read back in APIM's layout still compare equal"
    );
    assert!(ctx.writes_since(before).is_empty());

    let dir = policies_copy(ctx.dir.path());
    let v1 = dir.join("oaiv1-policy.xml");
    let text = std::fs::read_to_string(&v1).unwrap_or_default();
    assert!(text.contains("timeout=\"240\""));
    std::fs::write(&v1, text.replacen("timeout=\"240\"", "timeout=\"200\"", 1))
        .expect("test file written");
    let before = ctx.requests().len();
    let (report, code) = ctx.deploy_json(EXAMPLE, &["--policies", &dir.display().to_string()]);
    assert_eq!(code, 0, "{report:#}");
    let changed: Vec<String> = actions(&report)
        .into_iter()
        .filter(|a| !a.ends_with(":unchanged"))
        .collect();
    assert_eq!(changed, ["v1/policy:update"]);
    let writes: Vec<String> = ctx
        .writes_since(before)
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(writes.len(), 1);
    assert!(
        writes[0].ends_with("/apis/v1/policies/policy"),
        "{writes:?}"
    );

    // A comment-only edit is not a change (APIM does not keep comments).
    std::fs::write(
        &v1,
        std::fs::read_to_string(&v1).unwrap_or_default().replacen(
            "<policies>",
            "<policies>\n    <!-- reviewed -->",
            1,
        ),
    )
    .expect("test file written");
    let (report, _) = ctx.deploy_json(EXAMPLE, &["--policies", &dir.display().to_string()]);
    assert_eq!(report["outcome"], "no-changes");

    // Reindenting the file is not a change either; a whitespace-only edit inside a string
    // literal of an expression is (it changes the message callers get), and is deployed.
    let text = std::fs::read_to_string(&v1).unwrap_or_default();
    std::fs::write(&v1, text.replace("\n        <", "\n  <")).expect("test file written");
    let (report, _) = ctx.deploy_json(EXAMPLE, &["--policies", &dir.display().to_string()]);
    assert_eq!(report["outcome"], "no-changes", "{report:#}");
    let text = std::fs::read_to_string(&v1).unwrap_or_default();
    let spaced = text.replacen("\"Requests to /v1", "\"Requests  to /v1", 1);
    assert_ne!(spaced, text, "the edit applies");
    std::fs::write(&v1, spaced).expect("test file written");
    let before = ctx.requests().len();
    let (report, code) = ctx.deploy_json(EXAMPLE, &["--policies", &dir.display().to_string()]);
    assert_eq!(code, 0, "{report:#}");
    let changed: Vec<String> = actions(&report)
        .into_iter()
        .filter(|a| !a.ends_with(":unchanged"))
        .collect();
    assert_eq!(changed, ["v1/policy:update"]);
    assert_eq!(ctx.writes_since(before).len(), 1);
}

/// `line:column` (1-based, columns in characters) of the first `needle` in `text`.
fn position(text: &str, needle: &str) -> Option<String> {
    text.lines().enumerate().find_map(|(i, line)| {
        let at = line.find(needle)?;
        Some(format!("{}:{}", i + 1, line[..at].chars().count() + 1))
    })
}

#[test]
fn validate_points_at_each_problem_of_a_broken_policy_file() {
    let root = tempfile::tempdir().expect("temporary directory");
    let dir = policies_copy(root.path());
    let aoai = dir.join("aoai-policy.xml");
    let text = std::fs::read_to_string(&aoai).expect("read the policy");
    let broken = text.replacen("<set-variable name=\"aigw-api-shape\" value=\"openai\" />", "<set-variable name=\"aigw-api-shape\" value=\"@(context.Variables[&quot;x&quot;\" />\n        <forward-request />", 1);
    assert_ne!(broken, text, "the edit applies");
    std::fs::write(&aoai, &broken).expect("test file written");
    let assert = aigw_cmd()
        .args(["validate", "--params", EXAMPLE, "--policies"])
        .arg(&dir)
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    let shown = aoai.display().to_string();
    assert_eq!(
        crate::validate::rendered_problems(&stderr, &shown),
        [
            (
                position(&broken, "[&quot;x"),
                "`[` is never closed in this policy expression".to_string()
            ),
            (
                position(&broken, "forward-request />"),
                "policies/inbound/forward-request: `forward-request` is not allowed in the inbound section".to_string()
            ),
            (
                position(&broken, "forward-request id=\"aigw-forward\""),
                "`forward-request` appears more than once in this policy".to_string()
            ),
        ]
    );
    assert!(
        stderr.ends_with(&format!("aigw: error: 3 problems in {shown}\n")),
        "{stderr}"
    );
    // The shipped policies pass.
    aigw_cmd()
        .args(["validate", "--params", EXAMPLE])
        .assert()
        .code(0);
}

/// A copy that would route calls to pools the stack does not create (a 404 for every caller) or
/// post usage columns the table lacks is refused offline, at the file and line of each, with the
/// same exit code as any invalid input. Before, only tests ran these readers, on shipped files.
#[test]
fn validate_refuses_a_copy_that_routes_to_missing_pools_or_posts_unknown_columns() {
    let root = tempfile::tempdir().expect("temporary directory");
    let dir = policies_copy(root.path());
    let route = dir.join("fragments").join("aigw-route.xml");
    let text = std::fs::read_to_string(&route).expect("read the route fragment");
    let edited = text.replacen(r#".Replace(".", "-dot-")"#, r#".Replace(".", "-")"#, 1);
    assert_ne!(edited, text, "the edit applies");
    std::fs::write(&route, edited).expect("write");
    let line = |path: &Path, needle: &str| {
        std::fs::read_to_string(path)
            .expect("read")
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
    };

    let problems = |dir: &Path| {
        let output = aigw_cmd()
            .args([
                "validate",
                "--params",
                EXAMPLE,
                "--output",
                "json",
                "--policies",
            ])
            .arg(dir)
            .output()
            .expect("aigw runs");
        assert_eq!(output.status.code(), Some(2));
        let document: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("one JSON document");
        document["error"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|d| {
                (
                    d["file"].as_str().unwrap_or_default().to_string(),
                    d["code"].as_str().unwrap_or_default().to_string(),
                    d["line"].as_u64().and_then(|l| usize::try_from(l).ok()),
                )
            })
            .collect::<Vec<_>>()
    };
    let route_line = line(&route, "<set-variable name=\"aigw-pool-id\"");
    let shown = route.display().to_string();
    assert_eq!(
        problems(&dir),
        [
            (
                shown.clone(),
                "policy-route-unknown-pool".to_string(),
                route_line
            ),
            (shown, "policy-route-unknown-pool".to_string(), route_line),
        ]
    );

    std::fs::write(&route, text).expect("restore the route");
    let row = dir.join("fragments").join("aigw-usage-row.xml");
    let text = std::fs::read_to_string(&row).expect("read the usage row");
    let edited = text
        .replacen(r#""ResponseId""#, r#""ResponseId", "Region""#, 1)
        .replacen(
            "row[\"GatewayRegion\"] = context.Deployment.Region;",
            "row[\"GatewayRegion\"] = context.Deployment.Region; row[\"Region\"] = \"x\";",
            1,
        );
    std::fs::write(&row, edited).expect("write");
    assert_eq!(
        problems(&dir),
        [(
            row.display().to_string(),
            "policy-usage-column-unknown".to_string(),
            line(&row, r#""ResponseId", "Region""#)
        )]
    );
}

#[test]
fn apim_rejecting_a_policy_is_shown_with_the_file_the_line_and_apims_message() {
    let ctx = TestContext::with(|b| {
        b.fault(Fault::Reject {
            matcher: Matcher::method("PUT").path_contains("/apis/v1/policies/policy"),
            status: 400,
            code: "ValidationError".into(),
            message: "Error in element 'forward-request' on line 3, column 5: The policy is not allowed in this scope".into(),
            times: None,
        })
    });
    let assert = ctx.aigw("deploy", EXAMPLE).assert().code(1);
    let stdout = stdout_of(&assert);
    assert!(
        stdout.contains("policy file policies/oaiv1-policy.xml was rejected"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Error in element 'forward-request' on line 3, column 5"),
        "{stdout}"
    );
    let third_line = aigw::policy::embedded()
        .into_iter()
        .find(|f| f.path == "policies/oaiv1-policy.xml")
        .map(|f| {
            f.text
                .lines()
                .nth(2)
                .unwrap_or_default()
                .trim_end()
                .to_string()
        })
        .unwrap_or_default();
    assert!(
        stdout.contains(&format!(
            "--> policies/oaiv1-policy.xml:3:5\n     | {third_line}"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("fix: fix policies/oaiv1-policy.xml (aigw validate checks it offline)"),
        "{stdout}"
    );
    assert!(ctx.requests().iter().all(|r| r.kind != RequestKind::Write
        || !r.path.ends_with("/apis/v1/policies/policy")
        || r.status == 400));
}

/// A guard against hangs only (the assertions are about the answer, not about time).
const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

/// `validate --policies DIR` with the example parameters: the exit code and stderr.
fn validate_policies(dir: &Path, env: &[(&str, &str)]) -> (i32, String) {
    let mut command = aigw_cmd();
    command
        .args(["validate", "--params", EXAMPLE, "--policies"])
        .arg(dir)
        .timeout(HANG_GUARD);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("aigw runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Policy files are read like the parameter file: only regular files, by name otherwise. A
/// named pipe used to be left out of the fragments without a word (or to block validate, if
/// swapped in after the check), and to be reported as a missing API policy.
#[cfg(unix)]
#[test]
fn a_named_pipe_among_the_policy_files_is_refused_by_name() {
    let root = tempfile::tempdir().expect("temporary directory");
    let dir = policies_copy(root.path());
    let fragment = dir.join("fragments").join("aigw-extra.xml");
    mkfifo(&fragment);
    let (code, stderr) = validate_policies(&dir, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "policy file {} is a named pipe (FIFO), not a regular file",
            fragment.display()
        )),
        "{stderr}"
    );

    std::fs::remove_file(&fragment).expect("remove the pipe");
    let api_policy = dir.join("aoai-policy.xml");
    std::fs::remove_file(&api_policy).expect("remove the policy");
    mkfifo(&api_policy);
    let (code, stderr) = validate_policies(&dir, &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "policy file {} is a named pipe (FIFO), not a regular file",
            api_policy.display()
        )),
        "{stderr}"
    );
}

/// A fragment committed as a symlink to /proc/self/environ used to be read, and the job's
/// environment (secrets included) shown in the diagnostics of a file that is not XML.
#[cfg(target_os = "linux")]
#[test]
fn a_policy_file_linked_to_the_process_environment_is_refused_without_echoing_it() {
    let root = tempfile::tempdir().expect("temporary directory");
    let dir = policies_copy(root.path());
    let link = dir.join("fragments").join("aigw-environ.xml");
    std::os::unix::fs::symlink("/proc/self/environ", &link).expect("symlink");
    let (code, stderr) = validate_policies(&dir, &[("AIGW_TEST_SECRET", "s3cr3t-value")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&format!("policy file {} is a virtual file", link.display())),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cr3t-value"), "{stderr}");
}
