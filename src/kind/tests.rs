use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::*;
use crate::plan::{DeferredRef, Operation, Plan, deferred};

fn example() -> Plan {
    crate::plan::tests::example_plan()
}

#[test]
fn every_kind_is_listed_once_and_its_type_maps_back_to_it() {
    let distinct: BTreeSet<ResourceKind> = ResourceKind::ALL.into_iter().collect();
    assert_eq!(distinct.len(), ResourceKind::ALL.len());
    for kind in ResourceKind::ALL {
        let expected = match kind {
            // Only the body tells a pool from a backend.
            ResourceKind::BackendPool => ResourceKind::Backend,
            other => other,
        };
        assert_eq!(ResourceKind::from_arm_type(kind.arm_type()), Some(expected));
        assert_eq!(
            ResourceKind::from_arm_type(&kind.arm_type().to_ascii_lowercase()),
            Some(expected),
            "ARM types compare ignoring case"
        );
    }
    assert_eq!(
        ResourceKind::from_arm_type("Microsoft.Storage/storageAccounts"),
        None
    );
    assert_eq!(
        format!("[{:<18}]", ResourceKind::BackendPool),
        "[backend pool      ]"
    );
}

#[test]
fn the_example_plan_writes_every_kind_with_its_facts() {
    let plan = example();
    let mut first_written: Vec<ResourceKind> = Vec::new();
    for (_, op) in plan.operations() {
        if !first_written.contains(&op.kind) {
            first_written.push(op.kind);
        }
    }
    assert_eq!(
        first_written,
        ResourceKind::ALL,
        "ALL is in the order the plan writes"
    );
    for (_, op) in plan.operations() {
        assert_eq!(op.api_version(), op.kind.api_version());
        let pool = op.body.pointer("/properties/type") == Some(&Value::from("Pool"));
        assert_eq!(
            op.kind == ResourceKind::BackendPool,
            pool,
            "{}: a pool's kind is BackendPool, a single backend's Backend",
            op.name
        );
    }
}

/// The type an ARM id names: the namespace after the last `/providers/`, then every other segment.
fn type_of(id: &str) -> String {
    let Some((_, tail)) = id.rsplit_once("/providers/") else {
        return "Microsoft.Resources/resourceGroups".into();
    };
    let mut segments = tail.split('/');
    let namespace = segments.next().unwrap_or_default();
    let types: Vec<&str> = segments.step_by(2).collect();
    format!("{namespace}/{}", types.join("/"))
}

#[test]
fn every_planned_id_names_the_type_of_its_kind() {
    for (_, op) in example().operations() {
        assert_eq!(type_of(&op.id), op.kind.arm_type(), "{}", op.id);
        assert!(op.id.starts_with(
            "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-aigw-acc-x7k"
        ));
    }
    assert_eq!(
        ResourceKind::FoundryAccount.namespace(),
        "Microsoft.CognitiveServices"
    );
}

/// Every resource a planned operation's body or scope names, with the deferred values it needs.
fn references<'p>(plan: &'p Plan, op: &Operation) -> Vec<&'p Operation> {
    let by_id: BTreeMap<String, &Operation> = plan
        .operations()
        .map(|(_, o)| (o.id.to_ascii_lowercase(), o))
        .collect();
    let mut strings = Vec::new();
    collect_strings(&op.body, &mut strings);
    if op.kind == ResourceKind::RoleAssignment
        && let Some((scope, _)) = op.id.rsplit_once("/providers/Microsoft.Authorization/")
    {
        strings.push(scope.to_string());
    }
    let providers = |reference: &DeferredRef| {
        plan.operations()
            .map(|(_, o)| o)
            .find(|o| o.outputs.contains(reference))
    };
    strings
        .iter()
        .filter_map(|s| by_id.get(&s.to_ascii_lowercase()).copied())
        .chain(deferred::references(&op.body).iter().filter_map(providers))
        .collect()
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => {
            for (key, v) in map {
                out.push(key.clone());
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn what_a_body_names_is_declared_and_written_first() {
    let plan = example();
    let order: BTreeMap<&str, usize> = plan
        .operations()
        .enumerate()
        .map(|(i, (_, o))| (o.id.as_str(), i))
        .collect();
    let mut seen = BTreeSet::new();
    for (position, (_, op)) in plan.operations().enumerate() {
        for referred in references(&plan, op) {
            assert!(
                op.kind.refers_to().contains(&referred.kind),
                "{} {} names {} {}: add {:?} to {:?}.refers_to()",
                op.kind,
                op.name,
                referred.kind,
                referred.name,
                referred.kind,
                op.kind
            );
            assert!(
                order[referred.id.as_str()] < position,
                "{} before {}",
                referred.name,
                op.name
            );
            seen.insert((op.kind, referred.kind));
        }
        if let Some(parent) = op.kind.parent() {
            let parents: Vec<&Operation> = plan
                .operations()
                .map(|(_, o)| o)
                .filter(|o| o.kind == parent && op.id.starts_with(&format!("{}/", o.id)))
                .collect();
            assert_eq!(parents.len(), 1, "{}: one {parent} parent", op.name);
            assert!(order[parents[0].id.as_str()] < position);
        }
    }
    // The declared references the bodies show (policies name theirs in XML, not by id).
    for (kind, referred) in [
        (
            ResourceKind::DataCollectionRule,
            ResourceKind::DataCollectionEndpoint,
        ),
        (
            ResourceKind::DataCollectionRule,
            ResourceKind::LogAnalyticsWorkspace,
        ),
        (ResourceKind::RoleAssignment, ResourceKind::ManagedIdentity),
        (ResourceKind::RoleAssignment, ResourceKind::FoundryProject),
        (ResourceKind::ApiManagement, ResourceKind::ManagedIdentity),
        (ResourceKind::BackendPool, ResourceKind::Backend),
        (ResourceKind::NamedValue, ResourceKind::DataCollectionRule),
    ] {
        assert!(seen.contains(&(kind, referred)), "{kind:?} → {referred:?}");
    }
}

#[test]
fn teardown_deletes_what_refers_or_lives_in_something_before_it() {
    let waves = ResourceKind::teardown_waves();
    let wave_of = |kind: ResourceKind| {
        waves
            .iter()
            .position(|w| w.contains(&kind))
            .unwrap_or_else(|| panic!("{kind:?} is in no wave"))
    };
    assert_eq!(
        waves.iter().map(Vec::len).sum::<usize>(),
        ResourceKind::ALL.len()
    );
    for kind in ResourceKind::ALL {
        for later in kind.refers_to().iter().copied().chain(kind.parent()) {
            assert!(wave_of(kind) < wave_of(later), "{kind:?} before {later:?}");
        }
    }
    assert!(waves[0].contains(&ResourceKind::RoleAssignment));
    assert!(waves[0].contains(&ResourceKind::ApiPolicy));
    assert_eq!(waves.last(), Some(&vec![ResourceKind::ResourceGroup]));
}

#[test]
fn writes_under_one_account_service_or_workspace_share_a_domain() {
    let plan = example();
    let domain = |name: &str| {
        let (_, op) = plan
            .operations()
            .find(|(_, o)| o.name == name)
            .unwrap_or_else(|| panic!("no {name}"));
        op.kind.write_domain_id(&op.id).map(str::to_string)
    };
    let account = "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg-aigw-acc-x7k/providers/Microsoft.CognitiveServices/accounts/cog-aifoundry-acc-x7k-weu";
    assert_eq!(
        domain("cog-aifoundry-acc-x7k-weu").as_deref(),
        Some(account)
    );
    assert_eq!(
        domain("proj-aifoundry-acc-x7k-weu").as_deref(),
        Some(account)
    );
    let service = domain("apim-aigw-acc-x7k");
    assert!(
        service
            .as_deref()
            .is_some_and(|s| s.ends_with("/service/apim-aigw-acc-x7k"))
    );
    for child in [
        "openai",
        "deployments-post",
        "openai/policy",
        "pool-gpt-5-dot-1",
        "dce-endpoint",
    ] {
        assert_eq!(domain(child), service, "{child}");
    }
    assert!(domain("AIUsageLog_CL").is_some_and(|w| w.ends_with("/workspaces/log-aigw-acc-x7k")));
    for free in ["rg-aigw-acc-x7k", "id-aigw-acc-x7k", "dcr-aigw-acc-x7k"] {
        assert_eq!(domain(free), None, "{free}");
    }
    // Every domain is a resource the plan writes.
    let ids: BTreeSet<&str> = plan.operations().map(|(_, o)| o.id.as_str()).collect();
    for (_, op) in plan.operations() {
        if let Some(id) = op.kind.write_domain_id(&op.id) {
            assert!(ids.contains(id), "{id}");
        }
    }
}

#[test]
fn field_patterns_match_paths_not_key_names() {
    let path = [
        Step::Key("properties"),
        Step::Key("schema"),
        Step::Key("columns"),
        Step::Index(3),
        Step::Key("type"),
    ];
    assert!(FieldPattern("properties.schema.columns[].type").matches(&path));
    assert!(FieldPattern("properties.*.columns[].type").matches(&path));
    assert!(!FieldPattern("properties.schema.columns").matches(&path));
    assert!(!FieldPattern("type").matches(&path));
    assert!(!FieldPattern("sku.name").matches(&[Step::Key("tags"), Step::Key("name")]));
    assert!(FieldPattern("sku.name").matches(&[Step::Key("SKU"), Step::Key("name")]));
    assert_eq!(
        FieldPattern("properties.secret").pointer().as_deref(),
        Some("/properties/secret")
    );
    assert_eq!(FieldPattern("a[].b").pointer(), None);
}

/// Every path in `value`, as steps.
fn paths<'v>(value: &'v Value, prefix: &mut Vec<Step<'v>>, out: &mut Vec<Vec<Step<'v>>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                prefix.push(Step::Key(key));
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[test]
fn every_comparison_rule_names_a_field_aigw_sets() {
    let plan = example();
    for kind in ResourceKind::ALL {
        let bodies: Vec<&Value> = plan
            .operations()
            .filter(|(_, o)| o.kind == kind)
            .map(|(_, o)| &o.body)
            .collect();
        let mut all = Vec::new();
        for body in &bodies {
            paths(body, &mut Vec::new(), &mut all);
        }
        let rules = kind.comparison();
        let fields = rules
            .ignore_case
            .iter()
            .copied()
            .chain(rules.write_only.iter().map(|w| w.field))
            .chain(rules.policy_xml);
        for field in fields {
            // `restore` is only sent to bring an account back; aigw's plan never does.
            if field == FieldPattern("properties.restore") {
                continue;
            }
            assert!(
                all.iter().any(|p| field.matches(p)),
                "{kind:?}: {} is in no planned body",
                field.0
            );
        }
        for entry in rules.write_only {
            assert!(entry.field.0.starts_with("properties."), "{entry:?}");
            assert!(entry.field.pointer().is_some(), "{entry:?}");
        }
    }
}

#[test]
fn soft_deleted_names_are_listed_where_azure_keeps_them() {
    let at = DeletedAt {
        subscription_id: "s",
        resource_group: "rg",
        location: "westeurope",
        name: "n",
    };
    assert_eq!(
        ResourceKind::ApiManagement
            .soft_delete()
            .map(|s| s.deleted_path(at)),
        Some("/subscriptions/s/providers/Microsoft.ApiManagement/locations/westeurope/deletedservices/n".into())
    );
    assert_eq!(
        ResourceKind::FoundryAccount
            .soft_delete()
            .map(|s| s.deleted_path(at)),
        Some("/subscriptions/s/providers/Microsoft.CognitiveServices/locations/westeurope/resourceGroups/rg/deletedAccounts/n".into())
    );
    let soft: Vec<ResourceKind> = ResourceKind::ALL
        .into_iter()
        .filter(|k| k.soft_delete().is_some())
        .collect();
    assert_eq!(
        soft,
        [ResourceKind::FoundryAccount, ResourceKind::ApiManagement]
    );
}
