mod hostile;

use predicates::prelude::*;

use crate::support::*;

#[test]
fn both_examples_are_valid() {
    for example in [EXAMPLE, EXAMPLE_JSON] {
        let assert = aigw_cmd()
            .args(["validate", "--params", example])
            .assert()
            .code(0);
        assert_eq!(
            stdout_of(&assert),
            format!("{example}: valid (3 regions, 6 model deployments, 2 pools, 9 policy files)\n")
        );
    }
}

/// (position, message) of every diagnostic rendered in `stderr`: each `×` line with the
/// `line:column` of the `╭─[file:line:column]` under it (none for a problem about something
/// missing), so a message is checked together with its own position.
pub fn rendered_problems(stderr: &str, file: &str) -> Vec<(Option<String>, String)> {
    let mut problems: Vec<(Option<String>, String)> = Vec::new();
    let header = format!("╭─[{file}:");
    for line in stderr.lines() {
        if let Some(message) = line.trim_start().strip_prefix("× ") {
            problems.push((None, message.to_string()));
        } else if let Some(at) = line.split_once(header.as_str()).map(|(_, rest)| rest)
            && let Some(last) = problems.last_mut()
            && last.0.is_none()
        {
            last.0 = Some(at.trim_end_matches(']').to_string());
        }
    }
    problems
}

#[test]
fn every_mistake_is_listed_at_its_own_line_and_the_exit_code_is_2() {
    let path = fixture("many-mistakes.bicepparam");
    let assert = aigw_cmd()
        .args(["validate", "--params", &path])
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    let at = |position: &str| Some(position.to_string());
    assert_eq!(
        rendered_problems(&stderr, &path),
        [
            (at("3:21"), "environment: `ACC` cannot be part of Azure resource names"),
            (at("4:7"), "sufix: unknown parameter `sufix`"),
            (at("5:18"), "location: `westeuropa` is not a known Azure region"),
            (at("6:28"), "apimPublisherEmail: `not-an-email` is not an email address"),
            (
                at("13:93"),
                "openAILocations[0].deployments[0].skuName: `Global` is not a deployment SKU Azure accepts"
            ),
            (
                at("13:116"),
                "openAILocations[0].deployments[0].skuCapacity: capacity 0 must be greater than 0"
            ),
            (
                at("18:19"),
                "openAILocations[1].abbreviation: abbreviation `weu` is already used by openAILocations[0] (first at line 11, column 19)"
            ),
            (
                at("20:70"),
                "openAILocations[1].deployments[0].modelVersion: deployment `gpt-4o` uses modelVersion `2024-08-06` here but `2024-11-20` in westeurope (the other at line 13, column 70)"
            ),
            (at("24:7"), "extra: unknown parameter `extra`"),
            (at("24:15"), "function `concat()` is not supported"),
            (None, "suffix: is required but missing"),
        ]
        .map(|(position, message)| (position, message.to_string()))
    );
    // The whole rendering: snippets, labels and help texts with their problem.
    insta::assert_snapshot!("many_mistakes_rendered", stderr.replace(&path, "[params]"));
    assert!(stdout_of(&assert).is_empty());
}

#[test]
fn json_parameter_files_report_key_vault_references_and_non_integers() {
    let path = fixture("many-mistakes.json");
    let assert = aigw_cmd()
        .args(["validate", "--params", &path])
        .assert()
        .code(2);
    // The parameter that failed to parse is not also reported as missing: these two are all.
    assert_eq!(
        rendered_problems(&stderr_of(&assert), &path),
        [
            (
                Some("8:28".to_string()),
                "apimPublisherName: Key Vault `reference` parameters are not supported".to_string()
            ),
            (
                Some("12:138".to_string()),
                "openAILocations[0].deployments[0].skuCapacity: expected an integer, found a non-integer number".to_string()
            ),
        ]
    );
}

#[test]
fn json_output_is_one_document() {
    let assert = aigw_cmd()
        .args(["validate", "--params", EXAMPLE, "--output", "json"])
        .assert()
        .code(0);
    let report: serde_json::Value = serde_json::from_str(&stdout_of(&assert)).expect("valid JSON");
    assert_eq!(report["valid"], true);
    assert_eq!(report["deployments"], 6);
}

#[test]
fn missing_or_unreadable_files_are_input_errors() {
    aigw_cmd()
        .args(["validate", "--params", "does/not/exist.bicepparam"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "aigw: error: cannot read parameter file does/not/exist.bicepparam",
        ));
}

#[test]
fn new_regions_need_an_explicit_flag() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let text = std::fs::read_to_string(repo_root().join(EXAMPLE)).expect("file readable");
    let file = dir.path().join("new.bicepparam");
    std::fs::write(&file, text.replace("francecentral", "francenorth")).expect("test file written");
    let file = file.display().to_string();
    aigw_cmd()
        .args(["validate", "--params", &file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --allow-region francenorth"));
    aigw_cmd()
        .args([
            "validate",
            "--params",
            &file,
            "--allow-region",
            "francenorth",
        ])
        .assert()
        .code(0);
}

#[test]
fn environment_variables_feed_read_environment_variable() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let text = std::fs::read_to_string(repo_root().join(EXAMPLE)).expect("file readable");
    let file = dir.path().join("env.bicepparam");
    std::fs::write(
        &file,
        text.replace(
            "param suffix = 'x7k'",
            "param suffix = readEnvironmentVariable('AIGW_TEST_SUFFIX')",
        ),
    )
    .expect("test file written");
    let file = file.display().to_string();
    aigw_cmd()
        .args(["validate", "--params", &file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "environment variable `AIGW_TEST_SUFFIX` is not set",
        ));
    aigw_cmd()
        .env("AIGW_TEST_SUFFIX", "abc")
        .args(["validate", "--params", &file])
        .assert()
        .code(0);
}

#[test]
fn help_and_version() {
    aigw_cmd()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with("aigw "));
    for command in ["validate", "plan"] {
        aigw_cmd()
            .args([command, "--help"])
            .assert()
            .code(0)
            .stdout(
                predicate::str::contains("Examples:").and(predicate::str::contains("--params")),
            );
    }
    aigw_cmd().arg("frobnicate").assert().code(2);
}

#[test]
fn with_json_output_failures_are_one_json_document_too() {
    let assert = aigw_cmd()
        .args([
            "validate",
            "--params",
            &fixture("many-mistakes.bicepparam"),
            "--output",
            "json",
        ])
        .assert()
        .code(2);
    let document: serde_json::Value =
        serde_json::from_str(&stdout_of(&assert)).expect("valid JSON");
    assert_eq!(document["outcome"], "failed");
    assert_eq!(document["exitCode"], 2);
    let diagnostics = document["error"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(diagnostics.len(), 11);
    assert_eq!(diagnostics[0]["line"], 3);
    assert_eq!(diagnostics[0]["path"], "environment");
    let assert = aigw_cmd()
        .args(["deploy", "--params", EXAMPLE, "--output", "json"])
        .assert()
        .code(2);
    let document: serde_json::Value =
        serde_json::from_str(&stdout_of(&assert)).expect("valid JSON");
    assert!(
        document["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("no subscription"),
        "{document}"
    );
}

/// A guard against hangs only (the assertions are about the answer, not about time).
const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(120);

#[test]
fn only_regular_files_are_read() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let directory = dir.path().display().to_string();
    let mut cases = vec![(
        directory.clone(),
        format!("parameter file {directory} is a directory, not a regular file"),
    )];
    if cfg!(unix) {
        cases.push((
            "/dev/zero".to_string(),
            "parameter file /dev/zero is a character device, not a regular file".to_string(),
        ));
    }
    for (path, message) in cases {
        aigw_cmd()
            .args(["validate", "--params", &path])
            .timeout(HANG_GUARD)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

/// A parameter file committed as a symlink to /proc/self/environ used to have the job's
/// environment (secrets included) echoed in diagnostics.
#[cfg(target_os = "linux")]
#[test]
fn a_symlink_to_the_process_environment_is_refused_without_echoing_it() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let link = dir.path().join("main.acc.parameters.bicepparam");
    std::os::unix::fs::symlink("/proc/self/environ", &link).expect("symlink created");
    let assert = aigw_cmd()
        .env("AIGW_TEST_SECRET", "s3cr3t-value")
        .args(["validate", "--params", &link.display().to_string()])
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    assert!(stderr.contains("is a virtual file"), "{stderr}");
    assert!(!stderr.contains("s3cr3t-value"), "{stderr}");
}

/// A FIFO nobody writes to used to block aigw forever in open(2).
#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_without_waiting_for_a_writer() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let fifo = dir.path().join("params.bicepparam");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let fifo = fifo.display().to_string();
    aigw_cmd()
        .args(["validate", "--params", &fifo])
        .timeout(HANG_GUARD)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "parameter file {fifo} is a named pipe (FIFO), not a regular file"
        )));
}

#[test]
fn a_file_over_4_mib_is_refused_with_its_size() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("big.bicepparam");
    std::fs::write(&file, " ".repeat(4 * 1024 * 1024 + 1)).expect("test file written");
    let file = file.display().to_string();
    aigw_cmd()
        .args(["validate", "--params", &file])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!(
            "parameter file {file} has 4194305 bytes; aigw reads parameter files of up to 4194304 bytes"
        )));
}

/// 4 MB hostile files: whatever they hold, the answer is a few kilobytes, safe to print.
#[test]
fn four_megabyte_hostile_files_get_short_safe_answers() {
    let example = std::fs::read_to_string(repo_root().join(EXAMPLE)).expect("file readable");
    let dir = tempfile::tempdir().expect("temporary directory");
    let size = 4 * 1024 * 1024 - 4096;
    let huge_value = "A\\n::warning::x ".repeat(size / 16);
    let many_lines: String = (0..(size - example.len()) / 28)
        .map(|i| format!("param unknown{i:08} = 'v'\n"))
        .collect();
    let cases = [
        (
            "huge-string.bicepparam",
            example.replace(
                "param apimPublisherName = 'Contoso Platform Engineering'",
                &format!("param apimPublisherName = '{huge_value}'"),
            ),
            "control-character",
        ),
        (
            "one-line.json",
            format!(
                "{{\"parameters\": {{\"tags\": {{\"value\": {{{}\"x\": 1}}}}}}}}",
                "\"k\": 1, ".repeat(size / 8)
            ),
            "is set twice in this object",
        ),
        (
            "many-lines.bicepparam",
            format!("{example}{many_lines}"),
            "more problems in",
        ),
    ];
    for (name, text, expected) in cases {
        assert!(text.len() <= 4 * 1024 * 1024, "{name}: {}", text.len());
        let file = dir.path().join(name);
        std::fs::write(&file, &text).expect("test file written");
        let assert = aigw_cmd()
            .args(["validate", "--params", &file.display().to_string()])
            .timeout(HANG_GUARD)
            .assert()
            .code(2);
        let stderr = stderr_of(&assert);
        assert!(
            stderr.contains(expected),
            "{name}: no {expected:?} in\n{stderr}"
        );
        hostile::assert_safe_output(name, &stderr);
    }
}

#[test]
fn a_file_that_is_not_utf8_is_reported_at_its_first_invalid_byte() {
    let path = fixture("hostile/not-utf8.bicepparam");
    let assert = aigw_cmd()
        .args(["validate", "--params", &path, "--output", "json"])
        .assert()
        .code(2);
    let document: serde_json::Value =
        serde_json::from_str(&stdout_of(&assert)).expect("valid JSON");
    let diagnostic = &document["error"]["diagnostics"][0];
    assert_eq!(diagnostic["code"], "not-utf8");
    assert_eq!(
        (diagnostic["line"].as_u64(), diagnostic["column"].as_u64()),
        (Some(11), Some(57))
    );
}
