//! The command line: its definition, its checks and what a refused one still tells.

use clap::CommandFactory;

#[test]
fn clap_definition_is_consistent() {
    super::Cli::command().debug_assert();
}

#[test]
fn resource_timeouts_read_like_humantime_within_one_second_to_a_day() {
    use super::parse_resource_timeout as parse;
    use std::time::Duration;
    assert_eq!(parse("90s"), Ok(Duration::from_secs(90)));
    assert_eq!(parse("1h30m"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse("1.5h"), Ok(Duration::from_secs(5400)));
    assert_eq!(parse("45min"), Ok(Duration::from_secs(2700)));
    assert_eq!(parse("120"), Ok(Duration::from_secs(120)));
    assert_eq!(parse("24h"), Ok(Duration::from_secs(86400)));
    assert_eq!(parse(" 1s "), Ok(Duration::from_secs(1)));
    // Every refusal says the same: the range and the format.
    for refused in [
        "0",
        "0s",
        "1ms",
        "999ms",
        "25h",
        "soon",
        "",
        "-5m",
        "18446744073709551615",
        "99999999999999999h",
    ] {
        assert_eq!(
            parse(refused),
            Err(format!(
                "`{}` is not a duration between 1s and 24h; write a number with a unit (s, m, h), e.g. 90s, 45m, 1h30m or 1.5h",
                refused.trim()
            )),
            "{refused}"
        );
    }
}

fn args(line: &str) -> Vec<std::ffi::OsString> {
    line.split_whitespace().map(Into::into).collect()
}

#[test]
fn flags_that_contradict_each_other_are_refused_with_the_reason() {
    let cases = [
        (
            "aigw plan --params p --offline --emulator",
            "--emulator cannot be used with --offline",
        ),
        (
            "aigw plan --params p --offline --arm-endpoint https://x",
            "--arm-endpoint cannot be used with --offline",
        ),
        (
            "aigw plan --params p --offline --auth token",
            "--auth cannot be used with --offline",
        ),
        (
            "aigw plan --params p --offline --resource-timeout 5m",
            "--resource-timeout cannot be used with --offline",
        ),
        (
            "aigw plan --params p --offline --detailed-exitcode",
            "--detailed-exitcode cannot be used with --offline: an offline plan does not read Azure",
        ),
        (
            "aigw deploy --params p --emulator --auth token",
            "--auth cannot be used with --emulator",
        ),
        (
            "aigw plan --params p --emulator --arm-endpoint https://x",
            "--arm-endpoint cannot be used with --emulator",
        ),
    ];
    for (line, expected) in cases {
        let error = super::parse(&args(line))
            .err()
            .unwrap_or_else(|| panic!("{line} was accepted"));
        assert_eq!(
            error.kind(),
            clap::error::ErrorKind::ArgumentConflict,
            "{line}"
        );
        assert!(error.to_string().contains(expected), "{line}: {error}");
    }
    for accepted in [
        "aigw plan --params p --offline --subscription-id 11111111-2222-3333-4444-555555555555",
        "aigw plan --params p --detailed-exitcode",
        "aigw plan --params p --emulator --detailed-exitcode",
        "aigw deploy --params p --emulator --emulator-latency 0",
        "aigw deploy --params p --arm-endpoint https://x --auth token --resource-timeout 2h",
    ] {
        assert!(super::parse(&args(accepted)).is_ok(), "{accepted}");
    }
}

#[test]
fn refused_command_lines_still_say_the_format_the_command_and_the_platform() {
    use aigw::ci::Platform;
    use aigw::env::Env;
    let line = args("aigw deploy --params p --output json --frobnicate");
    assert!(super::wants_json(&line));
    assert!(super::wants_json(&args("aigw validate --output=json")));
    assert!(!super::wants_json(&args("aigw plan --output markdown")));
    assert_eq!(super::command_name(&line), Some("deploy"));
    assert_eq!(super::command_name(&args("aigw --frobnicate")), None);
    assert_eq!(
        super::ci_platform(&args("aigw plan --ci github"), &Env::default()),
        Some(Platform::GitHub)
    );
    assert_eq!(
        super::ci_platform(
            &args("aigw plan"),
            &Env::from_pairs([("AIGW_CI", "azure-devops")])
        ),
        Some(Platform::AzureDevOps)
    );
    assert_eq!(
        super::ci_platform(&args("aigw plan"), &Env::default()),
        None
    );
}
