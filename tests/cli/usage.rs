//! Command lines aigw refuses, and what every outcome leaves on stdout and in the exit code.

use serde_json::Value;

use crate::support::*;

#[test]
fn flags_that_contradict_each_other_are_refused_and_environment_defaults_are_not() {
    let assert = aigw_cmd()
        .args([
            "plan",
            "--params",
            EXAMPLE,
            "--offline",
            "--detailed-exitcode",
        ])
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("error: --detailed-exitcode cannot be used with --offline: an offline plan does not read Azure"),
        "{stderr}"
    );
    for flags in [
        ["--emulator", ""],
        ["--arm-endpoint", "https://management.azure.com"],
        ["--auth", "token"],
    ] {
        let flags: Vec<&str> = flags.into_iter().filter(|f| !f.is_empty()).collect();
        let assert = aigw_cmd()
            .args(["plan", "--params", EXAMPLE, "--offline"])
            .args(&flags)
            .assert()
            .code(2);
        assert!(
            stderr_of(&assert).contains(&format!("{} cannot be used with --offline", flags[0])),
            "{}",
            stderr_of(&assert)
        );
    }
    // Job-wide environment defaults do not contradict an offline plan or a rehearsal.
    aigw_cmd()
        .args(["plan", "--params", EXAMPLE, "--offline"])
        .env("AIGW_ARM_ENDPOINT", "https://management.usgovcloudapi.net")
        .env("AIGW_AUTH", "client-secret")
        .assert()
        .code(0);
}

#[test]
fn a_github_deployment_outside_github_actions_is_not_silently_ignored() {
    let assert = aigw_cmd()
        .args([
            "deploy",
            "--params",
            EXAMPLE,
            "--emulator",
            "--emulator-latency",
            "0",
            "--github-deployment",
            "acc",
        ])
        .env("AIGW_TEST_TIME_SCALE", "0")
        .assert()
        .code(0);
    assert!(
        stderr_of(&assert).contains(
            "aigw: warning: --github-deployment acc: GitHub Deployments are recorded only in GitHub Actions; none was recorded"
        ),
        "{}",
        stderr_of(&assert)
    );
}

#[test]
fn a_refused_command_line_with_json_output_is_one_json_document() {
    let assert = aigw_cmd()
        .args([
            "deploy",
            "--params",
            EXAMPLE,
            "--output",
            "json",
            "--frobnicate",
        ])
        .assert()
        .code(2);
    let document: Value = serde_json::from_str(&stdout_of(&assert))
        .unwrap_or_else(|e| panic!("{e}: {}", stdout_of(&assert)));
    assert_eq!(document["command"], "deploy");
    assert_eq!(document["outcome"], "failed");
    assert_eq!(document["exitCode"], 2);
    assert!(
        document["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--frobnicate")),
        "{document}"
    );
    assert!(stderr_of(&assert).contains("Usage: aigw deploy"));

    let assert = aigw_cmd()
        .args([
            "plan",
            "--params",
            EXAMPLE,
            "--offline",
            "--output=json",
            "--resource-timeout",
            "1.5h",
        ])
        .assert()
        .code(2);
    let document: Value = serde_json::from_str(&stdout_of(&assert))
        .unwrap_or_else(|e| panic!("{e}: {}", stdout_of(&assert)));
    assert!(
        document["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("--resource-timeout cannot be used with --offline")),
        "{document}"
    );
}

#[test]
fn resource_timeouts_out_of_range_say_what_is_accepted() {
    for value in ["0", "0s", "1ms", "25h", "soon"] {
        let assert = aigw_cmd()
            .args([
                "deploy",
                "--params",
                EXAMPLE,
                "--emulator",
                "--resource-timeout",
                value,
            ])
            .assert()
            .code(2);
        assert!(
            stderr_of(&assert).contains(&format!(
                "`{value}` is not a duration between 1s and 24h; write a number with a unit (s, m, h), e.g. 90s, 45m, 1h30m or 1.5h"
            )),
            "{}",
            stderr_of(&assert)
        );
    }
}

/// A successful rehearsal whose result cannot be written (a full disk): exit 1, not 2 ("invalid
/// input"), and what happened in Azure is still on stderr.
#[cfg(target_os = "linux")]
#[test]
fn a_result_that_cannot_be_written_exits_1_and_the_outcome_stays_visible() {
    for format in ["text", "json"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("file opens");
        let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("aigw"))
            .args([
                "deploy",
                "--params",
                EXAMPLE,
                "--emulator",
                "--emulator-latency",
                "0",
                "--output",
                format,
            ])
            .current_dir(repo_root())
            .env("AIGW_TEST_TIME_SCALE", "0")
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("TF_BUILD")
            .env_remove("CI")
            .stdout(full)
            .output()
            .expect("command runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(
                "aigw: error: cannot write the result to stdout: No space left on device"
            ),
            "{stderr}"
        );
        assert!(
            stderr.contains("the run itself finished: Deploy succeeded: 66 created"),
            "{stderr}"
        );
    }
}
