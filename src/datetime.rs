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
#[cfg(feature = "gateway")]
pub(crate) fn format_rfc3339_millis(time: SystemTime) -> Option<String> {
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
pub(crate) fn format_amz_date(unix_seconds: i64) -> Option<String> {
    let at = DateTime::from_unix_seconds(unix_seconds);
    let year = at.four_digit_year()?;
    Some(format!(
        "{year:04}{:02}{:02}T{:02}{:02}{:02}Z",
        at.month, at.day, at.hour, at.minute, at.second
    ))
}

/// `unix_seconds` as an HTTP `Date` (IMF-fixdate), e.g. `Sun, 30 Aug 2015 12:36:00 GMT`;
/// `None` outside years 0 to 9999.
#[cfg(feature = "emulator")]
pub(crate) fn format_http_date(unix_seconds: i64) -> Option<String> {
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
pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
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
pub(crate) fn parse_amz_date(text: &str) -> Option<SystemTime> {
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
pub(crate) fn parse_http_date(text: &str) -> Option<SystemTime> {
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
        self.days * SECONDS_PER_DAY
            + i64::from(self.hour * 3600 + self.minute * 60 + self.second)
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
/// [`days_from_civil`]. Total over `i64` (the year of `i64::MIN` days still fits).
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
#[cfg(feature = "emulator")]
fn weekday_from_days(days: i64) -> usize {
    usize::try_from((days + 4).rem_euclid(7)).unwrap_or_default()
}

/// `time` as whole seconds since the epoch, rounded down, and the nanoseconds past them.
#[cfg(feature = "gateway")]
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
