//! The integration tests, one binary: each module is one former `tests/<name>.rs`, and
//! `common` their shared helpers. One binary links the library once instead of once per
//! file. Run one module with `cargo test --test it <name>::` (for example
//! `cargo test --test it oracle:: -- --test-threads=1`).
//!
//! A new test file goes here as `tests/it/<name>.rs` with a `mod <name>;` line below; it
//! reaches the helpers with `use crate::common;`, and its insta snapshots are
//! `tests/it/snapshots/it__<name>__<test>.snap`.

mod common;

mod api_conformance;
mod base_rev;
mod ci_scripts;
mod cli;
mod cli_extras;
mod config;
mod corpus;
mod editor;
mod fixtures;
mod formats;
mod hostile;
mod inputs;
mod layers;
mod lint_docs;
mod markdown;
mod monorepo;
mod no_panic;
mod oracle;
mod output_safety;
mod peers;
mod scope;
mod splitter;
mod staged;
mod yaml_edge;
