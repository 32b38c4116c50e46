//! The vendored specification files built into aigw: `build.rs` writes `FILES` from
//! `specs/azure/manifest.txt` (see `specs/azure/README.md`).

include!(concat!(env!("OUT_DIR"), "/azure_specs.rs"));
