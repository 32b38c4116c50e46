//! The engine's decisions, table-driven, in process against the ARM emulator on 127.0.0.1 with
//! tokio's paused clock: every wait of aigw (polls, retries, bounded waits) takes no real time,
//! and time as aigw sees it is exact, so a test can say how long aigw waited.

mod outputs;
mod roles;
mod soft_delete;
mod support;
mod waits;
