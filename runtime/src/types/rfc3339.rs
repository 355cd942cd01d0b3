//! RFC 3339 timestamps in the one form APIs nearly always send, read and written without
//! chrono's general format machinery: every record of a typed resource carries a few, and a
//! Parquet run reads each one twice (decoding the record, then filling its column from the
//! record's text). Anything outside that form is left to chrono, so the results are exactly
//! chrono's: these are shortcuts, not a second definition.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};

/// `text` when it is exactly `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)` with a second below 60,
/// as UTC; `None` for anything else, which the caller then hands to chrono (including
/// text that is the right shape but no valid instant: chrono refuses it too).
pub(super) fn parse_canonical(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(&b[0..4])?).ok()?,
        digits(&b[5..7])?,
        digits(&b[8..10])?,
    )?;
    let (hour, minute, second) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if second >= 60 {
        // a leap second: chrono's own rules
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0;
    if let [b'.', fraction @ ..] = rest {
        let len = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&len) {
            return None;
        }
        nanos = digits(&fraction[..len])? * 10u32.pow(9 - len as u32);
        rest = &fraction[len..];
    }
    let offset = match rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (hours, minutes) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let local = date.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?);
    let instant = FixedOffset::east_opt(offset)?
        .from_local_datetime(&local)
        .single()?;
    Some(instant.with_timezone(&Utc))
}

/// ASCII digits as a number; `None` if any byte is not one.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |n, c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `value` as chrono writes it with `to_rfc3339_opts(SecondsFormat::AutoSi, true)`, for
/// years 0 to 9999 outside a leap second (`None` otherwise, for chrono to write).
pub(super) fn format_canonical(value: &DateTime<Utc>) -> Option<Text> {
    let naive = value.naive_utc();
    let (year, nanos) = (naive.year(), naive.nanosecond());
    if !(0..=9999).contains(&year) || nanos >= 1_000_000_000 {
        return None;
    }
    let mut text = Text::default();
    text.number(year.unsigned_abs(), 4);
    for (separator, n) in [
        (b'-', naive.month()),
        (b'-', naive.day()),
        (b'T', naive.hour()),
        (b':', naive.minute()),
        (b':', naive.second()),
    ] {
        text.byte(separator);
        text.number(n, 2);
    }
    // as chrono's AutoSi: milli-, micro- or nanoseconds, whichever is exact
    let (fraction, width) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    if width > 0 {
        text.byte(b'.');
        text.number(fraction, width);
    }
    text.byte(b'Z');
    Some(text)
}

/// A formatted timestamp, on the stack (the longest is 30 bytes).
#[derive(Default)]
pub(super) struct Text {
    bytes: [u8; 30],
    len: usize,
}

impl Text {
    fn byte(&mut self, byte: u8) {
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    /// `n`'s last `width` digits, zero-padded.
    fn number(&mut self, n: u32, width: u32) {
        for place in (0..width).rev() {
            // a digit: always below 10
            self.byte(b'0' + (n / 10u32.pow(place) % 10) as u8);
        }
    }

    /// The text (ASCII by construction).
    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(self.bytes.get(..self.len).unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::SecondsFormat;
    use proptest::prelude::*;

    fn chrono_parse(text: &str) -> Option<DateTime<Utc>> {
        DateTime::parse_from_rfc3339(text)
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }

    fn formatted(value: &DateTime<Utc>) -> Option<String> {
        format_canonical(value).map(|text| text.as_str().to_string())
    }

    #[test]
    fn the_canonical_form_parses_as_chrono_parses_it() {
        for text in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T12:00:00+02:00",
            "2024-05-01T00:30:00-05:30",
            "2024-02-29T23:59:59.999999999Z",
            "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.5+23:59",
            "1969-12-31T23:59:59.000001Z",
        ] {
            assert_eq!(parse_canonical(text), chrono_parse(text), "{text}");
            assert!(parse_canonical(text).is_some(), "{text}");
        }
    }

    #[test]
    fn anything_else_is_left_to_chrono() {
        for text in [
            "2024-05-01t10:00:00Z",
            "2024-05-01 10:00:00Z",
            "2024-05-01T10:00:60Z",
            "2024-05-01T10:00:00.Z",
            "2024-05-01T10:00:00.1234567891Z",
            "2024-05-01T10:00:00z",
            "2024-05-01T10:00:00+0200",
            "2024-05-01T10:00:00+24:00",
            "2023-02-29T10:00:00Z",
            "2024-05-01T10:00:00Zjunk",
            "+2024-05-01T10:00:00Z",
            "２０２４-05-01T10:00:00Z",
            "2024-05-01T10:00:00",
        ] {
            assert_eq!(parse_canonical(text), None, "{text}");
        }
    }

    #[test]
    fn formats_as_chrono_formats() {
        for text in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T10:00:00.250Z",
            "2024-05-01T10:00:00.000250Z",
            "2024-05-01T10:00:00.000000250Z",
            "0001-01-01T00:00:00Z",
        ] {
            let value = chrono_parse(text).unwrap();
            assert_eq!(
                formatted(&value).as_deref(),
                Some(value.to_rfc3339_opts(SecondsFormat::AutoSi, true).as_str())
            );
        }
        let far = chrono_parse("9999-12-31T23:59:59-01:00").unwrap();
        assert_eq!(formatted(&far), None, "year 10000 is chrono's to write");
    }

    proptest! {
        #[test]
        fn any_text_of_the_shape_parses_as_chrono_parses_it(
            year in 0u32..10000, month in 0u32..14, day in 0u32..33, hour in 0u32..25,
            minute in 0u32..61, second in 0u32..62, fraction in proptest::option::of("[0-9]{1,11}"),
            offset in prop_oneof![Just("Z".to_string()), "[+-][0-2][0-9]:[0-6][0-9]"],
        ) {
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            let text = format!(
                "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{offset}"
            );
            if let Some(fast) = parse_canonical(&text) {
                prop_assert_eq!(Some(fast), chrono_parse(&text), "{}", text);
            }
        }

        #[test]
        fn any_instant_formats_as_chrono_formats_it(
            seconds in -62_167_219_200i64..253_402_300_800, nanos in prop_oneof![
                Just(0u32), (0u32..1000).prop_map(|n| n * 1_000_000),
                (0u32..1_000_000).prop_map(|n| n * 1000), 0u32..1_000_000_000,
            ],
        ) {
            let value = DateTime::from_timestamp(seconds, nanos).unwrap();
            let chrono = value.to_rfc3339_opts(SecondsFormat::AutoSi, true);
            prop_assert_eq!(formatted(&value), Some(chrono));
        }
    }
}
