//! `aigw deploy` end to end against the ARM emulator.

use aigw_emulator::{Fault, LatencyProfile, Matcher, OverrideResponse, RequestKind};
use serde_json::Value;
use serde_json::json;

use crate::support::arm::*;
use crate::support::*;

const STAGES: [&str; 10] = [
    "foundation",
    "monitoring",
    "ai-foundry",
    "rbac",
    "apim",
    "models",
    "backends",
    "pools",
    "config",
    "policies",
];

/// `body` with every deferred value `{"$deferred": key}` replaced by `value(key)`.
fn resolved(body: &Value, value: &impl Fn(&str) -> Value) -> Value {
    match body {
        Value::Object(map) => match (map.len(), map.get("$deferred").and_then(Value::as_str)) {
            (1, Some(key)) => value(key),
            _ => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolved(v, value)))
                    .collect(),
            ),
        },
        Value::Array(items) => Value::Array(items.iter().map(|v| resolved(v, value)).collect()),
        other => other.clone(),
    }
}

fn count(report: &Value, action: &str) -> usize {
    actions(report)
        .iter()
        .filter(|a| a.ends_with(&format!(":{action}")))
        .count()
}

#[test]
fn the_example_deploys_in_stage_order_one_write_at_a_time() {
    let ctx = TestContext::start();
    let (report, code) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["outcome"], "succeeded");
    assert_eq!(count(&report, "create"), 66);
    let stages: Vec<&str> = report["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(stages, STAGES);
    // JSON keeps the machine's names and ids next to the titles people read.
    let grant = report["stages"][3]["operations"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| {
            o["title"]
                == "Cognitive Services OpenAI User for id-aigw-acc-x7k on cog-aifoundry-acc-x7k-weu"
        })
        .unwrap_or_else(|| panic!("no titled grant: {:#}", report["stages"][3]));
    assert_eq!(grant["kind"], "role assignment");
    assert_eq!(grant["name"].as_str().map(str::len), Some(36), "the GUID");
    assert!(
        grant["id"]
            .as_str()
            .is_some_and(|id| id.contains("/providers/Microsoft.Authorization/roleAssignments/")),
        "{grant}"
    );

    // Every planned resource was written once with exactly its planned body, the values known
    // only after an earlier write resolved to what Azure answered (the report's outputs), and
    // exists.
    let plan_output = aigw_cmd()
        .args([
            "plan",
            "--params",
            EXAMPLE,
            "--offline",
            "--output",
            "json",
            "--subscription-id",
            SUBSCRIPTION,
        ])
        .output()
        .expect("aigw plan runs");
    let plan: Value = serde_json::from_slice(&plan_output.stdout).expect("the plan is JSON");
    let outputs = &report["outputs"];
    let deferred = |key: &str| -> Value {
        let output = match key {
            "identity.principalId" => "identityPrincipalId",
            "identity.clientId" => "identityClientId",
            "dce.logsIngestionEndpoint" => "dceIngestionEndpoint",
            "dcr.immutableId" => "dcrImmutableId",
            other => panic!("a planned body uses {other}: say here which output resolves it"),
        };
        let value = outputs[output].clone();
        assert!(value.is_string(), "{output}: {outputs:#}");
        value
    };
    let sent: Vec<(String, Value)> = ctx
        .requests()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Write && r.method == "PUT")
        .map(|r| (r.path.to_ascii_lowercase(), r.body.unwrap_or_default()))
        .collect();
    for op in plan["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["operations"].as_array().into_iter().flatten())
    {
        let id = op["id"].as_str().unwrap_or_default();
        let bodies: Vec<&Value> = sent
            .iter()
            .filter(|(path, _)| *path == id.to_ascii_lowercase())
            .map(|(_, body)| body)
            .collect();
        assert_eq!(
            bodies,
            [&resolved(&op["body"], &deferred)],
            "the body sent for {id}"
        );
        let resource = ctx
            .resource(id)
            .unwrap_or_else(|| panic!("{id} was not created"));
        assert_eq!(
            resource["properties"]["provisioningState"]
                .as_str()
                .unwrap_or("Succeeded"),
            "Succeeded",
            "{id}"
        );
    }

    // The writes happened in plan order and never overlapped.
    let writes: Vec<String> = ctx
        .requests()
        .into_iter()
        .filter(|r| r.kind == RequestKind::Write && r.method == "PUT")
        .map(|r| r.path.to_ascii_lowercase())
        .collect();
    let planned: Vec<String> = plan["stages"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["operations"].as_array().into_iter().flatten())
        .filter_map(|o| o["id"].as_str().map(str::to_ascii_lowercase))
        .collect();
    assert_eq!(writes, planned);
    assert_eq!(ctx.emulator().max_writes_in_flight(), 1);

    // Outputs are resolved from what Azure returned.
    let outputs = &report["outputs"];
    assert_eq!(
        outputs["gatewayUrl"],
        "https://apim-aigw-acc-x7k.azure-api.net"
    );
    assert!(
        outputs["identityClientId"]
            .as_str()
            .is_some_and(|v| v.len() == 36)
    );
    assert!(
        outputs["dcrImmutableId"]
            .as_str()
            .is_some_and(|v| v.starts_with("dcr-"))
    );
    assert!(
        outputs["projectEndpoints"]["swedencentral"]
            .as_str()
            .is_some_and(|v| v.ends_with("/api/projects/proj-aifoundry-acc-x7k-sec"))
    );
    assert_eq!(outputs["deploymentCounts"]["francecentral"], 2);
}

#[test]
fn a_second_deploy_writes_nothing_and_a_changed_parameter_writes_only_what_it_affects() {
    let ctx = TestContext::start();
    assert_eq!(ctx.deploy_json(EXAMPLE, &[]).1, 0);

    let before = ctx.requests().len();
    let (again, code) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(code, 0);
    assert_eq!(again["outcome"], "no-changes");
    assert_eq!(count(&again, "unchanged"), 66);
    assert_eq!(again["requests"]["writes"], 0);
    assert!(ctx.writes_since(before).is_empty());
    let text = ctx.aigw("deploy", EXAMPLE).assert().code(0);
    assert!(
        stdout_of(&text)
            .starts_with("Deploy succeeded without changes: 0 created, 0 updated, 66 unchanged"),
        "{}",
        stdout_of(&text)
    );

    // Capacity of one deployment in one region.
    let capacity = ctx.params_with("capacity.bicepparam", |t| {
        t.replacen("skuCapacity: 50", "skuCapacity: 80", 1)
    });
    let before = ctx.requests().len();
    let (report, code) = ctx.deploy_json(&capacity, &[]);
    assert_eq!(code, 0);
    let changed: Vec<String> = actions(&report)
        .into_iter()
        .filter(|a| !a.ends_with(":unchanged"))
        .collect();
    assert_eq!(changed, ["gpt-5.1:update"]);
    let writes = ctx.writes_since(before);
    assert_eq!(writes.len(), 1);
    assert!(
        writes[0]
            .path
            .ends_with("/accounts/cog-aifoundry-acc-x7k-weu/deployments/gpt-5.1"),
        "{}",
        writes[0].path
    );
    let op = report["stages"][5]["operations"][0]["changes"][0].clone();
    assert_eq!(
        (op["path"].as_str(), op["from"].as_i64(), op["to"].as_i64()),
        (Some("sku.capacity"), Some(50), Some(80))
    );

    // A new deployment in the first region: the model deployment, its two backends and a new pool.
    let new_deployment = ctx.params_with("new-deployment.bicepparam", |t| {
        t.replacen(
            "    deployments: [\n",
            "    deployments: [\n      {\n        deploymentName: 'text-embedding-3-small'\n        modelName: 'text-embedding-3-small'\n        modelVersion: '1'\n        skuName: 'Standard'\n        skuCapacity: 20\n      }\n",
            1,
        )
    });
    let (report, code) = ctx.deploy_json(&new_deployment, &[]);
    assert_eq!(code, 0, "{report:#}");
    let mut created: Vec<String> = actions(&report)
        .into_iter()
        .filter(|a| a.ends_with(":create"))
        .collect();
    created.sort();
    assert_eq!(
        created,
        [
            "aoai-text-embedding-3-small-weu:create",
            "oaiv1-text-embedding-3-small-weu:create",
            "pool-text-embedding-3-small:create",
            "text-embedding-3-small:create"
        ]
    );
    assert_eq!(
        count(&report, "update"),
        1,
        "the capacity change of the previous file is reverted"
    );

    // A new region: its account, project, role assignments, model deployments, backends, and
    // the pools that gain members.
    let new_region = ctx.params_with("new-region.bicepparam", |t| {
        let start = t.find("param openAILocations = [\n").unwrap_or_default() + "param openAILocations = [\n".len();
        let region = "  {\n    name: 'uksouth'\n    abbreviation: 'uks'\n    priority: 4\n    deployments: [\n      {\n        deploymentName: 'gpt-5.1'\n        modelName: 'gpt-5.1'\n        modelVersion: '2025-11-13'\n        skuName: 'GlobalStandard'\n        skuCapacity: 10\n      }\n    ]\n  }\n";
        format!("{}{region}{}", &t[..start], &t[start..])
    });
    let (report, code) = ctx.deploy_json(&new_region, &[]);
    assert_eq!(code, 0, "{report:#}");
    let mut changed: Vec<String> = actions(&report)
        .into_iter()
        .filter(|a| !a.ends_with(":unchanged"))
        .collect();
    changed.sort();
    let role_assignments = changed
        .iter()
        .filter(|a| a.len() == 36 + ":create".len())
        .count();
    assert_eq!(role_assignments, 4, "{changed:?}");
    changed.retain(|a| a.len() != 36 + ":create".len());
    assert_eq!(
        changed,
        [
            "aoai-gpt-5-dot-1-uks:create",
            "cog-aifoundry-acc-x7k-uks:create",
            "gpt-5.1:create",
            "oaiv1-gpt-5-dot-1-uks:create",
            "pool-gpt-5-dot-1:update",
            "proj-aifoundry-acc-x7k-uks:create",
        ],
        "the embedding deployment of the previous file is kept (aigw never deletes)"
    );
}

#[test]
fn transient_faults_are_survived_with_the_same_final_state() {
    let ctx = TestContext::with(|b| {
        b.fault(Fault::Throttle {
            matcher: Matcher::method("PUT"),
            times: 3,
            retry_after_secs: 2,
        })
        .fault(Fault::ServerError {
            matcher: Matcher::any().resource_type("Microsoft.Insights/dataCollectionRules"),
            times: 2,
            status: 503,
        })
        .fault(Fault::Conflict {
            matcher: Matcher::any()
                .resource_type("Microsoft.CognitiveServices/accounts/deployments"),
            times: 2,
        })
        .fault(Fault::DropConnection {
            matcher: Matcher::any().resource_type("Microsoft.ApiManagement/service/backends"),
            times: 2,
        })
        .fault(Fault::PrincipalNotFound { times: 3 })
    });
    let (report, code) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["outcome"], "succeeded");
    assert_eq!(count(&report, "create"), 66);
    assert!(
        report["requests"]["retries"].as_u64().unwrap_or(0) >= 12,
        "{}",
        report["requests"]
    );
    assert_eq!(ctx.emulator().max_writes_in_flight(), 1);
    // The same final state as without faults: a rerun changes nothing.
    let (again, _) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(again["outcome"], "no-changes");
}

#[test]
fn a_failed_long_running_operation_stops_the_deploy_and_a_rerun_converges() {
    let ctx = TestContext::with(|b| {
        b.fault(Fault::FailLongRunning {
            matcher: Matcher::any()
                .resource_type("Microsoft.CognitiveServices/accounts/deployments")
                .name("gpt-5.4-mini"),
            code: "InternalServerError".into(),
            message: "the deployment failed".into(),
        })
    });
    let (report, code) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(code, 1);
    assert_eq!(report["outcome"], "failed");
    assert_eq!(report["failure"]["resource"], "gpt-5.4-mini");
    assert!(actions(&report).contains(&"aoai-gpt-5-dot-1-weu:not-reached".to_string()));
    ctx.emulator().clear_faults();
    let (report, code) = ctx.deploy_json(EXAMPLE, &[]);
    // The deployment Azure left in Failed is written again, not taken as unchanged.
    let repaired = &report["stages"][5]["operations"][1];
    assert_eq!(
        (repaired["name"].as_str(), repaired["action"].as_str()),
        (Some("gpt-5.4-mini"), Some("update")),
        "{report:#}"
    );
    assert_eq!(
        repaired["changes"][0]["path"],
        "properties.provisioningState"
    );
    assert_eq!(
        (code, report["outcome"].as_str()),
        (0, Some("succeeded")),
        "{report:#}"
    );
}

#[test]
fn errors_that_retrying_cannot_fix_fail_fast_with_the_cause_and_the_remedy() {
    let ctx = TestContext::with(|b| {
        b.fault(Fault::Reject {
            matcher: Matcher::method("PUT").resource_type("Microsoft.CognitiveServices/accounts/deployments"),
            status: 400,
            code: "InsufficientQuota".into(),
            message: "This operation require 50 new capacity in quota Tokens Per Minute (thousands) - gpt-5.1, which is bigger than the current available capacity 10.".into(),
            times: None,
        })
    });
    let before = ctx.requests().len();
    let assert = ctx.aigw("deploy", EXAMPLE).assert().code(1);
    let stdout = stdout_of(&assert);
    assert!(stdout.starts_with("Deploy failed: 32 created"), "{stdout}");
    assert!(
        stdout.contains("Error at model deployment gpt-5.1 in westeurope:"),
        "{stdout}"
    );
    assert!(stdout.contains("400 InsufficientQuota"), "{stdout}");
    assert!(
        stdout.contains("fix: the subscription lacks model quota in this region"),
        "{stdout}"
    );
    let quota_puts = ctx
        .requests()
        .into_iter()
        .skip(before)
        .filter(|r| r.method == "PUT" && r.path.contains("/deployments/"))
        .count();
    assert_eq!(quota_puts, 1, "not retried");
}

#[test]
fn soft_deleted_names_stop_with_the_remedy_unless_purging_is_allowed() {
    let ctx = TestContext::with(|b| {
        b.fault(Fault::SoftDeletedApim {
            name: "apim-aigw-acc-x7k".into(),
            location: "westeurope".into(),
        })
    });
    let assert = ctx.aigw("deploy", EXAMPLE).assert().code(1);
    let stdout = stdout_of(&assert);
    assert!(
        stdout.contains("API Management `apim-aigw-acc-x7k` is soft-deleted"),
        "{stdout}"
    );
    assert!(
        stdout.contains("aigw deploy --purge-soft-deleted"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "az apim deletedservice purge --service-name apim-aigw-acc-x7k --location westeurope"
        ),
        "{stdout}"
    );
    let (report, code) = ctx.deploy_json(EXAMPLE, &["--purge-soft-deleted"]);
    assert_eq!(code, 0, "{report:#}");
    let note = report["stages"][4]["operations"][0]["note"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(note.contains("purged"), "{note}");

    let ctx = TestContext::with(|b| {
        b.fault(Fault::SoftDeletedAccount {
            name: "cog-aifoundry-acc-x7k-sec".into(),
            location: "swedencentral".into(),
            resource_group: "rg-aigw-acc-x7k".into(),
        })
    });
    let assert = ctx.aigw("deploy", EXAMPLE).assert().code(1);
    assert!(
        stdout_of(&assert)
            .contains("az cognitiveservices account purge --name cog-aifoundry-acc-x7k-sec")
    );
}

#[test]
fn an_existing_equivalent_role_assignment_under_another_name_is_unchanged() {
    let ctx = TestContext::start();
    assert_eq!(ctx.deploy_json(EXAMPLE, &[]).1, 0);
    // Re-create one assignment under a name of someone else's choosing.
    let rbac = ctx
        .requests()
        .into_iter()
        .find(|r| r.method == "PUT" && r.path.contains("roleAssignments"))
        .expect("no assignment");
    let body = rbac.body.clone().unwrap_or_default();
    let other = format!(
        "{}/00000000-1111-2222-3333-444444444444",
        rbac.path
            .rsplit_once('/')
            .map(|(a, _)| a)
            .unwrap_or_default()
    );
    let client = reqwest_client();
    let url = format!("{}{}?api-version=2022-04-01", ctx.url, rbac.path);
    ctx.block_on(async {
        let _ = client.delete(&url).bearer_auth(TOKEN).send().await;
        let _ = client
            .put(format!("{}{other}?api-version=2022-04-01", ctx.url))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await;
    });
    let before = ctx.requests().len();
    let (report, code) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(
        (code, report["outcome"].as_str()),
        (0, Some("no-changes")),
        "{report:#}"
    );
    assert!(ctx.writes_since(before).is_empty());
    let notes: Vec<&str> = report["stages"][3]["operations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|o| o["note"].as_str())
        .collect();
    assert_eq!(
        notes,
        ["already assigned as 00000000-1111-2222-3333-444444444444"]
    );
}

fn reqwest_client() -> reqwest::Client {
    aigw::tls::install_crypto_provider();
    reqwest::Client::builder().build().expect("HTTP client")
}

#[test]
fn live_plan_shows_the_diff_and_the_detailed_exit_code() {
    let ctx = TestContext::start();
    // Nothing deployed: everything to create.
    let assert = ctx
        .aigw("plan", EXAMPLE)
        .arg("--detailed-exitcode")
        .assert()
        .code(4);
    assert!(stdout_of(&assert).starts_with("Plan: 66 to create, 0 to update, 0 unchanged"));
    assert!(ctx.writes_since(0).is_empty(), "plan never writes");
    assert_eq!(ctx.deploy_json(EXAMPLE, &[]).1, 0);
    ctx.aigw("plan", EXAMPLE)
        .arg("--detailed-exitcode")
        .assert()
        .code(0);
    let capacity = ctx.params_with("capacity.bicepparam", |t| {
        t.replacen("skuCapacity: 50", "skuCapacity: 80", 1)
    });
    let assert = ctx
        .aigw("plan", &capacity)
        .arg("--detailed-exitcode")
        .assert()
        .code(4);
    let stdout = stdout_of(&assert);
    assert!(
        stdout.starts_with("Plan: 0 to create, 1 to update, 65 unchanged"),
        "{stdout}"
    );
    assert!(
        stdout.contains("~ update       model deployment         gpt-5.1 in westeurope")
            && stdout.contains("sku.capacity: 50 → 80"),
        "{stdout}"
    );
    // Without --detailed-exitcode pending changes are still success.
    ctx.aigw("plan", &capacity).assert().code(0);
}

#[test]
fn a_rejected_token_is_an_authentication_failure() {
    let ctx = TestContext::start();
    let assert = ctx
        .aigw("deploy", EXAMPLE)
        .env("AZURE_ACCESS_TOKEN", "wrong")
        .assert()
        .code(3);
    assert!(
        stdout_of(&assert).contains("InvalidAuthenticationToken"),
        "{}",
        stdout_of(&assert)
    );
    assert!(
        !stdout_of(&assert).contains("wrong"),
        "the token is never printed"
    );
}

#[test]
fn the_rehearsal_command_runs_the_whole_deploy_in_process() {
    let assert = aigw_cmd()
        .args([
            "deploy",
            "--params",
            EXAMPLE,
            "--emulator",
            "--emulator-latency",
            "0",
        ])
        .env("AIGW_TEST_TIME_SCALE", "0")
        .assert()
        .code(0);
    let stdout = stdout_of(&assert);
    assert!(
        stdout.starts_with("Deploy succeeded: 66 created"),
        "{stdout}"
    );
    assert!(
        stdout.contains("gatewayUrl             https://apim-aigw-acc-x7k.azure-api.net"),
        "{stdout}"
    );
    let stderr = stderr_of(&assert);
    for stage in STAGES {
        assert!(
            stderr.contains(&format!(" {stage}] ")),
            "progress for {stage}: {stderr}"
        );
    }
    // Progress and the result name what people recognise, not GUIDs.
    for line in [
        "role assignment Cognitive Services OpenAI User for id-aigw-acc-x7k on cog-aifoundry-acc-x7k-weu: created",
        "model deployment gpt-5.1 in swedencentral: created",
        "backend pool pool-gpt-5-dot-1: created",
    ] {
        assert!(stderr.contains(line), "{line}: {stderr}");
    }
    for line in [
        "+ created      role assignment          Monitoring Metrics Publisher for id-aigw-acc-x7k on dcr-aigw-acc-x7k",
        "+ created      model deployment         gpt-5.1 in francecentral",
        "+ created      backend pool             pool-gpt-5-dot-1 ",
    ] {
        assert!(stdout.contains(line), "{line}: {stdout}");
    }
}

#[test]
fn an_interrupted_deploy_reports_and_the_next_one_converges() {
    let ctx = TestContext::with(|b| {
        b.latency(LatencyProfile::instant().with(
            "Microsoft.ApiManagement/service",
            std::time::Duration::from_secs(3),
        ))
    });
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("aigw"))
        .args([
            "deploy",
            "--params",
            EXAMPLE,
            "--arm-endpoint",
            &ctx.url,
            "--subscription-id",
            SUBSCRIPTION,
            "--output",
            "json",
        ])
        .current_dir(repo_root())
        .env("AZURE_ACCESS_TOKEN", TOKEN)
        .env("AIGW_TEST_TIME_SCALE", "0.01")
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("TF_BUILD")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("process spawned");
    // Wait until API Management is being created, then interrupt.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !ctx
        .requests()
        .iter()
        .any(|r| r.method == "PUT" && r.path.ends_with("/service/apim-aigw-acc-x7k"))
    {
        assert!(
            std::time::Instant::now() < deadline,
            "API Management was never written"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("command runs");
    assert!(status.success());
    let output = child.wait_with_output().expect("process output");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    assert_eq!(report["outcome"], "interrupted");
    assert_eq!(
        report["stages"][4]["operations"][0]["action"],
        "interrupted"
    );
    assert_eq!(
        report["stages"][4]["operations"][1]["action"],
        "not-reached"
    );
    let writes_after_apim = ctx
        .requests()
        .iter()
        .skip_while(|r| !r.path.ends_with("/service/apim-aigw-acc-x7k"))
        .filter(|r| r.kind == RequestKind::Write)
        .count();
    assert_eq!(writes_after_apim, 1, "no write started after the interrupt");
    assert!(String::from_utf8_lossy(&output.stderr).contains("interrupt received"));

    let (report, code) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(
        (code, report["outcome"].as_str()),
        (0, Some("succeeded")),
        "{report:#}"
    );
    assert_eq!(
        report["stages"][4]["operations"][0]["action"], "unchanged",
        "API Management finished in Azure meanwhile"
    );
    let (again, _) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(again["outcome"], "no-changes");
}

#[test]
fn an_update_keeps_what_others_set_on_the_resource() {
    let ctx = TestContext::start();
    assert_eq!(ctx.deploy_json(EXAMPLE, &[]).1, 0);
    // Someone adds a tag and a network rule to an account, outside aigw.
    let account = format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-aigw-acc-x7k/providers/Microsoft.CognitiveServices/accounts/cog-aifoundry-acc-x7k-weu"
    );
    let mut current = ctx.resource(&account).expect("no account");
    current["tags"]["owner"] = serde_json::json!("team-a");
    current["properties"]["networkAcls"] =
        serde_json::json!({"defaultAction": "Allow", "ipRules": [{"value": "203.0.113.0/24"}]});
    let client = reqwest_client();
    let url = format!("{}{account}?api-version=2025-06-01", ctx.url);
    let status = ctx.block_on(async {
        client
            .put(&url)
            .bearer_auth(TOKEN)
            .json(&current)
            .send()
            .await
            .map(|r| r.status().as_u16())
    });
    assert!(matches!(status, Ok(200..=202)), "{status:?}");
    // A rerun leaves it alone (aigw compares only its own fields).
    let (report, _) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(report["outcome"], "no-changes", "{report:#}");
    // A change of aigw's own tags updates the account and keeps the others' settings.
    let retagged = ctx.params_with("retagged.bicepparam", |t| {
        t.replace("costCenter: 'CC-4711'", "costCenter: 'CC-9000'")
    });
    let (report, code) = ctx.deploy_json(&retagged, &[]);
    assert_eq!(code, 0, "{report:#}");
    let after = ctx.resource(&account).unwrap_or_default();
    assert_eq!(after["tags"]["owner"], "team-a");
    assert_eq!(after["tags"]["costCenter"], "CC-9000");
    assert_eq!(
        after["properties"]["networkAcls"]["ipRules"][0]["value"],
        "203.0.113.0/24"
    );
}

#[test]
fn an_unregistered_provider_is_a_warning_for_plan_and_registered_by_deploy() {
    let ctx = TestContext::with(|b| b.unregistered("Microsoft.ApiManagement"));
    let plan = ctx
        .aigw("plan", EXAMPLE)
        .args(["--output", "json"])
        .output()
        .expect("command runs");
    assert_eq!(plan.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&plan.stdout).expect("valid JSON");
    assert!(
        report["warnings"].to_string().contains(
            "resource provider Microsoft.ApiManagement is NotRegistered; deploy will register it"
        ),
        "{report:#}"
    );
    let registrations = |ctx: &TestContext| {
        ctx.requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/register"))
            .map(|r| r.path.clone())
            .collect::<Vec<_>>()
    };
    assert!(registrations(&ctx).is_empty(), "plan never registers");

    let (report, code) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(
        (code, report["outcome"].as_str()),
        (0, Some("succeeded")),
        "{report:#}"
    );
    assert_eq!(
        registrations(&ctx),
        [format!(
            "/subscriptions/{SUBSCRIPTION}/providers/Microsoft.ApiManagement/register"
        )]
    );
}

/// PUTs of the data collection rule since `from` in the emulator's log, with their status.
fn rule_puts(ctx: &TestContext, from: usize) -> Vec<u16> {
    ctx.requests()
        .into_iter()
        .skip(from)
        .filter(|r| {
            r.method == "PUT"
                && r.path.contains("/dataCollectionRules/")
                && !r.path.contains("/roleAssignments/")
        })
        .map(|r| r.status)
        .collect()
}

#[test]
fn a_new_usage_table_not_yet_accepted_by_the_rule_is_waited_for() {
    // Azure refuses a DCR that sends to a table created moments ago (InvalidOutputTable), for a
    // few minutes; here for 300 ms.
    let ctx = TestContext::with(|b| {
        b.latency(
            LatencyProfile::instant()
                .with_output_table_delay(std::time::Duration::from_millis(300)),
        )
    });
    // Waits of 10 s last 100 ms.
    let output = ctx
        .aigw("deploy", EXAMPLE)
        .args(["--output", "json"])
        .env("AIGW_TEST_TIME_SCALE", "0.01")
        .output()
        .expect("command runs");
    let report: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{report:#}\n{stderr}");
    assert_eq!(report["outcome"], "succeeded");
    assert_eq!(count(&report, "create"), 66);
    assert!(
        stderr.contains("dcr-aigw-acc-x7k: waiting — table AIUsageLog_CL is not yet accepted"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("error:") && !stderr.contains("WARN") && !stderr.contains("warning:"),
        "a wait is neither an error nor a warning: {stderr}"
    );
    let puts = rule_puts(&ctx, 0);
    assert!(puts.len() >= 2, "{puts:?}");
    assert_eq!(puts.last(), Some(&201), "{puts:?}");
    assert!(puts[..puts.len() - 1].iter().all(|s| *s == 400), "{puts:?}");
    let rule = &report["stages"][1]["operations"][3];
    assert_eq!(rule["name"], "dcr-aigw-acc-x7k");
    assert!(
        rule["note"]
            .as_str()
            .is_some_and(|n| n.starts_with("waited ")),
        "{rule:#}"
    );
}

#[test]
fn a_table_still_not_accepted_at_the_resource_timeout_fails_with_the_table_and_the_remedy() {
    let ctx = TestContext::with(|b| {
        b.latency(
            LatencyProfile::instant().with_output_table_delay(std::time::Duration::from_secs(3600)),
        )
    });
    let assert = ctx
        .aigw("deploy", EXAMPLE)
        .args(["--resource-timeout", "5s"])
        .env("AIGW_TEST_TIME_SCALE", "0.01")
        .assert()
        .code(1);
    let stdout = stdout_of(&assert);
    assert!(
        stdout.contains("\nError at ") && stdout.contains("dcr-aigw-acc-x7k:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("still does not accept table AIUsageLog_CL")
            && stdout.contains("--resource-timeout 5s"),
        "{stdout}"
    );
    assert!(
        stdout.contains("fix: run deploy again in a few minutes")
            && stdout.contains("raise --resource-timeout"),
        "{stdout}"
    );
    // Azure's own answer is kept for support.
    assert!(stdout.contains("InvalidOutputTable"), "{stdout}");
    let puts = rule_puts(&ctx, 0);
    assert!(
        puts.len() >= 2 && puts.iter().all(|s| *s == 400),
        "{puts:?}"
    );
}

#[test]
fn an_invalid_rule_that_is_not_about_the_new_table_fails_at_once() {
    let ctx = TestContext::with(|b| {
        b.route_override(|request| {
            let rule = request.path.contains("/dataCollectionRules/")
                && !request.path.contains("/roleAssignments/");
            (request.method == "PUT" && rule).then(|| {
                OverrideResponse::json(
                    400,
                    json!({"error": {"code": "InvalidPayload", "message": "Data collection rule is invalid",
                        "details": [{"code": "InvalidTransformQuery", "target": "properties.dataFlows[0]",
                            "message": "Transform query is invalid."}]}}),
                )
            })
        })
    });
    let assert = ctx.aigw("deploy", EXAMPLE).assert().code(1);
    let stdout = stdout_of(&assert);
    let stderr = stderr_of(&assert);
    assert!(
        stdout.contains("\nError at ") && stdout.contains("dcr-aigw-acc-x7k:"),
        "{stdout}"
    );
    assert!(stdout.contains("400 InvalidPayload"), "{stdout}");
    assert!(!stderr.contains("waiting"), "{stderr}");
    assert_eq!(rule_puts(&ctx, 0), [400]);
}
