//! rollsafe: catches the changes that break production during a release.
//!
//! The pipeline: discover → classify → parse once → project index → rules → diagnostics
//! → suppress/baseline → report. `check::check` runs it; `main.rs` only parses arguments.

pub mod api;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod config;
pub mod config_paths;
pub mod credentials;
pub mod decode;
pub mod diagnostic;
pub mod diff;
pub mod git_rev;
pub mod init;
pub mod k8s;
pub mod lints;
pub mod migrations;
pub mod model;
pub mod overlay;
pub mod project;
pub mod relocate;
pub mod report;
pub mod rules;
pub mod server;
pub mod settings;
pub mod show_settings;
pub mod source;
pub mod sql;
pub mod traffic;
pub mod workers;
pub mod workspace;
pub mod yaml;
