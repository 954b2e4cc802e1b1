//! Counts the signed-in user's unread messages for the header of every page (not for the API,
//! static files or unsafe requests, which never render the header's count).

use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Method;
use rocket::{Data, Request};

use crate::db::Db;
use crate::web::request_state::{Identity, Unread};

/// The fairing; attach it after the gate, which resolves who is asking.
pub struct UnreadCount;

#[rocket::async_trait]
impl Fairing for UnreadCount {
    fn info(&self) -> Info {
        Info { name: "inbox unread count", kind: Kind::Request }
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        let path = request.uri().path();
        if request.method() != Method::Get || path.starts_with("/api/") || path.starts_with("/static/") {
            return;
        }
        let Some(user) = request.local_cache(Identity::default).user.as_ref().map(|u| u.id.clone()) else { return };
        let Some(db) = request.rocket().state::<Db>() else { return };
        match super::store::unread_count(db, &user).await {
            Ok(count) => {
                request.local_cache(|| Unread(Some(count)));
            }
            Err(error) => tracing::warn!(%error, "counting unread messages failed"),
        }
    }
}
