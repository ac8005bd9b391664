//! One item of the library at a time: a material added, edited, retired
//! or restored; a 党史上的今天 entry added, edited or removed. A form is
//! checked by the same rules as a workbook row (`check_material`,
//! `check_history`), and a duplicate is refused as the import refuses it.

use serde::Serialize;
use xueshi_domain::Id;
use xueshi_domain::text::fold;
use xueshi_store::study::{self, HistoryDayRow, MaterialRow};

use super::{HistoryDayInput, MaterialInput, authorize_manage, check_history, check_material};
use crate::audit::{Audited, Entry};
use crate::study::{MaterialView, material_view};
use crate::{App, AppError, AppResult, Ctx};

impl MaterialInput {
    fn checked(&self) -> AppResult<(MaterialRow, String)> {
        let minutes = self.minutes.map(|m| m.to_string()).unwrap_or_default();
        check_material(|f| match f {
            "kind" => &self.kind,
            "title" => &self.title,
            "source" => &self.source,
            "minutes" => &minutes,
            "link" => &self.link,
            "body" => &self.body,
            _ => "",
        })
        .map_err(AppError::Invalid)
    }
}

impl HistoryDayInput {
    fn checked(&self, this_year: i64) -> AppResult<(HistoryDayRow, String)> {
        let text = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let (month, day, year) = (text(self.month), text(self.day), text(self.year));
        check_history(
            |f| match f {
                "month" => &month,
                "day" => &day,
                "year" => &year,
                "title" => &self.title,
                "body" => &self.body,
                _ => "",
            },
            this_year,
        )
        .map_err(AppError::Invalid)
    }
}

/// A material with its text, for the edit form.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct MaterialDetail {
    #[serde(flatten)]
    pub view: MaterialView,
    pub body: String,
}

fn detail_of(m: MaterialRow) -> MaterialDetail {
    let body = m.body.clone();
    MaterialDetail {
        view: material_view(m),
        body,
    }
}

pub async fn material(app: &App, ctx: &Ctx, id: Id) -> AppResult<MaterialDetail> {
    authorize_manage(ctx)?;
    let mut conn = app.store().read().await?;
    Ok(detail_of(
        study::material(&mut conn, id.0)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}

/// Adds one material; one of the same kind and title (folded across 繁/简)
/// is refused as the import refuses it.
pub async fn add_material(app: &App, ctx: &Ctx, input: &MaterialInput) -> AppResult<Id> {
    let allowed = authorize_manage(ctx)?;
    let (mut m, folded) = input.checked()?;
    let mut tx = Audited::begin(app, allowed).await?;
    if study::material_named(&mut tx, m.kind.as_str(), &folded, 0)
        .await?
        .is_some()
    {
        return Err(AppError::invalid("title", "material_exists"));
    }
    m.id = app.next_id().0;
    study::insert_materials(&mut tx, &[(m.clone(), folded)], app.now()).await?;
    let after = detail_of(m.clone());
    tx.commit(
        Entry::new("library.material_add", "material", Some(Id(m.id)), &m.title)
            .unit(ctx.actor.scope_unit)
            .after(&after),
    )
    .await?;
    Ok(Id(m.id))
}

/// Rewrites one material. Check-ins already made keep the title they named.
pub async fn edit_material(app: &App, ctx: &Ctx, id: Id, input: &MaterialInput) -> AppResult<()> {
    let allowed = authorize_manage(ctx)?;
    let (mut m, folded) = input.checked()?;
    let mut tx = Audited::begin(app, allowed).await?;
    let before = study::material(&mut tx, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if study::material_named(&mut tx, m.kind.as_str(), &folded, id.0)
        .await?
        .is_some()
    {
        return Err(AppError::invalid("title", "material_exists"));
    }
    m.id = id.0;
    m.active = before.active;
    study::update_material(&mut tx, &m, &folded).await?;
    let (before, after) = (detail_of(before), detail_of(m.clone()));
    tx.commit(
        Entry::new("library.material_edit", "material", Some(id), &m.title)
            .unit(ctx.actor.scope_unit)
            .before(&before)
            .after(&after),
    )
    .await?;
    Ok(())
}

/// Retires a material (members no longer pick it; check-ins keep it) or
/// puts it back.
pub async fn set_material_active(app: &App, ctx: &Ctx, id: Id, active: bool) -> AppResult<()> {
    let allowed = authorize_manage(ctx)?;
    let mut tx = Audited::begin(app, allowed).await?;
    let m = study::material(&mut tx, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    if (m.active == 1) == active {
        return Ok(());
    }
    study::set_material_active(&mut tx, id.0, active).await?;
    tx.commit(
        Entry::new(
            if active {
                "library.material_restore"
            } else {
                "library.material_retire"
            },
            "material",
            Some(id),
            &m.title,
        )
        .unit(ctx.actor.scope_unit)
        .before(&serde_json::json!({ "active": !active }))
        .after(&serde_json::json!({ "active": active })),
    )
    .await?;
    Ok(())
}

/// A 党史上的今天 entry with its text, for the edit form.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryDayDetail {
    pub id: Id,
    pub month: i64,
    pub day: i64,
    pub year: i64,
    pub title: String,
    pub body: String,
}

fn history_detail(h: HistoryDayRow) -> HistoryDayDetail {
    HistoryDayDetail {
        id: Id(h.id),
        month: h.month,
        day: h.day,
        year: h.year,
        title: h.title,
        body: h.body,
    }
}

pub async fn history_day(app: &App, ctx: &Ctx, id: Id) -> AppResult<HistoryDayDetail> {
    authorize_manage(ctx)?;
    let mut conn = app.store().read().await?;
    Ok(history_detail(
        study::history_day(&mut conn, id.0)
            .await?
            .ok_or(AppError::NotFound)?,
    ))
}

/// Whether another entry of that date carries the title (folded).
async fn history_taken(
    conn: &mut sqlx::AnyConnection,
    h: &HistoryDayRow,
    folded: &str,
) -> AppResult<bool> {
    Ok(study::history_days_at(conn, h.month, h.day, h.year)
        .await?
        .iter()
        .any(|o| o.id != h.id && fold(&o.title) == folded))
}

/// Writes one 党史上的今天 entry: a new one when `id` is None.
pub async fn save_history_day(
    app: &App,
    ctx: &Ctx,
    id: Option<Id>,
    input: &HistoryDayInput,
) -> AppResult<Id> {
    let allowed = authorize_manage(ctx)?;
    let this_year = i64::from(app.clock().today().year());
    let (mut h, folded) = input.checked(this_year)?;
    let mut tx = Audited::begin(app, allowed).await?;
    let before = match id {
        Some(id) => Some(
            study::history_day(&mut tx, id.0)
                .await?
                .ok_or(AppError::NotFound)?,
        ),
        None => None,
    };
    h.id = id.map_or_else(|| app.next_id().0, |i| i.0);
    if history_taken(&mut tx, &h, &folded).await? {
        return Err(AppError::invalid("title", "history_exists"));
    }
    let mut entry = Entry::new(
        "library.history_add",
        "history_day",
        Some(Id(h.id)),
        &h.title,
    )
    .unit(ctx.actor.scope_unit)
    .after(&history_detail(h.clone()));
    match before {
        Some(b) => {
            study::update_history_day(&mut tx, &h).await?;
            entry.action = "library.history_edit";
            entry = entry.before(&history_detail(b));
        }
        None => {
            study::insert_history_days(&mut tx, std::slice::from_ref(&h)).await?;
        }
    }
    tx.commit(entry).await?;
    Ok(Id(h.id))
}

/// Removes a 党史上的今天 entry; nothing else refers to one.
pub async fn delete_history_day(app: &App, ctx: &Ctx, id: Id) -> AppResult<()> {
    let allowed = authorize_manage(ctx)?;
    let mut tx = Audited::begin(app, allowed).await?;
    let h = study::history_day(&mut tx, id.0)
        .await?
        .ok_or(AppError::NotFound)?;
    study::delete_history_day(&mut tx, id.0).await?;
    let title = h.title.clone();
    tx.commit(
        Entry::new("library.history_delete", "history_day", Some(id), &title)
            .unit(ctx.actor.scope_unit)
            .before(&history_detail(h)),
    )
    .await?;
    Ok(())
}
