//! The campaign's rules and value types, pure Rust without I/O.
//!
//! Everything here can be tested without a database or a clock: callers pass
//! the current time and the rows they read. Nothing here may depend on the
//! store, the app or the web crates.

/// A code as stored is its key (`as_str`, one of `ALL`); a row holding
/// anything else holds a value xueshi never wrote, and reading it fails with
/// `what` and the value rather than defaulting.
macro_rules! stored_as_key {
    ($t:ty, $what:literal) => {
        impl TryFrom<String> for $t {
            type Error = String;
            fn try_from(s: String) -> Result<$t, String> {
                <$t>::ALL
                    .into_iter()
                    .find(|k| k.as_str() == s)
                    .ok_or_else(|| format!(concat!("unknown ", $what, " {:?}"), s))
            }
        }
    };
}

pub mod access;
pub mod briefing;
pub mod date;
pub mod exam;
pub mod figure_words;
pub mod id;
pub mod invalid;
pub mod live;
pub mod matter;
pub mod member;
pub mod organ;
pub mod pii;
pub mod problem;
pub mod quiz;
pub mod ranking;
pub mod study;
pub mod tally;
pub mod task;
pub mod text;
pub mod unit;

pub use id::{Id, IdGen};
pub use invalid::FieldError;
