//! Achievement pages: the public library with its filters and the detail page; the forms, "my
//! listings" and the review queue come from the listing core.

use rocket::form::FromForm;
use rocket::request::FlashMessage;
use rocket::{Route, State, get};
use serde_json::json;

use super::listing::Achievements;
use super::store::{Filter, Sort};
use crate::auth::CurrentUser;
use crate::db::Db;
use crate::domain::account::AccountStatus;
use crate::domain::ids::AchievementId;
use crate::domain::money::{Fen, Unit};
use crate::domain::taxonomy::{PricingRoute, Stage, TransferMode};
use crate::error::AppError;
use crate::listings::lifecycle;
use crate::listings::pages as shared;
use crate::listings::public::{INDEX_PAGE_SIZE, PublicQuery, common_filter_choices, known};
use crate::listings::store;
use crate::listings::{Kind, ListingView};
use crate::web::{Page, choices};

fn price_bound(text: Option<&str>) -> Option<i64> {
    text.filter(|t| !t.trim().is_empty()).and_then(|t| Fen::parse(t, Unit::Wan).ok()).map(|f| f.0)
}

/// The library's own filters (beside the shared [`PublicQuery`]).
#[derive(Debug, Default, FromForm)]
struct LibraryFilters<'r> {
    stage: Option<&'r str>,
    mode: Option<&'r str>,
    route: Option<&'r str>,
    min: Option<&'r str>,
    max: Option<&'r str>,
}

#[get("/?<own..>")]
async fn index(db: &State<Db>, query: PublicQuery, own: LibraryFilters<'_>) -> Result<Page, AppError> {
    let filter = query.filter::<Achievements>(Filter {
        stage: known(own.stage, Stage::from_code),
        transfer_mode: known(own.mode, TransferMode::from_code),
        pricing_route: known(own.route, PricingRoute::from_code),
        min_price_fen: price_bound(own.min),
        max_price_fen: price_bound(own.max),
    });
    let sort = match query.sort() {
        "price_low" => Sort::PriceLow,
        "price_high" => Sort::PriceHigh,
        "views" => Sort::MostViewed,
        _ => Sort::Newest,
    };
    let page = query.page();
    let (rows, total) = store::list(db, &filter, sort.order(), page.offset, INDEX_PAGE_SIZE).await?;
    let own_params =
        [("stage", own.stage), ("mode", own.mode), ("route", own.route), ("min", own.min), ("max", own.max)];
    let selected = |v: &Option<String>| v.clone().into_iter().collect::<Vec<_>>();
    let mut filters = common_filter_choices(&filter);
    filters.insert("stages".into(), choices(Stage::ALL, Stage::code, Stage::label, &selected(&filter.own.stage)));
    let modes =
        choices(TransferMode::ALL, TransferMode::code, TransferMode::label, &selected(&filter.own.transfer_mode));
    filters.insert("modes".into(), modes);
    let routes =
        choices(PricingRoute::ALL, PricingRoute::code, PricingRoute::label, &selected(&filter.own.pricing_route));
    filters.insert("routes".into(), routes);
    filters.insert("min".into(), json!(own.min.unwrap_or_default()));
    filters.insert("max".into(), json!(own.max.unwrap_or_default()));
    filters.insert("sort".into(), json!(query.sort()));
    let mut data = query.paging(&page, total, &own_params);
    data.insert("items".into(), json!(rows.iter().map(|r| Achievements::view(r, false)).collect::<Vec<_>>()));
    data.insert("filters".into(), filters.into());
    let mut problems = query.problems(&["newest", "price_low", "price_high", "views"]);
    problems.code("成熟度阶段", own.stage, Stage::from_code);
    problems.code("转化方式", own.mode, TransferMode::from_code);
    problems.code("定价方式", own.route, PricingRoute::from_code);
    problems.amount("价格下限", own.min);
    problems.amount("价格上限", own.max);
    Ok(problems.answer(Page::new("achievements/index", "科技成果库", data), page.number, total))
}

#[get("/<id>")]
async fn detail(
    id: Result<AchievementId, uuid::Error>,
    db: &State<Db>,
    search: &State<crate::search::Search>,
    user: Option<CurrentUser>,
    flash: Option<FlashMessage<'_>>,
) -> Result<Page, AppError> {
    let id = lifecycle::known::<Achievements>(id)?;
    let listing = lifecycle::visible::<Achievements>(db, user.as_ref(), id).await?;
    let mut data = shared::detail_data::<Achievements>(db, user.as_ref(), &listing, true).await?;
    let text =
        crate::duplicates::Text { title: &listing.title, summary: &listing.summary, patents: &listing.patent_numbers };
    let place = (listing.meta.id.as_str(), listing.meta.organisation_id.as_str(), listing.meta.status.is_public());
    let duplicates =
        crate::duplicates::panel::for_listing(db, search, user.as_ref(), Kind::Achievement, place, &text).await?;
    data.insert("duplicates".into(), json!(duplicates));
    if listing.meta.status.is_public() {
        // The pricing routes: appraisals, 公示, 挂牌 and 竞价, and for the seller the links to start them.
        let seller = user.as_ref().is_some_and(|u| {
            u.is_admin
                || (u.status == AccountStatus::Active
                    && u.organisation_id.as_deref() == Some(listing.meta.organisation_id.as_str()))
        });
        let organiser = user.as_ref().is_some_and(|u| {
            u.is_admin || (u.role == crate::domain::account::Role::Broker && u.status == AccountStatus::Active)
        });
        data.insert(
            "pricing".into(),
            crate::trading::panel::for_achievement(db, &listing.meta.id, seller, organiser).await?,
        );
        // Open demands this achievement may answer, and who asked for similar things.
        let (demands, enterprises) = crate::matching::service::for_achievement(db, search, &listing.meta.id, 5).await?;
        data.insert("recommendations".into(), json!(demands));
        data.insert("enterprises".into(), json!(enterprises));
    }
    Ok(Page::new("achievements/detail", listing.title.clone(), data).with_flash(flash))
}

crate::listing_pages!(Achievements);

/// Mounted at `/achievements`.
pub fn routes() -> Vec<Route> {
    let mut routes = rocket::routes![index, detail];
    routes.extend(shared_pages::routes());
    routes
}
