//! Role assignments: found by grant whatever their name, replaced when they name a previous
//! identity, a concurrent identical grant counted as done; by plan or deploy.

use std::time::Duration;

use serde_json::{Value, json};

use super::support::*;
use crate::arm::ArmClient;
use crate::plan::{Operation, Plan};
use crate::report::{Action, Mode, Outcome};

/// The assignment under test: the first of the plan.
const TITLE: &str =
    "Cognitive Services OpenAI User for id-aigw-acc-x7k on proj-aifoundry-acc-x7k-weu";
/// An assignment name aigw did not choose.
const OTHER_NAME: &str = "7d1f6c1e-0000-4000-8000-000000000001";
/// The principal of an identity deleted and re-created since the last deploy.
const PREVIOUS_PRINCIPAL: &str = "0b9c2a6e-0000-4000-8000-0000000000aa";
const HOUR: Duration = Duration::from_secs(3600);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Before {
    /// Nothing deployed yet.
    Nothing,
    /// Deployed by aigw as planned.
    Deployed,
    /// The same grant exists under another name (made by hand or by another tool).
    UnderAnotherName,
    /// aigw's name holds a grant to a previous identity.
    Stale,
    /// Another writer makes the same grant while aigw writes it (409 `RoleAssignmentExists`).
    Race,
}

fn principal_of(ours: &Operation, principal: &str) -> Value {
    let mut body = ours.body.clone();
    body["properties"]["principalId"] = json!(principal);
    body
}

async fn identity_principal(client: &ArmClient, plan: &Plan) -> String {
    let identity = operation(plan, "id-aigw-acc-x7k");
    let read = client
        .get(&identity.id, identity.api_version())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_default();
    read["properties"]["principalId"]
        .as_str()
        .unwrap_or_else(|| panic!("no principal: {read}"))
        .to_string()
}

async fn prepare(before: Before, plan: &Plan) -> (RunningEmulator, ArmClient) {
    let ours = operation(plan, TITLE).clone();
    let mut builder = emulator();
    if before == Before::Race {
        let id = ours.id.clone();
        builder = builder.route_override(move |request| {
            (request.method == "PUT" && request.path.eq_ignore_ascii_case(&id)).then(|| {
                OverrideResponse::error(
                    409,
                    "RoleAssignmentExists",
                    "The role assignment already exists.",
                )
            })
        });
    }
    let emulator = builder.start().await.unwrap_or_else(|e| panic!("{e}"));
    let client = client(&emulator);
    if matches!(before, Before::Nothing | Before::Race) {
        return (emulator, client);
    }
    let first = run_engine(plan, &client, Mode::Deploy, &options(false, HOUR), None).await;
    assert_eq!(
        first.report.outcome,
        Outcome::Succeeded,
        "{:?}",
        first.report.failure
    );
    let principal = identity_principal(&client, plan).await;
    let scope = ours
        .id
        .rsplit_once("/providers/Microsoft.Authorization/")
        .map(|(scope, _)| scope.to_string())
        .unwrap_or_default();
    let api_version = ours.api_version();
    let put = |id: String, body: Value| {
        let client = &client;
        async move {
            client
                .put_and_wait(&id, api_version, &body, HOUR)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
    };
    match before {
        Before::UnderAnotherName => {
            client
                .delete_and_wait(&ours.id, ours.api_version(), HOUR)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let other =
                format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{OTHER_NAME}");
            put(other, principal_of(&ours, &principal)).await;
        }
        Before::Stale => {
            client
                .delete_and_wait(&ours.id, ours.api_version(), HOUR)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            emulator.add_principal(PREVIOUS_PRINCIPAL);
            put(ours.id.clone(), principal_of(&ours, PREVIOUS_PRINCIPAL)).await;
        }
        Before::Nothing | Before::Deployed | Before::Race => {}
    }
    (emulator, client)
}

#[tokio::test(start_paused = true)]
async fn role_assignments_by_what_exists_and_mode() {
    let plan = plan();
    let ours = operation(&plan, TITLE);
    let other_note = format!("already assigned as {OTHER_NAME}");
    let rows: [(Before, Mode, Action, Option<&str>); 9] = [
        (Before::Nothing, Mode::Plan, Action::Create, None),
        (Before::Nothing, Mode::Deploy, Action::Create, None),
        (Before::Deployed, Mode::Plan, Action::Unchanged, None),
        (Before::Deployed, Mode::Deploy, Action::Unchanged, None),
        (
            Before::UnderAnotherName,
            Mode::Plan,
            Action::Unchanged,
            Some(&other_note),
        ),
        (
            Before::UnderAnotherName,
            Mode::Deploy,
            Action::Unchanged,
            Some(&other_note),
        ),
        (
            Before::Stale,
            Mode::Plan,
            Action::Update,
            Some("assigned to a previous identity; will be replaced"),
        ),
        (
            Before::Stale,
            Mode::Deploy,
            Action::Update,
            Some("replaced an assignment to a previous identity"),
        ),
        (
            Before::Race,
            Mode::Deploy,
            Action::Unchanged,
            Some("already assigned (RoleAssignmentExists)"),
        ),
    ];
    for (before, mode, action, note) in rows {
        let row = format!("{before:?} {mode:?}");
        let (emulator, client) = prepare(before, &plan).await;
        let writes_before = emulator.requests().len();
        let ran = run_engine(&plan, &client, mode, &options(false, HOUR), None).await;
        assert!(
            ran.report.failure.is_none(),
            "{row}: {:?}",
            ran.report.failure
        );
        let report = ran.operation(TITLE);
        assert_eq!(
            (report.action, report.note.as_deref()),
            (action, note),
            "{row}"
        );
        // What is left in Azure under aigw's name.
        let stored = emulator.resource(&ours.id);
        let stored_principal = stored
            .as_ref()
            .and_then(|r| r["properties"]["principalId"].as_str().map(String::from));
        let ours_written = emulator.requests()[writes_before..]
            .iter()
            .filter(|r| r.method != "GET" && r.path.eq_ignore_ascii_case(&ours.id))
            .map(|r| format!("{} {}", r.method, r.status))
            .collect::<Vec<_>>();
        match (before, mode) {
            (_, Mode::Plan) => assert!(ours_written.is_empty(), "{row}: {ours_written:?}"),
            (Before::Nothing, Mode::Deploy) => assert_eq!(ours_written, ["PUT 201"], "{row}"),
            (Before::Deployed | Before::UnderAnotherName, Mode::Deploy) => {
                assert!(ours_written.is_empty(), "{row}: {ours_written:?}");
            }
            (Before::Stale, Mode::Deploy) => {
                assert_eq!(ours_written, ["DELETE 200", "PUT 201"], "{row}");
                assert_eq!(
                    stored_principal,
                    Some(identity_principal(&client, &plan).await),
                    "{row}: now granted to the current identity"
                );
            }
            (Before::Race, Mode::Deploy) => assert_eq!(ours_written, ["PUT 409"], "{row}"),
        }
        if (before, mode) == (Before::Stale, Mode::Plan) {
            assert_eq!(
                stored_principal.as_deref(),
                Some(PREVIOUS_PRINCIPAL),
                "{row}"
            );
        }
    }
}
