//! The home page: what the platform is for, live counts from the database, and the year's goal.

mod store;

use crate::achievements::listing::Achievements;
use crate::listings::ListingView;
use crate::listings::store::{self as listing_store, ListFilter};
use rocket::{Route, State, get, routes};
use serde::Serialize;

use crate::config::{GoalBasis, GoalSide, Settings};
use crate::db::Db;
use crate::domain::org::OrganisationKind;
use crate::error::AppError;
use crate::web::Page;

#[derive(Serialize)]
struct KindCount {
    code: &'static str,
    label: &'static str,
    count: i64,
}

#[derive(Serialize)]
struct GoalView {
    year: i32,
    amount: i64,
    basis: &'static str,
    side: &'static str,
    baseline_year: i32,
    baseline_amount: i64,
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
    let goal = &settings.goal;
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
            year: goal.year,
            amount: goal.amount.0,
            basis: match goal.basis {
                GoalBasis::Turnover => "技术合同成交额",
                GoalBasis::TechnologyValue => "技术交易额",
            },
            side: match goal.side {
                GoalSide::Output => "输出（卖方在本区）",
                GoalSide::Absorb => "吸纳（买方在本区）",
            },
            baseline_year: goal.baseline_year,
            baseline_amount: goal.baseline_amount.0,
        },
    };
    Ok(Page::new("home/index", "首页", view))
}

pub fn routes() -> Vec<Route> {
    routes![index]
}
