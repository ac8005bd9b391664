//! The command line on a fresh installation: a hostile workbook given to
//! `xueshi import` is refused, naming the cell, without the process
//! allocating what the file declares; the database it made is private.

use std::process::Command;

use xueshi_testkit::hostile;

fn xueshi(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xueshi"))
        .current_dir(dir)
        .env_remove("XUESHI_DATABASE_URL")
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.join("xueshi.db").display()))
        .args(args)
        .output()
        .expect("runs")
}

#[test]
fn a_hostile_roster_is_refused_by_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let init = xueshi(
        dir.path(),
        &[
            "init",
            "--root-name",
            "中共测试区委员会",
            "--root-code",
            "CS",
        ],
    );
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let headers = ["姓名*", "党员状态*", "所在组织编码*"];
    for (name, bytes, says) in [
        (
            "far.xlsx",
            hostile::far_corner("党员", &headers),
            "第 1048576 行，第 XFD 列",
        ),
        (
            "rows.xlsx",
            hostile::million_rows("党员", &headers),
            "第 999999 行之前连续空行",
        ),
        (
            "sst.xlsx",
            hostile::shared_strings_bomb("党员", &headers),
            "单元格或文字过多",
        ),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = xueshi(dir.path(), &["import", file.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{name} was refused");
        assert!(err.contains(says), "{name}: {err}");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("xueshi.db"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the database is its owner's alone");
}
