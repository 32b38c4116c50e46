//! "Not ready yet": errors a kind's write meets while Azure catches up are waited for within
//! `--resource-timeout`, shown as waiting, then given up with the remedy; anything else fails at
//! once. One mechanism for role assignments (`PrincipalNotFound`) and data collection rules
//! (`InvalidOutputTable`).

use std::time::Duration;

use super::support::*;
use crate::deploy::not_ready;
use crate::report::{Action, Mode, Outcome};

const ROLE: &str =
    "Cognitive Services OpenAI User for id-aigw-acc-x7k on proj-aifoundry-acc-x7k-weu";
const RULE: &str = "dcr-aigw-acc-x7k";
const FIVE_MINUTES: Duration = Duration::from_secs(300);
const HOUR: Duration = Duration::from_secs(3600);

/// How the run ends for the resource that waits.
#[derive(Debug)]
enum End {
    /// Written, with this note in the report.
    Written(&'static str),
    /// Stopped: the failure's code, the start of its message, and its remedy's start.
    GaveUp(&'static str, &'static str, &'static str),
    /// Failed at once with Azure's error code, without waiting.
    Failed(&'static str),
}

struct Row {
    name: &'static str,
    emulator: fn() -> EmulatorBuilder,
    /// Azure's time passes while aigw waits (the emulator's manual clock follows each pause).
    azure_time_follows: bool,
    timeout: Duration,
    resource: &'static str,
    /// The pauses aigw announces, in order.
    pauses: &'static [&'static str],
    end: End,
}

fn principal_never_replicates() -> EmulatorBuilder {
    emulator().fault(Fault::Reject {
        matcher: Matcher::method("PUT").path_contains("/roleAssignments/"),
        status: 400,
        code: "PrincipalNotFound".into(),
        message: "Principal does not exist in the directory.".into(),
        times: None,
    })
}

fn rule_rejected(code: &'static str) -> impl Fn() -> EmulatorBuilder {
    move || {
        emulator().fault(Fault::Reject {
            matcher: Matcher::method("PUT").path_contains("/dataCollectionRules/dcr-aigw-acc-x7k"),
            status: 400,
            code: code.into(),
            message: "Transform query is invalid.".into(),
            times: None,
        })
    }
}

#[tokio::test(start_paused = true)]
async fn not_ready_yet_is_waited_for_within_the_resource_timeout() {
    let plan = plan();
    let rows = [
        Row {
            name: "a new identity replicates after three tries",
            emulator: || emulator().fault(Fault::PrincipalNotFound { times: 3 }),
            azure_time_follows: false,
            timeout: HOUR,
            resource: ROLE,
            pauses: &["10s", "20s", "40s"],
            end: End::Written("waited 1m 10s for Microsoft Entra ID to replicate the new identity"),
        },
        Row {
            name: "an identity that never replicates",
            emulator: principal_never_replicates,
            azure_time_follows: false,
            timeout: FIVE_MINUTES,
            resource: ROLE,
            pauses: &["10s", "20s", "40s", "1m", "1m", "1m", "1m"],
            end: End::GaveUp(
                "PrincipalNotFound",
                "Azure still does not know principal",
                "run deploy again in a few minutes (the identity exists;",
            ),
        },
        Row {
            name: "a new table accepted after three minutes",
            emulator: || {
                emulator().manual_clock().latency(
                    LatencyProfile::instant().with_output_table_delay(Duration::from_secs(180)),
                )
            },
            azure_time_follows: true,
            timeout: HOUR,
            resource: RULE,
            pauses: &["15s", "30s", "1m", "1m", "1m"],
            end: End::Written(
                "waited 3m 45s for Azure Monitor to accept the new table as an output",
            ),
        },
        Row {
            name: "a new table not accepted within the resource timeout",
            emulator: || {
                emulator().latency(LatencyProfile::instant().with_output_table_delay(HOUR))
            },
            azure_time_follows: false,
            timeout: FIVE_MINUTES,
            resource: RULE,
            pauses: &["15s", "30s", "1m", "1m", "1m", "1m", "1m"],
            end: End::GaveUp(
                "InvalidOutputTable",
                "Azure Monitor still does not accept table AIUsageLog_CL as the output of data collection rule `dcr-aigw-acc-x7k` after 5m 45s of waiting (--resource-timeout 5m)",
                "run deploy again in a few minutes (table AIUsageLog_CL exists;",
            ),
        },
        Row {
            name: "an invalid rule",
            emulator: || rule_rejected("InvalidPayload")(),
            azure_time_follows: false,
            timeout: HOUR,
            resource: RULE,
            pauses: &[],
            end: End::Failed("InvalidPayload"),
        },
    ];
    for row in rows {
        let name = row.name;
        let emulator = (row.emulator)()
            .start()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let client = client(&emulator);
        let advance = row.azure_time_follows.then_some(&emulator);
        let ran = run_engine(
            &plan,
            &client,
            Mode::Deploy,
            &options(false, row.timeout),
            advance,
        )
        .await;
        let announced: Vec<&str> = ran
            .recorded
            .waits
            .iter()
            .map(|w| {
                assert!(w.starts_with(&format!("{}: ", row.resource)), "{name}: {w}");
                w.rsplit("trying again in ").next().unwrap_or("")
            })
            .collect();
        assert_eq!(announced, row.pauses, "{name}: {:#?}", ran.recorded.waits);
        let report = ran.operation(row.resource);
        let puts = writes_to(&emulator, &operation(&plan, row.resource).id).len();
        match row.end {
            End::Written(note) => {
                assert_eq!(
                    ran.report.outcome,
                    Outcome::Succeeded,
                    "{name}: {:?}",
                    ran.report.failure
                );
                assert_eq!(report.action, Action::Create, "{name}");
                assert_eq!(report.note.as_deref(), Some(note), "{name}");
                assert_eq!(puts, row.pauses.len() + 1, "{name}");
                // Sent again after each pause: counted with the retries, not logged as warnings.
                assert_eq!(
                    ran.report.requests.retries,
                    row.pauses.len() as u64,
                    "{name}"
                );
                assert!(
                    ran.report.warnings.is_empty(),
                    "{name}: {:?}",
                    ran.report.warnings
                );
            }
            End::GaveUp(code, message, remedy) => {
                assert_eq!(ran.report.outcome, Outcome::Failed, "{name}");
                assert_eq!(report.action, Action::Failed, "{name}");
                let failure = ran
                    .report
                    .failure
                    .as_ref()
                    .unwrap_or_else(|| panic!("{name}"));
                assert_eq!(failure.code.as_deref(), Some(code), "{name}");
                assert!(
                    failure.message.starts_with(message),
                    "{name}: {}",
                    failure.message
                );
                assert!(
                    failure.message.contains("--resource-timeout 5m"),
                    "{name}: {}",
                    failure.message
                );
                // Azure's own answer is kept for support.
                assert!(
                    failure.message.contains(" → 400 ") && failure.message.contains(code),
                    "{name}: {}",
                    failure.message
                );
                assert!(
                    failure.remedy.as_deref().is_some_and(
                        |r| r.starts_with(remedy) && r.ends_with("or raise --resource-timeout")
                    ),
                    "{name}: {:?}",
                    failure.remedy
                );
                assert_eq!(puts, row.pauses.len() + 1, "{name}");
                // Waited at least the timeout, and at most one pause longer.
                let waited: Duration = ran.recorded.waits.iter().map(|w| announced_pause(w)).sum();
                assert!(
                    waited >= row.timeout && waited < row.timeout + Duration::from_secs(60),
                    "{name}: waited {waited:?} for a {:?} timeout",
                    row.timeout
                );
            }
            End::Failed(code) => {
                assert_eq!(ran.failure_code(), Some(code), "{name}");
                assert_eq!(puts, 1, "{name}: not written again");
                assert_eq!(ran.report.requests.retries, 0, "{name}");
            }
        }
    }
}

#[tokio::test(start_paused = true)]
async fn an_output_table_that_does_not_exist_is_not_waited_for() {
    // Azure's error names the rule's table, but there is no such table (no workspace even):
    // waiting cannot help.
    let plan = plan();
    let rule = operation(&plan, RULE);
    let emulator = rule_rejected("InvalidOutputTable")()
        .start()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let client = client(&emulator);
    let mut recorder = Recorder {
        recorded: Recorded::default(),
        advance: None,
    };
    let outcome = not_ready::put_and_wait(&client, rule, &rule.body, HOUR, &mut recorder).await;
    let not_ready::Outcome::Failed(error) = outcome else {
        panic!("expected a failure at once");
    };
    assert_eq!(error.code(), Some("InvalidOutputTable"));
    assert!(recorder.recorded.waits.is_empty());
    assert_eq!(
        requests_to(&emulator, "/tables/AIUsageLog_CL"),
        ["GET 404"],
        "the table was looked for once"
    );
}
