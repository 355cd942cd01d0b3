//! `date-time` and `date` strings. typify maps them to chrono types whose `Deserialize`
//! fails on a value that does not parse, which loses the whole record. So they are hoisted
//! like open enums and replaced by two types of our own, emitted into `types.rs`:
//!
//! - `Timestamp` (`date-time`): `Parsed(chrono::DateTime<Utc>)` when the text is RFC 3339
//!   (also with a space for `T`, or an offset without a colon, `+0000`), else
//!   `Unparsed(String)` holding the text exactly as the API sent it;
//! - `Date` (`date`): `Parsed(chrono::NaiveDate)` for `YYYY-MM-DD`, else `Unparsed(String)`.
//!
//! Both serialize back to a string (RFC 3339 with `Z`, or the unparsed text) and implement
//! `Display` and an infallible `FromStr`. `parsed()` gives the chrono value, if any. A value
//! that is not a string at all (a number, say) still fails: that is a schema mismatch, not
//! a malformed timestamp.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::Value;

use super::enums::reference;
use super::refs::for_each_subschema;

/// The type names chosen for this API (a record may already be called `Timestamp`).
#[derive(Debug, Clone)]
pub struct FormatNames {
    /// The `date-time` type.
    pub timestamp: String,
    /// The `date` type.
    pub date: String,
}

/// Which of the two types the schemas use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Used {
    /// Some schema has a `date-time`.
    pub timestamp: bool,
    /// Some schema has a `date`.
    pub date: bool,
}

impl Used {
    /// Both uses together.
    pub fn merge(&mut self, other: Used) {
        self.timestamp |= other.timestamp;
        self.date |= other.date;
    }
}

/// Replaces every `date-time` and `date` string under `schema` by a reference to the
/// lenient type.
pub fn hoist(schema: &mut Value, names: &FormatNames) -> Used {
    let mut used = Used::default();
    walk(schema, names, &mut used);
    used
}

fn walk(value: &mut Value, names: &FormatNames, used: &mut Used) {
    let Value::Object(map) = value else { return };
    let (string, nullable) = match map.get("type") {
        None => (true, false),
        Some(Value::String(t)) => (t == "string", false),
        Some(Value::Array(types)) => (
            types.iter().any(|t| t == "string")
                && types.iter().all(|t| t == "string" || t == "null"),
            types.iter().any(|t| t == "null"),
        ),
        Some(_) => (false, false),
    };
    let name = match map.get("format").and_then(Value::as_str) {
        Some("date-time") => Some((&names.timestamp, &mut used.timestamp)),
        Some("date") => Some((&names.date, &mut used.date)),
        _ => None,
    };
    if let Some((name, flag)) = name
        && string
        && !map.contains_key("enum")
    {
        *flag = true;
        *map = reference(name, nullable, map.get("description").cloned());
        return;
    }
    let _ = for_each_subschema::<()>(map, &mut |_, child| {
        walk(child, names, used);
        Ok(())
    });
}

/// The Rust code of the types in use.
pub fn emit(used: &Used, names: &FormatNames) -> TokenStream {
    let mut code = TokenStream::new();
    if used.timestamp {
        code.extend(timestamp(&Ident::new(&names.timestamp, Span::call_site())));
    }
    if used.date {
        code.extend(date(&Ident::new(&names.date, Span::call_site())));
    }
    code
}

fn timestamp(name: &Ident) -> TokenStream {
    // pub enum Timestamp { Parsed(DateTime<Utc>), Unparsed(String) } + parse, parsed, unparsed,
    // From<DateTime<Utc>>, Display, FromStr, Serialize, Deserialize
    let body = lenient(
        name,
        &quote!(::chrono::DateTime<::chrono::Utc>),
        &quote! {
            const FORMATS: [&str; 2] = ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"];
            ::chrono::DateTime::parse_from_rfc3339(text)
                .ok()
                .or_else(|| {
                    FORMATS
                        .iter()
                        .find_map(|f| ::chrono::DateTime::parse_from_str(text, f).ok())
                })
                .map(|t| t.with_timezone(&::chrono::Utc))
        },
        &quote!(f.write_str(&value.to_rfc3339_opts(::chrono::SecondsFormat::AutoSi, true))),
    );
    quote! {
        /// A `date-time` value from the API.
        ///
        /// `Parsed` when the text is RFC 3339 (also with a space for `T`, or an offset
        /// without a colon, such as `+0000`), converted to UTC; any other text is kept in
        /// `Unparsed` exactly as the API sent it, so a malformed timestamp never fails the
        /// record. Serializes back as RFC 3339 (`Z` for UTC) or as the unparsed text.
        #body
    }
}

fn date(name: &Ident) -> TokenStream {
    // pub enum Date { Parsed(NaiveDate), Unparsed(String) } + the same impls
    let body = lenient(
        name,
        &quote!(::chrono::NaiveDate),
        &quote!(::chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()),
        &quote!(::std::fmt::Display::fmt(value, f)),
    );
    quote! {
        /// A `date` value from the API.
        ///
        /// `Parsed` when the text is `YYYY-MM-DD`; any other text is kept in `Unparsed`
        /// exactly as the API sent it, so a malformed date never fails the record.
        #body
    }
}

/// The enum and impls shared by both types: `parse` is an expression over `text: &str`
/// giving `Option<#parsed>`, `show` one writing `value: &#parsed` to `f` (a `fmt::Result`).
fn lenient(
    name: &Ident,
    parsed: &TokenStream,
    parse: &TokenStream,
    show: &TokenStream,
) -> TokenStream {
    quote! {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            /// The value, parsed.
            Parsed(#parsed),
            /// Text that did not parse, kept exactly as the API sent it.
            Unparsed(::std::string::String),
        }

        impl #name {
            /// Parses `text`, keeping it as `Unparsed` when it does not parse.
            pub fn parse(text: &str) -> Self {
                let parsed: ::std::option::Option<#parsed> = { #parse };
                match parsed {
                    Some(value) => Self::Parsed(value),
                    None => Self::Unparsed(text.to_string()),
                }
            }

            /// The parsed value, or `None` when the API sent text that does not parse.
            pub fn parsed(&self) -> ::std::option::Option<#parsed> {
                match self {
                    Self::Parsed(value) => Some(*value),
                    Self::Unparsed(_) => None,
                }
            }

            /// The text the API sent, when it did not parse.
            pub fn unparsed(&self) -> ::std::option::Option<&str> {
                match self {
                    Self::Parsed(_) => None,
                    Self::Unparsed(text) => Some(text.as_str()),
                }
            }
        }

        impl ::std::convert::From<#parsed> for #name {
            fn from(value: #parsed) -> Self {
                Self::Parsed(value)
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    Self::Parsed(value) => #show,
                    Self::Unparsed(text) => f.write_str(text),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::parse(text))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::parse(&text))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hoists_dates_and_timestamps() {
        let names = FormatNames {
            timestamp: "Timestamp".into(),
            date: "Date2".into(),
        };
        let mut schema = json!({"properties": {
            "at": {"type": "string", "format": "date-time", "description": "When."},
            "maybe": {"type": ["null", "string"], "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "n": {"type": "integer", "format": "date"}
        }});
        let used = hoist(&mut schema, &names);
        assert_eq!(
            used,
            Used {
                timestamp: true,
                date: true
            }
        );
        let p = &schema["properties"];
        assert_eq!(
            p["at"],
            json!({"description": "When.", "allOf": [{"$ref": "#/definitions/Timestamp"}]})
        );
        assert_eq!(
            p["maybe"],
            json!({"anyOf": [{"$ref": "#/definitions/Timestamp"}, {"type": "null"}]})
        );
        assert_eq!(
            p["day"],
            json!({"allOf": [{"$ref": "#/definitions/Date2"}]})
        );
        assert_eq!(p["n"], json!({"type": "integer", "format": "date"}));
    }
}
