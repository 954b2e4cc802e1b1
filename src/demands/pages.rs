//! Demand pages: the public board with its filters and the detail page; the forms, "my demands"
//! and the review queue come from the listing core.

use rocket::form::FromForm;
use rocket::request::FlashMessage;
use rocket::{Route, State, get};
use serde_json::json;

use super::detail::detail_page;
use super::listing::Demands;
use super::store::{Filter, Sort};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::domain::forms::date_text;
use crate::domain::ids::DemandId;
use crate::domain::money::{Fen, Unit};
use crate::domain::taxonomy::CooperationMode;
use crate::domain::time::today_shanghai;
use crate::error::AppError;
use crate::listings::ListingView;
use crate::listings::lifecycle;
use crate::listings::pages::{self as shared, known};
use crate::listings::store;
use crate::web::{Page, choices};

/// The public board's query: filters, sort and page.
#[derive(Debug, Default, FromForm)]
struct BoardQuery<'r> {
    field: Option<&'r str>,
    industry: Option<&'r str>,
    mode: Option<&'r str>,
    region: Option<&'r str>,
    budget: Option<&'r str>,
    sort: Option<&'r str>,
    page: Option<i64>,
}

#[get("/?<query..>")]
async fn index(db: &State<Db>, query: BoardQuery<'_>) -> Result<Page, AppError> {
    let BoardQuery { field, industry, mode, region, budget, sort, page } = query;
    let own = Filter {
        cooperation_mode: known(mode, CooperationMode::from_code),
        min_budget_fen: budget
            .filter(|b| !b.trim().is_empty())
            .and_then(|b| Fen::parse(b, Unit::Wan).ok())
            .map(|f| f.0),
        valid_on: Some(date_text(today_shanghai())),
    };
    let filter = shared::public_filter::<Demands>(field, industry, region, own);
    let sort_order = match sort {
        Some("ending") => Sort::EndingSoon,
        Some("budget") => Sort::BudgetHigh,
        _ => Sort::Newest,
    };
    let (number, offset) = shared::index_page(page);
    let (rows, total) = store::list(db, &filter, sort_order.order(), offset, shared::INDEX_PAGE_SIZE).await?;
    let params = [
        ("field", field),
        ("industry", industry),
        ("mode", mode),
        ("region", region),
        ("budget", budget),
        ("sort", sort),
    ];
    let selected = |v: &Option<String>| v.clone().into_iter().collect::<Vec<_>>();
    let mut filters = shared::common_filter_choices(&filter);
    let modes = choices(
        CooperationMode::ALL,
        CooperationMode::code,
        CooperationMode::label,
        &selected(&filter.own.cooperation_mode),
    );
    filters.insert("modes".into(), modes);
    filters.insert("budget".into(), json!(budget.unwrap_or_default()));
    filters.insert("sort".into(), json!(sort.unwrap_or("newest")));
    let mut data = shared::index_links(number, total, &params);
    data.insert("items".into(), json!(rows.iter().map(|r| Demands::view(r, false)).collect::<Vec<_>>()));
    data.insert("total".into(), json!(total));
    data.insert("filters".into(), filters.into());
    Ok(Page::new("demands/index", "技术需求", data))
}

#[get("/<id>")]
async fn detail(
    id: Result<DemandId, uuid::Error>,
    db: &State<Db>,
    search: &State<crate::search::Search>,
    user: Option<CurrentUser>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let id = lifecycle::known::<Demands>(id)?;
    Ok(detail_page(db, search, user.as_ref(), id, None).await?.with_flash(flash))
}

crate::listing_pages!(Demands);

/// Mounted at `/demands`.
pub fn routes() -> Vec<Route> {
    let mut routes = rocket::routes![index, detail];
    routes.extend(shared_pages::routes());
    routes
}
