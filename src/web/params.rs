//! Typed ids parsed at the edge: a path segment that is not a uuid never reaches a handler.

use rocket::request::FromParam;

use crate::domain::ids::{AchievementId, ApplicationId, ContractId, DemandId, OrganisationId, UserId};

macro_rules! id_param {
    ($($name:ident),+) => {$(
        impl<'a> FromParam<'a> for $name {
            type Error = uuid::Error;
            fn from_param(param: &'a str) -> Result<Self, Self::Error> {
                param.parse()
            }
        }
    )+};
}

id_param!(OrganisationId, UserId, AchievementId, DemandId, ApplicationId, ContractId);
