//! Problems the public raises (急难愁盼), no account needed: a small signed
//! challenge, the checked form, duplicates folded into the first report,
//! the contact sealed, and a tracking code to follow the problem by. What
//! the follow-up page shows holds no personal data.

use std::collections::HashMap;
use std::sync::Mutex;

use rand::RngCore;
use serde::{Deserialize, Serialize};
use xueshi_domain::FieldError;
use xueshi_domain::problem::{ProblemDraft, challenge, normalise_code, tracking_code};
use xueshi_store::problems::{self, ProblemRow};

use crate::audit::Entry;
use crate::{App, AppError, AppResult};

/// How long a challenge may be answered.
const CHALLENGE_MS: i64 = 15 * 60_000;
/// A problem raised again within this window counts as a repeat report.
const FOLD_MS: i64 = 30 * 24 * 3_600_000;

/// The question a public form shows, and the token that carries it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Challenge {
    /// "3 + 5"
    pub question: String,
    pub token: String,
}

/// Challenges answered already, until they expire: a solved one is good for
/// one problem only.
#[derive(Default)]
pub(crate) struct SpentChallenges(Mutex<HashMap<String, i64>>);

impl SpentChallenges {
    /// Marks a challenge used; false when it was used before.
    fn spend(&self, nonce: &str, expires: i64, now: i64) -> bool {
        let Ok(mut m) = self.0.lock() else {
            return false;
        };
        if m.len() > 100_000 {
            m.retain(|_, e| *e > now);
        }
        m.insert(nonce.to_owned(), expires).is_none()
    }
}

fn sign(app: &App, payload: &str, answer: u32) -> String {
    app.vault()
        .digest(&format!("problem-challenge|{payload}|{answer}"))
}

/// A fresh challenge.
pub fn new_challenge(app: &App) -> Challenge {
    let mut rng = rand::rng();
    let (a, b, sum) = challenge(rng.next_u64());
    let nonce = format!("{:016x}", rng.next_u64());
    let payload = format!("{a}.{b}.{}.{nonce}", app.now() + CHALLENGE_MS);
    Challenge {
        question: format!("{a} + {b}"),
        token: format!("{payload}.{}", sign(app, &payload, sum)),
    }
}

pub(crate) fn check_challenge(app: &App, token: &str, answer: &str) -> Result<(), FieldError> {
    let failed = || FieldError::new("answer", "challenge_failed");
    let (payload, sig) = token.rsplit_once('.').ok_or_else(failed)?;
    let answer: u32 = answer.trim().parse().map_err(|_| failed())?;
    let want = sign(app, payload, answer);
    if want.len() != sig.len()
        || want
            .bytes()
            .zip(sig.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            != 0
    {
        return Err(failed());
    }
    let mut parts = payload.split('.');
    let expires: i64 = parts
        .nth(2)
        .and_then(|e| e.parse().ok())
        .ok_or_else(failed)?;
    let nonce = parts.next().ok_or_else(failed)?;
    let now = app.now();
    if now > expires {
        return Err(FieldError::new("answer", "challenge_expired"));
    }
    if !app.spent_challenges().spend(nonce, expires, now) {
        return Err(FieldError::new("answer", "challenge_used"));
    }
    Ok(())
}

/// A problem as the public form sends it.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct RaiseInput {
    pub body: String,
    #[serde(default)]
    pub area: String,
    /// A phone number, optional; stored sealed and shown masked to staff.
    #[serde(default)]
    pub contact: String,
    pub challenge: String,
    pub answer: String,
    /// JPEG or PNG as the phone sent it, up to 10 MB (forms only); kept
    /// shrunk.
    #[serde(skip)]
    pub photo: Option<Vec<u8>>,
}

/// What the citizen is told: the code to follow, and whether the problem
/// had been raised before (then the code is the first report's).
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Raised {
    pub code: String,
    pub folded: bool,
}

/// Records a problem from the public, or one more report of the same one.
/// The write joins whatever else the public is sending at that moment: one
/// transaction carries them all.
pub async fn raise(app: &App, input: RaiseInput, ip: &str) -> AppResult<Raised> {
    let mut errors = Vec::new();
    if let Err(e) = check_challenge(app, &input.challenge, &input.answer) {
        errors.push(e);
    }
    let draft = match ProblemDraft::parse(&input.body, &input.area, &input.contact, input.photo) {
        Ok(d) => Some(d),
        Err(es) => {
            errors.extend(es);
            None
        }
    };
    let (Some(mut draft), true) = (draft, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    if let Some((_, raw)) = draft.photo.take() {
        let p = crate::photo::prepare(app, raw).await?;
        draft.photo = Some((p.kind(), p.bytes));
    }
    let job = Raise {
        fingerprint: draft.fingerprint(),
        draft,
        ip: ip.to_owned(),
    };
    app.problem_writes().run(app, job, commit).await
}

/// A checked problem on its way to the database.
pub(crate) struct Raise {
    draft: ProblemDraft,
    fingerprint: String,
    ip: String,
}

/// Most problems one commit carries.
pub(crate) const MAX_BATCH: usize = 256;

/// One transaction for a batch of problems: each folds into the first open
/// report of the same problem within 30 days (one raised earlier in the
/// same batch included), or is stored with a new code; each is audited as
/// `problem.raise` with its address, never its contact.
async fn commit(app: App, batch: Vec<Raise>) -> AppResult<Vec<Raised>> {
    let now = app.now();
    let mut tx = app.store().write().await?;
    let prints: Vec<String> = batch.iter().map(|r| r.fingerprint.clone()).collect();
    let mut open: HashMap<String, (i64, String)> =
        problems::open_with_fingerprints(&mut tx, &prints, now - FOLD_MS).await?;
    let mut fresh: Vec<ProblemRow> = Vec::new();
    let mut repeats: HashMap<i64, i64> = HashMap::new();
    let mut answers = Vec::with_capacity(batch.len());
    let mut audit = Vec::with_capacity(batch.len());
    for r in batch {
        let raised = match open.get(&r.fingerprint) {
            Some((id, code)) => {
                match fresh.iter_mut().find(|p| p.id == *id) {
                    Some(p) => p.reports += 1,
                    None => *repeats.entry(*id).or_default() += 1,
                }
                Raised {
                    code: code.clone(),
                    folded: true,
                }
            }
            None => {
                let code = tracking_code(rand::rng().next_u64());
                let (photo_type, photo) = match r.draft.photo {
                    Some((t, bytes)) => (t.mime().to_owned(), Some(bytes)),
                    None => (String::new(), None),
                };
                let row = ProblemRow {
                    id: app.next_id().0,
                    code: code.clone(),
                    unit_id: None,
                    area: r.draft.area,
                    body: r.draft.body,
                    fingerprint: r.fingerprint.clone(),
                    contact_masked: r
                        .draft
                        .contact
                        .as_ref()
                        .map(|p| p.masked())
                        .unwrap_or_default(),
                    contact_sealed: r
                        .draft
                        .contact
                        .as_ref()
                        .map(|p| app.vault().seal(p.as_str())),
                    photo,
                    photo_type,
                    reports: 1,
                    status: "new".into(),
                    reason: String::new(),
                    created_at: now,
                    updated_at: now,
                };
                open.insert(r.fingerprint, (row.id, code.clone()));
                fresh.push(row);
                Raised {
                    code,
                    folded: false,
                }
            }
        };
        audit.push(crate::audit::row(
            &app,
            None,
            "群众",
            &r.ip,
            Entry::new("problem.raise", "problem", None, &raised.code)
                .after(&serde_json::json!({ "code": raised.code, "folded": raised.folded })),
            "ok",
        ));
        answers.push(raised);
    }
    problems::insert_many(&mut tx, &fresh).await?;
    problems::add_reports(&mut tx, &repeats, now).await?;
    xueshi_store::audit::insert_many(&mut tx, &audit).await?;
    tx.commit().await?;
    Ok(answers)
}

/// A problem as its tracking code shows it: no contact, no photo.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct PublicProblem {
    pub code: String,
    pub status: String,
    pub area: String,
    pub body: String,
    pub reports: i64,
    /// When it was raised (epoch ms).
    pub raised_at: i64,
    /// Why it was turned down, when it was.
    pub reason: String,
}

/// The problem a tracking code stands for.
pub async fn follow(app: &App, code: &str) -> AppResult<PublicProblem> {
    let code = normalise_code(code).ok_or(AppError::NotFound)?;
    let mut conn = app.store().read().await?;
    let p = problems::by_code(&mut conn, &code)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PublicProblem {
        code: p.code,
        status: p.status,
        area: p.area,
        body: p.body,
        reports: p.reports,
        raised_at: p.created_at,
        reason: p.reason,
    })
}
