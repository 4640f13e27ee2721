//! Instants as databases and cookies store them and as JavaScript prints them: unix milliseconds,
//! `Date.prototype.toISOString()`, and the text forms SQLite rows hold.
//!
//! Pure arithmetic on the proleptic Gregorian calendar (the one `Date` uses), without a date
//! crate: days from civil dates and back as in H. Hinnant's `chrono`-compatible algorithms.

const MS_PER_DAY: i64 = 86_400_000;
/// `Date` holds at most ±8.64e15 ms around the epoch (ECMA-262 21.4.1.22).
const MAX_DATE_MS: i64 = 8_640_000_000_000_000;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg_attr(
    not(any(feature = "postgres", feature = "sqlite", feature = "better-auth")),
    allow(dead_code)
)]
/// Whether `ms` is inside `Date`'s range (where `toISOString()` does not throw).
pub(crate) fn in_date_range(ms: i64) -> bool {
    (-MAX_DATE_MS..=MAX_DATE_MS).contains(&ms)
}

/// `new Date(ms).toISOString()`: `2025-07-15T15:06:50.000Z`, with the six-digit signed year
/// JavaScript uses outside 0000-9999. `None` outside `Date`'s range (where JavaScript throws).
pub(crate) fn iso_from_ms(ms: i64) -> Option<String> {
    if !in_date_range(ms) {
        return None;
    }
    let days = ms.div_euclid(MS_PER_DAY);
    let in_day = ms.rem_euclid(MS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let mut out = String::with_capacity(27);
    if (0..=9999).contains(&year) {
        push_digits(&mut out, year, 4);
    } else {
        out.push(if year < 0 { '-' } else { '+' });
        push_digits(&mut out, year.abs(), 6);
    }
    let fields = [
        ('-', i64::from(month), 2),
        ('-', i64::from(day), 2),
        ('T', in_day / 3_600_000, 2),
        (':', in_day / 60_000 % 60, 2),
        (':', in_day / 1000 % 60, 2),
        ('.', in_day % 1000, 3),
    ];
    for (separator, value, width) in fields {
        out.push(separator);
        push_digits(&mut out, value, width);
    }
    out.push('Z');
    Some(out)
}

/// `value` (non-negative, at most `width` digits here) zero-padded to `width` digits.
fn push_digits(out: &mut String, value: i64, width: u32) {
    let mut place = 10_i64.pow(width - 1);
    while place > 0 {
        out.push(char::from(b'0' + (value / place % 10) as u8));
        place /= 10;
    }
}

// The text parser serves the database sessions only.
#[cfg_attr(
    not(any(feature = "postgres", feature = "sqlite", feature = "better-auth")),
    allow(dead_code)
)]
/// A fixed number of ASCII digits at the start of `s`.
fn digits(s: &mut &[u8], count: usize) -> Option<u32> {
    let (head, tail) = (s.get(..count)?, s.get(count..)?);
    if !head.iter().all(u8::is_ascii_digit) {
        return None;
    }
    *s = tail;
    Some(head.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

#[cfg_attr(
    not(any(feature = "postgres", feature = "sqlite", feature = "better-auth")),
    allow(dead_code)
)]
fn eat(s: &mut &[u8], byte: u8) -> bool {
    if s.first() == Some(&byte) {
        *s = &s[1..];
        true
    } else {
        false
    }
}

/// Unix milliseconds of a timestamp written as text: `YYYY-MM-DD`, then optionally `T` or a
/// space, `HH:MM`, `:SS`, a fraction (truncated to milliseconds, as `Date` does) and `Z` or a
/// `±HH[:MM]` offset. Without an offset the time is UTC: what Prisma's driver adapters and
/// `CURRENT_TIMESTAMP` write into SQLite. `None` for anything else.
#[cfg_attr(
    not(any(feature = "postgres", feature = "sqlite", feature = "better-auth")),
    allow(dead_code)
)]
pub(crate) fn parse_ms(text: &str) -> Option<i64> {
    let mut s = text.trim().as_bytes();
    let year = i64::from(digits(&mut s, 4)?);
    let month = eat(&mut s, b'-').then(|| digits(&mut s, 2))??;
    let day = eat(&mut s, b'-').then(|| digits(&mut s, 2))??;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY;
    if s.is_empty() {
        return Some(ms);
    }
    if !(eat(&mut s, b'T') || eat(&mut s, b' ')) {
        return None;
    }
    let hour = digits(&mut s, 2)?;
    let minute = eat(&mut s, b':').then(|| digits(&mut s, 2))??;
    let second = if eat(&mut s, b':') {
        digits(&mut s, 2)?
    } else {
        0
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    ms += (i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)) * 1000;
    if eat(&mut s, b'.') {
        let len = s.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        for (d, scale) in s[..len.min(3)].iter().zip([100, 10, 1]) {
            ms += i64::from(d - b'0') * scale;
        }
        s = &s[len..];
    }
    match s.first() {
        None => Some(ms),
        Some(b'Z' | b'z') if s.len() == 1 => Some(ms),
        Some(&sign @ (b'+' | b'-')) => {
            s = &s[1..];
            let oh = digits(&mut s, 2)?;
            let om = if s.is_empty() {
                0
            } else {
                eat(&mut s, b':');
                digits(&mut s, 2)?
            };
            if !s.is_empty() || oh > 23 || om > 59 {
                return None;
            }
            let offset = (i64::from(oh) * 60 + i64::from(om)) * 60_000;
            Some(if sign == b'+' {
                ms - offset
            } else {
                ms + offset
            })
        }
        Some(_) => None,
    }
}

#[cfg_attr(
    not(any(feature = "postgres", feature = "sqlite", feature = "better-auth")),
    allow(dead_code)
)]
pub(crate) fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Expected strings printed by Node 20: `new Date(ms).toISOString()`.
    #[test]
    fn iso_strings_as_javascript_prints_them() {
        let cases: [(i64, &str); 8] = [
            (0, "1970-01-01T00:00:00.000Z"),
            (1_752_592_010_000, "2025-07-15T15:06:50.000Z"),
            (1_750_000_000_123, "2025-06-15T15:06:40.123Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (253_402_300_800_000, "+010000-01-01T00:00:00.000Z"),
            (-62_167_219_200_001, "-000001-12-31T23:59:59.999Z"),
        ];
        for (ms, want) in cases {
            assert_eq!(iso_from_ms(ms).as_deref(), Some(want), "{ms}");
            if !want.starts_with(['+', '-']) {
                assert_eq!(parse_ms(want), Some(ms), "{want}");
            }
        }
        assert_eq!(iso_from_ms(MAX_DATE_MS + 1), None);
        assert_eq!(
            iso_from_ms(-MAX_DATE_MS).as_deref(),
            Some("-271821-04-20T00:00:00.000Z")
        );
    }

    #[test]
    fn text_forms_databases_hold() {
        let base = 1_752_592_010_000;
        for text in [
            "2025-07-15T15:06:50Z",
            "2025-07-15 15:06:50",
            "2025-07-15T15:06:50.000",
            "2025-07-15T17:06:50+02:00",
            "2025-07-15T13:06:50-0200",
            "2025-07-15T17:06:50+02",
            "2025-07-15T15:06:50.000999Z",
        ] {
            assert_eq!(parse_ms(text), Some(base), "{text}");
        }
        assert_eq!(parse_ms("2025-07-15T15:06:50.5Z"), Some(base + 500));
        assert_eq!(parse_ms("2025-07-15T15:06"), Some(base - 50_000));
        assert_eq!(parse_ms("2025-07-15"), Some(base - 54_410_000));
        for bad in [
            "",
            "2025-7-15",
            "2025-02-30",
            "2025-13-01",
            "2025-07-15T24:00:00",
            "2025-07-15T15:06:50.Z",
            "2025-07-15T15:06:50 junk",
            "2025-07-15X15:06:50",
            "2025-07-15T15:06:50+2",
            "1752592010000",
        ] {
            assert_eq!(parse_ms(bad), None, "{bad}");
        }
    }
}
