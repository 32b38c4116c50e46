//! A resource that exists but returns no value aigw reads from it: a value a later body needs
//! stops the deploy, a value that is only reported leaves that output empty; a live plan shows
//! the values it does not know yet.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::support::*;
use crate::plan::DeferredRef;
use crate::report::{Action, Mode, Outcome};

const HOUR: Duration = Duration::from_secs(3600);
/// Its endpoint goes into the named value `dce-endpoint`.
const NEEDED: &str = "dce-aigw-acc-x7k";
/// Its endpoint is only reported.
const REPORTED: &str = "proj-aifoundry-acc-x7k-weu";

#[derive(Debug)]
enum Expect {
    /// Deploy stops at the resource with `MissingOutput`; nothing after it is written.
    Stops,
    /// Deploy succeeds with a warning and the output empty.
    EmptyOutput(&'static str),
    /// A live plan: nothing fails; the named value that needs it shows an unknown value.
    Unknown,
    /// A live plan of a value that is only reported: no change, no warning.
    Nothing,
}

#[tokio::test(start_paused = true)]
async fn missing_outputs_by_need_and_mode() {
    let plan = plan();
    let rows = [
        (NEEDED, Mode::Deploy, Expect::Stops),
        (NEEDED, Mode::Plan, Expect::Unknown),
        (
            REPORTED,
            Mode::Deploy,
            Expect::EmptyOutput("projectEndpoints"),
        ),
        (REPORTED, Mode::Plan, Expect::Nothing),
    ];
    for (name, mode, expect) in rows {
        let row = format!("{name} {mode:?}");
        let target = operation(&plan, name).clone();
        // Once on, reads of the resource answer what aigw wants, without the server's values.
        let hide = Arc::new(AtomicBool::new(false));
        let read = as_read(&target, &target.body);
        let emulator = emulator()
            .route_override({
                let hide = hide.clone();
                let id = target.id.clone();
                move |request| {
                    (hide.load(Ordering::SeqCst)
                        && request.method == "GET"
                        && request.path.eq_ignore_ascii_case(&id))
                    .then(|| OverrideResponse::json(200, read.clone()))
                }
            })
            .start()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let client = client(&emulator);
        let first = run_engine(&plan, &client, Mode::Deploy, &options(false, HOUR), None).await;
        assert_eq!(first.report.outcome, Outcome::Succeeded, "{row}");
        hide.store(true, Ordering::SeqCst);
        let writes = emulator.requests().len();
        let ran = run_engine(&plan, &client, mode, &options(false, HOUR), None).await;
        let wrote = emulator.requests()[writes..]
            .iter()
            .filter(|r| r.method != "GET")
            .count();
        match expect {
            Expect::Stops => {
                assert_eq!(ran.report.outcome, Outcome::Failed, "{row}");
                assert_eq!(ran.failure_code(), Some("MissingOutput"), "{row}");
                let failure = ran
                    .report
                    .failure
                    .as_ref()
                    .unwrap_or_else(|| panic!("{row}"));
                assert_eq!(
                    failure.message,
                    format!(
                        "data collection endpoint `{NEEDED}` exists but Azure returned no {} ({})",
                        DeferredRef::DceLogsIngestionEndpoint,
                        DeferredRef::DceLogsIngestionEndpoint.json_pointer()
                    ),
                    "{row}"
                );
                assert_eq!(ran.operation(NEEDED).action, Action::Failed, "{row}");
                assert_eq!(
                    ran.operation("dce-endpoint").action,
                    Action::NotReached,
                    "{row}"
                );
                assert_eq!(wrote, 0, "{row}");
            }
            Expect::EmptyOutput(output) => {
                assert_eq!(ran.report.outcome, Outcome::NoChanges, "{row}");
                assert_eq!(
                    ran.report.warnings.len(),
                    1,
                    "{row}: {:?}",
                    ran.report.warnings
                );
                assert!(
                    ran.report.warnings[0]
                        .starts_with(&format!("AI Foundry project `{REPORTED}` returned no ")),
                    "{row}: {:?}",
                    ran.report.warnings
                );
                let reported = &ran.report.outputs[output];
                assert!(reported["westeurope"].is_null(), "{row}: {reported:#}");
                assert!(reported["swedencentral"].is_string(), "{row}: {reported:#}");
                assert_eq!(wrote, 0, "{row}");
            }
            Expect::Unknown => {
                assert!(
                    ran.report.failure.is_none(),
                    "{row}: {:?}",
                    ran.report.failure
                );
                assert_eq!(ran.report.outcome, Outcome::ChangesPending, "{row}");
                let named_value = ran.operation("dce-endpoint");
                assert_eq!(named_value.action, Action::Update, "{row}");
                assert_eq!(named_value.changes.len(), 1, "{row}");
                assert_eq!(named_value.changes[0].path, "properties.value", "{row}");
                assert_eq!(named_value.changes[0].to, None, "{row}: not known yet");
                assert!(
                    ran.report.warnings.is_empty(),
                    "{row}: {:?}",
                    ran.report.warnings
                );
            }
            Expect::Nothing => {
                assert_eq!(ran.report.outcome, Outcome::NoChanges, "{row}");
                assert!(
                    ran.report.warnings.is_empty(),
                    "{row}: {:?}",
                    ran.report.warnings
                );
            }
        }
    }
}
