//! End-to-end tests of the `aigw` binary (one test binary, a module per command).

// Test code: its helpers (not only its #[test] functions, which clippy.toml already covers) may
// stop at the line that failed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod ci;
mod ci_files;
mod color;
mod credentials;
mod deploy;
mod emulator;
mod interrupts;
mod json_report;
mod layers;
mod plan;
mod policies;
mod support;
mod usage;
mod validate;
