//! The `--output json` report of a deploy is a contract with the scripts that read it: its shape
//! is snapshotted, so that any change to it shows up in review. What differs from run to run is
//! redacted: durations, the request counts that depend on timing (polls, retries), and the values
//! Azure (here the emulator) makes up: the identity's GUIDs, the DCE's random host suffix and the
//! DCR's immutable id.

use crate::support::arm::*;
use crate::support::*;

#[test]
fn the_json_report_of_a_deploy_keeps_its_shape() {
    let ctx = TestContext::start();
    let (report, code) = ctx.deploy_json(EXAMPLE, &[]);
    assert_eq!(code, 0, "{report:#}");
    insta::assert_json_snapshot!("deploy_report", report, {
        ".durationMs" => "[duration]",
        ".stages[].operations[].durationMs" => "[duration]",
        ".requests.polls" => "[timing]",
        ".requests.retries" => "[timing]",
        ".outputs.identityClientId" => "[guid]",
        ".outputs.identityPrincipalId" => "[guid]",
        ".outputs.dceIngestionEndpoint" => "[endpoint]",
        ".outputs.dcrImmutableId" => "[immutable id]",
    });
}
