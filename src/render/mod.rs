//! Renderers: pure functions from one result value to text. They decide nothing.

pub mod plan_markdown;
pub mod plan_text;
pub mod progress;
pub mod run_text;
pub mod summary;
