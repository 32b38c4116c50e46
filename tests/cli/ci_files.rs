//! The CI integration files agree with the binary: action.yml and the Azure DevOps task declare
//! exactly the step outputs aigw writes, and the action's install script picks, verifies and
//! caches the right release asset.

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// The outputs a deploy of the example writes, camelCase.
fn output_names() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join(EXAMPLE)).expect("file readable");
    let spec = aigw::params::load_text(
        aigw::source::SourceFile::new("e.bicepparam", text),
        aigw::params::ParamFormat::Bicepparam,
        &aigw::params::LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{}", d.render(false)));
    let plan = aigw::plan::build(
        &spec,
        "11111111-2222-3333-4444-555555555555",
        &aigw::policy::embedded(),
    );
    let mut names: Vec<String> = plan.outputs.iter().map(|o| o.name.to_string()).collect();
    names.extend(["changes".to_string(), "result".to_string()]);
    names
}

#[test]
fn action_yml_maps_every_step_output_one_to_one() {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).expect("file readable");
    let outputs_section = text
        .split("\noutputs:\n")
        .nth(1)
        .and_then(|s| s.split("\nruns:\n").next())
        .unwrap_or_default();
    let declared: Vec<String> = outputs_section
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("    ") && l.trim_end().ends_with(':'))
        .map(|l| l.trim().trim_end_matches(':').to_string())
        .collect();
    let expected: Vec<String> = output_names()
        .iter()
        .map(|n| aigw::ci::outputs::kebab(n))
        .collect();
    assert_eq!(declared, expected);
    for name in &declared {
        assert!(
            outputs_section.contains(&format!("${{{{ steps.run.outputs.{name} }}}}")),
            "{name} is not mapped from the run step"
        );
    }
    // Inputs reach the scripts through env:, never through ${{ }} inside run: text.
    for line in text.lines().filter(|l| l.trim_start().starts_with("run:")) {
        assert!(
            !line.contains("${{"),
            "input interpolated into shell text: {line}"
        );
    }
}

#[test]
fn the_azure_devops_task_declares_every_output_and_a_node_handler() {
    let text =
        std::fs::read_to_string(repo_root().join("tasks/aigw/task.json")).expect("file readable");
    let task: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let declared: Vec<String> = task["outputVariables"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v["name"].as_str().map(String::from))
        .collect();
    assert_eq!(declared, output_names());
    assert!(
        task["execution"]["Node20_1"]["target"].is_string()
            && task["execution"]["Node24"]["target"].is_string()
    );
    for input in task["inputs"].as_array().into_iter().flatten() {
        let name = input["name"].as_str().unwrap_or_default();
        assert!(
            name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric()),
            "{name}"
        );
    }
    assert!(text.contains("\"connectedService:AzureRM\""));
}

/// A fake release with an asset per target and a SHA256SUMS file.
fn fake_release(dir: &Path, version: &str, corrupt: Option<&str>) {
    for target in ["x86_64-unknown-linux-musl", "aarch64-unknown-linux-musl"] {
        let staging = dir.join(format!("staging-{target}"));
        std::fs::create_dir_all(&staging).expect("directory created");
        std::fs::write(
            staging.join("aigw"),
            format!("#!/bin/sh\necho \"aigw {version} {target}\"\n"),
        )
        .expect("test file written");
        let asset = dir.join(format!("aigw-{version}-{target}.tar.gz"));
        let status = Command::new("tar")
            .arg("-czf")
            .arg(&asset)
            .arg("-C")
            .arg(&staging)
            .arg("aigw")
            .status()
            .expect("command runs");
        assert!(status.success());
    }
    let sums = Command::new("sh")
        .arg("-c")
        .arg("sha256sum aigw-*.tar.gz")
        .current_dir(dir)
        .output()
        .expect("command runs");
    let mut text = String::from_utf8_lossy(&sums.stdout).into_owned();
    if let Some(target) = corrupt {
        text = text
            .lines()
            .map(|l| {
                if l.contains(target) {
                    format!("{}{}", "0".repeat(64), &l[64..])
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    std::fs::write(dir.join("SHA256SUMS"), text).expect("test file written");
}

struct Install {
    code: i32,
    stderr: String,
    outputs: String,
    path_file: String,
}

fn install(release: &Path, cache: &Path, os: &str, arch: &str) -> Install {
    let work = tempfile::tempdir().expect("temporary directory");
    let outputs = work.path().join("outputs");
    let path_file = work.path().join("path");
    let result = Command::new("bash")
        .arg(repo_root().join("scripts/install-aigw.sh"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AIGW_VERSION", "v0.1.0")
        .env(
            "AIGW_RELEASE_BASE_URL",
            format!("file://{}", release.display()),
        )
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env("RUNNER_TOOL_CACHE", cache)
        .env("RUNNER_TEMP", work.path())
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_PATH", &path_file)
        .output()
        .expect("command runs");
    Install {
        code: result.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&result.stderr).into_owned(),
        outputs: std::fs::read_to_string(&outputs).unwrap_or_default(),
        path_file: std::fs::read_to_string(&path_file).unwrap_or_default(),
    }
}

#[test]
fn the_install_script_picks_the_asset_for_the_runner_and_caches_it() {
    let release = tempfile::tempdir().expect("temporary directory");
    let cache = tempfile::tempdir().expect("temporary directory");
    fake_release(release.path(), "0.1.0", None);

    let arm = install(release.path(), cache.path(), "Linux", "ARM64");
    assert_eq!(arm.code, 0, "{}", arm.stderr);
    let exe = cache.path().join("aigw/0.1.0/arm64/aigw");
    assert_eq!(arm.outputs, format!("path={}\n", exe.display()));
    assert_eq!(
        arm.path_file.trim(),
        cache.path().join("aigw/0.1.0/arm64").display().to_string()
    );
    let run = Command::new(&exe).output().expect("command runs");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "aigw 0.1.0 aarch64-unknown-linux-musl\n"
    );
    assert!(cache.path().join("aigw/0.1.0/arm64.complete").exists());

    let x64 = install(release.path(), cache.path(), "Linux", "X64");
    assert_eq!(x64.code, 0, "{}", x64.stderr);
    let run = Command::new(cache.path().join("aigw/0.1.0/x64/aigw"))
        .output()
        .expect("command runs");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "aigw 0.1.0 x86_64-unknown-linux-musl\n"
    );

    // A second install is served from the tool cache, without the release.
    std::fs::remove_dir_all(release.path()).expect("directory removed");
    let cached = install(release.path(), cache.path(), "Linux", "ARM64");
    assert_eq!(cached.code, 0, "{}", cached.stderr);

    let unsupported = install(release.path(), cache.path(), "Windows", "ARM64");
    assert_ne!(unsupported.code, 0);
    assert!(
        unsupported
            .stderr
            .contains("no aigw build for RUNNER_OS=Windows RUNNER_ARCH=ARM64"),
        "{}",
        unsupported.stderr
    );
}

#[test]
fn a_checksum_mismatch_stops_the_install() {
    let release = tempfile::tempdir().expect("temporary directory");
    let cache = tempfile::tempdir().expect("temporary directory");
    fake_release(release.path(), "0.1.0", Some("x86_64-unknown-linux-musl"));
    let result = install(release.path(), cache.path(), "Linux", "X64");
    assert_ne!(result.code, 0);
    assert!(
        result
            .stderr
            .contains("checksum mismatch for aigw-0.1.0-x86_64-unknown-linux-musl.tar.gz"),
        "{}",
        result.stderr
    );
    assert!(result.stderr.contains("refusing to run it"));
    assert!(result.outputs.is_empty());
    assert!(
        !cache.path().join("aigw/0.1.0/x64").exists(),
        "nothing is cached"
    );
}

/// `run-aigw.sh` with a stand-in binary that prints its arguments, one per line.
fn run_script(env: &[(&str, &str)]) -> (i32, Vec<String>, String) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let fake = dir.path().join("aigw");
    std::fs::write(&fake, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n")
        .expect("test file written");
    Command::new("chmod")
        .arg("+x")
        .arg(&fake)
        .status()
        .expect("command runs");
    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("scripts/run-aigw.sh"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AIGW_BIN", &fake);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let output = cmd.output().expect("command runs");
    let args = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(String::from)
        .collect();
    (
        output.status.code().unwrap_or(-1),
        args,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_run_script_turns_inputs_into_separate_arguments() {
    let (code, args, _) = run_script(&[
        ("INPUT_COMMAND", "deploy"),
        ("INPUT_PARAMS", "infra/my params.bicepparam"),
        (
            "INPUT_SUBSCRIPTION_ID",
            "11111111-2222-3333-4444-555555555555",
        ),
        ("INPUT_GITHUB_DEPLOYMENT", "acc"),
        (
            "INPUT_ARGS",
            "--allow-region newregion\n--purge-soft-deleted $(touch /tmp/aigw-injected) *",
        ),
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        args,
        [
            "deploy",
            "--params",
            "infra/my params.bicepparam",
            "--subscription-id",
            "11111111-2222-3333-4444-555555555555",
            "--github-deployment",
            "acc",
            "--allow-region",
            "newregion",
            "--purge-soft-deleted",
            "$(touch",
            "/tmp/aigw-injected)",
            "*"
        ]
    );
    assert!(
        !std::path::Path::new("/tmp/aigw-injected").exists(),
        "arguments are never evaluated"
    );
    let (code, _, stderr) = run_script(&[("INPUT_COMMAND", "destroy"), ("INPUT_PARAMS", "p")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("command must be validate, plan or deploy"));
    let (code, args, _) = run_script(&[
        ("INPUT_COMMAND", "plan"),
        ("INPUT_PARAMS", "p"),
        ("INPUT_PR_COMMENT", "false"),
        ("INPUT_ARGS", "   "),
    ]);
    assert_eq!(
        (code, args.last().map(String::as_str)),
        (0, Some("--no-pr-comment"))
    );
}

/// The workflow files and the README's snippet, as `(file, text)`.
fn workflow_texts() -> Vec<(String, String)> {
    let mut files = vec!["action.yml".to_string(), "README.md".to_string()];
    for dir in [".github/workflows", "examples/workflows"] {
        let entries = std::fs::read_dir(repo_root().join(dir)).expect("directory readable");
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
                files.push(format!(
                    "{dir}/{}",
                    path.file_name().unwrap_or_default().display()
                ));
            }
        }
    }
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(repo_root().join(&file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            (file, text)
        })
        .collect()
}

#[test]
fn every_action_is_pinned_to_a_commit_and_checkouts_keep_no_credentials() {
    let mut problems = Vec::new();
    let mut pinned = 0;
    for (file, text) in workflow_texts() {
        let lines: Vec<&str> = text.lines().collect();
        for (index, line) in lines.iter().enumerate() {
            let Some(reference) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses: ")
            else {
                continue;
            };
            let (action, rest) = reference.split_once('@').unwrap_or((reference, ""));
            let (commit, comment) = rest.split_once(" # ").unwrap_or((rest.trim(), ""));
            let at = format!("{file}:{}", index + 1);
            if action == "aigw/aigw" {
                // This project's own action by its major tag; the text around it says to pin it
                // to a release commit (the exception is in .github/zizmor.yml).
                continue;
            }
            let full_sha = commit.len() == 40 && commit.bytes().all(|b| b.is_ascii_hexdigit());
            if !full_sha || !comment.trim_start().starts_with('v') {
                problems.push(format!(
                    "{at}: {action}@{commit} is not `<40-hex commit> # vX.Y.Z`"
                ));
            }
            pinned += 1;
            if action == "actions/checkout" {
                // The step's own keys: the lines indented at least as far as `uses:`.
                let column = line.find("uses:").unwrap_or_default();
                let step: Vec<&str> = lines[index + 1..]
                    .iter()
                    .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() >= column)
                    .copied()
                    .collect();
                if !step.iter().any(|l| {
                    l.trim() == "persist-credentials: false"
                        || l.trim().starts_with("persist-credentials: false ")
                }) {
                    problems.push(format!("{at}: checkout without persist-credentials: false"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert!(pinned >= 6, "only {pinned} pinned actions found");
}

#[cfg(target_os = "linux")]
#[test]
fn the_static_check_rejects_a_dynamically_linked_binary() {
    // The test build of aigw links the C library dynamically, as a glibc build does.
    let output = Command::new("bash")
        .arg(repo_root().join("scripts/build-static"))
        .arg("--check")
        .arg(assert_cmd::cargo::cargo_bin("aigw"))
        .output()
        .expect("command runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is not statically linked"), "{stderr}");
    assert!(stderr.contains("program interpreter"), "{stderr}");
}
