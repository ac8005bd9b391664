//! Every route, declared once with what its path parameter names, so the
//! router and the tests that walk all routes (scope isolation, CSRF) read
//! the same table.

use std::collections::BTreeMap;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};

use crate::state::AppState;
use crate::{api, assets, pages};

/// What a route's `{id}` refers to, which decides how the isolation test
/// aims it at another subtree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No account needed.
    Public,
    /// Signed in; works on the actor's own scope or own account.
    Signed,
    Unit,
    Member,
    Organ,
    /// `{id}` is an organ and `{sub}` one of its people.
    OrganPerson,
    /// `{id}` is an organ and `{sub}` a unit of its slice.
    OrganUnit,
    Account,
    Job,
    /// `{id}` is a practical matter.
    Matter,
    /// `{id}` is a typical-case round.
    CaseRound,
    /// `{id}` is a question of the bank (one bank for the installation).
    Question,
    /// `{id}` is a material of the library.
    Material,
    /// `{id}` is a 党史上的今天 entry.
    HistoryDay,
    /// `{id}` is an issue of a briefing.
    Briefing,
    /// `{id}` is a ranking.
    Ranking,
    /// `{id}` is a campaign.
    Campaign,
    /// `{id}` is a task of a task list.
    Task,
    /// `{id}` is one unit's assignment of a task.
    Assignment,
    /// `{id}` is a meeting (专题组织生活会 / 民主生活会).
    Meeting,
    /// `{id}` is a meeting and `{sub}` one of its rectification items.
    MeetingItem,
    /// `{id}` is an implementation plan (实施方案).
    Plan,
    /// `{id}` is a version of a plan.
    PlanVersion,
    /// `{id}` is a consulted unit's comment on a plan.
    PlanComment,
    /// `{id}` is an occurrence of a campaign's rhythm.
    Occurrence,
    /// `{id}` is a dispatch meeting's record.
    Dispatch,
    /// `{id}` is a decision of a dispatch meeting.
    Decision,
    /// `{id}` is an exam (闭卷测试).
    Exam,
    /// `{id}` is a member's sitting of an exam.
    Sitting,
    /// `{id}` is a live competition (现场竞答).
    Competition,
    /// `{id}` is a competition, reached by a team's phone with its seat's
    /// cookie (no account).
    Seat,
    /// `{id}` is a contest (红色故事大赛, 宣讲推荐评选).
    Contest,
    /// `{id}` is an entry of a contest.
    ContestEntry,
}

/// How large a request body a route reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodySize {
    /// Forms and JSON: [`SMALL_BODY`].
    Small,
    /// A workbook upload: the configured `max_body_bytes`.
    Upload,
    /// A form with up to this many phone photos: [`photos_body`].
    Photos(usize),
}

/// Largest body of a form with `n` phone photos of up to
/// [`MAX_PHOTO`](xueshi_domain::problem::MAX_PHOTO) each, its text
/// fields included.
pub const fn photos_body(n: usize) -> usize {
    n * xueshi_domain::problem::MAX_PHOTO + 256 * 1024
}

/// Largest body of an ordinary form or JSON call.
pub const SMALL_BODY: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub body: BodySize,
    /// A public form's per-address ceiling, checked before the body is
    /// read.
    pub rate_limited: Option<Ceiling>,
}

/// Which per-address ceiling a public form counts against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ceiling {
    /// Problems, ratings, votes: a few a minute.
    Public,
    /// Phones joining a competition: a hall behind one address joins at
    /// once, and a join code cannot be guessed at any sane rate.
    Join,
}

#[derive(Default)]
struct Table {
    infos: Vec<RouteInfo>,
    routers: BTreeMap<&'static str, MethodRouter<AppState>>,
}

impl Table {
    fn add(
        &mut self,
        method: Method,
        path: &'static str,
        access: Access,
        r: MethodRouter<AppState>,
    ) {
        self.infos.push(RouteInfo {
            method,
            path,
            access,
            body: BodySize::Small,
            rate_limited: None,
        });
        let entry = self.routers.remove(path).unwrap_or_default();
        self.routers.insert(path, entry.merge(r));
    }
    fn get<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &'static str,
        access: Access,
        h: H,
    ) {
        self.add(Method::GET, path, access, get(h));
    }
    fn post<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &'static str,
        access: Access,
        h: H,
    ) {
        self.add(Method::POST, path, access, post(h));
    }
    /// A POST that takes a workbook.
    fn upload<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &'static str,
        access: Access,
        h: H,
    ) {
        self.add(Method::POST, path, access, post(h));
        if let Some(info) = self.infos.last_mut() {
            info.body = BodySize::Upload;
        }
    }
    /// Lets the last route's body carry `n` phone photos.
    fn with_photos(&mut self, n: usize) {
        if let Some(info) = self.infos.last_mut() {
            info.body = BodySize::Photos(n);
        }
    }
    /// A POST the public may send, a few a minute per address.
    fn public_form<H: Handler<T, AppState>, T: 'static>(&mut self, path: &'static str, h: H) {
        self.add(Method::POST, path, Access::Public, post(h));
        if let Some(info) = self.infos.last_mut() {
            info.rate_limited = Some(Ceiling::Public);
        }
    }
    /// A phone joining a competition: its own, higher ceiling.
    fn join_form<H: Handler<T, AppState>, T: 'static>(&mut self, path: &'static str, h: H) {
        self.add(Method::POST, path, Access::Public, post(h));
        if let Some(info) = self.infos.last_mut() {
            info.rate_limited = Some(Ceiling::Join);
        }
    }
    fn put<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &'static str,
        access: Access,
        h: H,
    ) {
        self.add(Method::PUT, path, access, put(h));
    }
    fn delete<H: Handler<T, AppState>, T: 'static>(
        &mut self,
        path: &'static str,
        access: Access,
        h: H,
    ) {
        self.add(Method::DELETE, path, access, delete(h));
    }
}

fn table() -> Table {
    use Access::*;
    let mut t = Table::default();
    t.get("/", Public, pages::home::root);
    t.get("/health", Public, || async { "ok" });
    t.get("/assets/{file}", Public, assets::serve);
    t.get("/login", Public, pages::auth::show);
    t.post("/login", Public, pages::auth::submit);
    t.post("/lang", Public, pages::auth::switch_lang);
    t.post("/logout", Signed, pages::auth::logout);
    t.get("/password", Signed, pages::auth::password_form);
    t.post("/password", Signed, pages::auth::password_submit);

    t.get("/home", Signed, pages::home::home);
    t.get("/tree", Signed, pages::home::tree_page);
    t.get("/search", Signed, pages::home::search);

    t.get("/units/{id}", Unit, pages::units::show);
    t.post("/units/{id}", Unit, pages::units::update);
    t.get("/units/{id}/edit", Unit, pages::units::edit_form);
    t.get("/units/{id}/new", Unit, pages::units::new_form);
    t.post("/units/{id}/children", Unit, pages::units::create);
    t.get("/units/{id}/move", Unit, pages::units::move_form);
    t.post("/units/{id}/move", Unit, pages::units::move_submit);
    t.post("/units/{id}/delete", Unit, pages::units::delete);
    t.post("/units/{id}/export", Unit, pages::units::export);
    t.get("/units/{id}/members/new", Unit, pages::members::new_form);
    t.post("/units/{id}/members", Unit, pages::members::create);

    t.get("/members/{id}", Member, pages::members::show);
    t.post("/members/{id}", Member, pages::members::update);
    t.get("/members/{id}/edit", Member, pages::members::edit_form);
    t.post("/members/{id}/unmask", Member, pages::members::unmask);
    t.get(
        "/members/{id}/transfer",
        Member,
        pages::members::transfer_form,
    );
    t.post("/members/{id}/transfer", Member, pages::members::transfer);
    t.post("/members/{id}/leave", Member, pages::members::leave);

    t.get("/import", Signed, pages::roster::page);
    t.get("/import/template.xlsx", Signed, pages::roster::template);
    t.upload("/import", Signed, pages::roster::upload);
    t.get("/jobs/{id}", Job, pages::roster::job);
    t.get("/jobs/{id}/download", Job, pages::roster::download);

    t.get("/audit", Signed, pages::audit::page);

    t.get("/organs", Signed, pages::organs::list);
    t.post("/organs", Signed, pages::organs::create);
    t.get("/organs/{id}", Organ, pages::organs::show);
    t.post("/organs/{id}", Organ, pages::organs::update);
    t.post("/organs/{id}/delete", Organ, pages::organs::delete);
    t.post("/organs/{id}/people", Organ, pages::organs::add_person);
    t.post(
        "/organs/{id}/people/{sub}/delete",
        OrganPerson,
        pages::organs::remove_person,
    );
    t.post("/organs/{id}/units", Organ, pages::organs::assign);
    t.post(
        "/organs/{id}/units/{sub}/delete",
        OrganUnit,
        pages::organs::unassign,
    );

    t.get("/accounts", Signed, pages::accounts::list);
    t.post("/accounts", Signed, pages::accounts::create);
    t.post("/accounts/{id}/unlock", Account, pages::accounts::unlock);
    t.post("/accounts/{id}/password", Account, pages::accounts::reset);
    t.post("/accounts/{id}/disable", Account, pages::accounts::disable);
    t.post("/accounts/{id}/enable", Account, pages::accounts::enable);
    t.post(
        "/accounts/{id}/slip",
        Account,
        pages::member_accounts::reset,
    );
    t.get(
        "/units/{id}/member-accounts",
        Unit,
        pages::member_accounts::show,
    );
    t.post(
        "/units/{id}/member-accounts",
        Unit,
        pages::member_accounts::issue,
    );
    t.get(
        "/units/{id}/login-slips",
        Unit,
        pages::member_accounts::slips,
    );
    t.get(
        "/units/{id}/login-slips.xlsx",
        Unit,
        pages::member_accounts::slips_workbook,
    );
    t.get("/units/{id}/campaigns", Unit, pages::campaigns::list);
    t.post("/units/{id}/campaigns", Unit, pages::campaigns::create);
    t.get("/campaigns/{id}", Campaign, pages::campaigns::show);
    t.post("/campaigns/{id}", Campaign, pages::campaigns::update);
    t.get("/campaigns/{id}/plans", Campaign, pages::plans::list);
    t.post("/campaigns/{id}/plans", Campaign, pages::plans::create);
    t.get("/plans/{id}", Plan, pages::plans::show);
    t.post("/plans/{id}/versions", Plan, pages::plans::next_version);
    t.post("/plan-versions/{id}", PlanVersion, pages::plans::edit);
    t.post(
        "/plan-versions/{id}/consult",
        PlanVersion,
        pages::plans::consult,
    );
    t.post(
        "/plan-versions/{id}/comments",
        PlanVersion,
        pages::plans::comment,
    );
    t.post(
        "/plan-versions/{id}/publish",
        PlanVersion,
        pages::plans::publish,
    );
    t.post(
        "/plan-comments/{id}/answer",
        PlanComment,
        pages::plans::answer,
    );
    t.get("/units/{id}/contests", Unit, pages::contests::list);
    t.post("/units/{id}/contests", Unit, pages::contests::create);
    t.get("/contests/{id}", Contest, pages::contests::show);
    t.upload("/contests/{id}/entries", Contest, pages::contests::submit);
    t.post("/contests/{id}/forwards", Contest, pages::contests::forward);
    t.post(
        "/contests/{id}/judging",
        Contest,
        pages::contests::start_judging,
    );
    t.post("/contests/{id}/publish", Contest, pages::contests::publish);
    t.post(
        "/contest-entries/{id}/score",
        ContestEntry,
        pages::contests::score,
    );
    t.post(
        "/contest-entries/{id}/withdraw",
        ContestEntry,
        pages::contests::withdraw,
    );
    t.get(
        "/contest-entries/{id}/file",
        ContestEntry,
        pages::contests::file,
    );
    t.get("/api/v1/units/{id}/contests", Unit, api::contests::list);
    t.post("/api/v1/units/{id}/contests", Unit, api::contests::create);
    t.get("/api/v1/contests/{id}", Contest, api::contests::show);
    t.upload(
        "/api/v1/contests/{id}/entries",
        Contest,
        api::contests::submit,
    );
    t.post(
        "/api/v1/contests/{id}/forwards",
        Contest,
        api::contests::forward,
    );
    t.post(
        "/api/v1/contests/{id}/judging",
        Contest,
        api::contests::start_judging,
    );
    t.post(
        "/api/v1/contests/{id}/publish",
        Contest,
        api::contests::publish,
    );
    t.put(
        "/api/v1/contest-entries/{id}/score",
        ContestEntry,
        api::contests::score,
    );
    t.post(
        "/api/v1/contest-entries/{id}/withdraw",
        ContestEntry,
        api::contests::withdraw,
    );
    t.get("/units/{id}/exams", Unit, pages::exams::list);
    t.post("/units/{id}/exams", Unit, pages::exams::create);
    t.get("/exams/{id}", Exam, pages::exams::show);
    t.post("/exams/{id}/makeups", Exam, pages::exams::add_makeups);
    t.get("/exams/{id}/paper", Exam, pages::exams::paper);
    t.post("/exams/{id}/paper", Exam, pages::exams::draw);
    t.get("/exams/{id}/marks", Exam, pages::exams::marks);
    t.post("/exams/{id}/marks", Exam, pages::exams::enter_marks);
    t.post("/exams/{id}/start", Exam, pages::exams::start);
    t.get("/my/exams", Signed, pages::exams::mine);
    t.get("/sittings/{id}", Sitting, pages::exams::sitting);
    t.post("/sittings/{id}/submit", Sitting, pages::exams::submit);
    t.get("/units/{id}/competitions", Unit, pages::competitions::list);
    t.post(
        "/units/{id}/competitions",
        Unit,
        pages::competitions::create,
    );
    t.get("/competitions/{id}", Competition, pages::competitions::show);
    t.get(
        "/competitions/{id}/host",
        Competition,
        pages::competitions::console,
    );
    t.post(
        "/competitions/{id}/host",
        Competition,
        pages::competitions::act,
    );
    t.get(
        "/competitions/{id}/screen",
        Competition,
        pages::competitions::screen,
    );
    t.get(
        "/competitions/{id}/record.xlsx",
        Competition,
        pages::competitions::export,
    );
    t.get("/competitions/{id}/ws", Competition, crate::live::hall);
    t.get("/live", Public, pages::competitions::join_form);
    t.join_form("/live", pages::competitions::join);
    t.get("/live/{id}", Seat, pages::competitions::phone);
    t.get("/live/{id}/ws", Seat, crate::live::phone);
    t.get("/units/{id}/webhook", Unit, pages::webhooks::show);
    t.post("/units/{id}/webhook", Unit, pages::webhooks::set);
    t.post("/units/{id}/webhook/test", Unit, pages::webhooks::test);
    t.get("/campaigns/{id}/rhythm", Campaign, pages::rhythm::show);
    t.post("/campaigns/{id}/rhythm", Campaign, pages::rhythm::configure);
    t.get("/occurrences/{id}", Occurrence, pages::rhythm::occurrence);
    t.post(
        "/occurrences/{id}/dispatch",
        Occurrence,
        pages::rhythm::record_dispatch,
    );
    t.post("/occurrences/{id}/issue", Occurrence, pages::rhythm::issue);
    t.post(
        "/occurrences/{id}/ranking",
        Occurrence,
        pages::rhythm::ranking,
    );
    t.get("/dispatches/{id}", Dispatch, pages::rhythm::dispatch);
    t.post(
        "/decisions/{id}/task",
        Decision,
        pages::rhythm::decision_task,
    );
    t.get("/units/{id}/tasks", Unit, pages::tasks::list);
    t.post("/units/{id}/tasks", Unit, pages::tasks::create);
    t.get(
        "/units/{id}/tasks.xlsx",
        Unit,
        pages::tasks::matrix_workbook,
    );
    t.get("/units/{id}/roadmap", Unit, pages::tasks::roadmap);
    t.get(
        "/units/{id}/schedule.xlsx",
        Unit,
        pages::tasks::schedule_workbook,
    );
    t.get("/tasks/{id}", Task, pages::tasks::show);
    t.post("/tasks/{id}/publish", Task, pages::tasks::publish);
    t.post("/tasks/{id}/comments", Task, pages::tasks::comment);
    t.post("/tasks/{id}/follow", Task, pages::tasks::follow);
    t.get("/my/tasks", Signed, pages::tasks::mine);
    t.get("/assignments/{id}", Assignment, pages::tasks::assignment);
    t.upload("/assignments/{id}/report", Assignment, pages::tasks::report);
    t.post(
        "/assignments/{id}/return",
        Assignment,
        pages::tasks::send_back,
    );
    t.post("/assignments/{id}/extend", Assignment, pages::tasks::extend);
    t.get(
        "/assignments/{id}/evidence",
        Assignment,
        pages::tasks::evidence,
    );
    t.get("/units/{id}/meetings", Unit, pages::meetings::list);
    t.post("/units/{id}/meetings", Unit, pages::meetings::record);
    t.get("/meetings/{id}", Meeting, pages::meetings::show);
    t.post(
        "/meetings/{id}/items/{sub}/done",
        MeetingItem,
        pages::meetings::item_done,
    );
    t.get("/api/v1/units/{id}/meetings", Unit, api::meetings::list);
    t.post("/api/v1/units/{id}/meetings", Unit, api::meetings::record);
    t.get(
        "/api/v1/units/{id}/meetings/held",
        Unit,
        api::meetings::held,
    );
    t.get("/api/v1/meetings/{id}", Meeting, api::meetings::show);
    t.post(
        "/api/v1/meetings/{id}/items/{sub}/done",
        MeetingItem,
        api::meetings::item_done,
    );
    t.get("/api/v1/task-kinds", Signed, api::tasks::kinds);
    t.get("/api/v1/units/{id}/tasks", Unit, api::tasks::list);
    t.post("/api/v1/units/{id}/tasks", Unit, api::tasks::create);
    t.get("/api/v1/units/{id}/task-matrix", Unit, api::tasks::matrix);
    t.get("/api/v1/tasks/{id}", Task, api::tasks::show);
    t.put("/api/v1/tasks/{id}", Task, api::tasks::update);
    t.post("/api/v1/tasks/{id}/publish", Task, api::tasks::publish);
    t.post("/api/v1/tasks/{id}/comments", Task, api::tasks::comment);
    t.post("/api/v1/tasks/{id}/follow", Task, api::tasks::follow);
    t.get("/api/v1/my/tasks", Signed, api::tasks::mine);
    t.get(
        "/api/v1/assignments/{id}",
        Assignment,
        api::tasks::assignment,
    );
    t.upload(
        "/api/v1/assignments/{id}/report",
        Assignment,
        api::tasks::report,
    );
    t.post(
        "/api/v1/assignments/{id}/return",
        Assignment,
        api::tasks::send_back,
    );
    t.post(
        "/api/v1/assignments/{id}/extend",
        Assignment,
        api::tasks::extend,
    );
    t.get("/api/v1/units/{id}/campaigns", Unit, api::campaigns::list);
    t.post("/api/v1/units/{id}/campaigns", Unit, api::campaigns::create);
    t.get(
        "/api/v1/campaign-template",
        Signed,
        api::campaigns::template,
    );
    t.get("/api/v1/campaigns/{id}", Campaign, api::campaigns::show);
    t.put("/api/v1/campaigns/{id}", Campaign, api::campaigns::update);
    t.get("/api/v1/campaigns/{id}/plans", Campaign, api::plans::list);
    t.post("/api/v1/campaigns/{id}/plans", Campaign, api::plans::create);
    t.get("/api/v1/plans/{id}", Plan, api::plans::show);
    t.post(
        "/api/v1/plans/{id}/versions",
        Plan,
        api::plans::next_version,
    );
    t.put("/api/v1/plan-versions/{id}", PlanVersion, api::plans::edit);
    t.post(
        "/api/v1/plan-versions/{id}/consult",
        PlanVersion,
        api::plans::consult,
    );
    t.post(
        "/api/v1/plan-versions/{id}/comments",
        PlanVersion,
        api::plans::comment,
    );
    t.post(
        "/api/v1/plan-versions/{id}/publish",
        PlanVersion,
        api::plans::publish,
    );
    t.post(
        "/api/v1/plan-comments/{id}/answer",
        PlanComment,
        api::plans::answer,
    );
    t.get("/api/v1/units/{id}/exams", Unit, api::exams::list);
    t.post("/api/v1/units/{id}/exams", Unit, api::exams::create);
    t.get("/api/v1/exams/{id}", Exam, api::exams::show);
    t.get("/api/v1/exams/{id}/results", Exam, api::exams::results);
    t.get("/api/v1/exams/{id}/proctor", Exam, api::exams::proctor);
    t.post("/api/v1/exams/{id}/makeups", Exam, api::exams::add_makeups);
    t.get("/api/v1/exams/{id}/paper", Exam, api::exams::printed);
    t.post("/api/v1/exams/{id}/paper", Exam, api::exams::draw);
    t.get("/api/v1/exams/{id}/marks", Exam, api::exams::marks);
    t.post("/api/v1/exams/{id}/marks", Exam, api::exams::enter_marks);
    t.post("/api/v1/exams/{id}/sittings", Exam, api::exams::start);
    t.get("/api/v1/my/exams", Signed, api::exams::mine);
    t.get("/api/v1/sittings/{id}", Sitting, api::exams::sitting);
    t.put("/api/v1/sittings/{id}/answers", Sitting, api::exams::save);
    t.post("/api/v1/sittings/{id}/submit", Sitting, api::exams::submit);
    t.get(
        "/api/v1/units/{id}/competitions",
        Unit,
        api::competitions::list,
    );
    t.post(
        "/api/v1/units/{id}/competitions",
        Unit,
        api::competitions::create,
    );
    t.get(
        "/api/v1/competitions/{id}",
        Competition,
        api::competitions::show,
    );
    t.get(
        "/api/v1/competitions/{id}/record",
        Competition,
        api::competitions::record,
    );
    t.post(
        "/api/v1/competitions/{id}/host",
        Competition,
        api::competitions::act,
    );
    t.join_form("/api/v1/live/join", api::competitions::join);
    t.get("/api/v1/units/{id}/webhook", Unit, api::webhooks::show);
    t.put("/api/v1/units/{id}/webhook", Unit, api::webhooks::set);
    t.post("/api/v1/units/{id}/webhook/test", Unit, api::webhooks::test);
    t.get("/api/v1/campaigns/{id}/rhythm", Campaign, api::rhythm::show);
    t.put(
        "/api/v1/campaigns/{id}/rhythm",
        Campaign,
        api::rhythm::configure,
    );
    t.get(
        "/api/v1/occurrences/{id}",
        Occurrence,
        api::rhythm::occurrence,
    );
    t.post(
        "/api/v1/occurrences/{id}/dispatch",
        Occurrence,
        api::rhythm::dispatch_record,
    );
    t.post(
        "/api/v1/occurrences/{id}/issue",
        Occurrence,
        api::rhythm::issue,
    );
    t.post(
        "/api/v1/occurrences/{id}/ranking",
        Occurrence,
        api::rhythm::ranking,
    );
    t.get("/api/v1/dispatches/{id}", Dispatch, api::rhythm::dispatch);
    t.post(
        "/api/v1/decisions/{id}/task",
        Decision,
        api::rhythm::decision_task,
    );
    t.post(
        "/api/v1/units/{id}/member-accounts",
        Unit,
        api::member_accounts::issue,
    );
    t.get(
        "/api/v1/units/{id}/login-slips",
        Unit,
        api::member_accounts::slips,
    );
    t.post(
        "/api/v1/accounts/{id}/slip",
        Account,
        api::member_accounts::reset,
    );
    t.post(
        "/api/v1/accounts",
        Signed,
        api::member_accounts::create_account,
    );
    t.post(
        "/api/v1/me/password",
        Signed,
        api::member_accounts::change_password,
    );

    t.get("/api/v1/openapi.json", Public, api::openapi::document);
    t.post("/api/v1/session", Public, api::session::login);
    t.delete("/api/v1/session", Signed, api::session::logout);
    t.get("/api/v1/me", Signed, api::session::whoami);
    t.get("/api/v1/units", Signed, api::tree::scope);
    t.get("/api/v1/units/{id}", Unit, api::tree::unit);
    t.put("/api/v1/units/{id}", Unit, api::tree::update_unit);
    t.delete("/api/v1/units/{id}", Unit, api::tree::delete_unit);
    t.get("/api/v1/units/{id}/members", Unit, api::tree::unit_members);
    t.post("/api/v1/units/{id}/children", Unit, api::tree::create_unit);
    t.post("/api/v1/units/{id}/move", Unit, api::tree::move_unit);
    t.post("/api/v1/units/{id}/members", Unit, api::tree::create_member);
    t.post("/api/v1/units/{id}/exports", Unit, api::roster::export);
    t.get("/api/v1/members/{id}", Member, api::tree::member);
    t.put("/api/v1/members/{id}", Member, api::tree::update_member);
    t.post("/api/v1/members/{id}/unmask", Member, api::tree::unmask);
    t.post("/api/v1/members/{id}/transfer", Member, api::tree::transfer);
    t.post("/api/v1/members/{id}/leave", Member, api::tree::leave);
    t.get("/api/v1/search", Signed, api::tree::search);
    t.get("/api/v1/organs", Signed, api::tree::organs);
    t.get("/api/v1/organs/{id}", Organ, api::tree::organ);
    t.get("/api/v1/audit", Signed, api::tree::audit_log);
    t.upload("/api/v1/imports", Signed, api::roster::import);
    t.get("/api/v1/jobs/{id}", Job, api::roster::job);
    t.get("/api/v1/jobs/{id}/download", Job, api::roster::download);

    t.get("/study", Signed, pages::study::page);
    t.post("/study/check-ins", Signed, pages::study::check_in);
    t.post("/study/quiz", Signed, pages::quiz::submit);
    t.post("/study/quiz/start", Signed, pages::quiz::start);
    t.get("/units/{id}/figures", Unit, pages::figures::list);
    t.get("/units/{id}/figures/rows", Unit, pages::figures::rows);
    t.get(
        "/units/{id}/figures/rows.xlsx",
        Unit,
        pages::figures::rows_export,
    );
    t.get("/api/v1/units/{id}/figures", Unit, api::figures::list);
    t.get("/api/v1/units/{id}/figures/rows", Unit, api::figures::rows);
    t.get("/api/v1/units/{id}/overview", Unit, api::figures::overview);
    t.get("/units/{id}/briefings", Unit, pages::briefings::list);
    t.post("/units/{id}/briefings", Unit, pages::briefings::generate);
    t.get("/briefings/{id}", Briefing, pages::briefings::show);
    t.get(
        "/briefings/{id}/document.docx",
        Briefing,
        pages::briefings::document,
    );
    t.post(
        "/briefings/{id}/regenerate",
        Briefing,
        pages::briefings::regenerate,
    );
    t.post(
        "/briefings/{id}/approve",
        Briefing,
        pages::briefings::approve,
    );
    t.post(
        "/briefings/{id}/publish",
        Briefing,
        pages::briefings::publish,
    );
    t.post("/briefings/{id}/reopen", Briefing, pages::briefings::reopen);
    t.get("/units/{id}/review", Unit, pages::briefings::review);
    t.get("/units/{id}/rankings", Unit, pages::rankings::list);
    t.post("/units/{id}/rankings", Unit, pages::rankings::define);
    t.get("/rankings/{id}", Ranking, pages::rankings::show);
    t.get(
        "/rankings/{id}/standing.xlsx",
        Ranking,
        pages::rankings::workbook,
    );
    t.post("/rankings/{id}/delete", Ranking, pages::rankings::delete);
    t.get("/api/v1/units/{id}/rankings", Unit, api::rankings::list);
    t.post("/api/v1/units/{id}/rankings", Unit, api::rankings::define);
    t.get("/api/v1/rankings/{id}", Ranking, api::rankings::show);
    t.delete("/api/v1/rankings/{id}", Ranking, api::rankings::delete);
    t.get(
        "/units/{id}/review.docx",
        Unit,
        pages::briefings::review_document,
    );
    t.get("/api/v1/units/{id}/review", Unit, api::briefings::review);
    t.get("/api/v1/units/{id}/briefings", Unit, api::briefings::list);
    t.post(
        "/api/v1/units/{id}/briefings",
        Unit,
        api::briefings::generate,
    );
    t.get("/api/v1/briefings/{id}", Briefing, api::briefings::show);
    t.post(
        "/api/v1/briefings/{id}/status",
        Briefing,
        api::briefings::step,
    );
    t.post(
        "/api/v1/briefings/{id}/regenerate",
        Briefing,
        api::briefings::regenerate,
    );
    t.get("/units/{id}/study", Unit, pages::study::unit_page);
    t.get("/units/{id}/study/behind.xlsx", Unit, pages::study::behind);
    t.get("/units/{id}/study/members", Unit, pages::study::standing);
    t.get(
        "/units/{id}/study/members.xlsx",
        Unit,
        pages::study::standing_export,
    );
    t.get("/questions", Signed, pages::bank::list);
    t.upload("/questions", Signed, pages::bank::upload);
    t.get("/questions.xlsx", Signed, pages::bank::export);
    t.get("/questions/template.xlsx", Signed, pages::bank::template);
    t.get("/questions/new", Signed, pages::bank::new_form);
    t.post("/questions/add", Signed, pages::bank::add);
    t.get("/questions/{id}", Question, pages::bank::show);
    t.post("/questions/{id}", Question, pages::bank::edit);
    t.post("/questions/{id}/retire", Question, pages::bank::retire);
    t.post("/questions/{id}/restore", Question, pages::bank::restore);
    t.get("/api/v1/questions", Signed, api::bank::list);
    t.post("/api/v1/questions", Signed, api::bank::add);
    t.get("/api/v1/questions/{id}", Question, api::bank::get);
    t.put("/api/v1/questions/{id}", Question, api::bank::edit);
    t.post("/api/v1/questions/{id}/retire", Question, api::bank::retire);
    t.post(
        "/api/v1/questions/{id}/restore",
        Question,
        api::bank::restore,
    );
    t.get("/public/problems/new", Public, pages::public::new_form);
    t.public_form("/public/problems", pages::public::submit);
    t.with_photos(1);
    t.get("/public/problems", Public, pages::public::lookup);
    t.get("/public/problems/{code}", Public, pages::public::follow);
    t.get(
        "/api/v1/public/problems/challenge",
        Public,
        api::public::challenge,
    );
    t.public_form("/api/v1/public/problems", api::public::raise);
    t.get(
        "/api/v1/public/problems/{code}",
        Public,
        api::public::follow,
    );
    t.public_form("/api/v1/public/matters/{id}/ratings", api::public::rate);
    t.get("/api/v1/public/matters", Public, api::public::matters_list);
    t.get("/public/matters", Public, pages::public::matters_page);
    t.post("/api/v1/matters", Signed, api::matters::create);
    t.get("/api/v1/matters/{id}", Matter, api::matters::detail);
    t.post("/api/v1/matters/{id}/claims", Matter, api::matters::claim);
    t.post("/api/v1/matters/{id}/steps", Matter, api::matters::step);
    t.post(
        "/api/v1/matters/{id}/rating-codes",
        Matter,
        api::matters::rating_codes,
    );
    t.post(
        "/api/v1/problems/{code}/triage",
        Signed,
        api::matters::triage,
    );
    t.get("/api/v1/units/{id}/matters", Unit, api::matters::board);
    t.get(
        "/api/v1/units/{id}/matters/figures",
        Unit,
        api::matters::figures,
    );
    t.post(
        "/api/v1/units/{id}/matters/cadence",
        Unit,
        api::matters::cadence,
    );
    t.get("/api/v1/me/matters", Signed, api::matters::mine);
    t.upload("/api/v1/matters/imports", Signed, api::matters::import);
    t.post("/api/v1/matters/fields", Signed, api::matters::add_field);
    t.post("/api/v1/cases", Signed, api::matters::create_round);
    t.get("/api/v1/cases/{id}", CaseRound, api::matters::round);
    t.get("/api/v1/public/matters/{id}", Public, api::public::matter);
    t.get("/api/v1/public/summary", Public, api::public::summary);
    t.get("/api/v1/public/cases/{id}", Public, api::public::case_round);
    t.public_form("/api/v1/public/cases/{id}/votes", api::public::vote);

    t.get("/matters", Signed, pages::matters::start);
    t.get("/my/matters", Signed, pages::matters::mine);
    t.get("/units/{id}/matters", Unit, pages::matters::board);
    t.get("/units/{id}/matters.xlsx", Unit, pages::matters::export);
    t.post("/units/{id}/matters/cadence", Unit, pages::matters::cadence);
    t.get("/units/{id}/matters/new", Unit, pages::matters::new_form);
    t.post("/units/{id}/matters", Unit, pages::matters::create);
    t.upload("/matters/import", Signed, pages::matters::import);
    t.post("/matters/fields", Signed, pages::matters::add_field);
    t.get("/matters/{id}", Matter, pages::matters::show);
    t.post("/matters/{id}/claims", Matter, pages::matters::claim);
    t.post("/matters/{id}/steps", Matter, pages::matters::step);
    t.with_photos(xueshi_app::matters::MAX_STEP_PHOTOS + 1);
    t.get("/matters/{id}/photo", Matter, pages::matters::photo);
    t.post(
        "/matters/{id}/rating-codes",
        Matter,
        pages::matters::rating_codes,
    );
    t.get("/problems", Signed, pages::triage::queue);
    t.post("/problems/triage", Signed, pages::triage::settle);
    t.get("/problems/photo", Signed, pages::triage::photo);
    t.get("/cases", Signed, pages::cases::list);
    t.post("/cases", Signed, pages::cases::create);
    t.get("/cases/{id}", CaseRound, pages::cases::show);
    t.get("/public/matters/{id}", Public, pages::public::matter_page);
    t.public_form("/public/matters/{id}/ratings", pages::public::rate);
    t.get("/public/summary", Public, pages::public::summary);
    t.get("/public/cases", Public, pages::cases::public_list);
    t.get("/public/cases/{id}", Public, pages::cases::public_round);
    t.public_form("/public/cases/{id}/votes", pages::cases::vote);
    t.get("/library", Signed, pages::library::page);
    t.upload("/library", Signed, pages::library::upload);
    t.get("/library.xlsx", Signed, pages::library::export);
    t.get("/library/template.xlsx", Signed, pages::library::template);
    t.get(
        "/library/materials/new",
        Signed,
        pages::library::new_material,
    );
    t.post("/library/materials", Signed, pages::library::add_material);
    t.get(
        "/library/materials/{id}",
        Material,
        pages::library::show_material,
    );
    t.post(
        "/library/materials/{id}",
        Material,
        pages::library::edit_material,
    );
    t.post(
        "/library/materials/{id}/retire",
        Material,
        pages::library::retire_material,
    );
    t.post(
        "/library/materials/{id}/restore",
        Material,
        pages::library::restore_material,
    );
    t.get("/library/history/new", Signed, pages::library::new_history);
    t.post("/library/history", Signed, pages::library::add_history);
    t.get(
        "/library/history/{id}",
        HistoryDay,
        pages::library::show_history,
    );
    t.post(
        "/library/history/{id}",
        HistoryDay,
        pages::library::edit_history,
    );
    t.post(
        "/library/history/{id}/delete",
        HistoryDay,
        pages::library::delete_history,
    );
    t.post(
        "/api/v1/library/materials",
        Signed,
        api::library::add_material,
    );
    t.put(
        "/api/v1/library/materials/{id}",
        Material,
        api::library::edit_material,
    );
    t.post(
        "/api/v1/library/materials/{id}/retire",
        Material,
        api::library::retire_material,
    );
    t.post(
        "/api/v1/library/materials/{id}/restore",
        Material,
        api::library::restore_material,
    );
    t.post("/api/v1/library/history", Signed, api::library::add_history);
    t.put(
        "/api/v1/library/history/{id}",
        HistoryDay,
        api::library::edit_history,
    );
    t.delete(
        "/api/v1/library/history/{id}",
        HistoryDay,
        api::library::delete_history,
    );
    t.get("/api/v1/library", Signed, api::library::list);
    t.upload("/api/v1/library/imports", Signed, api::library::import);
    t.get("/api/v1/study/me", Signed, api::study::me);
    t.post("/api/v1/study/check-ins", Signed, api::study::check_in);
    t.get("/api/v1/quiz/today", Signed, api::quiz::today);
    t.post("/api/v1/quiz/today", Signed, api::quiz::submit);
    t.get("/api/v1/units/{id}/study", Unit, api::study::dashboard);
    t.get(
        "/api/v1/units/{id}/study/compliance",
        Unit,
        api::study::compliance,
    );
    t.upload("/api/v1/questions/imports", Signed, api::bank::import);
    t
}

/// Every route with its method and access, for tests.
pub fn route_table() -> Vec<RouteInfo> {
    table().infos
}

/// The routes, without middleware or state.
pub(crate) fn routes() -> Router<AppState> {
    table()
        .routers
        .into_iter()
        .fold(Router::new(), |r, (path, m)| r.route(path, m))
}
