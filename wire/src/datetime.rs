//! Dates and times in UTC, in the three textual forms the crate reads and writes:
//!
//! * RFC 3339 (`2021-09-21T04:16:53Z`, `2021-08-05T19:58:02.5+01:00`): credential
//!   expirations, the SigV4 test suite's timestamps, the CLI's output and the
//!   gateway's access log;
//! * SigV4's basic ISO 8601 (`20150830T123600Z`): `X-Amz-Date`;
//! * the HTTP `Date` header's IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
//!
//! Times cross the boundary as [`SystemTime`] or whole Unix seconds (`i64`). The
//! calendar is the proleptic Gregorian one, reached through the count of days since
//! 1970-01-01. Parsers give `None` for text they do not accept; nothing here panics.
//! Formatters write four-digit years only, and give `None` outside years 0 to 9999.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SECONDS_PER_DAY: i64 = 86_400;
/// Short English month names, January first.
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
/// Short English weekday names, Sunday first.
const WEEKDAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// `unix_seconds` (UTC) as RFC 3339 without a fraction, e.g. `2030-01-01T00:00:00Z`;
/// `None` outside years 0 to 9999.
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use bedrock_lite::datetime::format_rfc3339;
/// assert_eq!(format_rfc3339(1_893_456_000).as_deref(), Some("2030-01-01T00:00:00Z"));
/// assert_eq!(format_rfc3339(-1).as_deref(), Some("1969-12-31T23:59:59Z"));
/// assert_eq!(format_rfc3339(253_402_300_800), None); // year 10000
/// ```
pub fn format_rfc3339(unix_seconds: i64) -> Option<String> {
    let at = DateTime::from_unix_seconds(unix_seconds);
    let year = at.four_digit_year()?;
    Some(format!(
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.month, at.day, at.hour, at.minute, at.second
    ))
}

/// `time` (UTC) as RFC 3339 to the millisecond (the fraction truncated), e.g.
/// `2025-06-01T12:00:00.123Z`; `None` outside years 0 to 9999.
pub fn format_rfc3339_millis(time: SystemTime) -> Option<String> {
    let (seconds, nanosecond) = unix_parts(time)?;
    let at = DateTime::from_unix_seconds(seconds);
    let year = at.four_digit_year()?;
    Some(format!(
        "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.month,
        at.day,
        at.hour,
        at.minute,
        at.second,
        nanosecond / 1_000_000
    ))
}

/// `unix_seconds` (UTC) as SigV4's `YYYYMMDDTHHMMSSZ`, e.g. `20150830T123600Z`;
/// `None` outside years 0 to 9999.
pub fn format_amz_date(unix_seconds: i64) -> Option<String> {
    let at = DateTime::from_unix_seconds(unix_seconds);
    let year = at.four_digit_year()?;
    Some(format!(
        "{year:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.month, at.day, at.hour, at.minute, at.second
    ))
}

/// `unix_seconds` as an HTTP `Date` (IMF-fixdate), e.g. `Sun, 30 Aug 2015 12:36:00 GMT`;
/// `None` outside years 0 to 9999.
pub fn format_http_date(unix_seconds: i64) -> Option<String> {
    let at = DateTime::from_unix_seconds(unix_seconds);
    let year = at.four_digit_year()?;
    let weekday = WEEKDAY_NAMES.get(weekday_from_days(at.days))?;
    let month = MONTH_NAMES.get(usize::try_from(at.month).ok()?.checked_sub(1)?)?;
    Some(format!(
        "{weekday}, {:02} {month} {year:04} {:02}:{:02}:{:02} GMT",
        at.day, at.hour, at.minute, at.second
    ))
}

/// Parses an RFC 3339 date-time: `YYYY-MM-DD`, one separator character (`T`, `t`, a
/// space or any other), `hh:mm:ss`, an optional fraction of any length (digits past
/// the nanosecond are dropped), then `Z`, `z` or `+hh:mm` / `-hh:mm`. A leap second
/// (`:60`) is taken as the last nanosecond before it and accepted only where one can
/// fall: 23:59:60 UTC on the last day of a month. Nothing may follow.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let mut input = Cursor(text.as_bytes());
    let year = i64::from(input.digits(4)?);
    input.literal(b"-")?;
    let month = input.digits(2)?;
    input.literal(b"-")?;
    let day = input.digits(2)?;
    input.any_byte()?;
    let hour = input.digits(2)?;
    input.literal(b":")?;
    let minute = input.digits(2)?;
    input.literal(b":")?;
    let second = input.digits(2)?;
    let fraction = if input.literal(b".").is_some() {
        input.fraction()?
    } else {
        0
    };
    let offset_seconds = if input.literal(b"Z").is_some() || input.literal(b"z").is_some() {
        0
    } else {
        let sign = input.sign()?;
        let hours = input.digits(2).filter(|h| *h <= 23)?;
        input.literal(b":")?;
        let minutes = input.digits(2).filter(|m| *m <= 59)?;
        sign * i64::from(hours * 3600 + minutes * 60)
    };
    input.finish()?;

    let leap_second = second == 60;
    let (second, nanosecond) = if leap_second {
        (59, 999_999_999)
    } else {
        (second, fraction)
    };
    let local = DateTime::new(year, month, day, hour, minute, second)?;
    let seconds = local.unix_seconds().checked_sub(offset_seconds)?;
    if leap_second && !DateTime::from_unix_seconds(seconds).is_last_second_of_month() {
        return None;
    }
    system_time(seconds, nanosecond)
}

/// Parses SigV4's `YYYYMMDDTHHMMSSZ` (UTC), e.g. `20150830T123600Z`. The year may
/// carry a sign (`+2015`, `-0001`); nothing may follow.
pub fn parse_amz_date(text: &str) -> Option<SystemTime> {
    let mut input = Cursor(text.as_bytes());
    let year = input.signed_year()?;
    let month = input.digits(2)?;
    let day = input.digits(2)?;
    input.literal(b"T")?;
    let hour = input.digits(2)?;
    let minute = input.digits(2)?;
    let second = input.digits(2)?;
    input.literal(b"Z")?;
    input.finish()?;
    let at = DateTime::new(year, month, day, hour, minute, second)?;
    system_time(at.unix_seconds(), 0)
}

/// Parses an HTTP `Date` in IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`
/// (names case-sensitive, the year may carry a sign, nothing may follow). The
/// weekday must be a weekday's name but is not checked against the date.
pub fn parse_http_date(text: &str) -> Option<SystemTime> {
    let mut input = Cursor(text.as_bytes());
    input.name(&WEEKDAY_NAMES)?;
    input.literal(b", ")?;
    let day = input.digits(2)?;
    input.literal(b" ")?;
    let month = input.name(&MONTH_NAMES)?;
    input.literal(b" ")?;
    let year = input.signed_year()?;
    input.literal(b" ")?;
    let hour = input.digits(2)?;
    input.literal(b":")?;
    let minute = input.digits(2)?;
    input.literal(b":")?;
    let second = input.digits(2)?;
    input.literal(b" GMT")?;
    input.finish()?;
    let month = u32::try_from(month).ok()?.checked_add(1)?;
    let at = DateTime::new(year, month, day, hour, minute, second)?;
    system_time(at.unix_seconds(), 0)
}

/// A valid calendar date and time of day (whole seconds), in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DateTime {
    /// Days since 1970-01-01 (negative before).
    days: i64,
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

impl DateTime {
    /// The date and time, if each field is in range; `year` has at most four digits.
    fn new(year: i64, month: u32, day: u32, hour: u32, minute: u32, second: u32) -> Option<Self> {
        let valid = (-9999..=9999).contains(&year)
            && (1..=12).contains(&month)
            && (1..=days_in_month(year, month)).contains(&day)
            && hour < 24
            && minute < 60
            && second < 60;
        valid.then(|| DateTime {
            days: days_from_civil(year, month, day),
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// The UTC date and time `seconds` after (or before) 1970-01-01T00:00:00Z.
    fn from_unix_seconds(seconds: i64) -> Self {
        let days = seconds.div_euclid(SECONDS_PER_DAY);
        // In 0..86_400, so it fits a u32.
        let of_day = u32::try_from(seconds.rem_euclid(SECONDS_PER_DAY)).unwrap_or_default();
        let (year, month, day) = civil_from_days(days);
        DateTime {
            days,
            year,
            month,
            day,
            hour: of_day / 3600,
            minute: of_day / 60 % 60,
            second: of_day % 60,
        }
    }

    /// Seconds since 1970-01-01T00:00:00Z (negative before).
    fn unix_seconds(&self) -> i64 {
        self.days * SECONDS_PER_DAY + i64::from(self.hour * 3600 + self.minute * 60 + self.second)
    }

    /// The year, if it is in 0 to 9999.
    fn four_digit_year(&self) -> Option<i64> {
        Some(self.year).filter(|year| (0..=9999).contains(year))
    }

    /// 23:59:59 on the last day of a month in years -9999 to 9999: where a leap
    /// second (read as the moment before it) may stand.
    fn is_last_second_of_month(&self) -> bool {
        (-9999..=9999).contains(&self.year)
            && self.day == days_in_month(self.year, self.month)
            && (self.hour, self.minute, self.second) == (23, 59, 59)
    }
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days in `month` (1 to 12) of `year`.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to `year-month-day` (a valid date).
///
/// The year is counted from March, so that the leap day falls last: a 400-year
/// era has 146,097 days, a year of the era 365 plus its leap days, and the day of
/// that year follows from the month by `(153 * m + 2) / 5` (the months from March
/// have 31, 30, 31, 30, 31 days, repeating).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let march_year = if month <= 2 { year - 1 } else { year };
    let era = march_year.div_euclid(400);
    let year_of_era = march_year.rem_euclid(400);
    let month_from_march = i64::from((month + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719,468 days lie between 0000-03-01 and 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The date (year, month 1 to 12, day) `days` after 1970-01-01: the inverse of
/// [`days_from_civil`]. Defined for `|days| <= i64::MAX / 86_400`, every day a
/// Unix time in seconds can name (the only callers pass `seconds / 86_400`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let from_march_0000 = days + 719_468;
    let era = from_march_0000.div_euclid(146_097);
    let day_of_era = from_march_0000.rem_euclid(146_097);
    // The year of the era, with the leap days of the 4-, 100- and 400-year cycles taken out.
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = era * 400 + year_of_era + i64::from(month <= 2);
    // `month` is in 1..=12 and `day` in 1..=31.
    (
        year,
        u32::try_from(month).unwrap_or_default(),
        u32::try_from(day).unwrap_or_default(),
    )
}

/// The weekday (0 for Sunday) of the day `days` after 1970-01-01, a Thursday.
fn weekday_from_days(days: i64) -> usize {
    usize::try_from((days + 4).rem_euclid(7)).unwrap_or_default()
}

/// `time` as whole seconds since 1970-01-01T00:00:00Z, rounded down (a time
/// just before the epoch is second -1); `None` when it does not fit an `i64`.
///
/// ```
/// # use bedrock_lite_wire as bedrock_lite;
/// use std::time::{Duration, UNIX_EPOCH};
/// use bedrock_lite::datetime::unix_seconds;
/// assert_eq!(unix_seconds(UNIX_EPOCH + Duration::from_millis(1_500)), Some(1));
/// assert_eq!(unix_seconds(UNIX_EPOCH - Duration::from_millis(500)), Some(-1));
/// ```
pub fn unix_seconds(time: SystemTime) -> Option<i64> {
    unix_parts(time).map(|(seconds, _)| seconds)
}

/// `time` as whole seconds since the epoch, rounded down, and the nanoseconds past them.
fn unix_parts(time: SystemTime) -> Option<(i64, u32)> {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => Some((i64::try_from(after.as_secs()).ok()?, after.subsec_nanos())),
        Err(before) => {
            let before = before.duration();
            let seconds = i64::try_from(before.as_secs()).ok()?;
            match before.subsec_nanos() {
                0 => Some((-seconds, 0)),
                nanos => Some((-seconds - 1, 1_000_000_000 - nanos)),
            }
        }
    }
}

/// The `SystemTime` `seconds` and `nanosecond` after the epoch, if this platform holds it.
fn system_time(seconds: i64, nanosecond: u32) -> Option<SystemTime> {
    let whole = Duration::from_secs(seconds.unsigned_abs());
    let whole = if seconds >= 0 {
        UNIX_EPOCH.checked_add(whole)
    } else {
        UNIX_EPOCH.checked_sub(whole)
    };
    whole?.checked_add(Duration::from_nanos(u64::from(nanosecond)))
}

/// The unread rest of a text being parsed; each step consumes what it matched.
struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    /// Exactly `count` ASCII digits (at most 9), as a number.
    fn digits(&mut self, count: usize) -> Option<u32> {
        let (head, rest) = self.0.split_at_checked(count)?;
        let value = head.iter().try_fold(0u32, |value, byte| {
            let digit = char::from(*byte).to_digit(10)?;
            value.checked_mul(10)?.checked_add(digit)
        })?;
        self.0 = rest;
        Some(value)
    }

    /// `expected`, byte for byte.
    fn literal(&mut self, expected: &[u8]) -> Option<()> {
        self.0 = self.0.strip_prefix(expected)?;
        Some(())
    }

    /// Any one byte.
    fn any_byte(&mut self) -> Option<()> {
        self.0 = self.0.get(1..)?;
        Some(())
    }

    /// `+` (1) or `-` (-1).
    fn sign(&mut self) -> Option<i64> {
        match self.0.split_first() {
            Some((b'+', rest)) => {
                self.0 = rest;
                Some(1)
            }
            Some((b'-', rest)) => {
                self.0 = rest;
                Some(-1)
            }
            _ => None,
        }
    }

    /// A year of exactly four digits, after an optional `+` or `-`.
    fn signed_year(&mut self) -> Option<i64> {
        let sign = self.sign().unwrap_or(1);
        Some(sign * i64::from(self.digits(4)?))
    }

    /// One or more digits after a decimal point, as nanoseconds (digits past the
    /// ninth are read and dropped).
    fn fraction(&mut self) -> Option<u32> {
        let count = self.0.iter().take_while(|b| b.is_ascii_digit()).count();
        if count == 0 {
            return None;
        }
        let (digits, rest) = self.0.split_at_checked(count)?;
        let mut nanos = 0;
        let mut scale = 100_000_000;
        for digit in digits.iter().take(9) {
            nanos += u32::from(digit - b'0') * scale;
            scale /= 10;
        }
        self.0 = rest;
        Some(nanos)
    }

    /// One of `names`, as its index.
    fn name(&mut self, names: &[&str]) -> Option<usize> {
        let (head, rest) = self.0.split_at_checked(3)?;
        let index = names.iter().position(|name| name.as_bytes() == head)?;
        self.0 = rest;
        Some(index)
    }

    /// `Some` if nothing is left.
    fn finish(&self) -> Option<()> {
        self.0.is_empty().then_some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::format_description::well_known::Rfc3339;
    use time::format_description::BorrowedFormatItem;
    use time::macros::format_description;
    use time::{OffsetDateTime, PrimitiveDateTime, UtcOffset};

    /// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
    const FIRST_SECOND: i64 = -62_167_219_200;
    const LAST_SECOND: i64 = 253_402_300_799;

    fn at(seconds: i64, nanosecond: u32) -> SystemTime {
        system_time(seconds, nanosecond).expect("representable")
    }

    #[test]
    fn formats_rfc3339_across_the_four_digit_years() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (-1, "1969-12-31T23:59:59Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (4_107_456_000, "2100-02-28T00:00:00Z"),
            (4_107_542_400, "2100-03-01T00:00:00Z"),
            (2_147_483_647, "2038-01-19T03:14:07Z"),
            (2_147_483_648, "2038-01-19T03:14:08Z"),
            (FIRST_SECOND, "0000-01-01T00:00:00Z"),
            (LAST_SECOND, "9999-12-31T23:59:59Z"),
        ];
        for (seconds, text) in cases {
            assert_eq!(format_rfc3339(seconds).as_deref(), Some(text), "{seconds}");
        }
        for seconds in [FIRST_SECOND - 1, LAST_SECOND + 1, i64::MIN, i64::MAX] {
            assert_eq!(format_rfc3339(seconds), None, "{seconds}");
        }
    }

    #[test]
    fn formats_amz_dates() {
        assert_eq!(
            format_amz_date(1_440_938_160).as_deref(),
            Some("20150830T123600Z")
        );
        assert_eq!(format_amz_date(0).as_deref(), Some("19700101T000000Z"));
        assert_eq!(format_amz_date(LAST_SECOND + 1), None);
        assert_eq!(format_amz_date(FIRST_SECOND - 1), None);
    }

    #[test]
    fn formats_http_dates() {
        assert_eq!(
            format_http_date(784_111_777).as_deref(),
            Some("Sun, 06 Nov 1994 08:49:37 GMT")
        );
        assert_eq!(
            format_http_date(0).as_deref(),
            Some("Thu, 01 Jan 1970 00:00:00 GMT")
        );
        assert_eq!(
            format_http_date(951_782_400).as_deref(),
            Some("Tue, 29 Feb 2000 00:00:00 GMT")
        );
        assert_eq!(format_http_date(FIRST_SECOND - 1), None);
    }

    #[test]
    fn formats_milliseconds() {
        assert_eq!(
            format_rfc3339_millis(at(1, 234_567_890)).as_deref(),
            Some("1970-01-01T00:00:01.234Z")
        );
        assert_eq!(
            format_rfc3339_millis(at(-1, 500_000_000)).as_deref(),
            Some("1969-12-31T23:59:59.500Z")
        );
        assert_eq!(
            format_rfc3339_millis(at(LAST_SECOND, 999_999_999)).as_deref(),
            Some("9999-12-31T23:59:59.999Z")
        );
        assert_eq!(format_rfc3339_millis(at(LAST_SECOND + 1, 0)), None);
    }

    #[test]
    fn parses_rfc3339_with_offsets_fractions_and_leap_seconds() {
        let accepted = [
            ("2021-09-21T04:16:53Z", at(1_632_197_813, 0)),
            ("2021-09-21t04:16:53z", at(1_632_197_813, 0)),
            ("2021-09-21 04:16:53Z", at(1_632_197_813, 0)),
            ("1970-01-01T00:00:00-00:00", at(0, 0)),
            ("2024-02-29T12:00:00Z", at(1_709_208_000, 0)),
            // Offsets that cross midnight and the year.
            ("2025-01-01T00:30:00+01:00", at(1_735_687_800, 0)),
            ("2024-12-31T23:30:00-01:00", at(1_735_691_400, 0)),
            (
                "2021-08-05T19:58:02.500+01:00",
                at(1_628_189_882, 500_000_000),
            ),
            ("2021-08-05T18:58:02.5Z", at(1_628_189_882, 500_000_000)),
            ("1969-12-31T23:59:59.25Z", at(-1, 250_000_000)),
            ("2038-01-19T03:14:08Z", at(2_147_483_648, 0)),
            // Digits past the nanosecond are dropped, not rounded.
            ("1970-01-01T00:00:00.1234567899999Z", at(0, 123_456_789)),
            // A leap second is the last nanosecond before it.
            ("2016-12-31T23:59:60Z", at(1_483_228_799, 999_999_999)),
            ("2016-12-31T23:59:60.5Z", at(1_483_228_799, 999_999_999)),
            ("2017-01-01T00:59:60+01:00", at(1_483_228_799, 999_999_999)),
            ("2015-06-30T23:59:60Z", at(1_435_708_799, 999_999_999)),
            ("9999-12-31T23:59:59Z", at(LAST_SECOND, 0)),
            // The offset may carry the time past year 9999 or before year 0.
            ("9999-12-31T23:00:00-02:00", at(LAST_SECOND + 3601, 0)),
            ("0000-01-01T00:00:00+01:00", at(FIRST_SECOND - 3600, 0)),
        ];
        for (text, expected) in accepted {
            assert_eq!(parse_rfc3339(text), Some(expected), "{text}");
            assert_eq!(time_rfc3339_parse(text), Some(expected), "time: {text}");
        }
        let refused = [
            "",
            "2021-08-05",
            "2025-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z",
            "2025-04-31T00:00:00Z",
            "2025-00-01T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-01-00T00:00:00Z",
            "2025-01-01T24:00:00Z",
            "2025-01-01T23:60:00Z",
            "2025-01-01T23:59:61Z",
            "2016-12-30T23:59:60Z",
            "2016-12-31T22:59:60Z",
            "2025-01-01T00:00:00",
            "2025-01-01T00:00:00Zjunk",
            "2025-01-01T00:00:00Z ",
            " 2025-01-01T00:00:00Z",
            "2025-01-01T00:00:00.Z",
            "2025-01-01T00:00:00+24:00",
            "2025-01-01T00:00:00+01:60",
            "2025-01-01T00:00:00+0100",
            "2025-01-01T00:00:00+01",
            "2025-01-01T0:00:00Z",
            "25-01-01T00:00:00Z",
            "+2025-01-01T00:00:00Z",
            "2025-01-01TT00:00:00Z",
            "2025-01-01é00:00:00Z",
            "２０２５-01-01T00:00:00Z",
        ];
        for text in refused {
            assert_eq!(parse_rfc3339(text), None, "{text}");
            assert_eq!(time_rfc3339_parse(text), None, "time: {text}");
        }
    }

    #[test]
    fn parses_amz_dates() {
        let cases = [
            ("20150830T123600Z", Some(at(1_440_938_160, 0))),
            ("+20150830T123600Z", Some(at(1_440_938_160, 0))),
            ("20160229T000000Z", Some(at(1_456_704_000, 0))),
            ("99991231T235959Z", Some(at(LAST_SECOND, 0))),
            ("00000101T000000Z", Some(at(FIRST_SECOND, 0))),
            ("", None),
            ("2015-08-30", None),
            ("20150830T123600", None),
            ("20150830T123600z", None),
            ("20150830t123600Z", None),
            ("20150830T123600Z ", None),
            ("20150229T000000Z", None),
            ("20151301T000000Z", None),
            ("20150830T240000Z", None),
            ("20150830T126000Z", None),
            ("20151231T235960Z", None),
            ("2015083T123600Z", None),
            ("201508300T123600Z", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_amz_date(text), expected, "{text}");
            assert_eq!(time_amz_date(text), expected, "time: {text}");
        }
    }

    #[test]
    fn parses_http_dates() {
        let cases = [
            ("Sun, 06 Nov 1994 08:49:37 GMT", Some(at(784_111_777, 0))),
            // The weekday is not checked against the date.
            ("Mon, 06 Nov 1994 08:49:37 GMT", Some(at(784_111_777, 0))),
            ("Thu, 29 Feb 2024 00:00:00 GMT", Some(at(1_709_164_800, 0))),
            ("", None),
            ("yesterday", None),
            ("sun, 06 Nov 1994 08:49:37 GMT", None),
            ("Sun, 06 nov 1994 08:49:37 GMT", None),
            ("Sun, 6 Nov 1994 08:49:37 GMT", None),
            ("Sun, 31 Nov 1994 08:49:37 GMT", None),
            ("Thu, 29 Feb 2023 00:00:00 GMT", None),
            ("Sun, 06 Nov 1994 24:49:37 GMT", None),
            ("Sun, 06 Nov 1994 08:49:37 UTC", None),
            ("Sun, 06 Nov 1994 08:49:37 GMT ", None),
            ("Sunday, 06-Nov-94 08:49:37 GMT", None),
            ("Sun Nov  6 08:49:37 1994", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_http_date(text), expected, "{text}");
            assert_eq!(time_http_date(text), expected, "time: {text}");
        }
    }

    #[test]
    fn civil_dates_round_trip_at_the_edges() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(0, 1, 1), -719_528);
        // Total over i64: no overflow at the extremes.
        let _ = DateTime::from_unix_seconds(i64::MIN);
        let _ = DateTime::from_unix_seconds(i64::MAX);
    }

    const AMZ_DATE: &[BorrowedFormatItem<'static>] =
        format_description!("[year][month][day]T[hour][minute][second]Z");
    const HTTP_DATE: &[BorrowedFormatItem<'static>] = format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );

    /// Unix seconds: mostly in years 0 to 9999, some anywhere `time` goes and past it.
    fn any_instant() -> impl Strategy<Value = i64> {
        prop_oneof![
            3 => FIRST_SECOND..=LAST_SECOND,
            1 => -377_705_116_800i64 - 86_400..=LAST_SECOND + 366 * 86_400,
        ]
    }

    /// `time`'s text for `seconds` in `format` where it writes a four-digit year;
    /// `None` for a negative year (`time` writes `-0001`, we write nothing) and
    /// past its range.
    fn time_format(seconds: i64, format: &[BorrowedFormatItem<'_>]) -> Option<String> {
        let utc = OffsetDateTime::from_unix_timestamp(seconds).ok()?;
        if utc.year() < 0 {
            return None;
        }
        utc.format(format).ok()
    }

    fn time_rfc3339(seconds: i64) -> Option<String> {
        OffsetDateTime::from_unix_timestamp(seconds)
            .ok()?
            .format(&Rfc3339)
            .ok()
    }

    /// `time`'s reading of RFC 3339, the reference for [`parse_rfc3339`].
    fn time_rfc3339_parse(text: &str) -> Option<SystemTime> {
        OffsetDateTime::parse(text, &Rfc3339)
            .ok()
            .map(SystemTime::from)
    }

    /// `time`'s reading of the amz-date format, the reference for [`parse_amz_date`].
    fn time_amz_date(text: &str) -> Option<SystemTime> {
        let parsed = PrimitiveDateTime::parse(text, AMZ_DATE).ok()?;
        Some(parsed.assume_utc().into())
    }

    /// `time`'s reading of IMF-fixdate, the reference for [`parse_http_date`].
    fn time_http_date(text: &str) -> Option<SystemTime> {
        let parsed = PrimitiveDateTime::parse(text, HTTP_DATE).ok()?;
        Some(parsed.assume_utc().into())
    }

    /// Near-RFC 3339 text: each field drawn around and past its valid range.
    fn rfc3339_like() -> impl Strategy<Value = String> {
        let fields = (
            "[0-9]{4}|[0-9]{3}|\\+[0-9]{4}",
            "0[0-9]|1[0-3]",
            "[0-2][0-9]|3[0-2]",
            "[Tt x\\-]",
            "[0-1][0-9]|2[0-5]",
            "[0-5][0-9]|6[0-1]",
            "[0-5][0-9]|6[0-1]",
            "(\\.[0-9]{0,12})?",
            "[Zz]|[+\\-]([0-1][0-9]|2[0-5]):([0-5][0-9]|6[0-1])|[+\\-][0-9]{4}|",
            "|.",
        );
        fields.prop_map(|(y, mo, d, sep, h, mi, s, frac, off, tail)| {
            format!("{y}-{mo}-{d}{sep}{h}:{mi}:{s}{frac}{off}{tail}")
        })
    }

    /// Leap-second candidates: the ends of months, near midnight, in several offsets.
    fn leap_second_like() -> impl Strategy<Value = String> {
        (
            "[0-9]{4}",
            "0[1-9]|1[0-2]",
            "2[89]|3[01]|01",
            "23|22|00|01",
            "59|00|30",
            "(\\.[0-9]{1,3})?",
            "[Zz]|[+\\-](00|01|02):(00|30|59)",
        )
            .prop_map(|(y, mo, d, h, mi, frac, off)| format!("{y}-{mo}-{d}T{h}:{mi}:60{frac}{off}"))
    }

    /// A valid RFC 3339 text (as `time` writes it, in some offset) with one byte replaced.
    fn mutated_rfc3339() -> impl Strategy<Value = String> {
        (
            FIRST_SECOND..=LAST_SECOND,
            0u32..1_000_000_000,
            -1439i32..=1439,
            any::<usize>(),
            proptest::char::range(' ', '~'),
        )
            .prop_filter_map(
                "year outside 0 to 9999 in that offset",
                |(s, n, m, i, c)| {
                    let offset = UtcOffset::from_whole_seconds(m * 60).ok()?;
                    let nanos = i128::from(s) * 1_000_000_000 + i128::from(n);
                    let text = OffsetDateTime::from_unix_timestamp_nanos(nanos)
                        .ok()?
                        .to_offset(offset)
                        .format(&Rfc3339)
                        .ok()?;
                    let mut bytes = text.into_bytes();
                    let index = i % bytes.len();
                    bytes[index] = u8::try_from(c).ok()?;
                    String::from_utf8(bytes).ok()
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn formats_as_time_does(seconds in any_instant()) {
            prop_assert_eq!(format_rfc3339(seconds), time_rfc3339(seconds));
            prop_assert_eq!(format_amz_date(seconds), time_format(seconds, AMZ_DATE));
        }

        #[test]
        fn formats_http_dates_as_time_does(seconds in any_instant()) {
            prop_assert_eq!(format_http_date(seconds), time_format(seconds, HTTP_DATE));
        }

        #[test]
        fn formats_milliseconds_as_time_does(seconds in FIRST_SECOND..=LAST_SECOND, nanos in 0u32..1_000_000_000) {
            let time = at(seconds, nanos);
            let millis = format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
            );
            prop_assert_eq!(
                format_rfc3339_millis(time),
                OffsetDateTime::from(time).format(millis).ok()
            );
        }

        #[test]
        fn parses_rfc3339_as_time_does(
            text in prop_oneof![rfc3339_like(), leap_second_like(), mutated_rfc3339(), ".{0,40}"]
        ) {
            prop_assert_eq!(parse_rfc3339(&text), time_rfc3339_parse(&text), "{}", text);
        }

        #[test]
        fn formatted_rfc3339_parses_back(seconds in FIRST_SECOND..=LAST_SECOND) {
            let text = format_rfc3339(seconds).expect("a four-digit year");
            prop_assert_eq!(parse_rfc3339(&text), Some(at(seconds, 0)));
        }

        #[test]
        fn parses_amz_dates_as_time_does(
            text in prop_oneof![
                "[+\\-]?[0-9]{4}(0[0-9]|1[0-3])([0-2][0-9]|3[0-2])[Tt]([0-1][0-9]|2[0-5])([0-5][0-9]|6[0-1])([0-5][0-9]|6[0-1])[Zz]?.?",
                "[0-9]{0,17}T?[0-9]{0,6}Z?",
                ".{0,20}",
            ]
        ) {
            prop_assert_eq!(parse_amz_date(&text), time_amz_date(&text), "{}", text);
        }

        #[test]
        fn amz_dates_round_trip(seconds in 0..=LAST_SECOND) {
            let text = format_amz_date(seconds).expect("a four-digit year");
            prop_assert_eq!(parse_amz_date(&text), Some(at(seconds, 0)));
        }

        #[test]
        fn parses_http_dates_as_time_does(
            text in prop_oneof![
                "(Sun|Mon|Tue|Wed|Thu|Fri|Sat|sun|SUN|Xyz), ([0-2][0-9]|3[0-2]) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|jan|Xyz) [+\\-]?[0-9]{4} ([0-1][0-9]|2[0-5]):([0-5][0-9]|6[0-1]):([0-5][0-9]|6[0-1]) (GMT|gmt|UTC)?.?",
                ".{0,30}",
            ]
        ) {
            prop_assert_eq!(parse_http_date(&text), time_http_date(&text), "{}", text);
        }

        #[test]
        fn http_dates_round_trip(seconds in FIRST_SECOND..=LAST_SECOND) {
            let text = format_http_date(seconds).expect("a four-digit year");
            prop_assert_eq!(parse_http_date(&text), Some(at(seconds, 0)));
        }

        #[test]
        fn civil_dates_round_trip(days in -4_000_000i64..4_000_000) {
            let (year, month, day) = civil_from_days(days);
            prop_assert!((1..=12).contains(&month));
            prop_assert!((1..=days_in_month(year, month)).contains(&day));
            prop_assert_eq!(days_from_civil(year, month, day), days);
        }
    }
}
