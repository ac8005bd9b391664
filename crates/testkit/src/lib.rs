//! Test support: fresh databases, the both-databases macro, and the TestApp
//! that runs the real server on a port.

pub mod browser;
pub mod db;
pub mod hostile;
pub mod people;
pub mod server;

pub use browser::Browser;
pub use db::{Db, TestDb, dump, dump_data, without_refusals};
pub use server::{Client, TestApp, csrf_of};

use xueshi_app::{App, Clock, Settings, Vault};

/// An app over a fresh database, with a clock the test can wind forward.
pub async fn app(db: Db) -> (TestDb, App) {
    let t = TestDb::new(db).await;
    let store = t.store().await;
    let app = App::new(
        store,
        Clock::system(),
        Vault::new(&[7; 32]),
        Settings::default(),
    );
    (t, app)
}

/// An app over a fresh database holding the district demo (seed 2021),
/// without the members' study history (see `district_studying`).
pub async fn district(db: Db) -> (TestDb, App) {
    district_with(db, false).await
}

/// The district demo as `xueshi serve --demo` makes it, two weeks of study
/// included.
pub async fn district_studying(db: Db) -> (TestDb, App) {
    district_with(db, true).await
}

async fn district_with(db: Db, history: bool) -> (TestDb, App) {
    let (t, app) = app(db).await;
    xueshi_demo::build_with(
        &app,
        xueshi_demo::Scale::District,
        2021,
        history,
        &xueshi_app::jobs::Quiet,
    )
    .await
    .expect("demo builds");
    (t, app)
}
