//! The authorization matrix: every mounted route × every kind of visitor → the expected answer,
//! in one table that fails when a route is added without an entry. And the CSRF proof: no
//! unsafe route is reachable with a cookie session but without the token, from another site,
//! or with a foreign Origin.

use std::collections::BTreeSet;

use rocket::http::{ContentType, Header, Method, Status};
use rocket::local::asynchronous::Client;
use techmarket::domain::account::Role;

use crate::accounts_support::*;
use crate::on_both_databases;
use crate::support::TestApp;

/// What a visitor should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// This status.
    S(u16),
    /// A redirect to the sign-in page (a page that needs an account).
    Login,
}
use Expect::{Login, S};

/// One row: the route as mounted, the concrete request, and the answer for
/// [anonymous, researcher, enterprise, broker, pending, admin] (the order of `Persona::ALL`).
struct Row {
    method: Method,
    route: &'static str,
    uri: &'static str,
    body: &'static str,
    expect: [Expect; 6],
}

const fn row(method: Method, route: &'static str, uri: &'static str, body: &'static str, expect: [Expect; 6]) -> Row {
    Row { method, route, uri, body, expect }
}

const ANYONE_OK: [Expect; 6] = [S(200); 6];
const SIGNED_IN_PAGE: [Expect; 6] = [Login, S(200), S(200), S(200), S(200), S(200)];
const SIGNED_IN_FORM: [Expect; 6] = [Login, S(422), S(422), S(422), S(422), S(422)];
const ADMIN_PAGE: [Expect; 6] = [Login, S(403), S(403), S(403), S(403), S(200)];
const ADMIN_ACTION: [Expect; 6] = [Login, S(403), S(403), S(403), S(403), S(303)];
const SIGNED_IN_API: [Expect; 6] = [S(401), S(200), S(200), S(200), S(200), S(200)];
const REFUSED: [Expect; 6] = [S(403); 6];
const ADMIN_NOT_FOUND: [Expect; 6] = [Login, S(403), S(403), S(403), S(403), S(404)];
const ADMIN_API_INVALID: [Expect; 6] = [S(401), S(403), S(403), S(403), S(403), S(422)];
const IMPORT_NOT_FOUND: [Expect; 6] = [Login, S(404), S(404), S(404), S(403), S(404)];
const ADMIN_API_NOT_FOUND: [Expect; 6] = [S(401), S(403), S(403), S(403), S(403), S(404)];

/// A draft contract sold by the researcher's organisation to the enterprise's: seller, buyer and
/// administrators see it; nobody else learns it exists.
const ADMIN_API: [Expect; 6] = [S(401), S(403), S(403), S(403), S(403), S(200)];
const CONTRACT_READ: [Expect; 6] = [Login, S(200), S(200), S(404), S(404), S(200)];
const CONTRACT_API_READ: [Expect; 6] = [S(401), S(200), S(200), S(404), S(404), S(200)];
const OWNER_ONLY_PAGE: [Expect; 6] = [Login, S(200), S(403), S(403), S(403), S(403)];
const LISTER_PAGE: [Expect; 6] = [Login, S(200), S(200), S(403), S(403), S(403)];
const LISTER_FORM: [Expect; 6] = [Login, S(422), S(422), S(403), S(403), S(403)];
/// Deal writes: the broker and administrators reach the checks (an empty body → 422); invited
/// parties that have not answered, pending accounts and other roles are refused.
const DEAL_WRITE: [Expect; 6] = [Login, S(403), S(403), S(422), S(403), S(422)];
const DEAL_API_WRITE: [Expect; 6] = [S(401), S(403), S(403), S(422), S(403), S(422)];
const OWNER_FORM: [Expect; 6] = [Login, S(422), S(403), S(403), S(403), S(403)];

/// `{target}` in a URI is replaced by the id of a pending account made for the run, `{listing}`
/// by a published achievement of the researcher's organisation, `{demand}` by a published demand
/// of the enterprise's.
fn table() -> Vec<Row> {
    use Method::*;
    vec![
        row(Get, "/", "/", "", ANYONE_OK),
        row(Get, "/static/<path..>", "/static/css/site.css", "", ANYONE_OK),
        row(Get, "/login?<next>", "/login", "", [S(200), S(303), S(303), S(303), S(303), S(303)]),
        row(Post, "/login", "/login", "login=&password=", [S(401); 6]),
        row(Get, "/register", "/register", "", [S(200), S(303), S(303), S(303), S(303), S(303)]),
        row(Post, "/register", "/register", "display_name=", [S(422); 6]),
        row(Get, "/account", "/account", "", SIGNED_IN_PAGE),
        row(Post, "/account/profile", "/account/profile", "display_name=", SIGNED_IN_FORM),
        row(Post, "/account/password", "/account/password", "current_password=", SIGNED_IN_FORM),
        // Pending accounts get no API tokens (they would read contact details through them).
        row(Post, "/account/tokens", "/account/tokens", "name=", [Login, S(422), S(422), S(422), S(403), S(422)]),
        row(
            Post,
            "/account/tokens/<id>/revoke",
            "/account/tokens/no-such-token/revoke",
            "",
            [Login, S(404), S(404), S(404), S(404), S(404)],
        ),
        row(Get, "/__refused", "/__refused", "", REFUSED),
        row(Post, "/__refused", "/__refused", "", REFUSED),
        row(Put, "/__refused", "/__refused", "", REFUSED),
        row(Patch, "/__refused", "/__refused", "", REFUSED),
        row(Delete, "/__refused", "/__refused", "", REFUSED),
        row(Get, "/admin", "/admin", "", ADMIN_PAGE),
        row(Get, "/admin/users?<status>&<q>&<page>", "/admin/users?status=pending", "", ADMIN_PAGE),
        row(Get, "/admin/users/<id>", "/admin/users/{target}", "", ADMIN_PAGE),
        row(Post, "/admin/users/<id>/approve", "/admin/users/{target}/approve", "", ADMIN_ACTION),
        row(Post, "/admin/users/<id>/disable", "/admin/users/{target}/disable", "", ADMIN_ACTION),
        row(Post, "/admin/users/<id>/enable", "/admin/users/{target}/enable", "", ADMIN_ACTION),
        row(Post, "/admin/users/<id>/role", "/admin/users/{target}/role", "role=broker", ADMIN_ACTION),
        row(Post, "/admin/users/<id>/end-sessions", "/admin/users/{target}/end-sessions", "", ADMIN_ACTION),
        row(Post, "/admin/users/<id>/unlock", "/admin/users/{target}/unlock", "", ADMIN_ACTION),
        row(Post, "/admin/users/<id>/reject", "/admin/users/{target}/reject", "reason=x", ADMIN_ACTION),
        row(
            Post,
            "/admin/users/<id>/reset-link",
            "/admin/users/{target}/reset-link",
            "",
            [Login, S(403), S(403), S(403), S(403), S(200)],
        ),
        row(Get, "/password/forgot", "/password/forgot", "", ANYONE_OK),
        row(Post, "/password/forgot", "/password/forgot", "login=", ANYONE_OK),
        row(Get, "/password/reset/<token>", "/password/reset/nope", "", [S(404); 6]),
        row(Post, "/password/reset/<token>", "/password/reset/nope", "new_password=", [S(404); 6]),
        // Reached only through the gate, for a form whose session ended; asked directly, nobody has one.
        row(Post, "/__expired", "/__expired", "", [Login; 6]),
        row(Get, "/challenges/mine", "/challenges/mine", "", [Login, S(200), S(200), S(200), S(403), S(200)]),
        row(Get, "/contacts", "/contacts", "", [Login, S(200), S(200), S(200), S(403), S(200)]),
        row(
            Post,
            "/contacts/<id>/reply",
            "/contacts/nope/reply",
            "decision=answer&reply=x",
            [Login, S(404), S(404), S(404), S(403), S(404)],
        ),
        row(Get, "/achievements?<own..>", "/achievements?field=agriculture", "", ANYONE_OK),
        row(Get, "/achievements/<id>", "/achievements/{listing}", "", ANYONE_OK),
        row(Get, "/achievements/<id>/edit?<draft>", "/achievements/{listing}/edit", "", OWNER_ONLY_PAGE),
        row(Get, "/achievements/new?<draft>", "/achievements/new", "", LISTER_PAGE),
        row(
            Get,
            "/achievements/mine?<page>",
            "/achievements/mine",
            "",
            [Login, S(200), S(200), S(200), S(403), S(403)],
        ),
        row(Get, "/achievements/review?<page>", "/achievements/review", "", ADMIN_PAGE),
        row(Post, "/achievements", "/achievements", "title=", LISTER_FORM),
        row(Post, "/achievements/<id>", "/achievements/{listing}", "title=", OWNER_FORM),
        row(
            Post,
            "/achievements/<id>/actions/<action>",
            "/achievements/{listing}/actions/submit",
            "note=",
            [Login, S(303), S(403), S(403), S(403), S(403)],
        ),
        row(
            Post,
            "/achievements/<id>/contact",
            "/achievements/{listing}/contact",
            "message=",
            [Login, S(303), S(303), S(303), S(403), S(303)],
        ),
        row(Get, "/api/v1/achievements?<after>&<limit>&<query..>", "/api/v1/achievements", "", ANYONE_OK),
        row(Get, "/api/v1/achievements/<id>", "/api/v1/achievements/{listing}", "", ANYONE_OK),
        row(
            Post,
            "/api/v1/achievements",
            "/api/v1/achievements",
            "{}",
            [S(401), S(422), S(422), S(403), S(403), S(403)],
        ),
        row(
            Patch,
            "/api/v1/achievements/<id>",
            "/api/v1/achievements/{listing}",
            r#"{"title":"x"}"#,
            [S(401), S(422), S(403), S(403), S(403), S(403)],
        ),
        row(
            Post,
            "/api/v1/achievements/<id>/<action>",
            "/api/v1/achievements/{listing}/submit",
            "{}",
            [S(401), S(409), S(403), S(403), S(403), S(403)],
        ),
        row(Get, "/demands?<own..>", "/demands?mode=service", "", ANYONE_OK),
        row(Get, "/demands/<id>", "/demands/{demand}", "", ANYONE_OK),
        row(
            Get,
            "/demands/<id>/edit?<draft>",
            "/demands/{demand}/edit",
            "",
            [Login, S(403), S(200), S(403), S(403), S(403)],
        ),
        row(Get, "/demands/new?<draft>", "/demands/new", "", [Login, S(403), S(200), S(403), S(403), S(403)]),
        row(Get, "/demands/mine?<page>", "/demands/mine", "", [Login, S(200), S(200), S(200), S(403), S(403)]),
        row(Get, "/demands/review?<page>", "/demands/review", "", ADMIN_PAGE),
        row(Post, "/demands", "/demands", "title=", [Login, S(403), S(422), S(403), S(403), S(403)]),
        row(Post, "/demands/<id>", "/demands/{demand}", "title=", [Login, S(403), S(422), S(403), S(403), S(403)]),
        row(
            Post,
            "/demands/<id>/actions/<action>",
            "/demands/{demand}/actions/submit",
            "note=",
            [Login, S(403), S(303), S(403), S(403), S(403)],
        ),
        row(
            Post,
            "/demands/<id>/contact",
            "/demands/{demand}/contact",
            "message=",
            [Login, S(303), S(303), S(303), S(403), S(303)],
        ),
        row(Get, "/api/v1/demands?<after>&<limit>&<field>&<mode>", "/api/v1/demands", "", ANYONE_OK),
        row(Get, "/api/v1/demands/<id>", "/api/v1/demands/{demand}", "", ANYONE_OK),
        row(Post, "/api/v1/demands", "/api/v1/demands", "{}", [S(401), S(403), S(422), S(403), S(403), S(403)]),
        row(
            Patch,
            "/api/v1/demands/<id>",
            "/api/v1/demands/{demand}",
            r#"{"title":"x"}"#,
            [S(401), S(403), S(422), S(403), S(403), S(403)],
        ),
        row(
            Post,
            "/api/v1/demands/<id>/<action>",
            "/api/v1/demands/{demand}/submit",
            "{}",
            [S(401), S(403), S(409), S(403), S(403), S(403)],
        ),
        row(Get, "/challenges", "/challenges", "", ANYONE_OK),
        row(Get, "/search?<params..>", "/search?q=%E8%8B%B9%E6%9E%9C", "", ANYONE_OK),
        row(Get, "/api/v1/search?<params..>", "/api/v1/search?q=%E8%8B%B9%E6%9E%9C&facets=true", "", ANYONE_OK),
        row(
            Post,
            "/challenges/<demand_id>/terms",
            "/challenges/{demand}/terms",
            "reward=",
            [Login, S(403), S(422), S(403), S(403), S(403)],
        ),
        row(
            Post,
            "/challenges/<demand_id>/applications",
            "/challenges/{demand}/applications",
            "team=",
            [Login, S(422), S(303), S(303), S(403), S(403)],
        ),
        row(
            Post,
            "/challenges/applications/<id>/<decision>",
            "/challenges/applications/{application}/shortlist",
            "",
            [Login, S(403), S(303), S(403), S(403), S(403)],
        ),
        row(Get, "/api/v1/challenges", "/api/v1/challenges", "", ANYONE_OK),
        row(
            Post,
            "/api/v1/demands/<id>/challenge",
            "/api/v1/demands/{demand}/challenge",
            "{}",
            [S(401), S(403), S(422), S(403), S(403), S(403)],
        ),
        row(Get, "/api/v1/demands/<id>/applications", "/api/v1/demands/{demand}/applications", "", SIGNED_IN_API),
        row(
            Post,
            "/api/v1/demands/<id>/applications",
            "/api/v1/demands/{demand}/applications",
            "{}",
            [S(401), S(422), S(409), S(409), S(403), S(403)],
        ),
        row(
            Post,
            "/api/v1/applications/<id>/<decision>",
            "/api/v1/applications/{application}/reject",
            "",
            [S(401), S(403), S(200), S(403), S(403), S(403)],
        ),
        row(Get, "/contracts?<query..>", "/contracts", "", ANYONE_OK),
        row(Get, "/contracts/export.csv?<query..>", "/contracts/export.csv", "", ADMIN_PAGE),
        row(
            Get,
            "/contracts/new?<achievement>&<demand>&<deal>&<draft>&<notice>&<offering>&<auction>",
            "/contracts/new",
            "",
            [Login, S(200), S(200), S(200), S(403), S(200)],
        ),
        row(Get, "/contracts/history", "/contracts/history", "", ADMIN_PAGE),
        row(Get, "/contracts/history/template.xlsx", "/contracts/history/template.xlsx", "", ADMIN_PAGE),
        row(Post, "/contracts/history", "/contracts/history", "x=", [Login, S(403), S(403), S(403), S(403), S(422)]),
        row(Get, "/contracts/history/imports/<id>", "/contracts/history/imports/none", "", ADMIN_NOT_FOUND),
        row(
            Get,
            "/contracts/history/imports/<id>/report.xlsx",
            "/contracts/history/imports/none/report.xlsx",
            "",
            ADMIN_NOT_FOUND,
        ),
        row(
            Post,
            "/contracts/history/imports/<id>/confirm",
            "/contracts/history/imports/none/confirm",
            "",
            ADMIN_NOT_FOUND,
        ),
        row(Get, "/contracts/history/new", "/contracts/history/new", "", ADMIN_PAGE),
        row(
            Post,
            "/contracts/history/new",
            "/contracts/history/new",
            "title=",
            [Login, S(403), S(403), S(403), S(403), S(422)],
        ),
        row(Get, "/admin/calendar", "/admin/calendar", "", ADMIN_PAGE),
        row(Post, "/admin/calendar", "/admin/calendar", "year=", [Login, S(403), S(403), S(403), S(403), S(422)]),
        row(Get, "/api/v1/calendar/notices", "/api/v1/calendar/notices", "", ANYONE_OK),
        row(Put, "/api/v1/calendar/notices/<year>", "/api/v1/calendar/notices/2030", "{}", ADMIN_API_INVALID),
        row(Post, "/api/v1/contracts/history", "/api/v1/contracts/history", "{}", ADMIN_API_INVALID),
        row(
            Post,
            "/api/v1/contracts/history/imports?<file_name>",
            "/api/v1/contracts/history/imports",
            "",
            [S(401), S(403), S(403), S(403), S(403), S(400)],
        ),
        row(
            Get,
            "/api/v1/contracts/history/imports/<id>",
            "/api/v1/contracts/history/imports/none",
            "",
            ADMIN_API_NOT_FOUND,
        ),
        row(
            Post,
            "/api/v1/contracts/history/imports/<id>/confirm",
            "/api/v1/contracts/history/imports/none/confirm",
            "",
            ADMIN_API_NOT_FOUND,
        ),
        row(Get, "/imports?<campaign>", "/imports", "", [Login, S(200), S(200), S(403), S(403), S(200)]),
        row(Get, "/imports/template/<kind>", "/imports/template/achievement.xlsx", "", ANYONE_OK),
        row(Post, "/imports", "/imports", "x=", [Login, S(422), S(422), S(422), S(403), S(422)]),
        row(Get, "/imports/<id>", "/imports/none", "", IMPORT_NOT_FOUND),
        row(Get, "/imports/<id>/report.xlsx", "/imports/none/report.xlsx", "", IMPORT_NOT_FOUND),
        row(Post, "/imports/<id>/confirm", "/imports/none/confirm", "", IMPORT_NOT_FOUND),
        row(Post, "/api/v1/imports?<query..>", "/api/v1/imports", "", [S(401), S(400), S(400), S(403), S(403), S(400)]),
        row(Get, "/api/v1/imports/<id>", "/api/v1/imports/none", "", [S(401), S(404), S(404), S(404), S(403), S(404)]),
        row(
            Post,
            "/api/v1/imports/<id>/confirm",
            "/api/v1/imports/none/confirm",
            "",
            [S(401), S(404), S(404), S(404), S(403), S(404)],
        ),
        row(
            Post,
            "/duplicates/<kind>/<id>/distinct/<other>",
            "/duplicates/achievement/none/distinct/none",
            "",
            ADMIN_NOT_FOUND,
        ),
        row(
            Post,
            "/duplicates/<kind>/<id>/merge/<other>",
            "/duplicates/achievement/none/merge/other",
            "",
            ADMIN_NOT_FOUND,
        ),
        row(Get, "/campaigns", "/campaigns", "", ANYONE_OK),
        row(Get, "/campaigns/new", "/campaigns/new", "", ADMIN_PAGE),
        row(Post, "/campaigns", "/campaigns", "title=", [Login, S(403), S(403), S(403), S(403), S(422)]),
        row(Get, "/campaigns/<id>", "/campaigns/none", "", [S(404); 6]),
        row(
            Post,
            "/campaigns/<id>/entries",
            "/campaigns/none/entries",
            "listing_ids=x",
            [Login, S(404), S(404), S(404), S(403), S(404)],
        ),
        row(
            Post,
            "/campaigns/<id>/close",
            "/campaigns/none/close",
            "",
            [Login, S(403), S(403), S(403), S(403), S(404)],
        ),
        row(Get, "/campaigns/<id>/progress", "/campaigns/none/progress", "", ADMIN_NOT_FOUND),
        row(Get, "/campaigns/<id>/progress.xlsx", "/campaigns/none/progress.xlsx", "", ADMIN_NOT_FOUND),
        row(Get, "/api/v1/campaigns", "/api/v1/campaigns", "", ANYONE_OK),
        row(Get, "/api/v1/campaigns/<id>", "/api/v1/campaigns/none", "", [S(404); 6]),
        row(Post, "/api/v1/campaigns", "/api/v1/campaigns", "{}", [S(401), S(403), S(403), S(403), S(403), S(422)]),
        row(
            Post,
            "/api/v1/campaigns/<id>/entries",
            "/api/v1/campaigns/none/entries",
            "{}",
            [S(401), S(404), S(404), S(404), S(403), S(404)],
        ),
        row(Get, "/api/v1/campaigns/<id>/progress", "/api/v1/campaigns/none/progress", "", ADMIN_API_NOT_FOUND),
        row(Get, "/saved-searches", "/saved-searches", "", SIGNED_IN_PAGE),
        row(
            Post,
            "/saved-searches",
            "/saved-searches",
            "channels=inbox",
            [Login, S(303), S(303), S(303), S(403), S(303)],
        ),
        row(
            Post,
            "/saved-searches/<id>/delete",
            "/saved-searches/none/delete",
            "",
            [Login, S(404), S(404), S(404), S(404), S(404)],
        ),
        row(Get, "/api/v1/saved-searches", "/api/v1/saved-searches", "", SIGNED_IN_API),
        row(
            Post,
            "/api/v1/saved-searches",
            "/api/v1/saved-searches",
            "{\"params\": {\"page\": \"1\"}}",
            [S(401), S(422), S(422), S(422), S(403), S(422)],
        ),
        row(
            Delete,
            "/api/v1/saved-searches/<id>",
            "/api/v1/saved-searches/none",
            "",
            [S(401), S(404), S(404), S(404), S(404), S(404)],
        ),
        row(Get, "/open-data", "/open-data", "", ANYONE_OK),
        row(Get, "/open-data/files/<name>", "/open-data/files/achievements.csv", "", [S(404); 6]),
        row(Get, "/api/v1/open/manifest", "/api/v1/open/manifest", "", [S(404); 6]),
        row(Post, "/open-data/generate", "/open-data/generate", "", ADMIN_ACTION),
        row(Get, "/feeds/achievements.atom?<field>", "/feeds/achievements.atom", "", ANYONE_OK),
        row(Get, "/feeds/demands.atom?<field>", "/feeds/demands.atom?field=agriculture", "", ANYONE_OK),
        row(Get, "/feeds/challenges.atom?<field>", "/feeds/challenges.atom", "", ANYONE_OK),
        row(Get, "/api/v1/open/achievements?<params..>", "/api/v1/open/achievements", "", ANYONE_OK),
        row(Get, "/api/v1/open/demands?<params..>", "/api/v1/open/demands?limit=5", "", ANYONE_OK),
        row(Get, "/api/v1/open/challenges?<params..>", "/api/v1/open/challenges", "", ANYONE_OK),
        row(Get, "/api/v1/open/salons?<params..>", "/api/v1/open/salons?updated_since=2026-01-01", "", ANYONE_OK),
        row(Get, "/api/v1/open/contracts?<params..>", "/api/v1/open/contracts?year=2026", "", ANYONE_OK),
        row(Post, "/contracts", "/contracts", "title=", [Login, S(422), S(422), S(422), S(403), S(422)]),
        row(Get, "/contracts/<id>", "/contracts/{contract}", "", CONTRACT_READ),
        row(Get, "/contracts/<id>/print", "/contracts/{contract}/print", "", CONTRACT_READ),
        row(
            Get,
            "/contracts/<id>/edit?<draft>",
            "/contracts/{contract}/edit",
            "",
            [Login, S(200), S(403), S(404), S(403), S(200)],
        ),
        row(
            Post,
            "/contracts/<id>",
            "/contracts/{contract}",
            "title=",
            [Login, S(422), S(403), S(404), S(403), S(422)],
        ),
        row(
            Get,
            "/contracts/<id>/amend",
            "/contracts/{contract}/amend",
            "",
            [Login, S(403), S(403), S(403), S(403), S(409)],
        ),
        row(Post, "/contracts/<id>/amend", "/contracts/{contract}/amend", "title=", ADMIN_ACTION),
        row(
            Post,
            "/contracts/<id>/share-payments",
            "/contracts/{contract}/share-payments",
            "amount=",
            [Login, S(303), S(403), S(404), S(403), S(303)],
        ),
        row(
            Post,
            "/contracts/<id>/<action>",
            "/contracts/{contract}/submit",
            "note=",
            [Login, S(303), S(403), S(404), S(403), S(403)],
        ),
        // {deal}: opened by the broker on the researcher's achievement and the enterprise's demand;
        // both organisations are invited (not yet answered), so they read it but cannot write.
        row(Get, "/deals?<stage>", "/deals", "", [Login, S(200), S(200), S(200), S(403), S(200)]),
        row(
            Get,
            "/deals/new?<demand>&<achievement>&<salon>",
            "/deals/new",
            "",
            [Login, S(403), S(403), S(200), S(403), S(200)],
        ),
        row(Post, "/deals", "/deals", "title=", DEAL_WRITE),
        row(Get, "/deals/<id>", "/deals/{deal}", "", [Login, S(200), S(200), S(200), S(403), S(200)]),
        row(Post, "/deals/<id>/notes", "/deals/{deal}/notes", "body=", DEAL_WRITE),
        row(Post, "/deals/<id>/steps/<action>", "/deals/{deal}/steps/lose", "reason=", DEAL_WRITE),
        row(
            Post,
            "/deals/<id>/answer",
            "/deals/{deal}/answer",
            "decision=maybe",
            [Login, S(404), S(404), S(404), S(403), S(404)],
        ),
        row(
            Post,
            "/deals/<id>/reassign",
            "/deals/{deal}/reassign",
            "broker_user_id=",
            [Login, S(403), S(403), S(403), S(403), S(422)],
        ),
        row(Get, "/broker", "/broker", "", [Login, S(403), S(403), S(200), S(403), S(200)]),
        row(
            Post,
            "/broker/leads/<source>/<id>/claim",
            "/broker/leads/contact/nope/claim",
            "",
            [Login, S(403), S(403), S(404), S(403), S(403)],
        ),
        row(Get, "/api/v1/deals?<stage>", "/api/v1/deals", "", [S(401), S(200), S(200), S(200), S(403), S(200)]),
        row(Post, "/api/v1/deals", "/api/v1/deals", "{}", DEAL_API_WRITE),
        row(Get, "/api/v1/deals/<id>", "/api/v1/deals/{deal}", "", [S(401), S(200), S(200), S(200), S(403), S(200)]),
        row(Post, "/api/v1/deals/<id>/notes", "/api/v1/deals/{deal}/notes", "{}", DEAL_API_WRITE),
        row(Post, "/api/v1/deals/<id>/<action>", "/api/v1/deals/{deal}/lose", "{}", DEAL_API_WRITE),
        row(
            Get,
            "/api/v1/demands/<id>/recommendations?<limit>",
            "/api/v1/demands/{demand}/recommendations",
            "",
            ANYONE_OK,
        ),
        row(
            Get,
            "/api/v1/achievements/<id>/recommendations?<limit>",
            "/api/v1/achievements/{listing}/recommendations",
            "",
            ANYONE_OK,
        ),
        row(Get, "/api/v1/leads", "/api/v1/leads", "", [S(401), S(403), S(403), S(200), S(403), S(200)]),
        row(
            Post,
            "/api/v1/leads/<source>/<id>/claim",
            "/api/v1/leads/contact/nope/claim",
            "",
            [S(401), S(403), S(403), S(404), S(403), S(403)],
        ),
        row(Get, "/api/v1/contracts?<query..>", "/api/v1/contracts", "", SIGNED_IN_API),
        row(Get, "/api/v1/contracts/summary?<year>", "/api/v1/contracts/summary", "", ANYONE_OK),
        row(Post, "/api/v1/contracts", "/api/v1/contracts", "{}", [S(401), S(422), S(422), S(422), S(403), S(422)]),
        row(Get, "/api/v1/contracts/<id>", "/api/v1/contracts/{contract}", "", CONTRACT_API_READ),
        row(Get, "/api/v1/contracts/<id>/revisions", "/api/v1/contracts/{contract}/revisions", "", CONTRACT_API_READ),
        row(Get, "/api/v1/contracts/<id>/events", "/api/v1/contracts/{contract}/events", "", CONTRACT_API_READ),
        row(Get, "/api/v1/contracts/<id>/precheck", "/api/v1/contracts/{contract}/precheck", "", CONTRACT_API_READ),
        row(
            Get,
            "/api/v1/contracts/<id>/share-payments",
            "/api/v1/contracts/{contract}/share-payments",
            "",
            CONTRACT_API_READ,
        ),
        row(
            Put,
            "/api/v1/contracts/<id>",
            "/api/v1/contracts/{contract}",
            "{}",
            [S(401), S(422), S(403), S(404), S(403), S(422)],
        ),
        row(
            Post,
            "/api/v1/contracts/<id>/amend",
            "/api/v1/contracts/{contract}/amend",
            "{}",
            [S(401), S(403), S(403), S(404), S(403), S(409)],
        ),
        row(
            Post,
            "/api/v1/contracts/<id>/share-payments",
            "/api/v1/contracts/{contract}/share-payments",
            "{}",
            [S(401), S(409), S(403), S(404), S(403), S(409)],
        ),
        row(
            Post,
            "/api/v1/contracts/<id>/<action>",
            "/api/v1/contracts/{contract}/submit",
            "{}",
            [S(401), S(422), S(403), S(404), S(403), S(403)],
        ),
        row(Get, "/stats?<year>", "/stats", "", ANYONE_OK),
        row(Get, "/stats/goal?<year>", "/stats/goal", "", ADMIN_PAGE),
        row(Post, "/stats/goal", "/stats/goal", "year=", [Login, S(403), S(403), S(403), S(403), S(422)]),
        row(Get, "/stats/goal.xlsx?<year>", "/stats/goal.xlsx", "", ADMIN_PAGE),
        row(Get, "/stats/goal.csv?<year>", "/stats/goal.csv", "", ADMIN_PAGE),
        row(Get, "/api/v1/stats/summary?<year>", "/api/v1/stats/summary", "", ANYONE_OK),
        row(Get, "/api/v1/stats/goal?<year>", "/api/v1/stats/goal", "", ADMIN_API),
        row(Get, "/api/v1/stats/goals", "/api/v1/stats/goals", "", ADMIN_API),
        row(
            Put,
            "/api/v1/stats/goals/<year>",
            "/api/v1/stats/goals/2026",
            "{}",
            [S(401), S(403), S(403), S(403), S(403), S(422)],
        ),
        row(Get, "/stats/indicators?<year>", "/stats/indicators", "", ADMIN_PAGE),
        row(Post, "/stats/indicators", "/stats/indicators", "year=", [Login, S(403), S(403), S(403), S(403), S(422)]),
        row(Get, "/stats/indicators.xlsx?<year>", "/stats/indicators.xlsx", "", ADMIN_PAGE),
        row(Get, "/stats/indicators.csv?<year>", "/stats/indicators.csv", "", ADMIN_PAGE),
        row(Get, "/api/v1/stats/market?<year>", "/api/v1/stats/market", "", ADMIN_API),
        row(Get, "/api/v1/stats/indicators?<year>", "/api/v1/stats/indicators", "", ADMIN_API),
        row(
            Put,
            "/api/v1/stats/indicators/<no>/<year>",
            "/api/v1/stats/indicators/1/2026",
            "{}",
            [S(401), S(403), S(403), S(403), S(403), S(422)],
        ),
        row(Get, "/api/v1/health", "/api/v1/health", "", ANYONE_OK),
        row(Get, "/api/v1/openapi.json", "/api/v1/openapi.json", "", ANYONE_OK),
        row(Get, "/api/v1/me", "/api/v1/me", "", SIGNED_IN_API),
        row(Get, "/api/v1/tokens", "/api/v1/tokens", "", SIGNED_IN_API),
        row(
            Post,
            "/api/v1/tokens",
            "/api/v1/tokens",
            r#"{"name":"矩阵测试"}"#,
            [S(401), S(201), S(201), S(201), S(403), S(201)],
        ),
        row(
            Delete,
            "/api/v1/tokens/<id>",
            "/api/v1/tokens/no-such-token",
            "",
            [S(401), S(404), S(404), S(404), S(404), S(404)],
        ),
        // {meeting}: scheduled yesterday on {deal} by the broker; records first, cancellation last.
        row(
            Get,
            "/deals/<id>/meetings/new",
            "/deals/{deal}/meetings/new",
            "",
            [Login, S(403), S(403), S(200), S(403), S(200)],
        ),
        row(Post, "/deals/<id>/meetings", "/deals/{deal}/meetings", "title=", DEAL_WRITE),
        row(
            Get,
            "/deals/<id>/meetings/<meeting>",
            "/deals/{deal}/meetings/{meeting}",
            "",
            [Login, S(200), S(200), S(200), S(403), S(200)],
        ),
        row(
            Get,
            "/deals/<id>/meetings/<meeting>/print",
            "/deals/{deal}/meetings/{meeting}/print",
            "",
            [Login, S(200), S(200), S(200), S(403), S(200)],
        ),
        row(
            Get,
            "/deals/<id>/meetings/<meeting>/calendar.ics",
            "/deals/{deal}/meetings/{meeting}/calendar.ics",
            "",
            [Login, S(200), S(200), S(200), S(403), S(200)],
        ),
        row(
            Post,
            "/deals/<id>/meetings/<meeting>/record",
            "/deals/{deal}/meetings/{meeting}/record",
            "outcome=",
            DEAL_WRITE,
        ),
        row(
            Get,
            "/api/v1/deals/<id>/meetings",
            "/api/v1/deals/{deal}/meetings",
            "",
            [S(401), S(200), S(200), S(200), S(403), S(200)],
        ),
        row(Post, "/api/v1/deals/<id>/meetings", "/api/v1/deals/{deal}/meetings", "{}", DEAL_API_WRITE),
        row(
            Get,
            "/api/v1/deals/<id>/meetings/<meeting>",
            "/api/v1/deals/{deal}/meetings/{meeting}",
            "",
            [S(401), S(200), S(200), S(200), S(403), S(200)],
        ),
        row(
            Post,
            "/api/v1/deals/<id>/meetings/<meeting>/record",
            "/api/v1/deals/{deal}/meetings/{meeting}/record",
            "{}",
            DEAL_API_WRITE,
        ),
        row(
            Post,
            "/deals/<id>/meetings/<meeting>/cancel",
            "/deals/{deal}/meetings/{meeting}/cancel",
            "",
            [Login, S(403), S(403), S(303), S(403), S(303)],
        ),
        row(
            Post,
            "/api/v1/deals/<id>/meetings/<meeting>/cancel",
            "/api/v1/deals/{deal}/meetings/{meeting}/cancel",
            "",
            [S(401), S(403), S(403), S(409), S(403), S(409)],
        ),
        // {salon}: organised by the administrator for tomorrow; cancelled last.
        row(Get, "/salons", "/salons", "", ANYONE_OK),
        row(Get, "/salons/new", "/salons/new", "", [Login, S(403), S(403), S(200), S(403), S(200)]),
        row(Post, "/salons", "/salons", "theme=", DEAL_WRITE),
        row(Get, "/salons/<id>", "/salons/{salon}", "", ANYONE_OK),
        row(Get, "/salons/<id>/calendar.ics", "/salons/{salon}/calendar.ics", "", ANYONE_OK),
        row(Post, "/salons/<id>/signup", "/salons/{salon}/signup", "", [Login, S(303), S(303), S(303), S(403), S(303)]),
        row(
            Post,
            "/salons/<id>/withdraw",
            "/salons/{salon}/withdraw",
            "",
            [Login, S(303), S(303), S(303), S(403), S(303)],
        ),
        row(
            Post,
            "/salons/<id>/check-in/<user_id>",
            "/salons/{salon}/check-in/{target}",
            "",
            [Login, S(403), S(403), S(403), S(403), S(303)],
        ),
        row(Get, "/api/v1/salons?<past>", "/api/v1/salons", "", ANYONE_OK),
        row(Post, "/api/v1/salons", "/api/v1/salons", "{}", DEAL_API_WRITE),
        row(Get, "/api/v1/salons/<id>", "/api/v1/salons/{salon}", "", ANYONE_OK),
        row(
            Post,
            "/api/v1/salons/<id>/signup",
            "/api/v1/salons/{salon}/signup",
            "",
            [S(401), S(200), S(200), S(200), S(403), S(200)],
        ),
        row(
            Delete,
            "/api/v1/salons/<id>/signup",
            "/api/v1/salons/{salon}/signup",
            "",
            [S(401), S(200), S(200), S(200), S(403), S(200)],
        ),
        row(
            Post,
            "/api/v1/salons/<id>/signups/<user_id>/check-in",
            "/api/v1/salons/{salon}/signups/{target}/check-in",
            "",
            [S(401), S(403), S(403), S(403), S(403), S(409)],
        ),
        row(
            Post,
            "/api/v1/salons/<id>/cancel",
            "/api/v1/salons/{salon}/cancel",
            "",
            [S(401), S(403), S(403), S(403), S(403), S(200)],
        ),
        row(Post, "/salons/<id>/cancel", "/salons/{salon}/cancel", "", [Login, S(403), S(403), S(403), S(403), S(303)]),
        // Pricing routes. {notice}: an open 公示 of the researcher's listing; {offering}: an open 挂牌
        // of it; {auction}: a running 竞价 the administrator organised, the enterprise qualified.
        // Rows that end a fixture (withdraw, cancel) come last.
        row(Get, "/notices?<status>&<page>", "/notices", "", ANYONE_OK),
        row(Get, "/notices/feed.atom", "/notices/feed.atom", "", ANYONE_OK),
        row(Get, "/notices/new?<achievement>", "/notices/new", "", [Login, S(200), S(200), S(200), S(403), S(200)]),
        row(Post, "/notices", "/notices", "transferee=", [Login, S(422), S(422), S(422), S(403), S(422)]),
        row(Get, "/notices/<id>", "/notices/{notice}", "", ANYONE_OK),
        row(
            Get,
            "/notices/<id>/correct",
            "/notices/{notice}/correct",
            "",
            [Login, S(200), S(403), S(403), S(403), S(200)],
        ),
        row(
            Post,
            "/notices/<id>/correct",
            "/notices/{notice}/correct",
            "price=",
            [Login, S(422), S(403), S(403), S(403), S(422)],
        ),
        row(
            Post,
            "/notices/<id>/objections",
            "/notices/{notice}/objections",
            "reasons=",
            [Login, S(303), S(303), S(303), S(403), S(303)],
        ),
        row(
            Post,
            "/notices/<id>/objections/<objection>/answer",
            "/notices/{notice}/objections/nope/answer",
            "answer=",
            [Login, S(303), S(403), S(403), S(403), S(303)],
        ),
        row(
            Post,
            "/notices/<id>/close",
            "/notices/{notice}/close",
            "note=",
            [Login, S(303), S(403), S(403), S(403), S(303)],
        ),
        row(Get, "/api/v1/notices?<status>&<page>", "/api/v1/notices", "", ANYONE_OK),
        row(Post, "/api/v1/notices", "/api/v1/notices", "{}", [S(401), S(422), S(422), S(422), S(403), S(422)]),
        row(Get, "/api/v1/notices/<id>", "/api/v1/notices/{notice}", "", ANYONE_OK),
        row(
            Post,
            "/api/v1/notices/<id>/versions",
            "/api/v1/notices/{notice}/versions",
            "{}",
            [S(401), S(422), S(403), S(403), S(403), S(422)],
        ),
        row(
            Post,
            "/api/v1/notices/<id>/objections",
            "/api/v1/notices/{notice}/objections",
            "{}",
            [S(401), S(422), S(422), S(422), S(403), S(422)],
        ),
        row(
            Post,
            "/api/v1/notices/<id>/objections/<objection>/answer",
            "/api/v1/notices/{notice}/objections/nope/answer",
            "{}",
            [S(401), S(422), S(403), S(403), S(403), S(422)],
        ),
        row(
            Post,
            "/api/v1/notices/<id>/close",
            "/api/v1/notices/{notice}/close",
            "{}",
            [S(401), S(409), S(403), S(403), S(403), S(409)],
        ),
        row(Get, "/offerings", "/offerings", "", ANYONE_OK),
        row(Get, "/offerings/new?<achievement>", "/offerings/new", "", [Login, S(200), S(200), S(200), S(403), S(200)]),
        row(Post, "/offerings", "/offerings", "price=", [Login, S(422), S(422), S(422), S(403), S(422)]),
        row(Get, "/offerings/<id>", "/offerings/{offering}", "", ANYONE_OK),
        row(
            Post,
            "/offerings/<id>/intents",
            "/offerings/{offering}/intents",
            "statement=",
            [Login, S(403), S(303), S(403), S(403), S(403)],
        ),
        row(
            Post,
            "/offerings/<id>/withdraw",
            "/offerings/{offering}/withdraw",
            "",
            [Login, S(303), S(403), S(403), S(403), S(303)],
        ),
        row(Get, "/api/v1/listings", "/api/v1/listings", "", ANYONE_OK),
        row(Post, "/api/v1/listings", "/api/v1/listings", "{}", [S(401), S(422), S(422), S(422), S(403), S(422)]),
        row(Get, "/api/v1/listings/<id>", "/api/v1/listings/{offering}", "", ANYONE_OK),
        row(
            Get,
            "/api/v1/listings/<id>/intents",
            "/api/v1/listings/{offering}/intents",
            "{}",
            [S(401), S(200), S(403), S(403), S(403), S(200)],
        ),
        row(
            Post,
            "/api/v1/listings/<id>/intents",
            "/api/v1/listings/{offering}/intents",
            "{}",
            [S(401), S(403), S(409), S(403), S(403), S(403)],
        ),
        row(
            Post,
            "/api/v1/listings/<id>/withdraw",
            "/api/v1/listings/{offering}/withdraw",
            "",
            [S(401), S(409), S(403), S(403), S(403), S(409)],
        ),
        row(Get, "/auctions", "/auctions", "", ANYONE_OK),
        row(Get, "/auctions/new?<achievement>", "/auctions/new", "", [Login, S(403), S(403), S(200), S(403), S(200)]),
        row(Post, "/auctions", "/auctions", "opening_price=", DEAL_WRITE),
        row(Get, "/auctions/<id>", "/auctions/{auction}", "", ANYONE_OK),
        row(
            Post,
            "/auctions/<id>/bids",
            "/auctions/{auction}/bids",
            "amount=",
            [Login, S(403), S(303), S(403), S(403), S(403)],
        ),
        row(
            Post,
            "/auctions/<id>/bidders",
            "/auctions/{auction}/bidders",
            "organisation_id=",
            [Login, S(403), S(403), S(403), S(403), S(303)],
        ),
        row(Get, "/api/v1/auctions?<finished>", "/api/v1/auctions", "", ANYONE_OK),
        row(Post, "/api/v1/auctions", "/api/v1/auctions", "{}", DEAL_API_WRITE),
        row(Get, "/api/v1/auctions/<id>", "/api/v1/auctions/{auction}", "", ANYONE_OK),
        row(Get, "/api/v1/auctions/<id>/bids", "/api/v1/auctions/{auction}/bids", "", ANYONE_OK),
        row(
            Post,
            "/api/v1/auctions/<id>/bids",
            "/api/v1/auctions/{auction}/bids",
            "{}",
            [S(401), S(403), S(422), S(403), S(403), S(403)],
        ),
        row(Post, "/api/v1/auctions/<id>/bidders", "/api/v1/auctions/{auction}/bidders", "{}", ADMIN_API_INVALID),
        row(Get, "/api/v1/auctions/<id>/events", "/api/v1/auctions/{auction}/events", "", ANYONE_OK),
        row(
            Post,
            "/achievements/<id>/appraisals",
            "/achievements/{listing}/appraisals",
            "agency=",
            [Login, S(303), S(403), S(403), S(403), S(303)],
        ),
        row(Get, "/api/v1/achievements/<id>/appraisals", "/api/v1/achievements/{listing}/appraisals", "", ANYONE_OK),
        row(
            Post,
            "/api/v1/achievements/<id>/appraisals",
            "/api/v1/achievements/{listing}/appraisals",
            "{}",
            [S(401), S(422), S(403), S(403), S(403), S(422)],
        ),
        row(
            Post,
            "/notices/<id>/withdraw",
            "/notices/{notice}/withdraw",
            "note=",
            [Login, S(303), S(403), S(403), S(403), S(303)],
        ),
        row(
            Post,
            "/api/v1/notices/<id>/withdraw",
            "/api/v1/notices/{notice}/withdraw",
            "{}",
            [S(401), S(409), S(403), S(403), S(403), S(409)],
        ),
        row(
            Post,
            "/auctions/<id>/cancel",
            "/auctions/{auction}/cancel",
            "",
            [Login, S(403), S(403), S(403), S(403), S(303)],
        ),
        row(
            Post,
            "/api/v1/auctions/<id>/cancel",
            "/api/v1/auctions/{auction}/cancel",
            "",
            [S(401), S(403), S(403), S(403), S(403), S(409)],
        ),
        // The inbox: everyone signed in has one; a message of someone else's is not found.
        row(Get, "/inbox?<unread>", "/inbox", "", SIGNED_IN_PAGE),
        row(Post, "/inbox/<id>/open", "/inbox/nope/open", "", [Login, S(404), S(404), S(404), S(404), S(404)]),
        row(Post, "/inbox/read-all", "/inbox/read-all", "", [Login, S(303), S(303), S(303), S(303), S(303)]),
        row(Get, "/api/v1/inbox?<unread>", "/api/v1/inbox", "", SIGNED_IN_API),
        row(
            Post,
            "/api/v1/inbox/<id>/read",
            "/api/v1/inbox/nope/read",
            "",
            [S(401), S(404), S(404), S(404), S(404), S(404)],
        ),
        row(Post, "/api/v1/inbox/read-all", "/api/v1/inbox/read-all", "", SIGNED_IN_API),
        // Webhooks belong to an organisation: its approved members manage them.
        row(Get, "/webhooks", "/webhooks", "", [Login, S(200), S(200), S(200), S(403), S(403)]),
        row(Post, "/webhooks", "/webhooks", "url=", [Login, S(422), S(422), S(422), S(403), S(403)]),
        row(Get, "/webhooks/<id>", "/webhooks/nope", "", [Login, S(404), S(404), S(404), S(403), S(404)]),
        row(
            Post,
            "/webhooks/<id>/delete",
            "/webhooks/nope/delete",
            "",
            [Login, S(404), S(404), S(404), S(403), S(404)],
        ),
        row(Post, "/webhooks/<id>/ping", "/webhooks/nope/ping", "", [Login, S(404), S(404), S(404), S(403), S(404)]),
        row(
            Post,
            "/webhooks/<id>/deliveries/<delivery>/retry",
            "/webhooks/nope/deliveries/nope/retry",
            "",
            [Login, S(404), S(404), S(404), S(403), S(404)],
        ),
        row(Get, "/api/v1/webhooks", "/api/v1/webhooks", "", [S(401), S(200), S(200), S(200), S(403), S(403)]),
        row(Post, "/api/v1/webhooks", "/api/v1/webhooks", "{}", [S(401), S(422), S(422), S(422), S(403), S(403)]),
        row(
            Delete,
            "/api/v1/webhooks/<id>",
            "/api/v1/webhooks/nope",
            "",
            [S(401), S(404), S(404), S(404), S(403), S(404)],
        ),
        row(
            Get,
            "/api/v1/webhooks/<id>/deliveries",
            "/api/v1/webhooks/nope/deliveries",
            "",
            [S(401), S(404), S(404), S(404), S(403), S(404)],
        ),
        row(
            Post,
            "/api/v1/webhooks/<id>/ping",
            "/api/v1/webhooks/nope/ping",
            "",
            [S(401), S(404), S(404), S(404), S(403), S(404)],
        ),
        row(
            Post,
            "/api/v1/webhooks/<id>/deliveries/<delivery>/retry",
            "/api/v1/webhooks/nope/deliveries/nope/retry",
            "",
            [S(401), S(404), S(404), S(404), S(403), S(404)],
        ),
        row(Get, "/api/v1/__refused", "/api/v1/__refused", "", REFUSED),
        row(Post, "/api/v1/__refused", "/api/v1/__refused", "", REFUSED),
        row(Put, "/api/v1/__refused", "/api/v1/__refused", "", REFUSED),
        row(Patch, "/api/v1/__refused", "/api/v1/__refused", "", REFUSED),
        row(Delete, "/api/v1/__refused", "/api/v1/__refused", "", REFUSED),
        // Last: it ends the session the rows above rely on.
        row(Post, "/logout", "/logout", "", [S(303); 6]),
    ]
}

/// A bare draft contract of the seller's organisation, sold to the buyer's.
async fn draft_contract(app: &TestApp, seller: &Client, buyer: &Client) -> String {
    let me: serde_json::Value = buyer.get("/api/v1/me").dispatch().await.into_json().await.expect("me");
    let body = serde_json::json!({"contract_type": "consulting", "subtype": "consulting", "title": "授权矩阵用技术咨询合同",
        "buyer_organisation_id": me["organisation_id"]});
    let response = crate::achievements::post_json(seller, "/api/v1/contracts", &body).await;
    assert_eq!(response.status(), Status::Created);
    let _ = app;
    response.into_json::<serde_json::Value>().await.expect("json")["id"].as_str().expect("id").to_string()
}

/// A meeting the broker scheduled yesterday on the deal (two guests, no accounts invited).
async fn schedule_meeting(broker: &Client, deal: &str) -> String {
    let start = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    let body = serde_json::json!({"starts_at": techmarket::domain::time::to_stored(start),
        "ends_at": techmarket::domain::time::to_stored(start + time::Duration::hours(1)), "place": "科技局会议室",
        "guests": [{"name": "张工", "side": "buyer"}, {"name": "李教授", "side": "seller"}]});
    let response = crate::achievements::post_json(broker, &format!("/api/v1/deals/{deal}/meetings"), &body).await;
    assert_eq!(response.status(), Status::Created);
    response.into_json::<serde_json::Value>().await.expect("json")["id"].as_str().expect("id").to_string()
}

async fn created(response: rocket::local::asynchronous::LocalResponse<'_>) -> serde_json::Value {
    let status = response.status();
    let body = response.into_json::<serde_json::Value>().await.expect("json");
    assert_eq!(status, Status::Created, "{body}");
    body
}

/// The pricing-route fixtures on the researcher's listing: an open 公示 and 挂牌, and a running
/// 竞价 the administrator organised with the (only active) enterprise qualified.
async fn trading_fixtures(app: &TestApp, seller: &Client, admin: &Client, listing: &str) -> (String, String, String) {
    use serde_json::json;
    let notice = json!({"achievement_id": listing, "team": "王立新团队", "transferee": "天水某机床公司", "transfer_mode": "transfer",
        "price": "85", "contact": "成果转化办公室 0938-2731234"});
    let notice = created(crate::achievements::post_json(seller, "/api/v1/notices", &notice).await).await;
    let later = techmarket::domain::time::to_stored(time::OffsetDateTime::now_utc() + time::Duration::days(10));
    let offering = json!({"achievement_id": listing, "price": "120", "increment": "5", "ends_at": later});
    let offering = created(crate::achievements::post_json(seller, "/api/v1/listings", &offering).await).await;
    let now = time::OffsetDateTime::now_utc();
    let auction = json!({"achievement_id": listing, "opening_price": "10", "increment": "1",
        "starts_at": techmarket::domain::time::to_stored(now - time::Duration::minutes(1)),
        "ends_at": techmarket::domain::time::to_stored(now + time::Duration::days(1))});
    let auction = created(crate::achievements::post_json(admin, "/api/v1/auctions", &auction).await).await;
    let auction = auction["auction"]["id"].as_str().expect("auction").to_string();
    let enterprise: String = sqlx::query_scalar(
        "SELECT organisation_id FROM users WHERE role = 'enterprise' AND status = 'active' AND organisation_id IS NOT NULL ORDER BY created_at DESC LIMIT 1",
    )
    .fetch_one(app.db.pool())
    .await
    .expect("an enterprise");
    let qualified = crate::achievements::post_json(
        admin,
        &format!("/api/v1/auctions/{auction}/bidders"),
        &json!({"organisation_id": enterprise}),
    )
    .await;
    assert_eq!(qualified.status(), Status::Created);
    (
        notice["notice"]["id"].as_str().expect("notice").to_string(),
        offering["offering"]["id"].as_str().expect("offering").to_string(),
        auction,
    )
}

/// A salon the administrator organises for tomorrow.
async fn organise_salon(admin: &Client) -> String {
    let start = time::OffsetDateTime::now_utc() + time::Duration::days(1);
    let body = serde_json::json!({"theme": "授权矩阵用对接沙龙", "starts_at": techmarket::domain::time::to_stored(start),
        "ends_at": techmarket::domain::time::to_stored(start + time::Duration::hours(2)), "venue": "科技局报告厅", "capacity": 2});
    let response = crate::achievements::post_json(admin, "/api/v1/salons", &body).await;
    assert_eq!(response.status(), Status::Created);
    response.into_json::<serde_json::Value>().await.expect("json")["salon"]["id"].as_str().expect("id").to_string()
}

/// A deal the broker opens on a listing and a demand (both owners invited).
async fn open_deal(broker: &Client, listing: &str, demand: &str) -> String {
    let body = serde_json::json!({"title": "授权矩阵用对接项目", "achievement_ids": [listing], "demand_id": demand});
    let response = crate::achievements::post_json(broker, "/api/v1/deals", &body).await;
    assert_eq!(response.status(), Status::Created);
    response.into_json::<serde_json::Value>().await.expect("json")["id"].as_str().expect("id").to_string()
}

fn mounted(client: &Client) -> BTreeSet<(String, String)> {
    client.rocket().routes().map(|r| (r.method.to_string(), r.uri.to_string())).collect()
}

#[test]
fn the_table_has_no_duplicates() {
    let rows = table();
    let keys: BTreeSet<_> = rows.iter().map(|r| (r.method.to_string(), r.route)).collect();
    assert_eq!(keys.len(), rows.len());
}

async fn persona_clients(app: &TestApp) -> Vec<(Persona, Client)> {
    let admin = create_admin(app).await;
    let mut clients = Vec::new();
    for persona in Persona::ALL {
        let client = app.another_client().await;
        let person = match persona {
            Persona::Anonymous => None,
            Persona::Researcher => Some(active(app, &admin, Role::Researcher).await),
            Persona::Enterprise => Some(active(app, &admin, Role::Enterprise).await),
            Persona::Broker => Some(active(app, &admin, Role::Broker).await),
            Persona::Pending => Some(register(app, Role::Researcher).await),
            Persona::Admin => Some(admin.clone()),
        };
        if let Some(person) = person {
            signed_in(&client, &person).await;
        }
        clients.push((persona, client));
    }
    clients
}

async fn send<'c>(
    client: &'c Client,
    row: &Row,
    uri: &str,
    csrf: Option<&str>,
) -> rocket::local::asynchronous::LocalResponse<'c> {
    let mut request = client.req(row.method, uri.to_string());
    if let Some(token) = csrf {
        request = request.header(Header::new("X-CSRF-Token", token.to_string()));
    }
    if !row.body.is_empty() {
        let content_type = if row.body.starts_with('{') { ContentType::JSON } else { ContentType::Form };
        request = request.header(content_type).body(row.body);
    }
    request.dispatch().await
}

async fn every_route_answers_every_visitor_as_the_table_says(app: TestApp) {
    let rows = table();
    let listed: BTreeSet<(String, String)> = rows.iter().map(|r| (r.method.to_string(), r.route.to_string())).collect();
    assert_eq!(
        mounted(&app.client),
        listed,
        "every mounted route needs a row in the authorization table (and no more)"
    );

    let target = register(&app, Role::Enterprise).await;
    let clients = persona_clients(&app).await;
    let client_of = |p: Persona| &clients.iter().find(|(persona, _)| *persona == p).expect("persona").1;
    let listing =
        crate::achievements::published_listing(client_of(Persona::Researcher), client_of(Persona::Admin)).await;
    let demand = crate::demands::published_demand(client_of(Persona::Enterprise), client_of(Persona::Admin)).await;
    crate::challenges::open_terms(client_of(Persona::Enterprise), &demand).await;
    let application = crate::challenges::apply(client_of(Persona::Broker), &demand).await;
    let contract = draft_contract(&app, client_of(Persona::Researcher), client_of(Persona::Enterprise)).await;
    let deal = open_deal(client_of(Persona::Broker), &listing, &demand).await;
    let meeting = schedule_meeting(client_of(Persona::Broker), &deal).await;
    let salon = organise_salon(client_of(Persona::Admin)).await;
    let (notice, offering, auction) =
        trading_fixtures(&app, client_of(Persona::Researcher), client_of(Persona::Admin), &listing).await;
    let mut failures = Vec::new();
    for row in &rows {
        let uri = row
            .uri
            .replace("{target}", &target.id)
            .replace("{listing}", &listing)
            .replace("{demand}", &demand)
            .replace("{application}", &application)
            .replace("{contract}", &contract)
            .replace("{deal}", &deal)
            .replace("{meeting}", &meeting)
            .replace("{salon}", &salon)
            .replace("{notice}", &notice)
            .replace("{offering}", &offering)
            .replace("{auction}", &auction);
        for (index, (persona, client)) in clients.iter().enumerate() {
            let csrf = csrf_of(client).await;
            let response = send(client, row, &uri, Some(&csrf)).await;
            let status = response.status().code;
            let location = response.headers().get_one("Location").unwrap_or_default().to_string();
            let ok = match row.expect[index] {
                S(code) => status == code,
                Login => status == 303 && location.starts_with("/login?next="),
            };
            if !ok {
                failures.push(format!(
                    "{} {uri} as {persona:?}: got {status} {location}, expected {:?}",
                    row.method, row.expect[index]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "authorization matrix mismatches:\n{}", failures.join("\n"));
}

async fn no_unsafe_route_is_reachable_without_the_csrf_token(app: TestApp) {
    let admin = create_admin(&app).await;
    let client = app.another_client().await;
    signed_in(&client, &admin).await;
    let target = register(&app, Role::Researcher).await;
    let lister = app.another_client().await;
    signed_in(&lister, &active(&app, &admin, Role::Researcher).await).await;
    let listing = crate::achievements::published_listing(&lister, &client).await;
    let poster = app.another_client().await;
    signed_in(&poster, &active(&app, &admin, Role::Enterprise).await).await;
    let demand = crate::demands::published_demand(&poster, &client).await;
    crate::challenges::open_terms(&poster, &demand).await;
    let applicant = app.another_client().await;
    signed_in(&applicant, &active(&app, &admin, Role::Broker).await).await;
    let application = crate::challenges::apply(&applicant, &demand).await;
    let contract = draft_contract(&app, &lister, &poster).await;
    let deal = open_deal(&applicant, &listing, &demand).await;
    let meeting = schedule_meeting(&applicant, &deal).await;
    let salon = organise_salon(&client).await;
    let (notice, offering, auction) = trading_fixtures(&app, &lister, &client, &listing).await;
    let rows = table();
    let unsafe_routes: Vec<&Row> =
        rows.iter().filter(|r| !matches!(r.method, Method::Get | Method::Head | Method::Options)).collect();
    let mounted_unsafe =
        mounted(&client).into_iter().filter(|(m, _)| !["GET", "HEAD", "OPTIONS"].contains(&m.as_str())).count();
    assert_eq!(unsafe_routes.len(), mounted_unsafe, "every unsafe route is covered");
    let token = csrf_of(&client).await;
    for row in unsafe_routes {
        let uri = row
            .uri
            .replace("{target}", &target.id)
            .replace("{listing}", &listing)
            .replace("{demand}", &demand)
            .replace("{application}", &application)
            .replace("{contract}", &contract)
            .replace("{deal}", &deal)
            .replace("{meeting}", &meeting)
            .replace("{salon}", &salon)
            .replace("{notice}", &notice)
            .replace("{offering}", &offering)
            .replace("{auction}", &auction);
        let cases: [(&str, Option<&str>, Option<Header<'static>>); 4] = [
            ("no token", None, None),
            ("wrong token", Some("forged-token"), None),
            ("cross-site", Some(token.as_str()), Some(Header::new("Sec-Fetch-Site", "cross-site"))),
            ("foreign origin", Some(token.as_str()), Some(Header::new("Origin", "https://evil.example"))),
        ];
        for (case, csrf, extra) in cases {
            let mut request = client.req(row.method, uri.clone()).header(Header::new("Host", "localhost:8000"));
            if let Some(csrf) = csrf {
                request = request.header(Header::new("X-CSRF-Token", csrf.to_string()));
            }
            if let Some(extra) = extra {
                request = request.header(extra);
            }
            let response = request.dispatch().await;
            assert_eq!(response.status(), Status::Forbidden, "{} {uri} ({case})", row.method);
            let body = response.into_string().await.unwrap_or_default();
            assert!(body.contains("csrf_failed"), "{} {uri} ({case}): {body}", row.method);
        }
    }
    // The form field works as well as the header, and a same-origin Origin is accepted.
    let profile = client
        .post("/account/profile")
        .header(ContentType::Form)
        .header(Header::new("Host", "localhost:8000"))
        .header(Header::new("Origin", "http://localhost:8000"))
        .body(format!("_csrf={token}&display_name={}&job_title=", encode("管理员甲")))
        .dispatch()
        .await;
    assert_eq!(profile.status(), Status::SeeOther);
    // Nothing was changed by the refused requests.
    let status: String = sqlx::query_scalar("SELECT status FROM users WHERE id = $1")
        .bind(&target.id)
        .fetch_one(app.db.pool())
        .await
        .expect("status");
    assert_eq!(status, "pending");
}

on_both_databases!(
    every_route_answers_every_visitor_as_the_table_says,
    no_unsafe_route_is_reachable_without_the_csrf_token
);
