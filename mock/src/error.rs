//! Why the mock could not start or answer a question.

use std::fmt;

/// Why the mock could not start or answer a question.
#[derive(Debug)]
pub enum MockError {
    /// The listener could not be bound.
    Io(std::io::Error),
    /// A credential names a secret or setting that [`MockOptions::value`](crate::MockOptions::value) did not give.
    MissingValue {
        /// The resource whose auth needs it.
        resource: String,
        /// The secret's or setting's name.
        name: String,
    },
    /// The spec has no resource of that name.
    UnknownResource(String),
    /// Something about the resource is beyond the mock.
    Unsupported {
        /// The resource.
        resource: String,
        /// What and why.
        reason: String,
    },
    /// The spec did not load or resolve.
    Spec(String),
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockError::Io(e) => write!(f, "mock server: {e}"),
            MockError::MissingValue { resource, name } => write!(
                f,
                "resource `{resource}` authenticates with `{name}`, which the mock options do not set"
            ),
            MockError::UnknownResource(name) => write!(f, "no resource named `{name}`"),
            MockError::Unsupported { resource, reason } => {
                write!(f, "the mock cannot serve `{resource}`: {reason}")
            }
            MockError::Spec(message) => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for MockError {}
