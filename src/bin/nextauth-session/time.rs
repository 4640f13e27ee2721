//! Unix times as UTC dates and "in 3 days" / "2 h ago", without a date crate.

/// `YYYY-MM-DD HH:MM:SS UTC` (proleptic Gregorian calendar) for unix seconds.
pub fn utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day). No
/// intermediate value overflows for any `i64` day count that comes from `i64` seconds.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A duration in its two largest units: `29 days 23 h`, `1 min 40 s`, `0 s`.
pub fn span(secs: u64) -> String {
    let units = [
        (86_400, "day", "days"),
        (3600, "h", "h"),
        (60, "min", "min"),
        (1, "s", "s"),
    ];
    let mut parts = Vec::new();
    let mut rest = secs;
    for (size, one, many) in units {
        let n = rest / size;
        rest %= size;
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        } else if !parts.is_empty() {
            // A zero right after the first unit ends the description: `2 days`.
            break;
        }
        if parts.len() == 2 {
            break;
        }
    }
    if parts.is_empty() {
        "0 s".to_owned()
    } else {
        parts.join(" ")
    }
}

/// `in 3 days` or `3 days ago`, relative to `now`.
pub fn relative(unix: i64, now: i64) -> String {
    let delta = i128::from(unix) - i128::from(now);
    let secs = u64::try_from(delta.unsigned_abs()).unwrap_or(u64::MAX);
    if delta > 0 {
        format!("in {}", span(secs))
    } else {
        format!("{} ago", span(secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected dates from Python's `datetime.datetime.fromtimestamp(t, datetime.UTC)`.
    #[test]
    fn dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_750_000_000), "2025-06-15 15:06:40 UTC");
        assert_eq!(utc(1_752_592_000), "2025-07-15 15:06:40 UTC");
        assert_eq!(utc(4_107_542_400), "2100-03-01 00:00:00 UTC");
        assert_eq!(utc(253_402_300_799), "9999-12-31 23:59:59 UTC");
        assert_eq!(utc(-62_135_596_800), "0001-01-01 00:00:00 UTC");
        // Extremes do not overflow.
        assert!(utc(i64::MAX).ends_with(" UTC"));
        assert!(utc(i64::MIN).ends_with(" UTC"));
    }

    #[test]
    fn spans() {
        assert_eq!(span(0), "0 s");
        assert_eq!(span(1), "1 s");
        assert_eq!(span(100), "1 min 40 s");
        assert_eq!(span(3600), "1 h");
        assert_eq!(span(2 * 86_400), "2 days");
        assert_eq!(span(2 * 86_400 + 5), "2 days");
        assert_eq!(span(30 * 86_400 - 60), "29 days 23 h");
        assert_eq!(relative(10, 0), "in 10 s");
        assert_eq!(relative(0, 86_400), "1 day ago");
        assert_eq!(
            relative(i64::MIN, i64::MAX),
            format!("{} ago", span(u64::MAX))
        );
    }
}
