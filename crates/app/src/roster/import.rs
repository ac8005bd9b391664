//! Importing a roster workbook: check everything first, then write all of it
//! in one transaction or nothing at all.
//!
//! Every problem is reported as "sheet, row R, column C: what is wrong" so a
//! secretary can fix the file in one pass. A file that is not an .xlsx
//! workbook, is too large, or unpacks to far more than it weighs (a zip bomb)
//! is refused before any parsing.

use std::collections::{HashMap, HashSet};

use xueshi_domain::access::Action;
use xueshi_domain::member::{MemberDraft, MemberInput};
use xueshi_domain::tally::Tally;
use xueshi_domain::text::fold;
use xueshi_domain::unit::{UnitDraft, UnitKind, UnitPath};
use xueshi_domain::{FieldError, Id};
use xueshi_store::units::{self, NewUnit, UnitRow};
use xueshi_store::{members, tallies};

use super::{MEMBER_COLUMNS, MEMBER_SHEET, RowError, UNIT_COLUMNS, UNIT_SHEET};
use crate::audit::{Audited, Entry};
use crate::jobs::{Output, Progress};
use crate::members::new_member;
use crate::permit::{Allowed, allow, allow_in_scope};
use crate::sheet::{self, RowErrors, Sheet, Wanted, gaps, layout};
use crate::tree::along;
use crate::{App, AppError, AppResult, Ctx};

/// The sheets a roster holds, in the order their errors are listed.
const SHEETS: &[&str] = &["units", "members"];
const WANTED: &[Wanted] = &[
    Wanted {
        name: UNIT_SHEET,
        key: "units",
        columns: &UNIT_COLUMNS,
    },
    Wanted {
        name: MEMBER_SHEET,
        key: "members",
        columns: &MEMBER_COLUMNS,
    },
];

/// Members written per statement batch between progress reports.
const BATCH: usize = 5_000;

/// A unit from the file, checked, waiting for its parent to be placed.
struct FileUnit {
    row: u32,
    draft: UnitDraft,
    parent_code: String,
    placed: Option<(Id, UnitPath)>,
}

/// What a checked file will write.
struct Plan {
    units: Vec<FileUnit>,
    members: Vec<(u32, MemberDraft, Id, UnitPath)>,
}

/// Checks a workbook and, when every row is right, writes it all in one
/// transaction. Returns the counts written.
pub async fn run(
    app: &App,
    ctx: &Ctx,
    name: &str,
    bytes: Vec<u8>,
    progress: &dyn Progress,
) -> AppResult<Output> {
    let allowed = allow_in_scope(ctx, Action::ImportRoster)?;
    progress.stage("stage.reading", 1);
    let mut book = sheet::read(app, bytes, WANTED).await?;
    let formulas = book.formula_cells();
    let members_sheet = book.sheets.pop().flatten();
    let units_sheet = book.sheets.pop().flatten();
    progress.advance(1);
    let plan = check(app, ctx, units_sheet, members_sheet, progress).await?;
    let mut out = write(app, allowed, name, plan, progress).await?;
    if let Output::Imported { formulas: f, .. } = &mut out {
        *f = formulas;
    }
    Ok(out)
}

async fn check(
    app: &App,
    ctx: &Ctx,
    units_sheet: Option<Sheet>,
    members_sheet: Option<Sheet>,
    progress: &dyn Progress,
) -> AppResult<Plan> {
    let mut errors = RowErrors::new(&app.settings().import);
    if units_sheet.as_ref().is_none_or(|s| s.rows.is_empty())
        && members_sheet.as_ref().is_none_or(|s| s.rows.is_empty())
    {
        return Err(AppError::Rejected(vec![RowError::file("no_rows")]));
    }
    let ul = units_sheet
        .as_ref()
        .map(|s| layout("units", s, &UNIT_COLUMNS, &mut errors));
    let ml = members_sheet
        .as_ref()
        .map(|s| layout("members", s, &MEMBER_COLUMNS, &mut errors));
    if let (Some(s), Some(l)) = (&units_sheet, &ul) {
        gaps(l, s, &mut errors);
    }
    if let (Some(s), Some(l)) = (&members_sheet, &ml) {
        gaps(l, s, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors.into_rejected(SHEETS));
    }
    let total = units_sheet.as_ref().map_or(0, |s| s.rows.len())
        + members_sheet.as_ref().map_or(0, |s| s.rows.len());
    progress.stage("stage.checking", total as u64);

    // Every code the file mentions, looked up once.
    let mut codes: HashSet<String> = HashSet::new();
    if let (Some(s), Some(l)) = (&units_sheet, &ul) {
        for r in &s.rows {
            codes.insert(l.cell(r, "code").to_owned());
            codes.insert(l.cell(r, "parent_code").to_owned());
        }
    }
    if let (Some(s), Some(l)) = (&members_sheet, &ml) {
        for r in &s.rows {
            codes.insert(l.cell(r, "unit_code").to_owned());
        }
    }
    codes.remove("");
    let codes: Vec<String> = codes.into_iter().collect();
    let mut conn = app.store().read().await?;
    let known: HashMap<String, UnitRow> = units::by_codes(&mut conn, &codes)
        .await?
        .into_iter()
        .map(|u| (u.code.clone(), u))
        .collect();

    let mut file_units: Vec<FileUnit> = Vec::new();
    let mut by_code: HashMap<String, usize> = HashMap::new();
    if let (Some(s), Some(l)) = (&units_sheet, &ul) {
        for cells in &s.rows {
            let row = &cells.num;
            progress.advance(1);
            let sort = l.cell(cells, "sort_order");
            let sort_order = if sort.is_empty() {
                None
            } else {
                match sort.parse::<i64>() {
                    Ok(n) => Some(n),
                    Err(_) => {
                        errors.push(l.error(
                            *row,
                            FieldError::new("sort_order", "bad_number").with("value", sort),
                        ));
                        None
                    }
                }
            };
            let draft = UnitDraft::parse(
                l.cell(cells, "code"),
                l.cell(cells, "name"),
                l.cell(cells, "kind"),
                sort_order,
            );
            let parent_code = l.cell(cells, "parent_code").to_owned();
            if parent_code.is_empty() {
                errors.push(l.error(*row, FieldError::new("parent_code", "required")));
            }
            match draft {
                Err(es) => errors.extend(es.into_iter().map(|e| l.error(*row, e))),
                Ok(d) => {
                    if let Some(&first) = by_code.get(&d.code) {
                        let e = FieldError::new("code", "duplicate_in_file")
                            .with("row", file_units[first].row);
                        errors.push(l.error(*row, e));
                    } else if known.contains_key(&d.code) {
                        errors.push(l.error(
                            *row,
                            FieldError::new("code", "taken").with("value", &d.code),
                        ));
                    } else {
                        by_code.insert(d.code.clone(), file_units.len());
                        file_units.push(FileUnit {
                            row: *row,
                            draft: d,
                            parent_code,
                            placed: None,
                        });
                    }
                }
            }
        }
    }

    // Place units whose parent is known, until no more can be placed.
    if let Some(l) = &ul {
        loop {
            let mut placed_any = false;
            for i in 0..file_units.len() {
                if file_units[i].placed.is_some() {
                    continue;
                }
                let pc = file_units[i].parent_code.clone();
                let parent: Option<(UnitKind, UnitPath)> = if let Some(u) = known.get(&pc) {
                    Some((u.kind(), u.path()))
                } else if let Some(&j) = by_code.get(&pc) {
                    file_units[j]
                        .placed
                        .as_ref()
                        .map(|(_, p)| (file_units[j].draft.kind, p.clone()))
                } else {
                    None
                };
                let Some((pkind, ppath)) = parent else {
                    continue;
                };
                let fu = &mut file_units[i];
                if allow(ctx, Action::ImportRoster, &ppath).is_err() {
                    errors.push(l.error(
                        fu.row,
                        FieldError::new("parent_code", "out_of_scope").with("value", &pc),
                    ));
                } else if !pkind.may_contain(fu.draft.kind) {
                    errors.push(l.error(fu.row, FieldError::new("kind", "kind_not_allowed_here")));
                }
                let id = app.next_id();
                fu.placed = Some((id, ppath.child(id)));
                placed_any = true;
            }
            if !placed_any {
                break;
            }
        }
        for fu in file_units
            .iter()
            .filter(|f| f.placed.is_none() && !f.parent_code.is_empty())
        {
            let code = if by_code.contains_key(&fu.parent_code) {
                "parent_cycle"
            } else {
                "unknown_parent"
            };
            errors.push(l.error(
                fu.row,
                FieldError::new("parent_code", code).with("value", &fu.parent_code),
            ));
        }
    }

    let mut plan_members = Vec::new();
    if let (Some(s), Some(l)) = (&members_sheet, &ml) {
        let today = app.clock().today();
        let mut digests: HashMap<String, u32> = HashMap::new();
        for cells in &s.rows {
            let row = &cells.num;
            progress.advance(1);
            let input = MemberInput {
                name: l.cell(cells, "name").into(),
                gender: l.cell(cells, "gender").into(),
                birth_date: l.cell(cells, "birth_date").into(),
                join_date: l.cell(cells, "join_date").into(),
                status: l.cell(cells, "status").into(),
                cadre_level: l.cell(cells, "cadre_level").into(),
                position: l.cell(cells, "position").into(),
                phone: l.cell(cells, "phone").into(),
                id_number: l.cell(cells, "id_number").into(),
            };
            // Excel keeps 15 significant digits: an ID number typed as a
            // number has already lost its last ones, and may still pass the
            // checksum.
            if l.is_numeric(cells, "id_number") {
                errors.push(l.error(*row, FieldError::new("id_number", "id_number_as_number")));
                continue;
            }
            let code = l.cell(cells, "unit_code");
            let unit: Option<(Id, UnitPath, UnitKind)> = if code.is_empty() {
                errors.push(l.error(*row, FieldError::new("unit_code", "required")));
                None
            } else if let Some(u) = known.get(code) {
                Some((u.id(), u.path(), u.kind()))
            } else if let Some(&j) = by_code.get(code) {
                file_units[j]
                    .placed
                    .as_ref()
                    .map(|(id, p)| (*id, p.clone(), file_units[j].draft.kind))
            } else {
                errors.push(l.error(
                    *row,
                    FieldError::new("unit_code", "unknown_unit_code").with("value", code),
                ));
                None
            };
            let unit = unit.filter(|(_, path, kind)| {
                if allow(ctx, Action::ImportRoster, path).is_err() {
                    errors.push(l.error(
                        *row,
                        FieldError::new("unit_code", "out_of_scope").with("value", code),
                    ));
                    false
                } else if !kind.holds_members() {
                    errors.push(l.error(
                        *row,
                        FieldError::new("unit_code", "unit_holds_no_members").with("value", code),
                    ));
                    false
                } else {
                    true
                }
            });
            match MemberDraft::parse(&input, today) {
                Err(es) => errors.extend(es.into_iter().map(|e| l.error(*row, e))),
                Ok(d) => {
                    if let Some(n) = &d.id_number {
                        let dg = app.vault().digest(n.as_str());
                        if let Some(first) = digests.get(&dg) {
                            errors.push(
                                l.error(
                                    *row,
                                    FieldError::new("id_number", "duplicate_in_file")
                                        .with("row", first),
                                ),
                            );
                            continue;
                        }
                        digests.insert(dg, *row);
                    }
                    if let Some((id, path, _)) = unit {
                        plan_members.push((*row, d, id, path));
                    }
                }
            }
        }
        let all: Vec<String> = digests.keys().cloned().collect();
        let taken: HashSet<String> = members::existing_digests(&mut conn, &all)
            .await?
            .into_iter()
            .collect();
        for row in digests
            .iter()
            .filter(|(d, _)| taken.contains(*d))
            .map(|(_, r)| *r)
        {
            errors.push(l.error(row, FieldError::new("id_number", "id_number_taken")));
        }
    }
    if !errors.is_empty() {
        return Err(errors.into_rejected(SHEETS));
    }
    Ok(Plan {
        units: file_units,
        members: plan_members,
    })
}

async fn write(
    app: &App,
    allowed: Allowed<'_>,
    name: &str,
    plan: Plan,
    progress: &dyn Progress,
) -> AppResult<Output> {
    let now = app.now();
    let mut deltas: HashMap<Id, Tally> = HashMap::new();
    let mut placed: Vec<(&FileUnit, Id, UnitPath, String)> = plan
        .units
        .iter()
        .filter_map(|u| {
            u.placed
                .as_ref()
                .map(|(id, p)| (u, *id, p.clone(), fold(&u.draft.name)))
        })
        .collect();
    placed.sort_by_key(|(_, _, p, _)| p.depth());
    let rows: Vec<NewUnit<'_>> = placed
        .iter()
        .map(|(u, id, path, folded)| NewUnit {
            id: id.0,
            parent_id: path.parent().map(|p| p.id().0),
            path: path.as_str(),
            depth: path.depth(),
            kind: u.draft.kind.as_str(),
            code: &u.draft.code,
            name: &u.draft.name,
            name_folded: folded,
            sort_order: u.draft.sort_order,
            now,
        })
        .collect();
    for (u, _, path, _) in &placed {
        along(path, Tally::of_unit(u.draft.kind), &mut deltas);
    }
    progress.stage("stage.writing", (rows.len() + plan.members.len()) as u64);
    let ctx = allowed.ctx();
    let mut tx = Audited::begin(app, allowed).await?;
    units::insert_many(&mut tx, &rows).await?;
    let added: Vec<(Id, &UnitPath, xueshi_domain::unit::UnitKind)> = placed
        .iter()
        .map(|(u, id, path, _)| (*id, path, u.draft.kind))
        .collect();
    crate::tasks::assign_new_units(app, &mut tx, &added).await?;
    progress.advance(rows.len() as u64);
    let n_members = plan.members.len() as u64;
    for chunk in plan.members.chunks(BATCH) {
        let mut batch = Vec::with_capacity(chunk.len());
        for (_, d, unit, path) in chunk {
            batch.push(new_member(app, app.next_id(), *unit, d));
            along(
                path,
                Tally::of_member(d.status, d.cadre_level, d.gender),
                &mut deltas,
            );
        }
        members::insert_many(&mut tx, batch).await?;
        progress.advance(chunk.len() as u64);
    }
    tallies::add(&mut tx, &deltas).await?;
    let summary = serde_json::json!({ "file": name, "units": rows.len(), "members": n_members });
    tx.commit(
        Entry::new("roster.import", "roster", None, name)
            .unit(ctx.actor.scope_unit)
            .after(&summary),
    )
    .await?;
    // A large roster can grow a table tenfold; plan with its new size.
    crate::maintenance::refresh_statistics(app).await?;
    Ok(Output::Imported {
        units: rows.len() as u64,
        members: n_members,
        formulas: Default::default(),
    })
}
