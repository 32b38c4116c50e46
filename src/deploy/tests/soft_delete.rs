//! Soft-deleted names × `--purge-soft-deleted` × plan or deploy.

use std::time::Duration;

use super::support::*;
use crate::report::{Action, Mode, Outcome};

const APIM: &str = "apim-aigw-acc-x7k";
const ACCOUNT: &str = "cog-aifoundry-acc-x7k-sec";

fn soft_deleted(name: &str) -> Fault {
    match name {
        APIM => Fault::SoftDeletedApim {
            name: APIM.into(),
            location: "westeurope".into(),
        },
        _ => Fault::SoftDeletedAccount {
            name: ACCOUNT.into(),
            location: "swedencentral".into(),
            resource_group: "rg-aigw-acc-x7k".into(),
        },
    }
}

/// What the run shows for the soft-deleted resource.
#[derive(Debug, PartialEq)]
enum Expect {
    /// Plan: to be created, with this note (also a warning).
    Planned(&'static str),
    /// Deploy: created after a purge (a DELETE of the soft-deleted copy before the PUT).
    Purged,
    /// Deploy: stopped before writing it, with the remedy.
    Stopped(&'static str),
}

#[tokio::test(start_paused = true)]
async fn soft_deleted_names_by_mode_and_purge_flag() {
    let plan = plan();
    let rows = [
        (
            APIM,
            Mode::Plan,
            false,
            Expect::Planned(
                "deploy will stop there: purge it with `aigw deploy --purge-soft-deleted` or `az apim deletedservice purge --service-name apim-aigw-acc-x7k --location westeurope`, or choose another apimName",
            ),
        ),
        (
            APIM,
            Mode::Plan,
            true,
            Expect::Planned("deploy will purge it (--purge-soft-deleted)"),
        ),
        (
            APIM,
            Mode::Deploy,
            false,
            Expect::Stopped(
                "`az apim deletedservice purge --service-name apim-aigw-acc-x7k --location westeurope`",
            ),
        ),
        (APIM, Mode::Deploy, true, Expect::Purged),
        (
            ACCOUNT,
            Mode::Plan,
            false,
            Expect::Planned(
                "deploy will stop there: purge it with `aigw deploy --purge-soft-deleted` or `az cognitiveservices account purge --name cog-aifoundry-acc-x7k-sec --resource-group rg-aigw-acc-x7k --location swedencentral`",
            ),
        ),
        (
            ACCOUNT,
            Mode::Plan,
            true,
            Expect::Planned("deploy will purge it (--purge-soft-deleted)"),
        ),
        (
            ACCOUNT,
            Mode::Deploy,
            false,
            Expect::Stopped(
                "restore it with `az cognitiveservices account recover`, or change suffix",
            ),
        ),
        (ACCOUNT, Mode::Deploy, true, Expect::Purged),
    ];
    for (name, mode, purge, expect) in rows {
        let row = format!("{name} {mode:?} purge={purge}");
        let emulator = emulator()
            .fault(soft_deleted(name))
            .start()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let client = client(&emulator);
        let ran = run_engine(
            &plan,
            &client,
            mode,
            &options(purge, Duration::from_secs(3600)),
            None,
        )
        .await;
        let kind = operation(&plan, name).kind.label();
        let report = ran.operation(name);
        let deleted = if name == APIM {
            format!("/deletedservices/{name}")
        } else {
            format!("/deletedAccounts/{name}")
        };
        match expect {
            Expect::Planned(note) => {
                assert_eq!(ran.report.outcome, Outcome::ChangesPending, "{row}");
                assert_eq!(report.action, Action::Create, "{row}");
                let expected = format!("{kind} `{name}` is soft-deleted; {note}");
                assert!(
                    report
                        .note
                        .as_deref()
                        .is_some_and(|n| n.starts_with(&expected)),
                    "{row}: {:?}",
                    report.note
                );
                assert_eq!(
                    ran.report.warnings,
                    [report.note.clone().unwrap_or_default()],
                    "{row}"
                );
                assert_eq!(
                    requests_to(&emulator, &deleted),
                    ["GET 200"],
                    "{row}: only looked"
                );
            }
            Expect::Purged => {
                assert_eq!(ran.report.outcome, Outcome::Succeeded, "{row}");
                assert_eq!(report.action, Action::Create, "{row}");
                assert_eq!(
                    report.note.as_deref(),
                    Some(format!("purged the soft-deleted {kind} first").as_str()),
                    "{row}"
                );
                let purge = requests_to(&emulator, &deleted);
                assert_eq!(purge.first().map(String::as_str), Some("GET 200"), "{row}");
                assert_eq!(
                    purge.get(1).map(String::as_str),
                    Some("DELETE 202"),
                    "{row}: {purge:?}"
                );
                assert!(
                    emulator.resource(&operation(&plan, name).id).is_some(),
                    "{row}"
                );
            }
            Expect::Stopped(remedy) => {
                assert_eq!(ran.report.outcome, Outcome::Failed, "{row}");
                assert_eq!(report.action, Action::Failed, "{row}");
                assert_eq!(ran.failure_code(), Some("SoftDeletedName"), "{row}");
                let failure = ran
                    .report
                    .failure
                    .as_ref()
                    .unwrap_or_else(|| panic!("{row}"));
                assert_eq!(failure.resource.as_deref(), Some(name), "{row}");
                assert_eq!(
                    failure.message,
                    format!("{kind} `{name}` is soft-deleted, so Azure refuses to create it again"),
                    "{row}"
                );
                assert!(
                    failure
                        .remedy
                        .as_deref()
                        .is_some_and(|r| r.contains(remedy)),
                    "{row}: {:?}",
                    failure.remedy
                );
                let id = &operation(&plan, name).id;
                assert!(
                    emulator
                        .requests()
                        .iter()
                        .all(|r| !(r.method == "PUT" && r.path.eq_ignore_ascii_case(id))),
                    "{row}: nothing written to {name}"
                );
                assert_eq!(requests_to(&emulator, &deleted), ["GET 200"], "{row}");
            }
        }
    }
}
