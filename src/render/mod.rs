//! Renderers: pure functions from one result value to text (terminal text, Markdown, JSON). They
//! do no I/O and decide nothing: what to show was decided in the value, where it goes is decided
//! by [`crate::app`]. Terminal text may carry [`style`]s; the stream it is written to keeps or
//! removes them ([`crate::console::for_stream`]).

pub mod json;
pub mod plan_markdown;
pub mod plan_text;
pub mod run_text;
pub mod style;
pub mod summary;
pub mod validate_text;
