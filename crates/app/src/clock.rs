//! The current time, from the system or, in tests, from a hand-wound clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use time::{Date, OffsetDateTime, UtcOffset};

/// China Standard Time; the campaign's calendar days are Beijing days.
pub const BEIJING: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Milliseconds added to the system time; tests advance it.
    offset: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock::default()
    }

    /// UTC epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        let sys = (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
        sys + self.offset.load(Ordering::Relaxed)
    }

    /// Today's date in Beijing.
    pub fn today(&self) -> Date {
        date_of(self.now_ms())
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance_ms(&self, ms: i64) {
        self.offset.fetch_add(ms, Ordering::Relaxed);
    }
}

/// The Beijing calendar date of an epoch-millisecond instant.
pub fn date_of(ms: i64) -> Date {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map(|t| t.to_offset(BEIJING).date())
        .unwrap_or(Date::MIN)
}

/// `2021-06-04 09:30` in Beijing time.
pub fn format_ms(ms: i64) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => {
            let t = t.to_offset(BEIJING);
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        Err(_) => String::new(),
    }
}

/// The instant (epoch ms) a Beijing calendar day begins.
pub fn start_of(day: Date) -> i64 {
    (day.midnight().assume_offset(BEIJING).unix_timestamp_nanos() / 1_000_000) as i64
}
