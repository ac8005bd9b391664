//! A subtree at a glance: the catalogue's figures, the days' trend and
//! the units behind.

use serde::Serialize;
use xueshi_domain::Id;
use xueshi_domain::access::Action;
use xueshi_domain::date::{from_iso, iso};
use xueshi_store::study;

use super::{Span, Stated, of_unit};
use crate::permit::may;
use crate::tree::load;
use crate::{App, AppResult, Ctx};

/// One day of a subtree's study, for the overview's trend.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Day {
    pub day: String,
    pub quiz_taken: i64,
    pub check_ins: i64,
}

/// A subtree at a glance: the catalogue's figures, each day of the span,
/// and the units below that lag behind.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Overview {
    pub figures: Vec<Stated>,
    pub days: Vec<Day>,
    pub behind: Vec<crate::briefings::UnitLine>,
}

/// The overview of a unit's subtree over `span` (at most the last 31 days
/// of it are drawn day by day).
pub async fn overview(app: &App, ctx: &Ctx, unit: Id, span: &Span) -> AppResult<Overview> {
    let row = load(app, ctx, unit, Action::ViewTree).await?;
    let figures = of_unit(app, ctx, unit, span).await?;
    let days = if may(ctx, Action::ViewStudy, &row.path()) {
        let to = from_iso(&span.to).unwrap_or_else(|| app.clock().today());
        let from = from_iso(&span.from)
            .unwrap_or(to)
            .max(to - time::Duration::days(30));
        let counted = {
            let mut conn = app.store().read().await?;
            study::daily(&mut conn, &[unit.0], &iso(from), &iso(to)).await?
        };
        let mut out = Vec::new();
        let mut d = from;
        while d <= to {
            let c = counted.get(&(unit.0, iso(d))).copied().unwrap_or_default();
            out.push(Day {
                day: iso(d),
                quiz_taken: c.quiz_takers,
                check_ins: c.check_ins,
            });
            d = d.next_day().unwrap_or(to + time::Duration::days(1));
        }
        out
    } else {
        Vec::new()
    };
    let behind = if may(ctx, Action::ViewStudy, &row.path()) {
        crate::briefings::units_below(app, &row, span).await?.1
    } else {
        Vec::new()
    };
    Ok(Overview {
        figures,
        days,
        behind,
    })
}
