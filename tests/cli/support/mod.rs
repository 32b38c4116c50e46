//! Shared helpers: a clean `aigw` command and paths to fixtures.

use std::path::PathBuf;

pub mod arm;
pub mod fake_github;
pub mod hanging;

use assert_cmd::Command;

/// Environment variables that would change aigw's behaviour and must not leak in from the
/// machine running the tests.
const CLEARED: &[&str] = &[
    "GITHUB_ACTIONS",
    "GITHUB_OUTPUT",
    "GITHUB_STEP_SUMMARY",
    "GITHUB_EVENT_PATH",
    "GITHUB_TOKEN",
    "TF_BUILD",
    "ACT",
    "CI",
    "AZURE_SUBSCRIPTION_ID",
    "AZURE_ACCESS_TOKEN",
    "AZURE_CLIENT_ID",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_SECRET",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "AIGW_PARAMS",
    "AIGW_COLOR",
];

pub fn aigw_cmd() -> Command {
    let mut cmd = Command::cargo_bin("aigw").expect("aigw binary");
    for var in CLEARED {
        cmd.env_remove(var);
    }
    cmd.env("NO_COLOR", "1");
    cmd.current_dir(repo_root());
    cmd
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub const EXAMPLE: &str = "examples/main.acc.parameters.bicepparam";
pub const EXAMPLE_JSON: &str = "examples/main.acc.parameters.json";

pub fn fixture(name: &str) -> String {
    format!("tests/fixtures/{name}")
}

/// stdout of a successful run, as text.
pub fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

pub fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}
