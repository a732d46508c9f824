//! Parsed, span-carrying models of the files rollsafe reads.

pub mod aws;
pub mod compose;
pub mod env;
pub mod manifest;
pub mod secrets;
