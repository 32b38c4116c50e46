//! Tests of the policy module: the shipped files, broken inputs with their positions, the usage
//! row and pool-id readers, and robustness on arbitrary input.

mod broken;
mod pool;
mod robustness;
mod shipped;
mod usage;

use crate::diagnostic::Diagnostics;
use crate::naming::{
    NAMED_VALUE_DCE_ENDPOINT, NAMED_VALUE_DCR_IMMUTABLE_ID, NAMED_VALUE_IDENTITY_CLIENT_ID,
    NAMED_VALUE_STREAM_NAME,
};

/// The named values the stack creates (stage 9).
pub(super) const STACK_NAMED_VALUES: [&str; 4] = [
    NAMED_VALUE_DCE_ENDPOINT,
    NAMED_VALUE_DCR_IMMUTABLE_ID,
    NAMED_VALUE_STREAM_NAME,
    NAMED_VALUE_IDENTITY_CLIENT_ID,
];

/// Every diagnostic, rendered, for assertion messages.
pub(super) fn render(all: &[Diagnostics]) -> String {
    all.iter().map(|d| d.render(false)).collect()
}
