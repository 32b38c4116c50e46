//! End-to-end tests of the `aigw` binary (one test binary, a module per command).

mod ci;
mod ci_files;
mod color;
mod credentials;
mod deploy;
mod emulator;
mod interrupts;
mod plan;
mod policies;
mod support;
mod usage;
mod validate;
