//! aigw: deploys a multi-region AI gateway (AI Foundry + API Management) on Azure as one CI step.
//!
//! Data flows `params` (file → validated [`spec::StackSpec`]) → `plan` (pure: spec → ordered
//! stages) → `deploy` (the walk against ARM) → `report` (one result value) → `render` (pure text,
//! Markdown, JSON). [`app`] runs one command end to end (CI protocols, GitHub side effects,
//! interrupts, output); the binary only parses flags into an [`app::Request`] (handing in the
//! emulator's launcher, [`rehearsal`]) and exits with [`exit::code`]. No two top-level modules
//! depend on each other (a test checks). See DESIGN.md in the repository for the whole picture.

pub mod app;
pub mod arm;
pub mod auth;
pub mod ci;
pub mod commands;
pub mod console;
pub mod deploy;
pub mod diagnostic;
pub mod duration;
pub mod endpoint;
pub mod env;
pub mod error;
pub mod exit;
pub mod input_file;
pub mod interrupt;
pub mod kind;
pub mod naming;
pub mod params;
pub mod plan;
pub mod policy;
pub mod regions;
pub mod rehearsal;
pub mod render;
pub mod report;
pub mod roles;
pub mod source;
pub mod spec;
pub mod suggest;
pub mod tls;
pub mod usage;
