//! Time as the ARM client sees it: sleeping between retries and polls.
//!
//! Injectable so tests run retry and polling schedules in milliseconds: `AIGW_TEST_TIME_SCALE`
//! (a factor such as `0.001`) shrinks every sleep without changing the schedule's logic. It is a
//! test hook, like cargo's fixed retry sleep; users never need it.

use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub struct Clock {
    scale: f64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock { scale: 1.0 }
    }
}

impl Clock {
    /// A clock whose sleeps last `scale` times as long (clamped to 0..=1).
    pub fn scaled(scale: f64) -> Self {
        Clock {
            scale: if scale.is_finite() {
                scale.clamp(0.0, 1.0)
            } else {
                1.0
            },
        }
    }

    /// Reads `AIGW_TEST_TIME_SCALE` from the environment snapshot.
    pub fn from_env(env: &crate::env::Env) -> Self {
        env.get("AIGW_TEST_TIME_SCALE")
            .and_then(|v| v.parse::<f64>().ok())
            .map_or_else(Clock::default, Clock::scaled)
    }

    pub async fn sleep(&self, duration: Duration) {
        let scaled = scale(duration, self.scale);
        if !scaled.is_zero() {
            tokio::time::sleep(scaled).await;
        }
    }

    /// A deadline measured in this clock's time (scaled like sleeps; a zero scale, where sleeps
    /// take no time at all, keeps the budget as given).
    pub fn deadline(&self, budget: Duration) -> tokio::time::Instant {
        let now = tokio::time::Instant::now();
        // A budget too large to represent is as good as none (about 30 years from now).
        now.checked_add(self.budget(budget))
            .unwrap_or_else(|| now + Duration::from_secs(1 << 30))
    }

    /// A time budget (a deadline or a timeout) in this clock's time: scaled like sleeps, except
    /// that a zero scale, where sleeps take no time at all, keeps the budget as given.
    pub fn budget(&self, budget: Duration) -> Duration {
        let factor = if self.scale == 0.0 { 1.0 } else { self.scale };
        scale(budget, factor)
    }
}

/// `duration × factor`, saturating instead of panicking on huge values.
fn scale(duration: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() * factor).unwrap_or(Duration::MAX)
}
