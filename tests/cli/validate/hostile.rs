//! Replays the corpus of hostile parameter files in `tests/fixtures/hostile/`: each file is one
//! attack or edge case, `expected.json` says what `aigw validate` must answer (exit code, text
//! that must and must not appear, number of problems). Every answer must also be safe to print:
//! small, with no line a CI runner would execute and no raw control character.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::*;

const CORPUS: &str = "tests/fixtures/hostile";

#[derive(serde::Deserialize)]
struct Expected {
    exit: i32,
    /// Texts stderr must contain.
    stderr: Vec<String>,
    /// Texts stderr must not contain.
    #[serde(default)]
    absent: Vec<String>,
    /// The number of problems reported, when it matters.
    problems: Option<usize>,
}

fn expectations() -> BTreeMap<String, Expected> {
    let text = std::fs::read_to_string(repo_root().join(CORPUS).join("expected.json"))
        .expect("file readable");
    serde_json::from_str(&text).expect("expected.json")
}

/// Output a CI log or a terminal can take as it is: no line that starts a workflow or logging
/// command once the runner trims it, no raw control character, and not much of it.
pub fn assert_safe_output(what: &str, output: &str) {
    for line in output.lines() {
        let trimmed = line.trim_start();
        assert!(
            !trimmed.starts_with("::") && !trimmed.starts_with("##"),
            "{what}: a line could act as a CI command: {line:?}"
        );
    }
    let raw = output
        .chars()
        .find(|c| *c != '\n' && aigw::diagnostic::is_escaped(*c));
    assert_eq!(raw, None, "{what}: raw control character in the output");
    assert!(
        output.len() < 64 * 1024,
        "{what}: {} bytes of output",
        output.len()
    );
}

#[test]
fn every_hostile_file_gets_its_expected_answer_safely() {
    let expected = expectations();
    let dir = repo_root().join(CORPUS);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("directory readable")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name != "expected.json" && !name.starts_with('.'))
        .collect();
    files.sort();
    let listed: Vec<String> = expected.keys().cloned().collect();
    assert_eq!(
        files, listed,
        "every corpus file has an entry in expected.json"
    );

    for (name, expected) in &expected {
        let path = Path::new(CORPUS).join(name).display().to_string();
        let assert = aigw_cmd()
            .args(["validate", "--params", &path, "--output", "json"])
            .assert();
        let stderr = stderr_of(&assert);
        let code = assert.get_output().status.code();
        assert_eq!(code, Some(expected.exit), "{name}: exit code\n{stderr}");
        for text in &expected.stderr {
            assert!(
                stderr.contains(text.as_str()),
                "{name}: no {text:?} in\n{stderr}"
            );
        }
        for text in &expected.absent {
            assert!(
                !stderr.contains(text.as_str()),
                "{name}: {text:?} in\n{stderr}"
            );
        }
        assert_safe_output(name, &stderr);
        let document: serde_json::Value =
            serde_json::from_str(&stdout_of(&assert)).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(problems) = expected.problems {
            let message = document["error"]["message"].as_str().unwrap_or_default();
            let count = message
                .split(" problem")
                .next()
                .and_then(|n| n.parse::<usize>().ok());
            assert_eq!(count, Some(problems), "{name}: {message}\n{stderr}");
        }
    }
}
