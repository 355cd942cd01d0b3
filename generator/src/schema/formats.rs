//! `date-time` and `date` strings. typify maps them to chrono types whose `Deserialize`
//! fails on a value that does not parse, which loses the whole record. So they are hoisted
//! like open enums and replaced by the runtime's two types (`restgen_runtime::types`), which
//! `types.rs` re-exports:
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

/// The Rust code of the types in use: re-exports of the runtime's types, under the names
/// chosen for this API.
pub fn emit(used: &Used, names: &FormatNames) -> TokenStream {
    let mut code = TokenStream::new();
    for (used, runtime, name) in [
        (used.timestamp, "Timestamp", &names.timestamp),
        (used.date, "Date", &names.date),
    ] {
        if !used {
            continue;
        }
        let runtime = Ident::new(runtime, Span::call_site());
        let name = Ident::new(name, Span::call_site());
        // pub use ::restgen_runtime::types::Timestamp;  (or `Timestamp as Timestamp2`)
        code.extend(if runtime == name {
            quote!(pub use ::restgen_runtime::types::#runtime;)
        } else {
            quote!(pub use ::restgen_runtime::types::#runtime as #name;)
        });
    }
    code
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
