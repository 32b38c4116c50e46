//! aigw: deploys a multi-region AI gateway (AI Foundry + API Management) on Azure as one CI step.
//!
//! Data flows `params` (file → validated [`spec::StackSpec`]) → `plan` (pure: spec → ordered
//! stages) → renderers. See DESIGN.md in the repository for the whole picture.

pub mod arm;
pub mod auth;
pub mod ci;
pub mod commands;
pub mod console;
pub mod deploy;
pub mod diagnostic;
pub mod emulator;
pub mod env;
pub mod error;
pub mod input_file;
pub mod interrupt;
pub mod kind;
pub mod naming;
pub mod openapi;
pub mod params;
pub mod plan;
pub mod policy;
pub mod regions;
pub mod render;
pub mod report;
pub mod roles;
pub mod source;
pub mod spec;
pub mod suggest;
pub mod tls;
pub mod usage;
