//! What the engine tells progress renderers while it runs. Renderers only display these.

use crate::plan::{Operation, StageName};
use crate::report::OperationReport;

pub enum Event<'a> {
    /// Checks before the first stage (subscription, resource providers).
    Preflight {
        message: &'a str,
    },
    StageStarted {
        index: usize,
        total: usize,
        name: StageName,
        operations: usize,
    },
    OperationStarted {
        operation: &'a Operation,
    },
    OperationFinished {
        operation: &'a Operation,
        report: &'a OperationReport,
    },
    Warning {
        message: &'a str,
    },
    /// The resource in flight waits for Azure (a bounded wait, not an error).
    Waiting {
        operation: &'a Operation,
        message: &'a str,
    },
}

pub trait Observer: Send {
    fn on(&mut self, event: Event<'_>);
}

/// Discards events (tests, JSON-only runs).
pub struct Silent;

impl Observer for Silent {
    fn on(&mut self, _event: Event<'_>) {}
}
