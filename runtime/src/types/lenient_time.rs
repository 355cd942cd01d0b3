//! `date-time` and `date` strings that never fail a record: a value that does not parse is
//! kept as the text the API sent. (chrono's own `Deserialize` fails on such a value, which
//! loses the whole record.) A value that is not a string at all still fails: that is a
//! schema mismatch, not a malformed timestamp.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::rfc3339;

/// A `date-time` value from the API.
///
/// `Parsed` when the text is RFC 3339 (also with a space for `T`, or an offset without a
/// colon, such as `+0000`), converted to UTC; any other text is kept in `Unparsed` exactly
/// as the API sent it, so a malformed timestamp never fails the record. Serializes back as
/// RFC 3339 (`Z` for UTC) or as the unparsed text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Timestamp {
    /// The value, parsed.
    Parsed(DateTime<Utc>),
    /// Text that did not parse, kept exactly as the API sent it.
    Unparsed(String),
}

/// A `date` value from the API.
///
/// `Parsed` when the text is `YYYY-MM-DD`; any other text is kept in `Unparsed` exactly as
/// the API sent it, so a malformed date never fails the record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Date {
    /// The value, parsed.
    Parsed(NaiveDate),
    /// Text that did not parse, kept exactly as the API sent it.
    Unparsed(String),
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    // RFC 3339 first; then the two near-misses real APIs send
    const FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"];
    if let Some(value) = rfc3339::parse_canonical(text) {
        return Some(value);
    }
    DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| {
            FORMATS
                .iter()
                .find_map(|f| DateTime::parse_from_str(text, f).ok())
        })
        .map(|t| t.with_timezone(&Utc))
}

/// The inherent methods and trait impls both types share; `$parse` maps `&str` to
/// `Option<$parsed>`, `$show` writes a `&$parsed` to a formatter.
macro_rules! lenient {
    ($name:ident, $parsed:ty, $parse:expr, $show:expr) => {
        impl $name {
            /// Parses `text`, keeping it as `Unparsed` when it does not parse.
            pub fn parse(text: &str) -> Self {
                let parse: fn(&str) -> Option<$parsed> = $parse;
                match parse(text) {
                    Some(value) => Self::Parsed(value),
                    None => Self::Unparsed(text.to_string()),
                }
            }

            /// The parsed value, or `None` when the API sent text that does not parse.
            pub fn parsed(&self) -> Option<$parsed> {
                match self {
                    Self::Parsed(value) => Some(*value),
                    Self::Unparsed(_) => None,
                }
            }

            /// The text the API sent, when it did not parse.
            pub fn unparsed(&self) -> Option<&str> {
                match self {
                    Self::Parsed(_) => None,
                    Self::Unparsed(text) => Some(text.as_str()),
                }
            }
        }

        impl From<$parsed> for $name {
            fn from(value: $parsed) -> Self {
                Self::Parsed(value)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let show: fn(&$parsed, &mut fmt::Formatter<'_>) -> fmt::Result = $show;
                match self {
                    Self::Parsed(value) => show(value, f),
                    Self::Unparsed(text) => f.write_str(text),
                }
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self::parse(text))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <Cow<'de, str> as Deserialize>::deserialize(deserializer)?;
                Ok(Self::parse(&text))
            }
        }
    };
}

lenient!(Timestamp, DateTime<Utc>, parse_timestamp, |value, f| {
    match rfc3339::format_canonical(value) {
        Some(text) => f.write_str(text.as_str()),
        None => f.write_str(&value.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    }
});
lenient!(
    Date,
    NaiveDate,
    |text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
    |value, f| fmt::Display::fmt(value, f)
);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_parse_rfc3339_and_its_near_misses_and_keep_the_rest() {
        for (text, shown) in [
            ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z"),
            ("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00Z"),
            ("2024-05-01 10:00:00+0000", "2024-05-01T10:00:00Z"),
            ("2024-05-01T10:00:00.250+0000", "2024-05-01T10:00:00.250Z"),
        ] {
            let t = Timestamp::parse(text);
            assert!(t.parsed().is_some(), "{text}");
            assert_eq!(t.to_string(), shown);
        }
        let odd: Timestamp = serde_json::from_str("\"yesterday\"").unwrap();
        assert_eq!(odd.unparsed(), Some("yesterday"));
        assert_eq!(serde_json::to_string(&odd).unwrap(), "\"yesterday\"");
        assert!(
            serde_json::from_str::<Timestamp>("17").is_err(),
            "a number is a mismatch"
        );
    }

    #[test]
    fn dates_parse_iso_days_and_keep_the_rest() {
        let d: Date = "2024-02-29".parse().unwrap();
        assert_eq!(d.parsed(), NaiveDate::from_ymd_opt(2024, 2, 29));
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"2024-02-29\"");
        let odd = Date::parse("2023-02-29");
        assert_eq!(odd.unparsed(), Some("2023-02-29"));
        assert_eq!(odd.to_string(), "2023-02-29");
    }
}
