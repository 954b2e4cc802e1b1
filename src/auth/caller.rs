//! Who acts, from where: the one caller type every service takes for permission checks and the
//! audit log's "who" and "from where".

use rocket::request::{FromRequest, Outcome, Request};

use super::identity::{ActiveUser, ClientAddr};
use crate::audit::NewAuditEvent;
use crate::domain::account::{AccountStatus, Role};
use crate::web::request_state::CurrentUser;

/// A signed-in person acting from an address.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    pub user: &'a CurrentUser,
    pub ip: &'a str,
}

impl Caller<'_> {
    /// The audit event of something this caller did to `subject_type`/`subject_id`.
    pub fn event(
        &self,
        action: &str,
        subject_type: &str,
        subject_id: &str,
        details: serde_json::Value,
    ) -> NewAuditEvent {
        NewAuditEvent::by(Some(&self.user.id), Some(self.ip), action, subject_type, subject_id, details)
    }

    /// An approved account (not pending, not disabled).
    pub fn active(&self) -> bool {
        self.user.status == AccountStatus::Active
    }

    /// An approved administrator.
    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin && self.active()
    }

    /// An approved member of this organisation.
    pub fn member_of(&self, organisation_id: &str) -> bool {
        self.active() && self.user.organisation_id.as_deref() == Some(organisation_id)
    }
}

/// An approved, signed-in person and their address, as one request guard; `caller()` lends the
/// service-facing [`Caller`].
#[derive(Debug, Clone)]
pub struct Acting {
    pub user: CurrentUser,
    pub ip: String,
}

impl Acting {
    pub fn caller(&self) -> Caller<'_> {
        Caller { user: &self.user, ip: &self.ip }
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Acting {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let user = match request.guard::<ActiveUser>().await {
            Outcome::Success(user) => user.0,
            Outcome::Error(e) => return Outcome::Error(e),
            Outcome::Forward(s) => return Outcome::Forward(s),
        };
        let ip = match request.guard::<ClientAddr>().await {
            Outcome::Success(ClientAddr(ip)) => ip,
            _ => String::from("unknown"),
        };
        Outcome::Success(Acting { user, ip })
    }
}
