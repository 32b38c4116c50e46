//! The one way aigw writes a duration for people: humantime's notation (`1h 30m`, `2m 13s`,
//! `12s 300ms`), which `--resource-timeout` also reads, rounded to what a person needs.

use std::time::Duration;

/// `duration` in humantime's notation, rounded to tenths of a second under a minute, to seconds
/// under an hour and to minutes above.
pub fn human(duration: Duration) -> String {
    let precision = if duration < Duration::from_secs(60) {
        Duration::from_millis(100)
    } else if duration < Duration::from_secs(3600) {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(60)
    };
    humantime::format_duration(round(duration, precision)).to_string()
}

/// `duration` rounded to the nearest multiple of `unit` (halves up).
fn round(duration: Duration, unit: Duration) -> Duration {
    let unit_nanos = unit.as_nanos().max(1);
    let rounded = (duration.as_nanos() + unit_nanos / 2) / unit_nanos * unit_nanos;
    let seconds = u64::try_from(rounded / 1_000_000_000).unwrap_or(u64::MAX);
    // The remainder of a division by 10^9 always fits.
    let nanos = u32::try_from(rounded % 1_000_000_000).unwrap_or(0);
    Duration::new(seconds, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_the_flags_that_take_them() {
        let cases = [
            (Duration::ZERO, "0s"),
            (Duration::from_millis(40), "0s"),
            (Duration::from_millis(250), "300ms"),
            (Duration::from_millis(1500), "1s 500ms"),
            (Duration::from_millis(12_340), "12s 300ms"),
            (Duration::from_millis(59_960), "1m"),
            (Duration::from_secs(65), "1m 5s"),
            (Duration::from_millis(133_600), "2m 14s"),
            (Duration::from_secs(3600), "1h"),
            (Duration::from_secs(5400 + 29), "1h 30m"),
            (Duration::from_secs(24 * 3600), "1day"),
        ];
        for (duration, text) in cases {
            assert_eq!(human(duration), text, "{duration:?}");
        }
        // Rounding saturates instead of overflowing.
        assert!(human(Duration::MAX).starts_with("584542046090years"));
    }

    #[test]
    fn what_is_written_reads_back_as_the_same_duration() {
        for seconds in [1, 5, 59, 90, 3600, 5400, 86_400] {
            let duration = Duration::from_secs(seconds);
            assert_eq!(
                humantime::parse_duration(&human(duration)).ok(),
                Some(duration),
                "{seconds}s"
            );
        }
    }
}
