//! The campaign's rules and value types, pure Rust without I/O.
//!
//! Everything here can be tested without a database or a clock: callers pass
//! the current time and the rows they read. Nothing here may depend on the
//! store, the app or the web crates.

pub mod access;
pub mod date;
pub mod id;
pub mod invalid;
pub mod matter;
pub mod member;
pub mod organ;
pub mod pii;
pub mod problem;
pub mod quiz;
pub mod study;
pub mod tally;
pub mod text;
pub mod unit;

pub use id::{Id, IdGen};
pub use invalid::FieldError;
