//! The signing time in SigV4's basic ISO 8601 form (`20150830T123600Z`).

use std::time::SystemTime;

use super::error::SigningError;

/// `YYYYMMDDTHHMMSSZ` in UTC; its first 8 characters are the scope date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AmzDate(String);

impl AmzDate {
    /// Formats `time`; years before 1970 or after 9999 are refused.
    pub(crate) fn new(time: SystemTime) -> Result<Self, SigningError> {
        let seconds = crate::datetime::unix_seconds(time)
            .filter(|seconds| *seconds >= 0)
            .ok_or(SigningError::TimeOutOfRange)?;
        crate::datetime::format_amz_date(seconds)
            .map(AmzDate)
            .ok_or(SigningError::TimeOutOfRange)
    }

    /// `20150830T123600Z`: the `X-Amz-Date` value.
    pub(crate) fn date_time(&self) -> &str {
        &self.0
    }

    /// `20150830`: the date of the credential scope.
    pub(crate) fn date(&self) -> &str {
        self.0.get(..8).unwrap_or_default()
    }

    /// The `X-Amz-Date` value, owned.
    pub(crate) fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn formats_the_suite_time() {
        let time = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        let date = AmzDate::new(time).expect("in range");
        assert_eq!(date.date_time(), "20150830T123600Z");
        assert_eq!(date.date(), "20150830");
    }

    #[test]
    fn refuses_times_outside_four_digit_years() {
        let before_epoch = UNIX_EPOCH - Duration::from_secs(1);
        assert_eq!(
            AmzDate::new(before_epoch),
            Err(SigningError::TimeOutOfRange)
        );
        let year_10000 = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        assert_eq!(AmzDate::new(year_10000), Err(SigningError::TimeOutOfRange));
        let last_second = UNIX_EPOCH + Duration::from_secs(253_402_300_799);
        assert_eq!(
            AmzDate::new(last_second).map(|d| d.into_string()),
            Ok("99991231T235959Z".to_owned())
        );
    }
}
