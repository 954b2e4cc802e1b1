//! The test harness: a fresh app on a fresh database (a temp SQLite file, or a new PostgreSQL
//! database when `TEST_DATABASE_URL` is set) for every test, driven through Rocket's client.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::Path;

use futures::FutureExt as _;
use rocket::figment::Figment;
use rocket::http::{ContentType, Header};
use rocket::local::asynchronous::{Client, LocalResponse};
use sqlx::Executor as _;
use techmarket::config;
use techmarket::db::{Backend, Db};
use techmarket::search::Search;
use tempfile::TempDir;

/// One running app and what it stands on.
pub struct TestApp {
    pub client: Client,
    pub db: Db,
    pub search: Search,
    pub dir: TempDir,
    pub database_url: String,
    figment: Figment,
}

/// The PostgreSQL server URL for the suite's second run, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.trim().is_empty())
}

/// `base` with its database name replaced by `name`.
pub fn with_database(base: &str, name: &str) -> String {
    let (without_query, query) = match base.split_once('?') {
        Some((url, query)) => (url, format!("?{query}")),
        None => (base, String::new()),
    };
    let scheme_end = without_query.find("://").map(|i| i + 3).unwrap_or(0);
    let prefix = match without_query[scheme_end..].find('/') {
        Some(slash) => &without_query[..scheme_end + slash],
        None => without_query,
    };
    format!("{prefix}/{name}{query}")
}

async fn create_postgres_database(base: &str) -> (String, String) {
    let name = format!("tm_test_{}", uuid::Uuid::now_v7().simple());
    let admin = Db::connect(base, 1).await.expect("connect to TEST_DATABASE_URL");
    admin.pool().execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create test database");
    admin.close().await;
    (with_database(base, &name), name)
}

async fn drop_postgres_database(base: &str, name: &str) {
    if let Ok(admin) = Db::connect(base, 1).await {
        let _ = admin.pool().execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await;
        admin.close().await;
    }
}

/// The settings of a test instance: isolated from `Rocket.toml` and the environment.
pub fn test_figment(dir: &Path, database_url: &str) -> Figment {
    config::figment_isolated()
        .merge(("database_url", database_url))
        .merge(("data_dir", dir.join("data")))
        .merge(("index_dir", dir.join("index")))
        .merge(("log_level", "off"))
        .merge(("writes_per_minute", 100_000))
        .merge(("cli_colors", false))
        .merge(("background_jobs", false))
}

impl TestApp {
    /// Starts an app on `database_url` (a fresh SQLite file when `None`) with extra settings
    /// merged over the test defaults.
    pub async fn start_with(database_url: Option<String>, tweak: impl FnOnce(Figment) -> Figment) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url =
            database_url.unwrap_or_else(|| config::sqlite_url_for(&dir.path().join("data").join("test.db")));
        let figment = tweak(test_figment(dir.path(), &database_url));
        let app = techmarket::app::build(figment.clone()).await.expect("app builds");
        let (db, search) = (app.db.clone(), app.search.clone());
        let client =
            Client::tracked(app.rocket.attach(crate::conformance::MatchesTheDocument)).await.expect("rocket ignites");
        TestApp { client, db, search, dir, database_url, figment }
    }

    /// Another instance of the app on the same database and settings, with its own cookie jar:
    /// another browser, or another app process behind a load balancer (with its own index
    /// replica, as every node keeps one).
    pub async fn another_client(&self) -> Client {
        let replica = self.dir.path().join(format!("index-{}", uuid::Uuid::now_v7().simple()));
        let app = techmarket::app::build(self.figment.clone().merge(("index_dir", replica))).await.expect("app builds");
        Client::tracked(app.rocket.attach(crate::conformance::MatchesTheDocument)).await.expect("rocket ignites")
    }

    /// Stops this instance (its indexer released), runs `between` on the database as if
    /// nothing were serving, and starts it again on the same database, data and index
    /// directories: a process restart.
    pub async fn stop_then<F, Fut>(self, between: F) -> TestApp
    where
        F: FnOnce(Db) -> Fut,
        Fut: Future<Output = ()>,
    {
        let TestApp { client, db, search, dir, database_url, figment } = self;
        search.shutdown().await;
        drop(client);
        drop(search);
        between(db.clone()).await;
        let app = techmarket::app::build(figment.clone()).await.expect("app restarts");
        let search = app.search.clone();
        let client =
            Client::tracked(app.rocket.attach(crate::conformance::MatchesTheDocument)).await.expect("rocket ignites");
        TestApp { client, db, search, dir, database_url, figment }
    }

    /// Waits until every committed change is searchable.
    pub async fn searchable(&self) {
        let caught = self.search.catch_up(&self.db, std::time::Duration::from_secs(10)).await.expect("outbox");
        assert!(caught, "the index caught up with the outbox");
    }

    pub async fn get(&self, uri: &str) -> LocalResponse<'_> {
        self.client.get(uri.to_string()).dispatch().await
    }

    pub async fn get_with(&self, uri: &str, header: Header<'static>) -> LocalResponse<'_> {
        self.client.get(uri.to_string()).header(header).dispatch().await
    }

    pub async fn post_json(&self, uri: &str, body: &str) -> LocalResponse<'_> {
        self.client.post(uri.to_string()).header(ContentType::JSON).body(body).dispatch().await
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }
}

/// Runs `test` against a fresh app on SQLite with extra settings.
pub async fn run_sqlite_with<F, Fut>(tweak: fn(Figment) -> Figment, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let app = TestApp::start_with(None, tweak).await;
    test(app).await;
}

/// Runs `test` against a fresh app on SQLite.
pub async fn run_sqlite<F, Fut>(test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let app = TestApp::start_with(None, |f| f).await;
    test(app).await;
}

/// Runs `test` against a fresh app on a fresh PostgreSQL database, dropped afterwards even when
/// the test fails. Without `TEST_DATABASE_URL` there is no server to test against: says so.
pub async fn run_postgres<F, Fut>(name: &str, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    run_postgres_with(name, |f| f, test).await;
}

/// [`run_postgres`] with extra settings.
pub async fn run_postgres_with<F, Fut>(name: &str, tweak: fn(Figment) -> Figment, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(base) = postgres_url() else {
        eprintln!("{name}: TEST_DATABASE_URL is not set; the PostgreSQL run of this test is skipped");
        return;
    };
    let (url, db_name) = create_postgres_database(&base).await;
    let outcome = AssertUnwindSafe(async {
        let app = TestApp::start_with(Some(url), tweak).await;
        let pool = app.db.clone();
        test(app).await;
        pool.close().await;
    })
    .catch_unwind()
    .await;
    drop_postgres_database(&base, &db_name).await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Declares each listed `async fn(TestApp)` as two tests: `sqlite::<name>` and `postgres::<name>`;
/// without `TEST_DATABASE_URL` at build time the PostgreSQL ones are reported as ignored.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[rocket::async_test]
                async fn $name() {
                    $crate::support::run_sqlite(super::$name).await;
                }
            )+
        }
        mod postgres {
            $(
                #[rocket::async_test]
                #[cfg_attr(not(postgres_tests), ignore = "runs only with TEST_DATABASE_URL (a PostgreSQL server)")]
                async fn $name() {
                    $crate::support::run_postgres(stringify!($name), super::$name).await;
                }
            )+
        }
    };
}

/// Whether `text` contains Han characters (a page or message is in Chinese).
pub fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(with_database("postgres://u@h:5432/base", "x"), "postgres://u@h:5432/x");
    assert_eq!(with_database("postgres://u@h:5432/base?sslmode=disable", "x"), "postgres://u@h:5432/x?sslmode=disable");
    assert_eq!(with_database("postgres://u@h:5432", "x"), "postgres://u@h:5432/x");
}
