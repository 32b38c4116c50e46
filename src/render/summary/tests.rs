use serde_json::{Map, Value, json};

use super::*;
use crate::arm::StatsSnapshot;
use crate::params::{LoadOptions, ParamFormat, load_text};
use crate::plan::{Plan, build};
use crate::report::{Failure, FieldChange, OperationReport, StageReport};
use crate::source::SourceFile;

const EXAMPLE: &str = include_str!("../../../examples/main.acc.parameters.bicepparam");

fn plan() -> Plan {
    let spec = load_text(
        SourceFile::new("e.bicepparam", EXAMPLE),
        ParamFormat::Bicepparam,
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{}", d.render(false)));
    build(
        &spec,
        "11111111-2222-3333-4444-555555555555",
        &crate::policy::embedded(),
    )
}

/// A report of the example where every operation got `action`, with fixed durations.
fn report(mode: Mode, outcome: Outcome, action: Action) -> RunReport {
    let plan = plan();
    let stages = plan
        .stages
        .iter()
        .map(|s| StageReport {
            name: s.name,
            operations: s
                .operations
                .iter()
                .map(|o| OperationReport::new(o, action, Vec::new(), 1500, None))
                .collect(),
        })
        .collect();
    let mut outputs = Map::new();
    outputs.insert(
        "gatewayUrl".into(),
        json!("https://apim-aigw-acc-x7k.azure-api.net"),
    );
    outputs.insert(
        "poolNames".into(),
        json!(["pool-gpt-5-dot-1", "pool-gpt-5-dot-4-mini"]),
    );
    outputs.insert("dcrImmutableId".into(), Value::Null);
    RunReport {
        mode,
        outcome,
        subscription_id: plan.subscription_id.clone(),
        resource_group: plan.resource_group.clone(),
        stages,
        outputs,
        changes: if action.is_change() {
            plan.operation_count()
        } else {
            0
        },
        failure: None,
        requests: StatsSnapshot {
            reads: 60,
            writes: 53,
            polls: 40,
            retries: 2,
        },
        duration_ms: 133_000,
        warnings: Vec::new(),
        routing: plan.routing.clone(),
    }
}

#[test]
fn success_summary() {
    insta::assert_snapshot!(
        "summary_success",
        render(
            &report(Mode::Deploy, Outcome::Succeeded, Action::Create),
            Target::GitHubSummary
        )
    );
}

#[test]
fn no_changes_summary() {
    insta::assert_snapshot!(
        "summary_no_changes",
        render(
            &report(Mode::Deploy, Outcome::NoChanges, Action::Unchanged),
            Target::GitHubSummary
        )
    );
}

#[test]
fn failure_summary_names_the_resource_the_error_and_the_remedy() {
    let mut failed = report(Mode::Deploy, Outcome::Failed, Action::Unchanged);
    let models = &mut failed.stages[5].operations;
    models[2].action = Action::Failed;
    for op in models.iter_mut().skip(3) {
        op.action = Action::NotReached;
    }
    failed.failure = Some(Failure {
        resource: Some("gpt-5.1".into()),
        resource_type: Some("Microsoft.CognitiveServices/accounts/deployments".into()),
        kind: Some("model deployment"),
        title: Some("gpt-5.1 in swedencentral".into()),
        code: Some("InsufficientQuota".into()),
        message: "PUT /subscriptions/…/deployments/gpt-5.1 → 400 InsufficientQuota: quota | exceeded ``` <b>".into(),
        remedy: Some("lower skuCapacity".into()),
        authentication: false,
    });
    let text = render(&failed, Target::GitHubSummary);
    assert!(text.contains("**How to fix:** lower skuCapacity"), "{text}");
    assert!(
        text.contains("````text\nPUT"),
        "fence longer than any backtick run in the message: {text}"
    );
    insta::assert_snapshot!("summary_failure", text);
}

#[test]
fn a_plan_lists_changed_fields() {
    let mut planned = report(Mode::Plan, Outcome::ChangesPending, Action::Unchanged);
    let op = &mut planned.stages[5].operations[0];
    op.action = Action::Update;
    op.changes = vec![FieldChange {
        path: "sku.capacity".into(),
        from: Some(json!(50)),
        to: Some(json!(80)),
    }];
    let text = render(&planned, Target::GitHubSummary);
    assert!(
        text.starts_with(
            "## 📝 aigw plan: changes pending — 0 to create, 1 to update, 65 unchanged"
        ),
        "{text}"
    );
    assert!(
        text.contains("| model deployment | `gpt-5.1 in westeurope` | update: `sku.capacity` |"),
        "{text}"
    );
}

#[test]
fn the_routing_diagram_shows_every_pool_member_with_region_and_priority() {
    let text = mermaid(&plan().routing);
    assert!(text.starts_with("```mermaid\nflowchart LR\n"));
    assert!(
        text.contains("api_openai -->|\"gpt-5.4-mini\"| pool1"),
        "{text}"
    );
    assert!(text.contains("pool0 -->|\"priority 3\"| pool0m5"), "{text}");
    assert!(
        text.contains("pool0m2[\"aoai-gpt-5-dot-1-sec<br/>swedencentral\"]"),
        "{text}"
    );
    assert_eq!(text.matches("-->|\"priority").count(), 12);
}

#[test]
fn the_summary_stays_under_the_limit_with_a_note() {
    let mut big = report(Mode::Deploy, Outcome::Succeeded, Action::Create);
    for stage in &mut big.stages {
        for op in &mut stage.operations {
            op.note = Some("x".repeat(20_000));
        }
    }
    let limit = 200_000;
    let text = render_within(&big, Target::GitHubSummary, limit);
    assert!(text.len() <= limit, "{}", text.len());
    assert!(text.contains("**Truncated** to stay under GitHub's 1 MiB summary limit"));
    assert!(
        text.contains("### Routing"),
        "the important parts come first"
    );
}

#[test]
fn the_pr_comment_leaves_out_the_subscription_and_azure_devops_gets_lists() {
    let report = report(Mode::Plan, Outcome::ChangesPending, Action::Create);
    let comment = render(&report, Target::PullRequestComment);
    assert!(
        !comment.contains("11111111-2222-3333-4444-555555555555"),
        "{comment}"
    );
    assert!(comment.len() <= PR_COMMENT_LIMIT);
    let devops = render(&report, Target::AzureDevOpsSummary);
    assert!(
        !devops.contains("```mermaid") && !devops.contains("<details"),
        "{devops}"
    );
    assert!(
        devops.contains("  - priority 2: `aoai-gpt-5-dot-1-sec` (swedencentral)"),
        "{devops}"
    );
}
