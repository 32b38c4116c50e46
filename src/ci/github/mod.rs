//! GitHub Actions: step outputs file, job summary, workflow commands, PR comment, deployments.

pub mod api;
pub mod commands;
pub mod flows;
pub mod output_file;
