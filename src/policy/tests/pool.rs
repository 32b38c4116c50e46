//! The pool id the route policy computes equals `naming::pool_id`, the name the stack gives
//! the pool, for every name the parameter validation accepts, and the policy rejects every name
//! the validation rejects.

use proptest::prelude::*;

use super::super::pool::dotnet_regex;
use super::super::*;
use crate::naming::{NameKind, pool_id};

/// The fragment that sets the pool id in the shipped policies.
const ROUTE_FRAGMENT: &str = "aigw-route";

fn rule_of(files: &[PolicyFile]) -> PoolRule {
    pool_rule(files)
        .unwrap_or_else(|d| panic!("{}", d.render(false)))
        .unwrap_or_else(|| panic!("no policy sets {POOL_VARIABLE}"))
}

fn rule() -> PoolRule {
    rule_of(&embedded())
}

fn with_route(find: &str, replace: &str) -> Vec<PolicyFile> {
    let mut files = embedded();
    for f in files
        .iter_mut()
        .filter(|f| f.fragment_id() == Some(ROUTE_FRAGMENT))
    {
        assert_eq!(f.text.matches(find).count(), 1, "{find}");
        f.text = f.text.replace(find, replace);
    }
    files
}

#[test]
fn the_policy_reads_as_prefix_and_dot_replacement() {
    let rule = rule();
    assert_eq!(rule.prefix, "pool-");
    assert_eq!(rule.replacements, [(".".to_string(), "-dot-".to_string())]);
    assert_eq!(rule.patterns(), [r"^[A-Za-z0-9][A-Za-z0-9_.-]+\z"]);
}

#[test]
fn names_with_several_dots_get_the_pool_the_stack_creates() {
    let rule = rule();
    for name in [
        "a.b.c",
        "gpt-4o-mini-2024.07.18",
        "x..y",
        "gpt-4o",
        "a.",
        "A_b-c.d.e.f",
        "o1...",
    ] {
        assert_eq!(rule.pool_id(name), Some(pool_id(name)), "{name}");
    }
    assert_eq!(rule.pool_id("x..y").as_deref(), Some("pool-x-dot--dot-y"));
}

#[test]
fn names_the_validation_rejects_get_no_pool() {
    let rule = rule();
    let long = "a".repeat(65);
    for name in [
        "",
        "a",
        ".a",
        "-a",
        "a b",
        "ab\n",
        "é1",
        "a/b",
        long.as_str(),
    ] {
        assert_eq!(rule.pool_id(name), None, "{name:?}");
    }
    assert!(rule.pool_id(&"a".repeat(64)).is_some());
}

#[test]
fn dotnet_dollar_also_matches_before_a_final_newline() {
    // The reason aigw-route ends its pattern with \z.
    let dollar = dotnet_regex("^[a-z]+$").unwrap_or_else(|e| panic!("{e}"));
    assert!(dollar.is_match("ab\n"));
    assert!(!dollar.is_match("ab\n\n"));
    let end = dotnet_regex(r"^[a-z]+\z").unwrap_or_else(|e| panic!("{e}"));
    assert!(!end.is_match("ab\n"));
    assert!(dotnet_regex("(?i)x").is_err());
}

#[test]
fn a_different_replacement_is_read_and_disagrees() {
    let files = with_route(r#".Replace(".", "-dot-")"#, r#".Replace(".", "-")"#);
    let changed = rule_of(&files);
    assert_ne!(changed.pool_id("a.b"), Some(pool_id("a.b")));
}

#[test]
fn another_shape_fails_loudly() {
    let files = with_route(
        r#"return "pool-" + deployment.Replace(".", "-dot-");"#,
        r#"return "pool-" + deployment.Replace(".", "-dot-").ToLowerInvariant();"#,
    );
    let error = pool_rule(&files).err().map(|d| d.render(false));
    assert!(
        error.as_deref().is_some_and(
            |e| e.contains("unrecognised transformation") && e.contains("aigw-route.xml:")
        ),
        "{error:?}"
    );
    let files = with_route(
        "if (deployment.Length > 64) { return \"\"; }",
        "if (deployment.Length > 64) { return \"x\"; }",
    );
    assert!(pool_rule(&files).is_err());
}

proptest! {
    #[test]
    fn policy_and_validation_agree_on_every_name(name in "[A-Za-z0-9_.\\- \n/é]{0,70}") {
        let rule = rule();
        let valid = NameKind::ModelDeployment.problems(&name).is_empty();
        let routed = rule.pool_id(&name);
        prop_assert_eq!(routed.is_some(), valid, "{:?}", name);
        if valid {
            prop_assert_eq!(routed, Some(pool_id(&name)));
        }
    }
}
