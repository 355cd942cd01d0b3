//! The open string enum that generated code declares for every string enum of a schema: the
//! variants the API documents, plus a catch-all keeping any other value exactly as sent, so a
//! sync does not break the day an API adds a value. The behaviour (`as_str`, `Display`, an
//! infallible `FromStr`, serde as the plain string) is written here once; a generated crate
//! only invokes the macro with the variant table.

/// Implements an open string enum's behaviour: `as_str`, `Display`, an infallible `FromStr`
/// and serde as the plain string, from the table of its variants and their wire values
/// (`Variant("wire")`, a form a formatter never splits across lines). The
/// enum itself is declared next to the invocation (so its variants and their docs read as
/// ordinary Rust); its catch-all variant holds a `String`.
///
/// ```
/// /// A request's state.
/// #[derive(Debug, Clone, PartialEq, Eq)]
/// pub enum Status {
///     /// `draft`
///     Draft,
///     /// `in-progress`
///     InProgress,
///     /// Any other value, as sent.
///     Unknown(String),
/// }
/// restgen_runtime::open_enum!(Status { Draft("draft"), InProgress("in-progress") } Unknown);
///
/// let status: Status = serde_json::from_str("\"archived\"").unwrap();
/// assert_eq!(status, Status::Unknown("archived".into()));
/// assert_eq!(Status::InProgress.to_string(), "in-progress");
/// ```
#[macro_export]
macro_rules! open_enum {
    ($name:ident { $($variant:ident($value:literal)),* $(,)? } $unknown:ident) => {
        impl $name {
            /// The value as the API sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::$unknown(value) => value.as_str(),
                }
            }

            fn from_wire(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::$unknown(other.to_string()),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from_wire(value))
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::borrow::Cow<'de, str> as $crate::serde::Deserialize>::deserialize(
                    deserializer,
                )?;
                Ok(Self::from_wire(&value))
            }
        }
    };
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    /// Test enum; one value is literally `Unknown`'s name.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Role {
        Signer,
        Unknown,
        UnknownValue(String),
    }
    crate::open_enum!(Role { Signer("signer"), Unknown("unknown") } UnknownValue);

    #[test]
    fn known_and_unknown_values_round_trip() {
        let roles: Vec<Role> = serde_json::from_str(r#"["signer","unknown","cc"]"#).unwrap();
        assert_eq!(
            roles,
            [Role::Signer, Role::Unknown, Role::UnknownValue("cc".into())]
        );
        assert_eq!(
            serde_json::to_string(&roles).unwrap(),
            r#"["signer","unknown","cc"]"#
        );
        assert_eq!("cc".parse::<Role>().unwrap().as_str(), "cc");
        assert!(serde_json::from_str::<Role>("3").is_err(), "not a string");
    }
}
