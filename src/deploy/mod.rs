//! Executes a plan against ARM (deploy) or compares it with ARM (live plan). Owns ordering and
//! per-resource decisions; HTTP, retries and polling belong to `arm`.

pub mod cancel;
pub mod diff;
mod engine;
pub mod events;
mod not_ready;
mod output_table;
mod preflight;
mod roles;
mod soft_delete;

pub use engine::{EngineOptions, run};

#[cfg(test)]
mod tests;
