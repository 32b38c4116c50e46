//! A regional outage fails over: the retry loop of both API policies, run against the pools and
//! circuit breakers the plan writes, moves on from a region that answers 429 or 500–599 and
//! reaches the next region in priority order; with `tripOnServerErrors: false` only a 429 does.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::*;
use crate::params::{LoadOptions, ParamFormat, load_text};
use crate::plan::{Plan, build};
use crate::source::SourceFile;

const EXAMPLE: &str = include_str!("../../../examples/main.acc.parameters.bicepparam");
const POOL: &str = "pool-gpt-5-dot-1";

fn plan(extra: &str) -> Plan {
    let text = format!("{EXAMPLE}\n{extra}\n");
    let spec = load_text(
        SourceFile::new("example.bicepparam", text),
        ParamFormat::Bicepparam,
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{}", d.render(false)));
    build(&spec, "00000000-0000-0000-0000-000000000000", &embedded())
}

fn stage<'p>(plan: &'p Plan, name: &str) -> &'p [crate::plan::Operation] {
    plan.stages
        .iter()
        .find(|s| s.name.as_str() == name)
        .map(|s| s.operations.as_slice())
        .unwrap_or_else(|| panic!("no stage {name}"))
}

/// The members of `pool` with their priorities and the breaker ranges of their backends.
fn members(plan: &Plan, pool: &str) -> Vec<Member> {
    let pool_op = stage(plan, "pools")
        .iter()
        .find(|o| o.name == pool)
        .unwrap_or_else(|| panic!("no {pool}"));
    let services = pool_op.body["properties"]["pool"]["services"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    services
        .iter()
        .map(|service| {
            let id = service["id"].as_str().unwrap_or_default();
            let backend = stage(plan, "backends")
                .iter()
                .find(|o| o.id == id)
                .unwrap_or_else(|| panic!("no backend {id}"));
            let rules = backend.body["properties"]["circuitBreaker"]["rules"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            assert_eq!(rules.len(), 1, "{}", backend.name);
            let condition = &rules[0]["failureCondition"];
            // The model trips a member on its first failure: that is the rule the plan writes.
            assert_eq!(condition["count"], 1, "{}", backend.name);
            let trips_on = condition["statusCodeRanges"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|r| {
                    (
                        r["min"].as_i64().unwrap_or_default(),
                        r["max"].as_i64().unwrap_or_default(),
                    )
                })
                .collect();
            Member {
                id: backend.name.clone(),
                priority: u8::try_from(service["priority"].as_u64().unwrap_or(255))
                    .unwrap_or(u8::MAX),
                trips_on,
            }
        })
        .collect()
}

/// The named values the plan creates whose value is known before deployment.
fn named_values(plan: &Plan) -> BTreeMap<String, String> {
    stage(plan, "config")
        .iter()
        .map(|o| {
            let value = match &o.body["properties"]["value"] {
                Value::String(s) => s.clone(),
                _ => "(known after deployment)".to_string(),
            };
            (o.name.clone(), value)
        })
        .collect()
}

/// One request through the loop of `api`: members whose id ends with one of `failing` answer
/// with its status, every other member 200.
fn request(plan: &Plan, api: &str, failing: &[(&str, i64)]) -> Run {
    let files = embedded();
    let failover = failover_loop(&files, api).unwrap_or_else(|e| panic!("{e}"));
    let answer = |member: &str| -> i64 {
        failing
            .iter()
            .find(|(suffix, _)| member.ends_with(suffix))
            .map_or(200, |(_, status)| *status)
    };
    failover
        .run(&named_values(plan), &members(plan, POOL), &answer)
        .unwrap_or_else(|e| panic!("{api}: {e}"))
}

fn reached(run: &Run) -> Vec<(String, i64)> {
    run.attempts
        .iter()
        .map(|a| {
            (
                a.member.clone().unwrap_or_else(|| "gateway".to_string()),
                a.status,
            )
        })
        .collect()
}

fn attempt(member: &str, status: i64) -> (String, i64) {
    (member.to_string(), status)
}

#[test]
fn a_region_answering_5xx_fails_over_to_the_next_region() {
    let plan = plan("");
    for api in ["openai", "v1"] {
        for status in [500, 502, 503, 504] {
            let run = request(&plan, api, &[("-weu", status)]);
            assert_eq!(
                reached(&run),
                [
                    attempt("aoai-gpt-5-dot-1-weu", status),
                    attempt("oaiv1-gpt-5-dot-1-weu", status),
                    attempt("aoai-gpt-5-dot-1-sec", 200),
                ],
                "{api}, West Europe answering {status}"
            );
            assert_eq!(run.status, 200);
            assert_eq!(
                run.variables.get("aigw-attempts"),
                Some(&EvalValue::Int(3)),
                "the usage row's Attempts"
            );
        }
    }
}

#[test]
fn two_regions_down_reach_the_third_and_all_down_ends_in_the_gateways_503() {
    let plan = plan("");
    for api in ["openai", "v1"] {
        let run = request(&plan, api, &[("-weu", 500), ("-sec", 503)]);
        assert_eq!(run.status, 200, "{api}");
        assert_eq!(
            run.attempts
                .last()
                .and_then(|a| a.member.clone())
                .as_deref(),
            Some("aoai-gpt-5-dot-1-frc")
        );
        let run = request(&plan, api, &[("-weu", 500), ("-sec", 502), ("-frc", 504)]);
        // Every member is asked once; then the gateway answers 503 itself (no backend call)
        // until retry's count is used up; outbound turns that into 503 capacity_exhausted.
        let backends: Vec<&Attempt> = run.attempts.iter().filter(|a| a.member.is_some()).collect();
        assert_eq!(backends.len(), 6, "{api}: {:?}", reached(&run));
        let loop_count = failover_loop(&embedded(), api)
            .unwrap_or_else(|e| panic!("{e}"))
            .count();
        assert_eq!(run.attempts.len(), loop_count as usize + 1);
        assert_eq!(run.status, 503);
    }
}

#[test]
fn a_throttled_region_fails_over_with_either_setting() {
    for extra in ["", "param tripOnServerErrors = false"] {
        let plan = plan(extra);
        for api in ["openai", "v1"] {
            let run = request(&plan, api, &[("-weu", 429)]);
            assert_eq!(run.status, 200, "{api} {extra}");
            assert_eq!(run.attempts.len(), 3, "{api} {extra}: {:?}", reached(&run));
        }
    }
}

#[test]
fn trip_on_server_errors_false_keeps_the_429_only_rule() {
    let plan = plan("param tripOnServerErrors = false");
    let named = named_values(&plan);
    assert_eq!(
        named.get("trip-on-server-errors").map(String::as_str),
        Some("false")
    );
    for member in members(&plan, POOL) {
        assert_eq!(member.trips_on, [(429, 429)], "{}", member.id);
    }
    for api in ["openai", "v1"] {
        // A 500 is the answer: no member trips, nothing is retried.
        let run = request(&plan, api, &[("-weu", 500)]);
        assert_eq!(
            reached(&run),
            [attempt("aoai-gpt-5-dot-1-weu", 500)],
            "{api}"
        );
        // A 503 trips nothing and is retried at most twice, on the same member.
        let run = request(&plan, api, &[("-weu", 503)]);
        assert_eq!(
            reached(&run),
            [
                attempt("aoai-gpt-5-dot-1-weu", 503),
                attempt("aoai-gpt-5-dot-1-weu", 503),
                attempt("aoai-gpt-5-dot-1-weu", 503),
            ],
            "{api}"
        );
    }
}

#[test]
fn by_default_every_member_trips_on_429_and_on_500_to_599() {
    let plan = plan("");
    assert_eq!(
        named_values(&plan)
            .get("trip-on-server-errors")
            .map(String::as_str),
        Some("true")
    );
    let members = members(&plan, POOL);
    assert_eq!(members.len(), 6);
    for member in members {
        assert_eq!(member.trips_on, [(429, 429), (500, 599)], "{}", member.id);
    }
}

#[test]
fn a_loop_the_reader_does_not_model_is_refused_by_name() {
    let mut files = embedded();
    for f in files.iter_mut().filter(|f| f.api_id() == Some("openai")) {
        f.text = f.text.replacen(
            "<forward-request id=\"aigw-forward\"",
            "<wait for=\"all\" /><forward-request id=\"aigw-forward\"",
            1,
        );
    }
    let error = failover_loop(&files, "openai").err().unwrap_or_default();
    assert!(error.contains("<wait>"), "{error}");
    // Without its first value in inbound the loop would read an unset variable (a 500 in APIM).
    let mut files = embedded();
    for f in files
        .iter_mut()
        .filter(|f| f.fragment_id() == Some("aigw-request-context"))
    {
        f.text = f.text.replacen(
            "<set-variable name=\"aigw-trip-on-server-errors\"",
            "<set-variable name=\"unused\"",
            1,
        );
    }
    let error = failover_loop(&files, "v1").err().unwrap_or_default();
    assert!(error.contains("aigw-trip-on-server-errors"), "{error}");
}
