//! Assembles the application: settings, database, templates, fairings, every feature's routes.
//! `build` is the one entry point `main` and the tests share.

use rocket::figment::Figment;
use rocket::shield::Shield;
use rocket::{Build, Rocket};

use crate::auth::gate::{self, Gate};
use crate::auth::password::PasswordHasher;
use crate::auth::throttle::{LoginThrottle, OpenDataThrottle, WriteThrottle};
use crate::config::{self, ConfigError, Settings};
use crate::db::{Db, DbError};
use crate::search::Search;
use crate::web::request_id::{RequestIds, traced};
use crate::web::{Site, Templates, assets, catchers, headers::SecurityHeaders};

/// Why the application could not start. Each message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Database(#[from] DbError),
    #[error("页面模板有误：{0}")]
    Templates(#[from] Box<handlebars::TemplateError>),
    #[error("{0}")]
    Search(#[from] crate::search::generation::IndexError),
    #[error("邮件设置有误：{0}")]
    Mail(String),
    #[error("无法创建目录 {path}：{source}")]
    Directory { path: String, source: std::io::Error },
}

/// Everything a running instance holds, ready to launch (or to drive from tests).
pub struct App {
    pub rocket: Rocket<Build>,
    pub db: Db,
    pub settings: Settings,
    pub search: Search,
}

/// Reads and checks the configuration, opens and migrates the database, loads templates and
/// mounts every route.
pub async fn build(figment: Figment) -> Result<App, StartError> {
    let (figment, settings) = config::load(figment)?;
    std::fs::create_dir_all(&settings.index_dir)
        .map_err(|source| StartError::Directory { path: settings.index_dir.display().to_string(), source })?;
    let db = Db::open(&settings.database_url, settings.db_max_connections).await?;
    let figment = if config::has_secret_key(&figment) {
        figment
    } else {
        let key = crate::db::shared_secret(&db, "cookie_key", config::new_secret).await.map_err(DbError::Query)?;
        tracing::info!("secret_key is not configured: using the key kept in the shared database");
        figment.merge(("secret_key", key))
    };
    let search = Search::start(&db, &settings.index_dir).await?;
    let templates = Templates::load().map_err(Box::new)?;
    let site = Site::new(&settings.district_name, &settings.region_code);
    let throttle = LoginThrottle::new(&settings.auth, db.backend());
    let write_throttle = WriteThrottle::new(settings.auth.writes_per_minute, db.backend());
    let open_throttle = OpenDataThrottle::new(settings.auth.open_data_per_minute, db.backend());
    let mailer = crate::auth::mail::Mailer::new(&settings.mail).map_err(StartError::Mail)?;
    let rocket = rocket::custom(figment)
        .manage(db.clone())
        .manage(search.clone())
        .manage(settings.clone())
        .manage(site)
        .manage(templates)
        .manage(PasswordHasher::default())
        .manage(throttle)
        .manage(write_throttle)
        .manage(open_throttle)
        .manage(mailer)
        .manage(crate::trading::auctions::live::Hub::default())
        // An attached Shield replaces Rocket's default one; ours sets every header itself.
        .attach(Shield::new())
        .attach(RequestIds)
        .attach(SecurityHeaders)
        .attach(Gate)
        .attach(crate::inbox::unread::UnreadCount)
        .attach(crate::jobs::BackgroundJobs)
        .mount("/", traced(crate::home::routes()))
        .mount("/", traced(crate::auth::pages::routes()))
        .mount("/", traced(gate::routes()))
        .mount("/password", traced(crate::auth::reset_pages::routes()))
        .mount("/", traced(crate::auth::drafts::routes()))
        .mount("/admin", traced(crate::admin::routes()))
        .mount("/admin/calendar", traced(crate::calendar::routes::pages()))
        .mount("/achievements", traced(crate::achievements::pages::routes()))
        .mount("/demands", traced(crate::demands::pages::routes()))
        .mount("/challenges", traced(crate::demands::challenge::pages::routes()))
        .mount("/contacts", traced(crate::listings::contact_pages::routes()))
        .mount("/inbox", traced(crate::inbox::pages::routes()))
        .mount("/webhooks", traced(crate::webhooks::pages::routes()))
        .mount("/deals", traced(crate::deals::pages::routes()))
        .mount("/deals", traced(crate::deals::meetings::pages::routes()))
        .mount("/broker", traced(crate::deals::workspace::routes()))
        .mount("/salons", traced(crate::salons::pages::routes()))
        .mount("/notices", traced(crate::trading::notices::pages::routes()))
        .mount("/offerings", traced(crate::trading::offerings::pages::routes()))
        .mount("/auctions", traced(crate::trading::auctions::pages::routes()))
        .mount("/achievements", traced(crate::trading::appraisal_routes::pages()))
        .mount("/contracts", traced(crate::contracts::pages::routes()))
        .mount("/contracts/history", traced(crate::contracts::history::pages::routes()))
        .mount("/imports", traced(crate::imports::pages::routes()))
        .mount("/duplicates", traced(crate::duplicates::pages::routes()))
        .mount("/stats", traced(crate::stats::pages::routes()))
        .mount("/campaigns", traced(crate::campaigns::pages::routes()))
        .mount("/saved-searches", traced(crate::saved_searches::pages::routes()))
        .mount("/open-data", traced(crate::opendata::pages::routes()))
        .mount("/feeds", traced(crate::opendata::feeds::routes()))
        .mount("/", traced(crate::search::pages::routes()))
        .mount("/static", traced(assets::routes()))
        .mount("/api/v1", traced(crate::health::routes()))
        .mount("/api/v1", traced(crate::openapi::routes()))
        .mount("/api/v1", traced(crate::auth::api::routes()))
        .mount("/api/v1", traced(crate::achievements::api::routes()))
        .mount("/api/v1", traced(crate::demands::api::routes()))
        .mount("/api/v1", traced(crate::demands::challenge::api::routes()))
        .mount("/api/v1", traced(crate::contracts::api::routes()))
        .mount("/api/v1", traced(crate::deals::api::routes()))
        .mount("/api/v1", traced(crate::inbox::api::routes()))
        .mount("/api/v1", traced(crate::deals::meetings::api::routes()))
        .mount("/api/v1", traced(crate::salons::api::routes()))
        .mount("/api/v1", traced(crate::trading::notices::api::routes()))
        .mount("/api/v1", traced(crate::trading::offerings::api::routes()))
        .mount("/api/v1", traced(crate::trading::auctions::api::routes()))
        .mount("/api/v1", traced(crate::trading::appraisal_routes::api()))
        .mount("/api/v1", traced(crate::webhooks::api::routes()))
        .mount("/api/v1", traced(crate::matching::api::routes()))
        .mount("/api/v1", traced(crate::contracts::history::pages::api()))
        .mount("/api/v1", traced(crate::imports::api::routes()))
        .mount("/api/v1", traced(crate::stats::api::routes()))
        .mount("/api/v1", traced(crate::calendar::routes::api()))
        .mount("/api/v1", traced(crate::search::api::routes()))
        .mount("/api/v1", traced(crate::opendata::api::routes()))
        .mount("/api/v1", traced(crate::campaigns::api::routes()))
        .mount("/api/v1", traced(crate::saved_searches::api::routes()))
        .mount("/api/v1", traced(gate::routes()))
        .register("/", catchers::all());
    Ok(App { rocket, db, settings, search })
}
