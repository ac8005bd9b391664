//! Member sign-in (账号开通): accounts for a subtree's roster made in one
//! go, each linked to its member, with a random first password handed out
//! on a printed login slip (登录凭条) per branch. A slip's password stays
//! sealed until its holder signs in and chooses their own, so slips can be
//! printed again; printing them is an audited export. A unit admin can put
//! a member back on a fresh slip when the password is forgotten.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use xueshi_domain::Id;
use xueshi_domain::access::{Action, Role};
use xueshi_domain::invalid::FieldError;
use xueshi_store::accounts::{self, NewMemberAccount};
use xueshi_store::members;

use crate::audit::{Audited, Entry};
use crate::auth::end_sessions;
use crate::permit::allow_account;
use crate::tree::load_allowed;
use crate::{App, AppError, AppResult, Ctx};

/// Most accounts one issue makes: a county's roster, not a province's (a
/// province issues county by county).
pub const ISSUE_MAX: usize = 50_000;
/// Most slips one print run shows.
pub const SLIPS_MAX: i64 = 20_000;

/// How members' user names are made: the office's choice.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UsernameScheme {
    /// The member's mobile number, as the roster holds it.
    Phone,
    /// The unit's code and a number: `D01-03-7`.
    #[default]
    MemberCode,
}

impl UsernameScheme {
    pub fn parse(raw: &str) -> Option<UsernameScheme> {
        match raw.trim() {
            "phone" => Some(UsernameScheme::Phone),
            "member_code" | "" => Some(UsernameScheme::MemberCode),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            UsernameScheme::Phone => "phone",
            UsernameScheme::MemberCode => "member_code",
        }
    }
}

/// A member left without an account, and why.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub member: Id,
    pub name: String,
    /// `no_phone`: the roster holds no mobile number; `username_taken`:
    /// another account already has that name.
    pub reason: &'static str,
}

/// What issuing did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Issued {
    pub unit: Id,
    pub made: usize,
    pub skipped: Vec<Skipped>,
}

/// One printed login slip.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Slip {
    pub account: Id,
    pub username: String,
    pub name: String,
    pub unit: Id,
    pub unit_name: String,
    pub password: String,
}

/// A random first password: ten letters and digits none of which is easily
/// mistaken for another when read off paper (no 0/O, 1/l/I).
pub fn slip_password() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..10)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

/// The number after `prefix` in a member code, if `name` is one.
fn code_number(name: &str, prefix: &str) -> Option<u64> {
    name.strip_prefix(prefix)?.parse().ok()
}

/// Makes an account for every current member of the subtree who has none.
/// With [`UsernameScheme::Phone`], members without a mobile number, or
/// whose number is already someone's user name, are left out and named.
pub async fn issue(app: &App, ctx: &Ctx, unit: Id, scheme: UsernameScheme) -> AppResult<Issued> {
    let (row, allowed) = load_allowed(app, ctx, unit, Action::ManageAccounts).await?;
    if !ctx.actor.role.may_grant(Role::Member) {
        return Err(AppError::Forbidden(
            xueshi_domain::access::Denied::RoleLacks,
        ));
    }
    let mut conn = app.store().read().await?;
    let pending = accounts::unaccounted_members(&mut conn, &row.path()).await?;
    if pending.len() > ISSUE_MAX {
        return Err(AppError::Invalid(vec![
            FieldError::new("unit", "too_many_accounts").with("max", ISSUE_MAX),
        ]));
    }
    let mut skipped = Vec::new();
    let mut wanted: Vec<(String, &accounts::Unaccounted)> = Vec::with_capacity(pending.len());
    match scheme {
        UsernameScheme::Phone => {
            for m in &pending {
                match m.phone_sealed.as_deref().and_then(|s| app.vault().open(s)) {
                    Some(phone) => wanted.push((phone, m)),
                    None => skipped.push(Skipped {
                        member: Id(m.member_id),
                        name: m.name.clone(),
                        reason: "no_phone",
                    }),
                }
            }
        }
        UsernameScheme::MemberCode => {
            let mut next: HashMap<i64, u64> = HashMap::new();
            for m in &pending {
                let prefix = format!("{}-", m.unit_code);
                if let std::collections::hash_map::Entry::Vacant(slot) = next.entry(m.unit_id) {
                    let used = accounts::usernames_with_prefix(&mut conn, &prefix).await?;
                    let top = used
                        .iter()
                        .filter_map(|n| code_number(n, &prefix))
                        .max()
                        .unwrap_or(0);
                    slot.insert(top + 1);
                }
                let n = next.get_mut(&m.unit_id).expect("inserted above");
                wanted.push((format!("{prefix}{n}"), m));
                *n += 1;
            }
        }
    }
    let names: Vec<String> = wanted.iter().map(|(n, _)| n.clone()).collect();
    let mut taken: HashSet<String> = accounts::taken(&mut conn, &names)
        .await?
        .into_iter()
        .collect();
    drop(conn);
    let now = app.now();
    let mut rows = Vec::with_capacity(wanted.len());
    for (username, m) in wanted {
        // Two members with one phone number: the first keeps it.
        if !taken.insert(username.clone()) {
            skipped.push(Skipped {
                member: Id(m.member_id),
                name: m.name.clone(),
                reason: "username_taken",
            });
            continue;
        }
        rows.push(NewMemberAccount {
            id: app.next_id().0,
            username,
            display_name: m.name.chars().take(30).collect(),
            scope_unit_id: m.unit_id,
            member_id: m.member_id,
            slip_sealed: app.vault().seal(&slip_password()),
        });
    }
    let mut tx = Audited::begin(app, allowed).await?;
    accounts::insert_members(&mut tx, &rows, now).await?;
    let made = rows.len();
    tx.commit(
        Entry::new("account.issue", "unit", Some(unit), &row.name)
            .unit(unit)
            .after(&serde_json::json!({
                "scheme": scheme.as_str(),
                "made": made,
                "skipped": skipped.len(),
            })),
    )
    .await?;
    Ok(Issued {
        unit,
        made,
        skipped,
    })
}

/// The login slips of a subtree's members who have not yet signed in:
/// handing them out is an export of passwords, so it is on record.
pub async fn slips(app: &App, ctx: &Ctx, unit: Id) -> AppResult<Vec<Slip>> {
    let (row, allowed) = load_allowed(app, ctx, unit, Action::ManageAccounts).await?;
    let mut conn = app.store().read().await?;
    let rows = accounts::slips_in_subtree(&mut conn, &row.path(), SLIPS_MAX).await?;
    drop(conn);
    let slips: Vec<Slip> = rows
        .into_iter()
        .filter_map(|r| {
            Some(Slip {
                password: app.vault().open(&r.slip_sealed)?,
                account: Id(r.account_id),
                username: r.username,
                name: r.display_name,
                unit: Id(r.unit_id),
                unit_name: r.unit_name,
            })
        })
        .collect();
    let tx = Audited::begin(app, allowed).await?;
    tx.commit(
        Entry::new("account.slips", "unit", Some(unit), &row.name)
            .unit(unit)
            .after(&serde_json::json!({ "slips": slips.len() })),
    )
    .await?;
    Ok(slips)
}

/// The slips as a workbook: one sheet, a row per member, branch by branch.
pub async fn slips_workbook(app: &App, ctx: &Ctx, unit: Id) -> AppResult<(String, Vec<u8>)> {
    let slips = slips(app, ctx, unit).await?;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let wrap = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.into());
    sheet.set_name("登录凭条").map_err(wrap)?;
    for (c, h) in ["组织", "姓名", "用户名", "初始密码"].iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(wrap)?;
    }
    for (i, s) in slips.iter().enumerate() {
        let r = i as u32 + 1;
        sheet
            .write_string(r, 0, crate::sheet::safe_text(&s.unit_name))
            .map_err(wrap)?;
        sheet
            .write_string(r, 1, crate::sheet::safe_text(&s.name))
            .map_err(wrap)?;
        sheet.write_string(r, 2, &s.username).map_err(wrap)?;
        sheet.write_string(r, 3, &s.password).map_err(wrap)?;
    }
    sheet.set_column_width(0, 30).map_err(wrap)?;
    sheet.set_column_width(1, 12).map_err(wrap)?;
    sheet.set_column_width(2, 20).map_err(wrap)?;
    sheet.set_column_width(3, 14).map_err(wrap)?;
    let bytes = book.save_to_buffer().map_err(wrap)?;
    Ok((format!("login-slips-{}.xlsx", unit.0), bytes))
}

/// A member's account, if they have one (for the member's page).
pub async fn of_member(app: &App, member: Id) -> AppResult<Option<crate::accounts::AccountView>> {
    let mut conn = app.store().read().await?;
    Ok(accounts::of_member(&mut conn, member.0)
        .await?
        .as_ref()
        .map(crate::accounts::AccountView::from))
}

/// Puts an account back on a fresh login slip (a forgotten password): its
/// sessions end and the new slip is returned to print.
pub async fn reset_to_slip(app: &App, ctx: &Ctx, account: Id) -> AppResult<Slip> {
    let mut conn = app.store().read().await?;
    let row = accounts::get(&mut conn, account.0)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    let allowed = allow_account(ctx, row.role(), &row.scope(), Some(account))?;
    if row.role() != Role::Member {
        return Err(AppError::Invalid(vec![FieldError::new(
            "account",
            "slip_members_only",
        )]));
    }
    let password = slip_password();
    let mut tx = Audited::begin(app, allowed).await?;
    accounts::set_slip(&mut tx, account.0, &app.vault().seal(&password), app.now()).await?;
    end_sessions(app, &mut tx, account.0).await?;
    tx.commit(
        Entry::new("account.slip", "account", Some(account), &row.username)
            .unit(Id(row.scope_unit_id)),
    )
    .await?;
    Ok(Slip {
        account,
        username: row.username,
        name: row.display_name,
        unit: Id(row.scope_unit_id),
        unit_name: row.scope_name,
        password,
    })
}

/// The member an ID number belongs to, for linking an account by hand.
pub async fn member_by_id_number(app: &App, raw: &str) -> AppResult<Option<Id>> {
    let n = xueshi_domain::pii::IdNumber::parse("member", raw)?;
    let mut conn = app.store().read().await?;
    Ok(
        members::by_digest(&mut conn, &app.vault().digest(n.as_str()))
            .await?
            .map(|m| Id(m.id)),
    )
}
