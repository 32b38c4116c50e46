//! `--color`, `NO_COLOR` and `CLICOLOR_FORCE` decide colour for everything aigw writes (results,
//! progress, errors, warnings), not only for the diagnostics; JSON never carries any.

use crate::support::arm::*;
use crate::support::*;

const ESC: &str = "\x1b[";

fn has_color(text: &str) -> bool {
    text.contains(ESC)
}

#[test]
fn color_always_styles_results_progress_and_errors_but_never_json() {
    // `aigw_cmd` sets NO_COLOR=1 and the streams are pipes: `always` overrides both.
    let assert = aigw_cmd()
        .args(["validate", "--params", EXAMPLE, "--color", "always"])
        .assert()
        .code(0);
    let stdout = stdout_of(&assert);
    assert!(stdout.contains("\x1b[32mvalid\x1b[0m"), "{stdout:?}");

    let assert = aigw_cmd()
        .args(["validate", "--params", &fixture("many-mistakes.json")])
        .args(["--color", "always"])
        .assert()
        .code(2);
    let stderr = stderr_of(&assert);
    assert!(
        stderr.contains("\x1b[1m\x1b[31maigw: error:\x1b[0m"),
        "{stderr:?}"
    );

    let assert = aigw_cmd()
        .args(["validate", "--params", EXAMPLE, "--output", "json"])
        .args(["--color", "always"])
        .assert()
        .code(0);
    assert!(!has_color(&stdout_of(&assert)));

    let ctx = TestContext::start();
    let assert = ctx
        .aigw("deploy", EXAMPLE)
        .args(["--color", "always"])
        .assert()
        .code(0);
    let (stdout, stderr) = (stdout_of(&assert), stderr_of(&assert));
    assert!(
        stdout.starts_with("\x1b[32mDeploy succeeded: 66 created"),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("\x1b[32m+ created     \x1b[0m"),
        "{stdout:?}"
    );
    assert!(stderr.contains("\x1b[32mcreated\x1b[0m ("), "{stderr:?}");
}

#[test]
fn auto_follows_no_color_and_clicolor_force_and_never_wins() {
    // Pipes, NO_COLOR=1 (set by `aigw_cmd`): no colour anywhere.
    let assert = aigw_cmd()
        .args(["validate", "--params", &fixture("many-mistakes.json")])
        .assert()
        .code(2);
    assert!(!has_color(&stdout_of(&assert)));
    assert!(!has_color(&stderr_of(&assert)), "{}", stderr_of(&assert));

    // CLICOLOR_FORCE asks for colour even on pipes...
    let forced = || {
        let mut cmd = aigw_cmd();
        cmd.env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1");
        cmd
    };
    let assert = forced()
        .args(["validate", "--params", EXAMPLE])
        .assert()
        .code(0);
    assert!(has_color(&stdout_of(&assert)), "{}", stdout_of(&assert));
    let assert = forced()
        .args(["validate", "--params", &fixture("many-mistakes.json")])
        .assert()
        .code(2);
    assert!(has_color(&stderr_of(&assert)));

    // ...unless NO_COLOR is set too, or --color never / AIGW_COLOR=never is given.
    let assert = forced()
        .env("NO_COLOR", "1")
        .args(["validate", "--params", EXAMPLE])
        .assert()
        .code(0);
    assert!(!has_color(&stdout_of(&assert)));
    for never in [&["--color", "never"][..], &[]] {
        let mut cmd = forced();
        if never.is_empty() {
            cmd.env("AIGW_COLOR", "never");
        }
        let assert = cmd
            .args(["validate", "--params", &fixture("many-mistakes.json")])
            .args(never)
            .assert()
            .code(2);
        assert!(!has_color(&stderr_of(&assert)), "{}", stderr_of(&assert));
    }
}
