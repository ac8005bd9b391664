//! The campaign review (综述): one document in the reports' own shape —
//! who took part, what they studied, the practical matters and what they
//! achieved — every figure from the catalogue, in the reports' words, and
//! each linked to its rows. Later capabilities (plans, sites, lectures,
//! guidance) add their paragraphs here as their figures join the catalogue.

use serde::Serialize;
use xueshi_domain::Id;
use xueshi_domain::access::Action;

use super::FigureLine;
use crate::audit::{Audited, Entry};
use crate::figures::{self, Span, Stated};
use crate::tree::load_allowed;
use crate::{App, AppResult, Ctx};

/// A piece of a sentence: words, or a figure.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Piece {
    Text { text: String },
    Figure { figure: FigureLine },
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Review {
    pub unit: Id,
    pub unit_name: String,
    pub span: Span,
    /// Each paragraph's pieces, in order.
    pub paragraphs: Vec<Vec<Piece>>,
}

/// The review of a unit's subtree, its flow figures over `span` (the
/// governing campaign so far when the reader gives no dates).
pub async fn review(app: &App, ctx: &Ctx, unit: Id, span: Option<Span>) -> AppResult<Review> {
    let (row, _) = load_allowed(app, ctx, unit, Action::ReadBriefings).await?;
    let today = app.clock().today();
    let span = match span {
        Some(s) => s,
        None => {
            let c = crate::participant::campaign(app, &row.path(), today).await?;
            let from = c.map(|c| c.starts_on).unwrap_or_default();
            Span::parse(&from, "", today).or_else(|_| Span::parse("", "", today))?
        }
    };
    let all = figures::of_unit(app, ctx, unit, &span).await?;
    let f = |key: &str| -> Option<Piece> {
        all.iter()
            .find(|s| s.key == key)
            .map(|s: &Stated| Piece::Figure {
                figure: FigureLine::from(s),
            })
    };
    let t = |s: &str| Some(Piece::Text { text: s.to_owned() });
    let name = &row.name;
    let paragraphs: Vec<Vec<Piece>> = [
        vec![
            t(&format!("{name}党史学习教育覆盖")),
            f("grassroots_units"),
            t("基层党组织、"),
            f("members"),
            t("党员。"),
        ],
        vec![
            t(&format!("{}至{}，党员学习打卡", span.from, span.to)),
            f("check_ins"),
            t("，参加每日答题"),
            f("quiz_taken"),
            t("。"),
        ],
        vec![
            t("围绕“我为群众办实事”，确定重点民生实事"),
            f("key_matters"),
            t("、一般实事"),
            f("general_matters"),
            t("，已办结"),
            f("matters_done"),
            t("。"),
        ],
        vec![
            t("截至目前，"),
            f("members"),
            t("党员为群众帮办各类事务"),
            f("affairs"),
            t("，解决“急难愁”事项"),
            f("problems_solved"),
            t("，化解矛盾纠纷"),
            f("disputes"),
            t("。"),
        ],
    ]
    .into_iter()
    // A sentence whose figures the reader may not see is left out whole,
    // never printed with holes.
    .filter(|p| p.iter().all(Option::is_some))
    .map(|p| p.into_iter().flatten().collect())
    .collect();
    Ok(Review {
        unit,
        unit_name: row.name.clone(),
        span,
        paragraphs,
    })
}

/// The review as a Word document (audited as an export).
pub async fn document(
    app: &App,
    ctx: &Ctx,
    unit: Id,
    span: Option<Span>,
    origin: &str,
) -> AppResult<(String, Vec<u8>)> {
    let r = review(app, ctx, unit, span).await?;
    let (_, allowed) = load_allowed(app, ctx, unit, Action::ReadBriefings).await?;
    let bytes = super::docx::render_review(&r, origin)?;
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("review.export", "unit", Some(unit), &r.unit_name)
            .unit(unit)
            .after(&r.span),
    )
    .await?;
    Ok((format!("{}党史学习教育综述.docx", r.unit_name), bytes))
}
