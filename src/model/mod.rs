//! Parsed, span-carrying models of the files rollsafe reads.

pub mod aws;
pub mod compose;
pub mod compose_private;
pub mod compose_vars;
pub mod env;
pub mod env_sets;
pub mod gitignore;
pub mod manifest;
pub mod secrets;
pub mod tilt;
