//! The emulator's time, which long-running operations are measured against: an operation's state
//! is a function of when it started, how long its type takes ([`super::LatencyProfile`]) and
//! this clock, never of who looked at it. ARM finishes an operation whether or not anyone polls:
//! a caller with only resource-level permissions "can start the operation but can't track its
//! status" (https://learn.microsoft.com/azure/azure-resource-manager/management/async-operations,
//! "Permission for tracking async status"), and a client whose PUT response was lost finds the
//! resource finished when it retries.
//!
//! The system clock follows real time; a manual clock stands still until a test moves it
//! ([`super::RunningEmulator::advance`]), so "still running" and "finished" are both
//! deterministic. Either can be moved forward.

use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct Clock {
    start: Instant,
    manual: bool,
    advanced: Mutex<Duration>,
}

impl Clock {
    pub fn system() -> Self {
        Clock {
            start: Instant::now(),
            manual: false,
            advanced: Mutex::new(Duration::ZERO),
        }
    }

    pub fn manual() -> Self {
        Clock {
            manual: true,
            ..Clock::system()
        }
    }

    pub fn is_manual(&self) -> bool {
        self.manual
    }

    /// Time since the emulator started, as this clock counts it.
    pub fn now(&self) -> Duration {
        let real = if self.manual {
            Duration::ZERO
        } else {
            self.start.elapsed()
        };
        real.saturating_add(*self.advanced.lock().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn advance(&self, by: Duration) {
        let mut advanced = self.advanced.lock().unwrap_or_else(|e| e.into_inner());
        *advanced = advanced.saturating_add(by);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced() {
        let clock = Clock::manual();
        assert_eq!(clock.now(), Duration::ZERO);
        clock.advance(Duration::from_secs(30));
        assert_eq!(clock.now(), Duration::from_secs(30));
        let system = Clock::system();
        system.advance(Duration::from_secs(3600));
        assert!(system.now() >= Duration::from_secs(3600));
    }
}
