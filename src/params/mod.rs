//! Parameter files: reading `.bicepparam` or ARM JSON into one value tree, then validation into a
//! [`crate::spec::StackSpec`].

pub mod bicepparam;
pub mod json;
pub mod value;
