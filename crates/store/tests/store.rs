//! Storage tests, each on SQLite and on PostgreSQL.

use std::collections::HashMap;

use sqlx::Row;
use xueshi_domain::Id;
use xueshi_domain::tally::Tally;
use xueshi_domain::text::{fold, plan_search};
use xueshi_domain::unit::{UnitKind, UnitPath};
use xueshi_store::dialect::{ColumnKind, columns, tables};
use xueshi_store::units::{self, NewUnit};
use xueshi_store::{Backend, Store, grams, tallies};
use xueshi_testkit::{Db, TestDb, both};

async fn add_unit(
    store: &Store,
    id: i64,
    parent: Option<&UnitPath>,
    kind: UnitKind,
    name: &str,
) -> UnitPath {
    let path = match parent {
        Some(p) => p.child(Id(id)),
        None => UnitPath::root(Id(id)),
    };
    let mut tx = store.write().await.unwrap();
    let folded = fold(name);
    units::insert(
        &mut tx,
        &NewUnit {
            id,
            parent_id: parent.map(|p| p.id().0),
            path: path.as_str(),
            depth: path.depth(),
            kind: kind.as_str(),
            code: &format!("U{id}"),
            name,
            name_folded: &folded,
            sort_order: 0,
            now: 1,
        },
    )
    .await
    .unwrap();
    grams::replace(&mut tx, grams::Indexed::Unit, id, &folded)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_end_with_the_same_tables_and_columns() {
    let lite = TestDb::new(Db::Sqlite).await;
    let pg = TestDb::new(Db::Postgres).await;
    let (ls, ps) = (lite.store().await, pg.store().await);
    let mut lc = ls.read().await.unwrap();
    let mut pc = ps.read().await.unwrap();
    let lt = tables(&mut lc, Backend::Sqlite).await.unwrap();
    let pt = tables(&mut pc, Backend::Postgres).await.unwrap();
    assert_eq!(lt, pt);
    assert!(lt.contains(&"units".to_owned()) && lt.contains(&"audit_log".to_owned()));
    for t in &lt {
        let a = columns(&mut lc, Backend::Sqlite, t).await.unwrap();
        let b = columns(&mut pc, Backend::Postgres, t).await.unwrap();
        assert_eq!(a, b, "columns of {t}");
        assert!(!a.is_empty());
    }
    let members = columns(&mut lc, Backend::Sqlite, "members").await.unwrap();
    assert!(
        members
            .iter()
            .any(|c| c.name == "phone_sealed" && c.kind == ColumnKind::Bytes)
    );
}

both!(
    async fn migrations_run_twice_without_harm(db) {
        let t = TestDb::new(db).await;
        let store = t.store().await;
        store.migrate().await.unwrap();
    }
);

both!(
    async fn a_subtree_is_one_range_and_moves_in_one_statement(db) {
        let t = TestDb::new(db).await;
        let store = t.store().await;
        let root = add_unit(&store, 1, None, UnitKind::LocalCommittee, "云溪区委").await;
        let town = add_unit(&store, 2, Some(&root), UnitKind::PartyCommittee, "松杨湖街道党工委").await;
        let village = add_unit(&store, 3, Some(&town), UnitKind::GeneralBranch, "茅岭头社区党总支").await;
        let _branch = add_unit(&store, 4, Some(&village), UnitKind::Branch, "第一党支部").await;
        let park = add_unit(&store, 5, Some(&root), UnitKind::WorkingCommittee, "绿色化工产业园党工委").await;
        let mut c = store.read().await.unwrap();
        assert_eq!(units::count_subtree(&mut c, &town).await.unwrap(), 3);
        assert_eq!(units::count_subtree(&mut c, &root).await.unwrap(), 5);
        drop(c);

        let mut tx = store.write().await.unwrap();
        let moved = units::move_subtree(&mut tx, 3, &village, Some((5, &park)), 2).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(moved, 2);
        let mut c = store.read().await.unwrap();
        assert_eq!(units::count_subtree(&mut c, &town).await.unwrap(), 1);
        assert_eq!(units::count_subtree(&mut c, &park).await.unwrap(), 3);
        let branch = units::get(&mut c, 4).await.unwrap().unwrap();
        assert_eq!(branch.path(), park.child(Id(3)).child(Id(4)));
        assert_eq!(branch.depth, 3);
        let v = units::get(&mut c, 3).await.unwrap().unwrap();
        assert_eq!(v.parent_id, Some(5));
        let subtree: Vec<i64> = units::subtree(&mut c, &park).await.unwrap().iter().map(|u| u.id).collect();
        assert_eq!(subtree, vec![5, 3, 4]);
    }
);

both!(
    async fn names_are_found_by_bigram_and_prefix_within_scope(db) {
        let t = TestDb::new(db).await;
        let store = t.store().await;
        let root = add_unit(&store, 1, None, UnitKind::LocalCommittee, "云溪区委").await;
        let a = add_unit(&store, 2, Some(&root), UnitKind::PartyCommittee, "黨史學習教育辦公室").await;
        let b = add_unit(&store, 3, Some(&root), UnitKind::PartyCommittee, "长岭街道党工委").await;
        let mut c = store.read().await.unwrap();
        let found = units::search(&mut c, &plan_search("党史"), &root, 10).await.unwrap();
        assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>(), vec![2]);
        let found = units::search(&mut c, &plan_search("長嶺"), &root, 10).await.unwrap();
        assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>(), vec![3]);
        let found = units::search(&mut c, &plan_search("长"), &root, 10).await.unwrap();
        assert_eq!(found.iter().map(|u| u.id).collect::<Vec<_>>(), vec![3]);
        assert!(units::search(&mut c, &plan_search("党史"), &b, 10).await.unwrap().is_empty());
        assert_eq!(units::search(&mut c, &plan_search("教育"), &a, 10).await.unwrap().len(), 1);
    }
);

both!(
    async fn tallies_add_up_and_start_at_zero(db) {
        let t = TestDb::new(db).await;
        let store = t.store().await;
        add_unit(&store, 1, None, UnitKind::LocalCommittee, "云溪区委").await;
        let mut deltas = HashMap::new();
        deltas.insert(Id(1), Tally::of_unit(UnitKind::Branch));
        let mut tx = store.write().await.unwrap();
        tallies::add(&mut tx, &deltas).await.unwrap();
        tallies::add(&mut tx, &deltas).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.read().await.unwrap();
        let got = tallies::get(&mut c, 1).await.unwrap();
        assert_eq!((got.units_total, got.kind_branch, got.units_grassroots), (2, 2, 2));
        assert!(tallies::get(&mut c, 999).await.unwrap().is_zero());
    }
);

both!(
    async fn the_audit_log_refuses_changes_and_deletions(db) {
        let t = TestDb::new(db).await;
        let store = t.store().await;
        let row = xueshi_store::audit::AuditRow {
            id: 1,
            at: 1,
            actor_account_id: None,
            actor_name: "cli".into(),
            ip: "127.0.0.1".into(),
            action: "unit.create".into(),
            outcome: "ok".into(),
            object_kind: "unit".into(),
            object_id: Some(1),
            object_label: "x".into(),
            unit_id: None,
            before_json: None,
            after_json: None,
        };
        let mut tx = store.write().await.unwrap();
        xueshi_store::audit::insert(&mut tx, &row).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.read().await.unwrap();
        assert!(sqlx::query("UPDATE audit_log SET actor_name = 'x'").execute(&mut *c).await.is_err());
        assert!(sqlx::query("DELETE FROM audit_log").execute(&mut *c).await.is_err());
        let n: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log").fetch_one(&mut *c).await.unwrap().get(0);
        assert_eq!(n, 1);
    }
);

both!(
    async fn duplicate_codes_are_unique_violations(db) {
        let t = TestDb::new(db).await;
        let store = t.store().await;
        add_unit(&store, 1, None, UnitKind::LocalCommittee, "云溪区委").await;
        let mut tx = store.write().await.unwrap();
        let err = units::insert(
            &mut tx,
            &NewUnit {
                id: 2,
                parent_id: Some(1),
                path: "x",
                depth: 1,
                kind: "branch",
                code: "U1",
                name: "n",
                name_folded: "n",
                sort_order: 0,
                now: 1,
            },
        )
        .await
        .unwrap_err();
        assert!(xueshi_store::is_unique_violation(&err), "{err}");
    }
);

/// A server's SQLite store copies its log into the database file from a task
/// of its own: commits never checkpoint inline, and the file still grows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serving_sqlite_store_checkpoints_in_the_background() {
    use xueshi_store::StoreOptions;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wal.db");
    let open = |background| StoreOptions {
        background_checkpoints: background,
        max_connections: 2,
        ..StoreOptions::new(format!("sqlite://{}", file.display()))
    };
    let size = || std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let store = Store::connect(&open(true)).await.unwrap();
    {
        let mut c = store.read().await.unwrap();
        let every: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
            .fetch_one(&mut *c)
            .await
            .unwrap();
        assert_eq!(every, 0, "commits do not checkpoint inline");
        sqlx::query("CREATE TABLE t (id BIGINT PRIMARY KEY, body TEXT NOT NULL)")
            .execute(&mut *c)
            .await
            .unwrap();
    }
    let before = size();
    for i in 0..200_i64 {
        let mut tx = store.write().await.unwrap();
        sqlx::query("INSERT INTO t (id, body) VALUES ($1, $2)")
            .bind(i)
            .bind("党史学习教育".repeat(100))
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    }
    let mut waited = 0;
    while size() < before + 300_000 && waited < 50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert!(
        size() >= before + 300_000,
        "the rows reached the database file: {} → {}",
        before,
        size()
    );
    store.close().await;
}

both!(
    async fn session_touches_are_written_many_per_statement_and_never_go_back(db) {
        use xueshi_store::{accounts, sessions};
        let t = TestDb::new(db).await;
        let store = t.store().await;
        add_unit(&store, 1, None, UnitKind::LocalCommittee, "云溪区委").await;
        // More sessions than one statement carries on either database.
        let n = 1_201_i64;
        let mut tx = store.write().await.unwrap();
        accounts::insert(
            &mut tx,
            &accounts::NewAccount {
                id: 7,
                username: "member",
                display_name: "党员",
                password_hash: "x",
                role: "member",
                scope_unit_id: 1,
                member_id: None,
                can_unmask: false,
                now: 1,
            },
        )
        .await
        .unwrap();
        for i in 0..n {
            let row = sessions::SessionRow {
                id: 100 + i,
                token_digest: format!("d{i}"),
                account_id: 7,
                csrf_token: "c".into(),
                created_at: 1,
                last_seen_at: 1_000,
                idle_timeout_ms: 60_000,
                expires_at: 1_000_000,
                revoked_at: None,
            };
            sessions::insert(&mut tx, &row, "127.0.0.1", "test").await.unwrap();
        }
        tx.commit().await.unwrap();
        // Every session seen later, except d0, whose value is older than stored.
        let touches: Vec<(i64, i64)> = (0..n).map(|i| (100 + i, if i == 0 { 500 } else { 2_000 + i })).collect();
        let mut tx = store.write().await.unwrap();
        sessions::touch_many(&mut tx, &touches).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.read().await.unwrap();
        assert_eq!(sessions::get(&mut c, "d0").await.unwrap().unwrap().last_seen_at, 1_000);
        assert_eq!(sessions::get(&mut c, "d1").await.unwrap().unwrap().last_seen_at, 2_001);
        assert_eq!(sessions::get(&mut c, "d1200").await.unwrap().unwrap().last_seen_at, 3_200);
        let total: i64 = sqlx::query("SELECT CAST(SUM(last_seen_at) AS BIGINT) FROM session_activity")
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(total, 1_000 + (1..n).map(|i| 2_000 + i).sum::<i64>());
        drop(c);
        // The direct writer (a SQLite file) writes the same way.
        if store.has_direct_writer() {
            let later = vec![(101, 5_000), (102, 1_500)];
            store
                .write_direct(move |tx| sessions::touch_many_direct(tx, &later))
                .await
                .unwrap();
            let mut c = store.read().await.unwrap();
            assert_eq!(sessions::get(&mut c, "d1").await.unwrap().unwrap().last_seen_at, 5_000);
            assert_eq!(sessions::get(&mut c, "d2").await.unwrap().unwrap().last_seen_at, 2_002);
        } else {
            assert_eq!(db, xueshi_testkit::Db::Postgres);
        }
    }
);

both!(
    async fn the_longest_runs_read_the_same_walked_from_the_top_or_from_the_units(db) {
        use xueshi_store::members::{self, NewMember};
        use xueshi_store::quiz::{self, StreakRow};
        let t = TestDb::new(db).await;
        let store = t.store().await;
        let root = add_unit(&store, 1, None, UnitKind::LocalCommittee, "云溪区委").await;
        let town = add_unit(&store, 2, Some(&root), UnitKind::PartyCommittee, "松杨湖街道党工委").await;
        add_unit(&store, 3, Some(&root), UnitKind::PartyCommittee, "陆城镇党委").await;
        let member = |id: i64, unit_id: i64| NewMember {
            id,
            unit_id,
            name: format!("党员{id}"),
            name_folded: format!("党员{id}"),
            gender: "female",
            birth_date: None,
            join_date: None,
            status: "formal",
            cadre_level: "ordinary",
            position: String::new(),
            phone_masked: None,
            phone_sealed: None,
            id_number_masked: None,
            id_number_sealed: None,
            id_number_digest: None,
            now: 1,
        };
        let mut tx = store.write().await.unwrap();
        members::insert_many(&mut tx, (10..40).map(|id| member(id, if id % 2 == 0 { 2 } else { 3 })).collect())
            .await
            .unwrap();
        // Runs 1..30; every third member's run ended before the window.
        let streaks: Vec<StreakRow> = (10..40)
            .map(|id| StreakRow {
                member_id: id,
                last_day: if id % 3 == 0 { "2021-03-01".into() } else { "2021-04-01".into() },
                current_run: id - 9,
                best_run: id - 9,
                quizzes: id - 9,
                correct: 3 * (id - 9),
            })
            .collect();
        quiz::put_streaks(&mut tx, &streaks).await.unwrap();
        tx.commit().await.unwrap();
        let mut c = store.read().await.unwrap();
        let range = town.subtree_range();
        let walked = quiz::top_streaks(&mut c, &range, "2021-03-31", 5, true).await.unwrap();
        let joined = quiz::top_streaks(&mut c, &range, "2021-03-31", 5, false).await.unwrap();
        assert_eq!(walked, joined);
        let ids: Vec<i64> = walked.iter().map(|r| r.0).collect();
        // The town's members (even ids) with runs still going (not a multiple of 3), longest first.
        assert_eq!(ids, vec![38, 34, 32, 28, 26]);
    }
);

/// Brings a database to the schema just before the dialect migration
/// `first_new`: every portable migration, the dialect's older ones.
async fn migrate_before(
    c: &mut sqlx::AnyConnection,
    dialect: sqlx::migrate::Migrator,
    first_new: i64,
) {
    for all in [sqlx::migrate!("./migrations/common"), dialect] {
        let before = sqlx::migrate::Migrator {
            migrations: all
                .migrations
                .iter()
                .filter(|m| m.version < first_new)
                .cloned()
                .collect(),
            ignore_missing: true,
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&mut *c).await.unwrap();
    }
}

/// SQLite's rebuild of the quiz's streak and counter tables (migration
/// 10002) keeps every row, and leaves each row in one tree: no separate
/// key index beside `member_streaks`, `study_daily` keyed by its own key.
#[tokio::test]
async fn rebuilding_the_quiz_tables_on_sqlite_keeps_their_rows() {
    use sqlx::Connection;
    use xueshi_store::StoreOptions;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("old.db").display());
    {
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&format!("{url}?mode=rwc"))
            .await
            .unwrap();
        migrate_before(&mut c, sqlx::migrate!("./migrations/sqlite"), 10002).await;
        for sql in [
            "INSERT INTO units (id, path, depth, kind, code, name, name_folded, created_at, updated_at) \
             VALUES (1, '/1/', 0, 'branch', 'U1', '第一支部', '第一支部', 1, 1)",
            "INSERT INTO members (id, unit_id, name, name_folded, gender, status, cadre_level, created_at, updated_at) \
             VALUES (7, 1, '张三', '张三', 'male', 'formal', 'ordinary', 1, 1), \
                    (8, 1, '李四', '李四', 'female', 'formal', 'ordinary', 1, 1)",
            "INSERT INTO member_streaks (member_id, last_day, current_run, best_run, quizzes, correct) \
             VALUES (7, '2021-06-01', 3, 5, 9, 40), (8, '2021-05-30', 1, 2, 2, 7)",
            "INSERT INTO study_daily (unit_id, day, quiz_takers, quiz_correct, quiz_questions, check_ins, study_minutes) \
             VALUES (1, '2021-06-01', 2, 9, 10, 1, 60)",
        ] {
            sqlx::query(sql).execute(&mut c).await.unwrap();
        }
        c.close().await.unwrap();
    }
    let store = Store::connect(&StoreOptions::new(url)).await.unwrap();
    store.migrate().await.unwrap();
    let mut c = store.read().await.unwrap();
    let streaks: Vec<(i64, String, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT member_id, last_day, current_run, best_run, quizzes, correct FROM member_streaks ORDER BY member_id",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    assert_eq!(
        streaks,
        vec![
            (7, "2021-06-01".into(), 3, 5, 9, 40),
            (8, "2021-05-30".into(), 1, 2, 2, 7)
        ]
    );
    let daily: Vec<(i64, String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT unit_id, day, quiz_takers, quiz_correct, quiz_questions, check_ins, study_minutes FROM study_daily",
    )
    .fetch_all(&mut *c)
    .await
    .unwrap();
    assert_eq!(daily, vec![(1, "2021-06-01".into(), 2, 9, 10, 1, 60)]);
    let indexes: Vec<String> =
        sqlx::query_scalar("SELECT name FROM pragma_index_list('member_streaks') ORDER BY name")
            .fetch_all(&mut *c)
            .await
            .unwrap();
    assert_eq!(indexes, vec!["member_streaks_run".to_owned()]);
    let keyed: String =
        sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = 'study_daily'")
            .fetch_one(&mut *c)
            .await
            .unwrap();
    assert!(keyed.contains("WITHOUT ROWID"), "{keyed}");
    drop(c);
    store.close().await;
}

both!(
    async fn sessions_from_before_the_activity_table_keep_when_they_were_last_seen(db) {
        use sqlx::Connection;
        use xueshi_store::sessions;
        let t = TestDb::new(db).await;
        sqlx::any::install_default_drivers();
        {
            let url = match db {
                Db::Sqlite => format!("{}?mode=rwc", t.url),
                Db::Postgres => t.url.clone(),
            };
            let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
            let (dialect, first_new) = match db {
                Db::Sqlite => (sqlx::migrate!("./migrations/sqlite"), 10003),
                Db::Postgres => (sqlx::migrate!("./migrations/pg"), 20002),
            };
            migrate_before(&mut c, dialect, first_new).await;
            for sql in [
                "INSERT INTO units (id, path, depth, kind, code, name, name_folded, created_at, updated_at) \
                 VALUES (1, '/1/', 0, 'branch', 'U1', '第一支部', '第一支部', 1, 1)",
                "INSERT INTO accounts (id, username, display_name, password_hash, role, scope_unit_id, locale, \
                 failed_logins, created_at, updated_at) VALUES (7, 'm', '党员', 'x', 'member', 1, 'zh-CN', 0, 1, 1)",
                "INSERT INTO sessions (token_digest, account_id, csrf_token, created_at, last_seen_at, idle_timeout_ms, \
                 expires_at, ip, user_agent) VALUES ('old', 7, 'c1', 1, 5000, 60000, 9000000, '127.0.0.1', 'phone'), \
                 ('idle', 7, 'c2', 2, 3000, 1000, 9000000, '127.0.0.1', 'phone')",
            ] {
                sqlx::query(sql).execute(&mut c).await.unwrap();
            }
            c.close().await.unwrap();
        }
        let store = t.store().await;
        let mut c = store.read().await.unwrap();
        let old = sessions::get(&mut c, "old").await.unwrap().unwrap();
        let idle = sessions::get(&mut c, "idle").await.unwrap().unwrap();
        assert_eq!((old.last_seen_at, old.csrf_token.as_str()), (5_000, "c1"));
        assert_eq!((idle.last_seen_at, idle.csrf_token.as_str()), (3_000, "c2"));
        assert_ne!(old.id, idle.id);
        drop(c);
        // Touches reach the migrated rows; a session idle for a day goes,
        // with its activity.
        let mut tx = store.write().await.unwrap();
        sessions::touch_many(&mut tx, &[(old.id, 90_000_000)]).await.unwrap();
        assert_eq!(sessions::purge(&mut tx, 90_000_000).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let mut c = store.read().await.unwrap();
        assert_eq!(sessions::get(&mut c, "old").await.unwrap().unwrap().last_seen_at, 90_000_000);
        assert!(sessions::get(&mut c, "idle").await.unwrap().is_none());
        let activity: i64 = sqlx::query("SELECT COUNT(*) FROM session_activity")
            .fetch_one(&mut *c)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(activity, 1);
        drop(c);
        store.close().await;
    }
);

both!(
    async fn statistics_are_taken_again_after_a_bulk_load(db) {
        let t = TestDb::new(db).await;
        let store = t.store().await;
        let mut c = store.read().await.unwrap();
        sqlx::query("CREATE TABLE bulk (id BIGINT PRIMARY KEY, unit_id BIGINT NOT NULL)")
            .execute(&mut *c)
            .await
            .unwrap();
        sqlx::query("CREATE INDEX bulk_unit ON bulk (unit_id)").execute(&mut *c).await.unwrap();
        xueshi_store::dialect::analyze(&mut c).await.unwrap();
        drop(c);
        let mut tx = store.write().await.unwrap();
        for i in 0..5_000_i64 {
            sqlx::query("INSERT INTO bulk (id, unit_id) VALUES ($1, $2)")
                .bind(i)
                .bind(i % 40)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let mut c = store.read().await.unwrap();
        xueshi_store::dialect::optimize(&mut c, store.backend()).await.unwrap();
        let measured: f64 = match store.backend() {
            Backend::Postgres => sqlx::query_scalar(
                "SELECT CAST(reltuples AS DOUBLE PRECISION) FROM pg_class WHERE oid = CAST('bulk' AS regclass)",
            )
            .fetch_one(&mut *c)
            .await
            .unwrap(),
            Backend::Sqlite => {
                let stat: String =
                    sqlx::query_scalar("SELECT stat FROM sqlite_stat1 WHERE idx = 'bulk_unit'")
                        .fetch_one(&mut *c)
                        .await
                        .unwrap();
                stat.split(' ').next().unwrap().parse().unwrap()
            }
        };
        assert_eq!(measured, 5_000.0, "the planner knows the table's 5,000 rows");
    }
);
