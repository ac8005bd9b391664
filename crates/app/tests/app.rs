//! Use-case tests on both databases: the demo district, tallies kept true by
//! every kind of write, and backups that restore without loss.

use xueshi_app::consistency;
use xueshi_app::jobs::Quiet;
use xueshi_app::tree::{self, UnitInput};
use xueshi_app::{AppError, Ctx, members};
use xueshi_domain::member::MemberInput;
use xueshi_domain::unit::UnitKind;
use xueshi_store::units;
use xueshi_testkit::{Db, TestDb, both, district, dump};

async fn root_ctx(app: &xueshi_app::App) -> Ctx {
    let mut c = app.store().read().await.unwrap();
    let root = units::roots(&mut c).await.unwrap().remove(0);
    Ctx::system(&root.path())
}

async fn unit_by_name(app: &xueshi_app::App, ctx: &Ctx, name: &str) -> tree::UnitView {
    tree::search(app, ctx, name, 5)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.name == name)
        .expect(name)
}

both!(
    async fn the_demo_district_has_the_seed_figures_and_true_tallies(db) {
        let (_t, app) = district(db).await;
        let ctx = root_ctx(&app).await;
        let home = tree::overview(&app, &ctx).await.unwrap();
        assert_eq!(home.unit.name, "中共岳阳市云溪区委员会");
        assert_eq!(home.unit.tally.units_grassroots, 534);
        assert_eq!(home.unit.tally.members_total, 11_543);
        assert_eq!(home.unit.tally.members_formal + home.unit.tally.members_probationary, 11_543);
        assert!(consistency::check(&app).await.unwrap().is_empty());
        let organs = xueshi_app::organs::list(&app, &ctx).await.unwrap();
        assert_eq!(organs.len(), 1 + 1 + 7 + 5 + 1 + 5);
        let guidance: Vec<_> = organs.iter().filter(|o| o.name.ends_with("巡回指导组")).collect();
        assert_eq!(guidance.len(), 5);
        assert!(guidance.iter().all(|g| !g.slice.is_empty() && !g.people.is_empty()));
        let lecturers = organs.iter().flat_map(|o| o.people.iter()).filter(|p| p.member_id.is_none()).count();
        assert!(lecturers >= 4, "the lecture team has non-members");
    }
);

both!(
    async fn every_write_keeps_the_tallies_true(db) {
        let (_t, app) = district(db).await;
        let ctx = root_ctx(&app).await;
        let town = unit_by_name(&app, &ctx, "陆城镇党委").await;
        let park = unit_by_name(&app, &ctx, "中共岳阳绿色化工产业园工作委员会").await;
        let input = |code: &str, name: &str, kind: &str| UnitInput {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            sort_order: None,
        };
        let g = tree::create(&app, &ctx, town.id, &input("T-1", "新华村党总支", "党总支")).await.unwrap();
        let b = tree::create(&app, &ctx, g.id, &input("T-2", "新华村第一党支部", "党支部")).await.unwrap();
        let m = members::create(
            &app,
            &ctx,
            b.id,
            &MemberInput { name: "王伟".into(), gender: "男".into(), status: "预备党员".into(), ..Default::default() },
        )
        .await
        .unwrap();
        let before = tree::tally(&app, &ctx, town.id).await.unwrap();
        tree::move_unit(&app, &ctx, g.id, park.id).await.unwrap();
        let after = tree::tally(&app, &ctx, town.id).await.unwrap();
        assert_eq!(before.members_total - after.members_total, 1);
        assert_eq!(before.units_grassroots - after.units_grassroots, 2);
        assert!(consistency::check(&app).await.unwrap().is_empty());

        let branch2 = tree::create(&app, &ctx, g.id, &input("T-3", "新华村第二党支部", "党支部")).await.unwrap();
        members::transfer(&app, &ctx, m.id, branch2.id).await.unwrap();
        tree::update(&app, &ctx, b.id, &input("T-2", "新华村第一党支部", "临时党支部")).await.unwrap();
        members::update(
            &app,
            &ctx,
            m.id,
            &MemberInput { name: "王偉".into(), gender: "男".into(), status: "正式党员".into(), cadre_level: "科级".into(), ..Default::default() },
        )
        .await
        .unwrap();
        assert!(consistency::check(&app).await.unwrap().is_empty());
        // 偉 is found as 伟.
        let found = members::search(&app, &ctx, "王伟", 50).await.unwrap();
        assert!(found.iter().any(|f| f.id == m.id));
        members::leave(&app, &ctx, m.id, "转出").await.unwrap();
        tree::delete(&app, &ctx, b.id).await.unwrap();
        assert!(matches!(tree::delete(&app, &ctx, branch2.id).await, Err(AppError::Invalid(e)) if e[0].code == "unit_has_members"));
        assert!(consistency::check(&app).await.unwrap().is_empty());
        let root = tree::overview(&app, &ctx).await.unwrap();
        assert_eq!(root.unit.tally.members_total, 11_543);
        assert_eq!(root.unit.tally.kind_general_branch, tree::tally(&app, &ctx, root.unit.id).await.unwrap().kind_general_branch);
    }
);

both!(
    async fn a_unit_cannot_move_into_its_own_subtree_or_under_the_wrong_kind(db) {
        let (_t, app) = district(db).await;
        let ctx = root_ctx(&app).await;
        let town = unit_by_name(&app, &ctx, "路口镇党委").await;
        let village = tree::detail(&app, &ctx, town.id).await.unwrap().children.into_iter().find(|c| c.kind == UnitKind::GeneralBranch).unwrap();
        let r = tree::move_unit(&app, &ctx, town.id, village.id).await;
        assert!(matches!(r, Err(AppError::Invalid(e)) if e[0].code == "move_into_own_subtree"));
        let branch = tree::detail(&app, &ctx, village.id).await.unwrap().children.remove(0);
        let r = tree::move_unit(&app, &ctx, village.id, branch.id).await;
        assert!(matches!(r, Err(AppError::Invalid(_))));
        assert!(consistency::check(&app).await.unwrap().is_empty());
    }
);

both!(
    async fn a_backup_restores_into_either_database_without_loss(db) {
        let (t, app) = district(db).await;
        let file = t.dir().join(format!("backup-{}.db", std::process::id() as u64 * 10 + db as u64));
        let _ = std::fs::remove_file(&file);
        xueshi_app::backup::backup(&app, &file, &Quiet).await.unwrap();
        let original = dump(app.store()).await;
        assert!(matches!(xueshi_app::backup::backup(&app, &file, &Quiet).await, Err(AppError::Conflict(_))));
        for target in [Db::Sqlite, Db::Postgres] {
            let fresh = TestDb::new(target).await;
            let store = fresh.store().await;
            xueshi_app::backup::restore(&store, &file, &Quiet).await.unwrap();
            let mut restored = dump(&store).await;
            // The backup's own audit record is the one row written after it.
            let mut want = original.clone();
            want.get_mut("audit_log").unwrap().retain(|l| !l.contains("\"backup\""));
            restored.get_mut("audit_log").unwrap().retain(|l| !l.contains("\"backup\""));
            assert_eq!(restored, want, "restore from {db:?} into {target:?}");
            assert!(matches!(
                xueshi_app::backup::restore(&store, &file, &Quiet).await,
                Err(AppError::Conflict("database_not_empty"))
            ));
        }
        let _ = std::fs::remove_file(&file);
    }
);
