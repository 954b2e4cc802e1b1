//! Auction API: `/api/v1/auctions` (public list, create), one auction (public; organisers see the
//! bidders and reserve), bids (`GET` the history, `POST` a bid), qualification, cancellation, and
//! `/api/v1/auctions/{id}/events`: the live Server-Sent Events stream (`snapshot` first, then
//! `bid` and `closed` events).

use rocket::response::stream::{Event, EventStream};
use rocket::{Responder, Route, Shutdown, State, get, post, routes};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::bidding::{self, BidInput};
use super::live::{Hub, MAX_WATCH};
use super::model::AuctionInput;
use super::pages::{HISTORY, listed, whole};
use super::{service, store, view};
use crate::auth::Acting;
use crate::db::Db;
use crate::error::AppError;
use crate::web::input::Json;

#[derive(Responder)]
#[response(status = 201, content_type = "json")]
struct Created(Json<Value>);

#[get("/auctions?<finished>")]
async fn list(db: &State<Db>, finished: Option<bool>) -> Result<Json<Value>, AppError> {
    Ok(Json(json!({"items": listed(db, finished.unwrap_or(false)).await?})))
}

#[post("/auctions", format = "json", data = "<body>")]
async fn create(
    body: Json<AuctionInput>,
    db: &State<Db>,
    hub: &State<Hub>,
    acting: Acting,
) -> Result<Created, AppError> {
    let id = service::create(db, &acting.caller(), &body).await?;
    Ok(Created(Json(whole(db, hub, Some(&acting.caller()), &id).await?)))
}

#[get("/auctions/<id>")]
async fn one(id: &str, db: &State<Db>, hub: &State<Hub>, acting: Option<Acting>) -> Result<Json<Value>, AppError> {
    Ok(Json(whole(db, hub, acting.as_ref().map(Acting::caller).as_ref(), id).await?))
}

#[get("/auctions/<id>/bids")]
async fn bids(id: &str, db: &State<Db>, acting: Option<Acting>) -> Result<Json<Value>, AppError> {
    let auction = service::find(db, id).await?;
    let org = acting.as_ref().and_then(|a| a.user.organisation_id.clone());
    let items = view::bids(store::bids(db, &auction.id, HISTORY).await?, org.as_deref());
    Ok(Json(json!({"items": items, "bid_count": auction.bid_count})))
}

#[post("/auctions/<id>/bids", format = "json", data = "<body>")]
async fn bid(
    id: &str,
    body: Json<BidInput>,
    db: &State<Db>,
    hub: &State<Hub>,
    acting: Acting,
) -> Result<Created, AppError> {
    let accepted = bidding::place(db, &acting.caller(), id, &body, OffsetDateTime::now_utc()).await?;
    hub.publish(view::bid_event(&accepted));
    Ok(Created(Json(json!({"bid": view::bid_event(&accepted), "seq": accepted.seq, "extended": accepted.extended}))))
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Qualify {
    organisation_id: Option<String>,
    note: Option<String>,
}

#[post("/auctions/<id>/bidders", format = "json", data = "<body>")]
async fn qualify(
    id: &str,
    body: Json<Qualify>,
    db: &State<Db>,
    hub: &State<Hub>,
    acting: Acting,
) -> Result<Created, AppError> {
    service::qualify(db, &acting.caller(), id, body.organisation_id.as_deref(), body.note.as_deref()).await?;
    Ok(Created(Json(whole(db, hub, Some(&acting.caller()), id).await?)))
}

#[post("/auctions/<id>/cancel")]
async fn cancel(id: &str, db: &State<Db>, hub: &State<Hub>, acting: Acting) -> Result<Json<Value>, AppError> {
    service::cancel(db, &acting.caller(), id).await?;
    Ok(Json(whole(db, hub, Some(&acting.caller()), id).await?))
}

#[get("/auctions/<id>/events")]
async fn events(
    id: &str,
    db: &State<Db>,
    hub: &State<Hub>,
    mut shutdown: Shutdown,
) -> Result<EventStream<impl futures::Stream<Item = Event>>, AppError> {
    let snapshot = whole(db, hub, None, id).await?;
    let settled = snapshot["auction"]["status"] != json!("open");
    let mut receiver = hub.subscribe(&service::find(db, id).await?.id);
    Ok(EventStream! {
        yield Event::json(&snapshot["auction"]).event("snapshot");
        if settled {
            return;
        }
        let deadline = tokio::time::sleep(MAX_WATCH);
        tokio::pin!(deadline);
        loop {
            let next = tokio::select! {
                next = receiver.recv() => next,
                _ = &mut shutdown => break,
                _ = &mut deadline => break,
            };
            match next {
                Ok(event) => {
                    let closed = event.kind == "closed";
                    yield Event::json(&event).event(event.kind).id(event.seq.to_string());
                    if closed {
                        break;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    }
    .heartbeat(std::time::Duration::from_secs(15)))
}

/// Mounted at `/api/v1`.
pub fn routes() -> Vec<Route> {
    routes![list, create, one, bids, bid, qualify, cancel, events]
}
