//! Integration tests live in `tests/tests/*.rs`; see `tests/README.md`.
