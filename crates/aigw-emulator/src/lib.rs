//! The ARM emulator aigw is tested and rehearsed against, and the Azure REST API specifications
//! it validates request bodies with. Imports nothing from aigw; aigw's production code does not
//! depend on this crate.

pub mod openapi;
