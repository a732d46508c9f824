//! Loading a release: discover its files (`discover`, `base`), classify each once, parse
//! it once (in parallel), and keep the parsed artifacts plus every input problem (E
//! diagnostics) in one project index.

pub mod base;
pub mod discover;
mod load;
pub mod suppress;

pub use load::*;
