//! Role assignment rules: existing scope, known principal, no duplicates, no updates, lists.

use serde_json::{Value, json};

use super::*;
use crate::Fault;

const OPENAI_USER: &str = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
const PUBLISHER: &str = "3913510d-42f4-4e42-8a64-420c390055eb";

fn role(guid: &str) -> String {
    format!("/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{guid}")
}

fn assignment(scope: &str, name: &str) -> String {
    format!("{scope}/providers/Microsoft.Authorization/roleAssignments/{name}")
}

fn body(role_guid: &str, principal: &str) -> Value {
    json!({ "properties": {
        "roleDefinitionId": role(role_guid),
        "principalId": principal,
        "principalType": "ServicePrincipal"
    } })
}

const A1: &str = "11111111-0000-0000-0000-000000000001";
const A2: &str = "11111111-0000-0000-0000-000000000002";
const A3: &str = "11111111-0000-0000-0000-000000000003";

#[tokio::test]
async fn assignments_follow_arm_rules() {
    let (_emulator, arm) = start(builder()).await;
    let principal = identity(&arm).await;
    let scope = identity_id();

    arm.put(
        &assignment(
            &format!("{RG}/providers/Microsoft.Insights/dataCollectionRules/none"),
            A1,
        ),
        RA_V,
        body(OPENAI_USER, &principal),
    )
    .await
    .expect_error(404, "ResourceNotFound");
    arm.put(
        &assignment(&scope, A1),
        RA_V,
        body(OPENAI_USER, "99999999-9999-9999-9999-999999999999"),
    )
    .await
    .expect_error(400, "PrincipalNotFound");
    arm.put(
        &assignment(&scope, "not-a-guid"),
        RA_V,
        body(OPENAI_USER, &principal),
    )
    .await
    .expect_error(400, "InvalidRoleAssignmentId");

    arm.get(&assignment(&scope, A1), RA_V)
        .await
        .expect_error(404, "RoleAssignmentNotFound");
    let created = arm
        .put(&assignment(&scope, A1), RA_V, body(OPENAI_USER, &principal))
        .await
        .expect(201);
    assert_eq!(created.body["properties"]["scope"], scope);
    assert_eq!(
        created.body["type"],
        "Microsoft.Authorization/roleAssignments"
    );
    assert!(created.body["properties"]["condition"].is_null());
    arm.put(&assignment(&scope, A1), RA_V, body(OPENAI_USER, &principal))
        .await
        .expect(200);
    arm.put(&assignment(&scope, A2), RA_V, body(OPENAI_USER, &principal))
        .await
        .expect_error(409, "RoleAssignmentExists");
    arm.put(&assignment(&scope, A1), RA_V, body(PUBLISHER, &principal))
        .await
        .expect_error(400, "RoleAssignmentUpdateNotPermitted");
    let mut user = body(PUBLISHER, &principal);
    user["properties"]["principalType"] = json!("User");
    arm.put(&assignment(&scope, A2), RA_V, user)
        .await
        .expect_error(400, "UnmatchedPrincipalType");

    // Same role and principal at another scope is a different assignment.
    arm.put(&assignment(RG, A2), RA_V, body(OPENAI_USER, &principal))
        .await
        .expect(201);
    let configured = "aaaaaaaa-0000-0000-0000-000000000000";
    arm.put(&assignment(RG, A3), RA_V, body(PUBLISHER, configured))
        .await
        .expect_error(400, "PrincipalNotFound");
    _emulator.add_principal(configured);
    arm.put(&assignment(RG, A3), RA_V, body(PUBLISHER, configured))
        .await
        .expect(201);

    let list = |scope: &str, filter: &str| {
        format!(
            "{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={RA_V}&$filter={filter}"
        )
    };
    let names = |r: &Resp| -> Vec<String> {
        let mut names: Vec<String> = r.body["value"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a["name"].as_str().map(str::to_string))
            .collect();
        names.sort();
        names
    };
    let at_identity = arm
        .send("GET", &list(&scope, "atScope()"), None, &[])
        .await
        .expect(200);
    assert_eq!(names(&at_identity), [A1, A2, A3], "at the scope and above");
    let at_rg = arm
        .send("GET", &list(RG, "atScope()"), None, &[])
        .await
        .expect(200);
    assert_eq!(names(&at_rg), [A2, A3]);
    let by_principal = arm
        .send(
            "GET",
            &list(RG, &format!("principalId eq '{principal}'")),
            None,
            &[],
        )
        .await
        .expect(200);
    assert_eq!(
        names(&by_principal),
        [A1, A2],
        "at, above and below the scope"
    );

    arm.delete(&assignment(RG, A3), RA_V).await.expect(200);
    arm.delete(&assignment(RG, A3), RA_V).await.expect(204);
}

#[tokio::test]
async fn new_principals_may_not_be_replicated_yet() {
    let (emulator, arm) = start(builder().fault(Fault::PrincipalNotFound { times: 2 })).await;
    let principal = identity(&arm).await;
    let id = assignment(&identity_id(), A1);
    for _ in 0..2 {
        arm.put(&id, RA_V, body(OPENAI_USER, &principal))
            .await
            .expect_error(400, "PrincipalNotFound");
    }
    arm.put(&id, RA_V, body(OPENAI_USER, &principal))
        .await
        .expect(201);
    let writes = emulator
        .requests()
        .iter()
        .filter(|r| r.path.contains("roleAssignments"))
        .count();
    assert_eq!(writes, 3);
}

#[tokio::test]
async fn system_assigned_identities_are_principals_too() {
    let (_emulator, arm) = start(builder()).await;
    resource_group(&arm).await;
    let account = arm.create(&account_id(), CS_V, account_body()).await;
    let principal = account["identity"]["principalId"]
        .as_str()
        .unwrap_or_default();
    arm.put(&assignment(RG, A1), RA_V, body(OPENAI_USER, principal))
        .await
        .expect(201);
}
