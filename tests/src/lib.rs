//! Integration tests for restgen; the tests themselves live in `tests/tests/`. The library
//! holds what they share: [`mock`], a mock API driven by a spec.

pub mod mock;
