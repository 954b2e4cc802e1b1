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
use crate::listings::public::{INDEX_PAGE_SIZE, PublicQuery, common_filter_choices, known};
use crate::listings::store;
use crate::web::{Page, choices};

/// The board's own filters (beside the shared [`PublicQuery`]).
#[derive(Debug, Default, FromForm)]
struct BoardFilters<'r> {
    mode: Option<&'r str>,
    budget: Option<&'r str>,
}

#[get("/?<own..>")]
async fn index(db: &State<Db>, query: PublicQuery, own: BoardFilters<'_>) -> Result<Page, AppError> {
    let budget = own.budget.filter(|b| !b.trim().is_empty()).and_then(|b| Fen::parse(b, Unit::Wan).ok());
    let filter = query.filter::<Demands>(Filter {
        cooperation_mode: known(own.mode, CooperationMode::from_code),
        min_budget_fen: budget.map(|f| f.0),
        valid_on: Some(date_text(today_shanghai())),
    });
    let sort = match query.sort() {
        "ending" => Sort::EndingSoon,
        "budget" => Sort::BudgetHigh,
        _ => Sort::Newest,
    };
    let page = query.page();
    let (rows, total) = store::list(db, &filter, sort.order(), page.offset, INDEX_PAGE_SIZE).await?;
    let selected = |v: &Option<String>| v.clone().into_iter().collect::<Vec<_>>();
    let mut filters = common_filter_choices(&filter);
    let modes = choices(
        CooperationMode::ALL,
        CooperationMode::code,
        CooperationMode::label,
        &selected(&filter.own.cooperation_mode),
    );
    filters.insert("modes".into(), modes);
    filters.insert("budget".into(), json!(own.budget.unwrap_or_default()));
    filters.insert("sort".into(), json!(query.sort()));
    let mut data = query.paging(&page, total, &[("mode", own.mode), ("budget", own.budget)]);
    data.insert("items".into(), json!(rows.iter().map(|r| Demands::view(r, false)).collect::<Vec<_>>()));
    data.insert("filters".into(), filters.into());
    let mut problems = query.problems(&["newest", "ending", "budget"]);
    problems.code("合作方式", own.mode, CooperationMode::from_code);
    problems.amount("预算", own.budget);
    Ok(problems.answer(Page::new("demands/index", "技术需求", data), page.number, total))
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
