//! Why a schema cannot become Rust types, as data: the resource and the place in its schema
//! stay fields, so a diagnostic can point into the schema file without parsing a message.

use std::fmt;

/// Why the record models cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// One resource's schema fails.
    #[error("schema of resource `{resource}`{place}: {message}")]
    Resource {
        /// The resource whose schema fails.
        resource: String,
        /// Where in that schema.
        place: Place,
        /// What is wrong there.
        message: String,
    },
    /// The schemas fail together, not one resource's alone (two would emit one type name, or
    /// typify fails on the set and no single schema can be blamed).
    #[error("{0}")]
    Models(String),
}

/// A place in a resource's schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The schema as a whole.
    Whole,
    /// A JSON pointer into the schema file.
    At(String),
    /// A pointer into one of its definitions, as the pre-pass split them out (so not a
    /// pointer into the file).
    InDefinition {
        /// The definition's type name.
        name: String,
        /// The pointer inside it.
        pointer: String,
    },
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Whole => Ok(()),
            Place::At(pointer) => write!(f, ", at {pointer}"),
            Place::InDefinition { name, pointer } => {
                write!(f, ", in its definition `{name}`, at {pointer}")
            }
        }
    }
}
