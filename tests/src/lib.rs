//! Integration tests for restgen; the tests themselves live in `tests/tests/`.
