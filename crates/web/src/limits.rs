//! The per-address ceilings: public forms (problems, ratings, votes) and
//! sign-in attempts.

use crate::state::AppState;

/// Refuses a public form when this address has sent too many.
pub fn within_public_limit(state: &AppState, ip: &str) -> bool {
    ip.parse()
        .map_or(true, |ip| state.public_limiter.check_key(&ip).is_ok())
}

/// Refuses a phone's join when this address has sent too many.
pub fn within_join_limit(state: &AppState, ip: &str) -> bool {
    ip.parse()
        .map_or(true, |ip| state.join_limiter.check_key(&ip).is_ok())
}

/// Refuses a login attempt when this address has tried too often.
pub fn within_login_limit(state: &AppState, ip: &str) -> bool {
    ip.parse()
        .map_or(true, |ip| state.login_limiter.check_key(&ip).is_ok())
}
