//! SIGINT/SIGTERM in every phase: outside the deploy walk aigw stops promptly with 130 (and one
//! JSON document on stdout when `--output json` promised it); nothing is written to Azure.

#![cfg(unix)]

use std::io::Read;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::arm::*;
use crate::support::hanging::HangingServer;
use crate::support::*;

/// `aigw` with a clean environment, as a child process the test can signal.
fn spawn(args: &[&str], env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("aigw"));
    cmd.args(args)
        .current_dir(repo_root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "GITHUB_ACTIONS",
        "TF_BUILD",
        "ACT",
        "CI",
        "AZURE_ACCESS_TOKEN",
        "GITHUB_TOKEN",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().expect("process spawned")
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .expect("command runs");
    assert!(status.success());
}

/// Waits for the child to exit; a child still running after `limit` is killed and the test
/// fails (a guard against hangs, not a timing assertion).
fn wait(mut child: Child, limit: Duration) -> Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().expect("child status").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let output = child.wait_with_output().expect("process output");
            panic!(
                "aigw did not stop after the interrupt; stderr:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("process output")
}

#[test]
fn an_interrupt_while_getting_a_credential_stops_at_once_with_130_and_a_json_document() {
    let ctx = TestContext::start();
    // GitHub's OIDC endpoint accepts the connection and never answers.
    let oidc = HangingServer::start();
    let oidc_url = format!("{}/oidc", oidc.url);
    let child = spawn(
        &[
            "deploy",
            "--params",
            EXAMPLE,
            "--arm-endpoint",
            &ctx.url,
            "--subscription-id",
            SUBSCRIPTION,
            "--auth",
            "github-oidc",
            "--output",
            "json",
        ],
        &[
            ("ACTIONS_ID_TOKEN_REQUEST_URL", &oidc_url),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "gh-request-token"),
            ("AZURE_CLIENT_ID", "client"),
            ("AZURE_TENANT_ID", "tenant"),
            ("AIGW_TEST_AUTHORITY_REDIRECT", &oidc.url),
        ],
    );
    oidc.wait_for_connection(Duration::from_secs(30));
    signal(&child, "INT");
    let output = wait(child, Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let document: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)));
    assert_eq!(document["command"], "deploy");
    assert_eq!(document["outcome"], "interrupted");
    assert_eq!(document["exitCode"], 130);
    assert!(
        stderr.contains("interrupted before anything was written to Azure"),
        "{stderr}"
    );
    assert!(ctx.writes_since(0).is_empty(), "nothing written to Azure");
}

#[test]
fn an_interrupt_while_stdout_is_blocked_exits_130() {
    // Nobody reads stdout after the first byte: the plan (over 64 KiB of JSON) fills the pipe
    // and aigw blocks writing it, in a phase that cannot stop itself.
    let mut child = spawn(
        &["plan", "--params", EXAMPLE, "--offline", "--output", "json"],
        &[],
    );
    let mut first = [0u8; 1];
    child
        .stdout
        .as_mut()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("first byte of stdout");
    assert_eq!(&first, b"{");
    signal(&child, "TERM");
    let output = wait(child, Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("aigw: interrupted"), "{stderr}");
}
