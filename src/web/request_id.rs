//! A request id on every request: the client's `X-Request-Id` when it is a sane token, else a
//! fresh one; echoed in the response, written beside every logged failure and into every audit
//! event the request causes, so a user's report ("请求编号 …") leads to the log line and the
//! audit row.
//!
//! Handlers run inside [`traced`] routes, which make the id the task's [`current`] one; the audit
//! log reads it there, so no handler has to pass it along.

use rocket::data::Data;
use rocket::fairing::{Fairing, Info, Kind};
use rocket::http::Header;
use rocket::route::{Handler, Outcome, Route};
use rocket::{Request, Response};

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request this task is handling, if any.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok().filter(|id| !id.is_empty())
}

/// A route handler that runs the wrapped one with the request's id as [`current`].
#[derive(Clone)]
struct WithRequestId(Box<dyn Handler>);

#[rocket::async_trait]
impl Handler for WithRequestId {
    async fn handle<'r>(&self, request: &'r Request<'_>, data: Data<'r>) -> Outcome<'r> {
        CURRENT.scope(RequestId::of(request), self.0.handle(request, data)).await
    }
}

/// Every route of a feature, its handler wrapped so the request id follows it.
pub fn traced(routes: Vec<Route>) -> Vec<Route> {
    routes
        .into_iter()
        .map(|mut route| {
            route.handler = Box::new(WithRequestId(route.handler));
            route
        })
        .collect()
}

/// This request's id.
#[derive(Debug, Clone, Default)]
pub struct RequestId(pub String);

impl RequestId {
    pub fn of(request: &Request<'_>) -> String {
        request.local_cache(RequestId::default).0.clone()
    }
}

fn usable(id: &str) -> bool {
    (8..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Assigns and echoes the id; attached once in `app::build`.
pub struct RequestIds;

#[rocket::async_trait]
impl Fairing for RequestIds {
    fn info(&self) -> Info {
        Info { name: "request ids", kind: Kind::Request | Kind::Response }
    }

    async fn on_request(&self, request: &mut Request<'_>, _data: &mut Data<'_>) {
        let given = request.headers().get_one("X-Request-Id").filter(|id| usable(id)).map(str::to_string);
        let id = given.unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
        request.local_cache(|| RequestId(id));
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        response.set_header(Header::new("X-Request-Id", RequestId::of(request)));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_tokens_are_taken_from_clients() {
        assert!(super::usable("0192f1c2-aaaa-bbbb"));
        assert!(!super::usable("short"));
        assert!(!super::usable("has space in it"));
        assert!(!super::usable(&"x".repeat(65)));
    }
}
