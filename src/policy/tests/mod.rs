//! Tests of the policy module: the shipped files, broken inputs with their positions, the usage
//! row and pool-id readers, the policies against the stack (`fit`), and robustness on arbitrary
//! input.

mod broken;
mod failover;
mod fit;
mod pool;
mod robustness;
mod shipped;
mod usage;

use crate::diagnostic::Diagnostics;

/// Every diagnostic, rendered, for assertion messages.
pub(super) fn render(all: &[Diagnostics]) -> String {
    all.iter().map(|d| d.render(false)).collect()
}
