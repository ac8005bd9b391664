//! The figures the public window (公示) states, from the catalogue.

use serde::Serialize;
use xueshi_store::units;

use super::{Figure, Span, values};
use crate::{App, AppResult};

/// The figures the public window states (公示), over every root: the
/// catalogue's matters figures, which the public may read.
pub const PUBLIC: [Figure; 6] = [
    Figure::KeyMatters,
    Figure::GeneralMatters,
    Figure::MattersDone,
    Figure::Affairs,
    Figure::ProblemsSolved,
    Figure::Disputes,
];

/// A public figure: its value over every root, and the reports' words.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicFigure {
    pub figure: Figure,
    pub key: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub value: i64,
    pub words: String,
}

/// The [`PUBLIC`] figures summed over every root.
pub async fn public(app: &App) -> AppResult<Vec<PublicFigure>> {
    let roots = {
        let mut conn = app.store().read().await?;
        units::roots(&mut conn).await?
    };
    let mut sums = [0i64; PUBLIC.len()];
    for root in roots {
        let v = values(
            app,
            root.id(),
            &root.path(),
            &Span::week_to(app.clock().today()),
            &PUBLIC,
        )
        .await?;
        for (s, v) in sums.iter_mut().zip(v) {
            *s += v;
        }
    }
    Ok(PUBLIC
        .iter()
        .zip(sums)
        .map(|(f, value)| {
            let d = f.definition();
            PublicFigure {
                figure: *f,
                key: d.key,
                name_zh: d.name_zh,
                name_en: d.name_en,
                value,
                words: d.words(value),
            }
        })
        .collect())
}
