//! The home page: what the platform is for, live counts from the database, and the year's goal.

mod store;

use crate::achievements::listing::Achievements;
use crate::listings::ListingView;
use crate::listings::store::{self as listing_store, ListFilter};
use rocket::{Route, State, get, routes};
use serde::Serialize;

use crate::config::Settings;
use crate::db::Db;
use crate::domain::org::OrganisationKind;
use crate::domain::time::today_shanghai;
use crate::error::AppError;
use crate::stats::store::{Basis, Side};
use crate::web::Page;

#[derive(Serialize)]
struct KindCount {
    code: &'static str,
    label: &'static str,
    count: i64,
}

/// This Beijing year's goal and how far registered contracts have come.
#[derive(Serialize)]
struct GoalView {
    year: i32,
    amount: i64,
    basis: &'static str,
    /// Which party counts, without brackets (the template puts it in one pair).
    side: &'static str,
    so_far: i64,
    progress: String,
    progress_bp: i64,
}

#[derive(Serialize)]
struct HomeView {
    achievements: i64,
    demands: i64,
    latest: Vec<serde_json::Value>,
    organisations: Vec<KindCount>,
    organisation_total: i64,
    active_users: i64,
    goal: GoalView,
}

#[get("/")]
async fn index(db: &State<Db>, settings: &State<Settings>) -> Result<Page, AppError> {
    let counts = store::counts(db).await?;
    let organisations: Vec<KindCount> = OrganisationKind::ALL
        .iter()
        .map(|kind| KindCount {
            code: kind.code(),
            label: kind.label(),
            count: counts.by_kind.get(kind.code()).copied().unwrap_or(0),
        })
        .collect();
    let today = today_shanghai();
    let (goal, so_far, progress_bp) = crate::stats::report::progress(db, settings, today.year(), today).await?;
    let filter = ListFilter::<Achievements> {
        statuses: vec![crate::achievements::model::Status::Published],
        ..ListFilter::default()
    };
    let (latest, _) = listing_store::list(db, &filter, &listing_store::newest::<Achievements>(), 0, 6).await?;
    let view = HomeView {
        achievements: listing_store::count_public::<Achievements>(db).await?,
        demands: store::open_demands(db).await?,
        latest: latest.iter().map(|row| serde_json::json!(Achievements::view(row, false))).collect(),
        organisation_total: organisations.iter().map(|k| k.count).sum(),
        organisations,
        active_users: counts.active_users,
        goal: GoalView {
            year: today.year(),
            amount: goal.amount.0,
            basis: match goal.basis {
                Basis::Turnover => "技术合同成交额",
                Basis::TechnologyValue => "技术交易额",
            },
            side: match goal.side {
                Side::Output => "输出：卖方在本区",
                Side::Absorb => "吸纳：买方在本区",
            },
            so_far,
            progress: crate::stats::goal::percent_text(progress_bp),
            progress_bp: progress_bp.clamp(0, 10_000),
        },
    };
    Ok(Page::new("home/index", "首页", view))
}

pub fn routes() -> Vec<Route> {
    routes![index]
}
