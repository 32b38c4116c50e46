//! The policies against the stack: a copy whose routes lead to pools the stack does not create,
//! or whose usage row the table cannot take, is refused at its file and line; the shipped
//! policies, and edits that keep the contract, pass.

use super::super::*;
use super::render;
use crate::diagnostic::Diagnostics;
use crate::params::{LoadOptions, ParamFormat, load_text};
use crate::source::SourceFile;
use crate::spec::StackSpec;

const ROUTE: &str = "policies/fragments/aigw-route.xml";
const USAGE_ROW: &str = "policies/fragments/aigw-usage-row.xml";
const AOAI: &str = "policies/aoai-policy.xml";

/// The example stack: pools pool-gpt-5-dot-1 and pool-gpt-5-dot-4-mini, regions weu, sec, frc.
fn example() -> StackSpec {
    let text = include_str!("../../../examples/main.acc.parameters.bicepparam");
    load_text(
        SourceFile::new("example.bicepparam", text),
        ParamFormat::Bicepparam,
        &LoadOptions::default(),
    )
    .unwrap_or_else(|d| panic!("{}", d.render(false)))
}

/// The shipped policies with `find` replaced by `replace` in the file at `path` (once, exactly).
fn edited(path: &str, find: &str, replace: &str) -> Vec<PolicyFile> {
    let mut files = embedded();
    let file = files
        .iter_mut()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"));
    assert_eq!(file.text.matches(find).count(), 1, "{find}");
    file.text = file.text.replacen(find, replace, 1);
    files
}

/// (file, code, line, message) of every problem.
fn located(all: &[Diagnostics]) -> Vec<(String, &'static str, usize, String)> {
    all.iter()
        .flat_map(|d| d.located())
        .map(|l| (l.file, l.code, l.line.unwrap_or(0), l.message))
        .collect()
}

fn line_of(files: &[PolicyFile], path: &str, needle: &str) -> usize {
    files
        .iter()
        .find(|f| f.path == path)
        .and_then(|f| f.text.lines().position(|l| l.contains(needle)))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no {needle} in {path}"))
}

#[test]
fn the_shipped_policies_fit_the_example_stack() {
    let files = embedded();
    assert!(check(&files).is_empty(), "{}", render(&check(&files)));
    let problems = route_problems(&files, &example());
    assert!(problems.is_empty(), "{}", render(&problems));
}

#[test]
fn a_route_to_pools_the_stack_does_not_create_names_each_deployment() {
    let files = edited(ROUTE, r#".Replace(".", "-dot-")"#, r#".Replace(".", "-")"#);
    assert!(check(&files).is_empty(), "{}", render(&check(&files)));
    let line = line_of(&files, ROUTE, "<set-variable name=\"aigw-pool-id\"");
    assert_eq!(
        located(&route_problems(&files, &example())),
        [
            (
                ROUTE.to_string(),
                "policy-route-unknown-pool",
                line,
                "deployment `gpt-5.1` is routed to `pool-gpt-5-1`, a pool the stack does not create (its pool is `pool-gpt-5-dot-1`)".to_string()
            ),
            (
                ROUTE.to_string(),
                "policy-route-unknown-pool",
                line,
                "deployment `gpt-5.4-mini` is routed to `pool-gpt-5-4-mini`, a pool the stack does not create (its pool is `pool-gpt-5-dot-4-mini`)".to_string()
            ),
        ]
    );
}

#[test]
fn a_route_that_refuses_a_deployment_of_the_file_is_refused() {
    let files = edited(ROUTE, "deployment.Length > 64", "deployment.Length > 8");
    let problems = located(&route_problems(&files, &example()));
    let codes: Vec<(&str, &str)> = problems
        .iter()
        .map(|(_, code, _, message)| (*code, message.as_str()))
        .collect();
    assert_eq!(
        codes,
        [(
            "policy-route-refuses",
            "the pool-id expression refuses deployment `gpt-5.4-mini`: its callers would get 400 invalid_deployment_name"
        )]
    );
}

#[test]
fn a_route_expression_of_another_shape_is_refused_with_the_shape_understood() {
    let files = edited(
        ROUTE,
        r#".Replace(".", "-dot-");"#,
        r#".Replace(".", "-dot-").ToLowerInvariant();"#,
    );
    let problems = route_problems(&files, &example());
    let found = located(&problems);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1), (ROUTE, "policy-pool-id"));
    assert!(
        render(&problems).contains("the pool-id reader understands"),
        "{}",
        render(&problems)
    );
}

#[test]
fn a_literal_backend_id_must_name_a_backend_of_the_stack_ignoring_case() {
    let set_pool = r#"<set-backend-service id="aigw-set-pool" backend-id="@((string)context.Variables["aigw-pool-id"])" />"#;
    for known in [
        "pool-gpt-5-dot-1",
        "POOL-GPT-5-DOT-4-MINI",
        "oaiv1-gpt-5-dot-1-frc",
    ] {
        let files = edited(
            AOAI,
            set_pool,
            &format!(r#"<set-backend-service id="aigw-set-pool" backend-id="{known}" />"#),
        );
        let problems = route_problems(&files, &example());
        assert!(problems.is_empty(), "{known}: {}", render(&problems));
    }
    let files = edited(
        AOAI,
        set_pool,
        r#"<set-backend-service id="aigw-set-pool" backend-id="pool-gpt-5.1" />"#,
    );
    let problems = route_problems(&files, &example());
    assert_eq!(
        located(&problems),
        [(
            AOAI.to_string(),
            "policy-route-unknown-backend",
            line_of(&files, AOAI, "backend-id=\"pool-gpt-5.1\""),
            "`set-backend-service` routes to backend `pool-gpt-5.1`, which the stack does not create".to_string()
        )]
    );
    assert!(
        render(&problems).contains("did you mean `pool-gpt-5-dot-1`?"),
        "{}",
        render(&problems)
    );
}

#[test]
fn policies_that_set_no_pool_id_have_no_rule_to_check() {
    let files = edited(
        ROUTE,
        r#"<set-variable name="aigw-pool-id" value="@{"#,
        r#"<set-variable name="custom-pool" value="@{"#,
    );
    assert!(matches!(pool_rule(&files), Ok(None)));
    assert!(route_problems(&files, &example()).is_empty());
}

#[test]
fn the_pool_id_set_in_two_files_is_refused() {
    let files = edited(
        AOAI,
        r#"<include-fragment fragment-id="aigw-route" />"#,
        r#"<include-fragment fragment-id="aigw-route" />
        <set-variable name="aigw-pool-id" value="@("pool-x")" />"#,
    );
    let found = located(&route_problems(&files, &example()));
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "policy-pool-id");
    assert!(found[0].3.contains("set more than once"), "{found:?}");
}

#[test]
fn a_usage_row_column_the_table_lacks_is_refused_at_its_name() {
    let files = edited(
        USAGE_ROW,
        r#""GatewayRegion", "ResponseId""#,
        r#""GatewayRegion", "ResponseId", "Region""#,
    );
    let files = {
        let mut files = files;
        let row = files
            .iter_mut()
            .find(|f| f.path == USAGE_ROW)
            .unwrap_or_else(|| panic!("no {USAGE_ROW}"));
        row.text = row.text.replacen(
            "row[\"GatewayRegion\"] = context.Deployment.Region;",
            "row[\"GatewayRegion\"] = context.Deployment.Region;\nrow[\"Region\"] = context.Deployment.Region;",
            1,
        );
        files
    };
    assert_eq!(
        located(&check(&files)),
        [(
            USAGE_ROW.to_string(),
            "policy-usage-column-unknown",
            line_of(&files, USAGE_ROW, r#""ResponseId", "Region""#),
            "the usage row has the column `Region`, which table AIUsageLog_CL does not have"
                .to_string()
        )]
    );
}

#[test]
fn a_usage_row_value_of_the_wrong_kind_is_refused_and_a_widening_one_is_not() {
    let cast = "row[\"LatencyMs\"] = (long)context.Elapsed";
    let files = edited(
        USAGE_ROW,
        cast,
        "row[\"LatencyMs\"] = (string)context.Elapsed",
    );
    assert_eq!(
        located(&check(&files)),
        [(
            USAGE_ROW.to_string(),
            "policy-usage-column-kind",
            line_of(&files, USAGE_ROW, "row[\"LatencyMs\"] ="),
            "the usage row gives `LatencyMs` a string value, but the column is long in table AIUsageLog_CL".to_string()
        )]
    );
    // An int is a JSON number that fits a long column.
    let files = edited(USAGE_ROW, cast, "row[\"LatencyMs\"] = (int)context.Elapsed");
    assert!(check(&files).is_empty(), "{}", render(&check(&files)));
}

#[test]
fn a_usage_row_without_some_columns_only_leaves_them_empty() {
    let files = edited(
        USAGE_ROW,
        r#""GatewayRegion", "ResponseId""#,
        r#""GatewayRegion""#,
    );
    let files = {
        let mut files = files;
        let row = files
            .iter_mut()
            .find(|f| f.path == USAGE_ROW)
            .unwrap_or_else(|| panic!("no {USAGE_ROW}"));
        let assignments: Vec<&str> = row
            .text
            .lines()
            .filter(|l| l.contains("row[\"ResponseId\"]"))
            .collect();
        assert!(!assignments.is_empty());
        row.text = row
            .text
            .lines()
            .filter(|l| !l.contains("row[\"ResponseId\"]"))
            .collect::<Vec<_>>()
            .join("\n");
        files
    };
    assert!(check(&files).is_empty(), "{}", render(&check(&files)));
}

#[test]
fn a_usage_row_the_reader_cannot_read_is_refused_where_it_stops() {
    let files = edited(
        USAGE_ROW,
        "row[\"GatewayRegion\"] = context.Deployment.Region;",
        "row[\"GatewayRegion\"] = Something.Else(1);",
    );
    let found = located(&check(&files));
    assert_eq!(
        found,
        [(
            USAGE_ROW.to_string(),
            "policy-usage-row",
            line_of(&files, USAGE_ROW, "Something.Else(1)"),
            "cannot tell the kind of the value `Something.Else(1)`".to_string()
        )]
    );
}
