//! Live knowledge competitions (现场竞答): the rounds and what a judgement
//! is worth, the clock synchronisation of a phone, and the fair order of
//! buzzes (抢答).
//!
//! A phone's clock is measured against the server's several times (the
//! offset bounded by every trip, the median round trip). The
//! server announces a question's unlock as a future server time, so every
//! screen opens together. A buzz carries the phone's own clock at the press
//! and its reaction since its unlock; the server estimates the press in
//! its own time and orders by that — but only within a plausible band: no
//! faster than a person reacts, not later than it arrived, not earlier
//! than its measured round trip allows. Outside the band it is ordered by
//! arrival (less the half round trip). A buzz before the unlock freezes
//! the team for the question. Ties go to the earlier arrival.
//!
//! Owns these rules. It must not keep rooms, sockets or rows.

use serde::{Deserialize, Serialize};

/// No one reacts faster than this to a question opening (ms).
pub const HUMAN_FLOOR_MS: i64 = 100;
/// What a round trip may vary by between the measurement and the buzz.
pub const JITTER_SLACK_MS: i64 = 60;
/// Time between the host's unlock and the screens opening (ms): enough for
/// the announcement to reach every phone first.
pub const UNLOCK_LEAD_MS: i64 = 1_500;
/// Risk questions' stakes (风险题分值).
pub const STAKES: [i64; 3] = [10, 20, 30];

/// A round's kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoundKind {
    /// 必答: each team in turn answers its own question.
    Required,
    /// 抢答: the first to buzz answers.
    Buzz,
    /// 风险题: the team stakes a value and loses it if wrong.
    Risk,
}

impl RoundKind {
    pub const ALL: [RoundKind; 3] = [RoundKind::Required, RoundKind::Buzz, RoundKind::Risk];
    pub fn as_str(self) -> &'static str {
        match self {
            RoundKind::Required => "required",
            RoundKind::Buzz => "buzz",
            RoundKind::Risk => "risk",
        }
    }
    pub fn parse(s: &str) -> Option<RoundKind> {
        RoundKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
    pub fn label_zh(self) -> &'static str {
        match self {
            RoundKind::Required => "必答题",
            RoundKind::Buzz => "抢答题",
            RoundKind::Risk => "风险题",
        }
    }
    /// Points a judgement moves: a right answer earns the question's
    /// points (a risk question's stake); a wrong one costs nothing in a
    /// required round, the points in a buzz round, the stake in a risk one.
    pub fn points(self, points: i64, stake: i64, correct: bool) -> i64 {
        match (self, correct) {
            (RoundKind::Risk, true) => stake,
            (RoundKind::Risk, false) => -stake,
            (_, true) => points,
            (RoundKind::Required, false) => 0,
            (RoundKind::Buzz, false) => -points,
        }
    }
}

stored_as_key!(RoundKind, "round kind");

/// One measurement of a phone's clock: the server sent at `sent`, the
/// phone's clock read `phone` when it answered, the answer came back at
/// `back` (server ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub sent: i64,
    pub phone: i64,
    pub back: i64,
}

/// A phone's clock as measured: server time ≈ phone time + `offset`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClockSync {
    pub offset: i64,
    pub rtt: i64,
}

/// The phone's offset and the median round trip. Each trip bounds the
/// offset: the phone read its clock after the server sent and before the
/// answer came back, so offset ∈ [sent − phone, back − phone]. The trips'
/// bounds are intersected and the middle taken: the quickest way out and
/// the quickest way back count even when they were different trips, so a
/// trip that waited in a queue one way only cannot pull the estimate. The
/// result always lies within the quickest trip's own bounds. Bounds that do
/// not meet (a clock stepped between samples) fall back to the quickest
/// trip's middle (NTP's clock filter).
pub fn sync(samples: &[Sample]) -> Option<ClockSync> {
    let rtt = |s: &Sample| (s.back - s.sent).max(0);
    let quickest = samples.iter().min_by_key(|s| rtt(s))?;
    let low = samples.iter().map(|s| s.sent - s.phone).max()?;
    let high = samples.iter().map(|s| s.back - s.phone).min()?;
    let offset = if low <= high {
        (low + high).div_euclid(2)
    } else {
        quickest.sent + rtt(quickest) / 2 - quickest.phone
    };
    let mut rtts: Vec<i64> = samples.iter().map(rtt).collect();
    rtts.sort_unstable();
    Some(ClockSync {
        offset,
        rtt: rtts[rtts.len() / 2],
    })
}

/// How a buzz's press time was settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The phone's clock, corrected by its offset.
    Corrected,
    /// Implausible by its clock: its arrival less half the round trip.
    Arrival,
    /// Before the unlock: the team is frozen for the question.
    Early,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Corrected => "corrected",
            Basis::Arrival => "arrival",
            Basis::Early => "early",
        }
    }
}

/// A buzz as it reached the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Press {
    /// Server ms it arrived.
    pub arrived: i64,
    /// The phone's clock at the press.
    pub phone_at: i64,
    /// Ms from the phone's own unlock to the press.
    pub reaction: i64,
}

/// When the server holds a buzz was pressed (server ms), and why.
pub fn settle(press: Press, sync: Option<ClockSync>, unlock_at: i64) -> (i64, Basis) {
    if press.arrived < unlock_at || press.reaction < 0 {
        return (press.arrived, Basis::Early);
    }
    let by_arrival = press.arrived - sync.map_or(0, |s| s.rtt / 2);
    let Some(s) = sync else {
        return (by_arrival.max(unlock_at), Basis::Arrival);
    };
    let pressed = press.phone_at + s.offset;
    // The offset is known to within half a round trip either way.
    let plausible = pressed >= unlock_at + HUMAN_FLOOR_MS
        && pressed <= press.arrived + s.rtt / 2
        && press.arrived - pressed <= s.rtt + JITTER_SLACK_MS
        // The phone's reaction and its clock must tell the same story.
        && (pressed - (unlock_at + press.reaction)).abs() <= s.rtt + JITTER_SLACK_MS;
    if plausible {
        (pressed, Basis::Corrected)
    } else {
        (by_arrival.max(unlock_at), Basis::Arrival)
    }
}

/// The order buzzes are answered in: by the press time settled, ties by
/// arrival; early ones (frozen) last. Items are (pressed, basis, arrival
/// sequence).
pub fn order<T>(buzzes: &mut [T], key: impl Fn(&T) -> (i64, Basis, i64)) {
    buzzes.sort_by_key(|b| {
        let (pressed, basis, seq) = key(b);
        (basis == Basis::Early, pressed, seq)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_takes_the_quickest_trip_and_the_median_round_trip() {
        // The phone's clock runs 5 s behind. Trips of 20 (even halves), 22,
        // and three that waited in a queue one way only (the phone read
        // its clock late): their offsets are off by tens of ms.
        let even = |sent, rtt| Sample {
            sent,
            phone: sent + rtt / 2 - 5_000,
            back: sent + rtt,
        };
        let queued = |sent, rtt, late| Sample {
            sent,
            phone: sent + late - 5_000,
            back: sent + rtt,
        };
        let got = sync(&[
            queued(500, 90, 80),
            even(1_000, 20),
            queued(2_000, 300, 250),
            even(3_000, 22),
            queued(4_000, 60, 50),
        ])
        .unwrap();
        assert_eq!(
            got,
            ClockSync {
                offset: 5_000,
                rtt: 60
            }
        );
        assert_eq!(sync(&[]), None);
    }

    #[test]
    fn sync_bounds_the_offset_by_the_quickest_way_out_and_back() {
        // The clock runs 5 s behind. Each trip: sent, ms out, ms back.
        let trip = |sent, out, back| Sample {
            sent,
            phone: sent + out - 5_000,
            back: sent + out + back,
        };
        // The quickest trip (2 out, 18 back) alone says 5,008; a slower
        // trip that was quick on the way back bounds it to within 4 ms.
        let got = sync(&[trip(0, 2, 18), trip(1_000, 25, 5), trip(2_000, 3, 27)]).unwrap();
        assert_eq!(got.offset, 5_001);
        assert_eq!(got.rtt, 30);
        // A clock stepped by a second between trips: the bounds do not
        // meet, so the quickest trip's middle is taken.
        let stepped = Sample {
            phone: trip(1_000, 10, 10).phone + 1_000,
            ..trip(1_000, 10, 10)
        };
        assert_eq!(sync(&[trip(0, 5, 5), stepped]).unwrap().offset, 5_000);
    }

    #[test]
    fn presses_are_ordered_by_the_corrected_clock_not_by_arrival() {
        let unlock = 10_000;
        // Phone a is far (rtt 80) and its clock 3 s fast; b is near and exact.
        let a = ClockSync {
            offset: -3_000,
            rtt: 80,
        };
        let b = ClockSync { offset: 0, rtt: 4 };
        let pa = Press {
            arrived: unlock + 300 + 40,
            phone_at: unlock + 300 + 3_000,
            reaction: 300,
        };
        let pb = Press {
            arrived: unlock + 320 + 2,
            phone_at: unlock + 320,
            reaction: 320,
        };
        assert!(pb.arrived < pa.arrived);
        let (ta, ba) = settle(pa, Some(a), unlock);
        let (tb, bb) = settle(pb, Some(b), unlock);
        assert_eq!(
            (ta, ba, tb, bb),
            (
                unlock + 300,
                Basis::Corrected,
                unlock + 320,
                Basis::Corrected
            )
        );
        let mut v = vec![(tb, bb, 1), (ta, ba, 2)];
        order(&mut v, |x| *x);
        assert_eq!(
            v[0].2, 2,
            "the earlier press answers though it arrived later"
        );
    }

    #[test]
    fn implausible_claims_fall_back_to_arrival_and_early_ones_freeze() {
        let unlock = 10_000;
        let s = Some(ClockSync { offset: 0, rtt: 20 });
        // Faster than a person: by arrival.
        let quick = Press {
            arrived: unlock + 60,
            phone_at: unlock + 50,
            reaction: 50,
        };
        assert_eq!(settle(quick, s, unlock), (unlock + 50, Basis::Arrival));
        // Claims a press long before it arrived (more than its round trip allows).
        let stale = Press {
            arrived: unlock + 900,
            phone_at: unlock + 200,
            reaction: 200,
        };
        assert_eq!(settle(stale, s, unlock), (unlock + 890, Basis::Arrival));
        // Claims a press after it arrived.
        let future = Press {
            arrived: unlock + 300,
            phone_at: unlock + 400,
            reaction: 400,
        };
        assert_eq!(settle(future, s, unlock).1, Basis::Arrival);
        // Its reaction contradicts its clock.
        let liar = Press {
            arrived: unlock + 310,
            phone_at: unlock + 300,
            reaction: 120,
        };
        assert_eq!(settle(liar, s, unlock).1, Basis::Arrival);
        // Before the unlock: frozen, and ordered after every other.
        let early = Press {
            arrived: unlock - 5,
            phone_at: unlock - 10,
            reaction: 0,
        };
        assert_eq!(settle(early, s, unlock).1, Basis::Early);
        let mut v = vec![
            (unlock - 5, Basis::Early, 1),
            (unlock + 890, Basis::Arrival, 2),
        ];
        order(&mut v, |x| *x);
        assert_eq!(v[0].2, 2);
        // Ties go to the earlier arrival.
        let mut v = vec![
            (unlock + 200, Basis::Corrected, 7),
            (unlock + 200, Basis::Corrected, 3),
        ];
        order(&mut v, |x| *x);
        assert_eq!(v[0].2, 3);
    }

    #[test]
    fn judgements_move_points_by_round() {
        assert_eq!(RoundKind::Required.points(10, 0, false), 0);
        assert_eq!(RoundKind::Buzz.points(10, 0, false), -10);
        assert_eq!(RoundKind::Risk.points(10, 30, false), -30);
        assert_eq!(RoundKind::Risk.points(10, 20, true), 20);
    }
}
