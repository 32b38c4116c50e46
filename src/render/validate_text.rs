//! `validate`'s result for a terminal or a CI log.

use super::style::{GOOD, paint};
use crate::report::ValidateReport;

pub fn render(report: &ValidateReport) -> String {
    format!(
        "{}: {} ({} regions, {} model deployments, {} pools, {} policy files)",
        report.file,
        paint(GOOD, "valid"),
        report.regions,
        report.deployments,
        report.pools,
        report.policy_files
    )
}
