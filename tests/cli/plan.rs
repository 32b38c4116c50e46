use serde_json::Value;

use crate::support::*;

fn plan_json(params: &str) -> Value {
    let assert = aigw_cmd()
        .args(["plan", "--params", params, "--offline", "--output", "json"])
        .assert()
        .code(0);
    serde_json::from_str(&stdout_of(&assert)).expect("not one JSON document")
}

/// `(stage, [type name location])` of a JSON plan.
fn outline(plan: &Value) -> Vec<(String, Vec<String>)> {
    plan["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|stage| {
            let ops = stage["operations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|op| {
                    let ty = op["type"]
                        .as_str()
                        .unwrap_or_default()
                        .rsplit('/')
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    format!(
                        "{ty} {} {}",
                        op["name"].as_str().unwrap_or_default(),
                        op["location"].as_str().unwrap_or("-")
                    )
                })
                .collect();
            (stage["name"].as_str().unwrap_or_default().to_string(), ops)
        })
        .collect()
}

#[test]
fn offline_json_plan_has_every_stage_in_order() {
    let plan = plan_json(EXAMPLE);
    let outline = outline(&plan);
    let stages: Vec<&str> = outline.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        stages,
        [
            "foundation",
            "monitoring",
            "ai-foundry",
            "rbac",
            "apim",
            "models",
            "backends",
            "pools",
            "config",
            "policies"
        ]
    );
    assert_eq!(
        outline[0].1,
        [
            "resourceGroups rg-aigw-acc-x7k westeurope",
            "userAssignedIdentities id-aigw-acc-x7k westeurope"
        ]
    );
    assert_eq!(
        outline[1].1,
        [
            "workspaces log-aigw-acc-x7k westeurope",
            "tables AIUsageLog_CL -",
            "dataCollectionEndpoints dce-aigw-acc-x7k westeurope",
            "dataCollectionRules dcr-aigw-acc-x7k westeurope"
        ]
    );
    assert_eq!(
        outline[2].1,
        [
            "accounts cog-aifoundry-acc-x7k-weu westeurope",
            "projects proj-aifoundry-acc-x7k-weu westeurope",
            "accounts cog-aifoundry-acc-x7k-sec swedencentral",
            "projects proj-aifoundry-acc-x7k-sec swedencentral",
            "accounts cog-aifoundry-acc-x7k-frc francecentral",
            "projects proj-aifoundry-acc-x7k-frc francecentral"
        ]
    );
    assert!(
        outline[3]
            .1
            .iter()
            .all(|op| op.starts_with("roleAssignments "))
            && outline[3].1.len() == 14
    );
    assert_eq!(outline[4].1[0], "service apim-aigw-acc-x7k westeurope");
    assert_eq!(outline[5].1.len(), 6);
    assert_eq!(outline[6].1.len(), 12);
    assert_eq!(
        outline[7].1,
        [
            "backends pool-gpt-5-dot-1 -",
            "backends pool-gpt-5-dot-4-mini -"
        ]
    );
    assert_eq!(
        outline[8].1,
        [
            "namedValues dce-endpoint -",
            "namedValues dcr-immutable-id -",
            "namedValues stream-name -",
            "namedValues managed-identity-client-id -",
            "namedValues trip-on-server-errors -"
        ]
    );
    assert_eq!(outline[9].1.len(), 9);
    assert!(
        outline[9].1[..7]
            .iter()
            .all(|op| op.starts_with("policyFragments aigw-"))
    );
    assert_eq!(
        outline[9].1[7..],
        ["policies openai/policy -", "policies v1/policy -"]
    );
}

#[test]
fn deferred_values_are_marked_in_json() {
    let plan = plan_json(EXAMPLE);
    let rbac = &plan["stages"][3]["operations"][0]["body"]["properties"];
    assert_eq!(
        rbac["principalId"],
        serde_json::json!({ "$deferred": "identity.principalId" })
    );
    assert_eq!(rbac["principalType"], "ServicePrincipal");
    let named = &plan["stages"][8]["operations"][3]["body"]["properties"]["value"];
    assert_eq!(
        named,
        &serde_json::json!({ "$deferred": "identity.clientId" })
    );
    assert_eq!(
        plan["subscriptionId"],
        "00000000-0000-0000-0000-000000000000"
    );
}

#[test]
fn both_parameter_formats_give_the_same_plan() {
    assert_eq!(plan_json(EXAMPLE), plan_json(EXAMPLE_JSON));
}

#[test]
fn a_subscription_id_goes_into_every_id() {
    let sub = "11111111-2222-3333-4444-555555555555";
    let assert = aigw_cmd()
        .args([
            "plan",
            "--params",
            EXAMPLE,
            "--offline",
            "--output",
            "json",
            "--subscription-id",
            sub,
        ])
        .assert()
        .code(0);
    let plan: Value = serde_json::from_str(&stdout_of(&assert)).expect("valid JSON");
    let ids: Vec<&str> = plan["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["operations"].as_array().into_iter().flatten())
        .filter_map(|o| o["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 66);
    assert!(
        ids.iter()
            .all(|id| id.starts_with(&format!("/subscriptions/{sub}/")))
    );
}

#[test]
fn text_and_markdown_show_pools_with_priorities() {
    let assert = aigw_cmd()
        .args(["plan", "--params", EXAMPLE, "--offline"])
        .assert()
        .code(0);
    let text = stdout_of(&assert);
    assert!(
        text.starts_with("Plan: 66 resources in 10 stages\n"),
        "{text}"
    );
    assert!(
        text.contains("member: aoai-gpt-5-dot-1-sec (priority 2, swedencentral)"),
        "{text}"
    );
    assert!(
        text.contains("circuit breaker: 1 × 429 or 500–599 within 10 s → open 10 s"),
        "{text}"
    );
    let assert = aigw_cmd()
        .args([
            "plan",
            "--params",
            EXAMPLE,
            "--offline",
            "--output",
            "markdown",
        ])
        .assert()
        .code(0);
    let markdown = stdout_of(&assert);
    assert!(
        markdown.starts_with("### aigw plan: 66 resources in 10 stages"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| backend pool | `pool-gpt-5-dot-1` |"),
        "{markdown}"
    );
}

#[test]
fn an_invalid_file_plans_nothing() {
    let assert = aigw_cmd()
        .args([
            "plan",
            "--params",
            &fixture("many-mistakes.bicepparam"),
            "--offline",
            "--output",
            "json",
        ])
        .assert()
        .code(2);
    let document: Value = serde_json::from_str(&stdout_of(&assert)).expect("valid JSON");
    assert_eq!(document["outcome"], "failed");
    assert!(
        document.get("stages").is_none(),
        "no plan for an invalid file"
    );
}

#[test]
fn a_malformed_subscription_id_is_a_usage_error() {
    aigw_cmd()
        .args([
            "plan",
            "--params",
            EXAMPLE,
            "--offline",
            "--subscription-id",
            "my-sub",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "subscription id `my-sub` is not a GUID",
        ));
}
