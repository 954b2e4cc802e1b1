//! Helpers for account tests: people of every role, signing in through the real forms, and the
//! CSRF token a browser would hold.

use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::{Client, LocalResponse};
use techmarket::auth::Caller;
use techmarket::auth::admin::{self, AdminAction};
use techmarket::auth::identity::user_by_id;
use techmarket::auth::model::RegistrationInput;
use techmarket::auth::password::PasswordHasher;
use techmarket::auth::service;
use techmarket::config::Settings;
use techmarket::domain::account::Role;

use crate::support::TestApp;

/// A password that passes the rules.
pub const PASSWORD: &str = "天水苹果花牛红了";

/// Someone with an account.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub login: String,
}

/// Who a test acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persona {
    Anonymous,
    Researcher,
    Enterprise,
    Broker,
    Admin,
    Pending,
}

impl Persona {
    pub const ALL: [Persona; 6] = [
        Persona::Anonymous,
        Persona::Researcher,
        Persona::Enterprise,
        Persona::Broker,
        Persona::Pending,
        Persona::Admin,
    ];
}

fn settings(app: &TestApp) -> Settings {
    let (_, settings) = techmarket::config::load(app_figment(app)).expect("settings");
    settings
}

fn app_figment(app: &TestApp) -> rocket::figment::Figment {
    crate::support::test_figment(app.dir.path(), &app.database_url)
}

fn unique_mobile() -> String {
    let n = uuid::Uuid::now_v7().as_u128() % 100_000_000;
    format!("139{n:08}")
}

/// Registers someone through the service (as the form would) and returns them.
pub async fn register(app: &TestApp, role: Role) -> Person {
    let login = unique_mobile();
    let suffix = &login[5..];
    let (nature, credit_code) = match role {
        Role::Enterprise => ("enterprise_private", Some(valid_credit_code(suffix))),
        Role::Researcher => ("public_university", None),
        _ => ("public_other", None),
    };
    let input = RegistrationInput {
        display_name: Some(format!("测试{}", role.label())),
        login: Some(login.clone()),
        password: Some(PASSWORD.into()),
        password_confirm: Some(PASSWORD.into()),
        role: Some(role.code().into()),
        org_mode: Some("new".into()),
        org_name: Some(format!("测试单位{suffix}")),
        org_credit_code: credit_code,
        org_nature: Some(nature.into()),
        org_region_code: Some("620503".into()),
        ..RegistrationInput::default()
    };
    let id = service::register(&app.db, &PasswordHasher::default(), &settings(app), &input, "127.0.0.1")
        .await
        .unwrap_or_else(|e| panic!("register {role:?}: {e:?}"));
    Person { id: id.to_string(), login }
}

/// A credit code with a correct check character, varying in its middle digits.
pub fn valid_credit_code(digits: &str) -> String {
    let body = format!("91620503{:0>9}", &digits[digits.len().saturating_sub(9)..]);
    techmarket::domain::validators::complete_credit_code(&body).expect("digits are in the alphabet")
}

pub async fn create_admin(app: &TestApp) -> Person {
    let login = unique_mobile();
    let id = admin::create_admin(&app.db, &PasswordHasher::default(), &settings(app), "测试管理员", &login, PASSWORD)
        .await
        .expect("admin");
    Person { id: id.to_string(), login }
}

/// An administrator acting through the service, for set-up steps.
pub async fn admin_does(app: &TestApp, admin: &Person, target: &Person, action: AdminAction) {
    let user = user_by_id(&app.db, &admin.id).await.expect("read").expect("the administrator");
    let actor = Caller { user: &user, ip: "127.0.0.1" };
    admin::admin_action(&app.db, &actor, &target.id, action).await.expect("admin action");
}

/// An approved person of `role`.
pub async fn active(app: &TestApp, admin: &Person, role: Role) -> Person {
    let person = register(app, role).await;
    admin_does(app, admin, &person, AdminAction::Approve).await;
    person
}

/// The CSRF token this client's browser holds (from any page's form).
pub async fn csrf_of(client: &Client) -> String {
    let html = client.get("/login").dispatch().await.into_string().await.unwrap_or_default();
    let html = if html.contains("name=\"_csrf\"") {
        html
    } else {
        client.get("/account").dispatch().await.into_string().await.unwrap_or_default()
    };
    let start =
        html.find("name=\"_csrf\" value=\"").expect("a form with a CSRF token") + "name=\"_csrf\" value=\"".len();
    html[start..start + html[start..].find('"').expect("end")].to_string()
}

/// Submits the sign-in form as a browser would.
pub async fn sign_in<'c>(client: &'c Client, login: &str, password: &str) -> LocalResponse<'c> {
    let token = csrf_of(client).await;
    client
        .post("/login")
        .header(ContentType::Form)
        .body(format!("_csrf={token}&login={}&password={}", encode(login), encode(password)))
        .dispatch()
        .await
}

/// Signs in and asserts it worked.
pub async fn signed_in(client: &Client, person: &Person) {
    let response = sign_in(client, &person.login, PASSWORD).await;
    assert_eq!(response.status(), Status::SeeOther, "sign-in of {} must redirect", person.login);
}

/// Percent-encodes a form value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A POST carrying this client's CSRF token in the header.
pub async fn post_form<'c>(client: &'c Client, uri: &str, body: &str) -> LocalResponse<'c> {
    let token = csrf_of(client).await;
    client
        .post(uri.to_string())
        .header(ContentType::Form)
        .header(Header::new("X-CSRF-Token", token))
        .body(body)
        .dispatch()
        .await
}
