//! Integration tests for restgen; the tests themselves live in `tests/tests/`, and the mock API
//! they page through is the `restgen-mock` crate.
