//! Unit tests of the paginator core, named after the conformance cases.
