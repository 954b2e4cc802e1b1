//! Everyday use (issue 17): 发起对接 requests read and answered, password reset (administrator
//! link, console link, e-mail through a local SMTP sink), a form kept across a session timeout,
//! registration with an existing organisation and every error at once, refusal with a reason.

use rocket::http::Status;
use rocket::local::asynchronous::Client;
use techmarket::domain::account::Role;

use crate::accounts_support::{
    PASSWORD, Person, active, create_admin, csrf_of, encode, post_form, register, sign_in, signed_in,
};
use crate::achievements::published_listing;
use crate::support::TestApp;

async fn body(client: &Client, uri: &str) -> (Status, String) {
    let response = client.get(uri.to_string()).dispatch().await;
    (response.status(), response.into_string().await.unwrap_or_default())
}

async fn location(response: rocket::local::asynchronous::LocalResponse<'_>) -> String {
    response.headers().get_one("Location").unwrap_or_default().to_string()
}

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> String {
    sqlx::query_scalar(sql).bind(bind).fetch_one(app.db.pool()).await.expect("query")
}

async fn contact_requests_reach_the_owner_and_the_answer_reaches_the_sender(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let enterprise = active(&app, &admin, Role::Enterprise).await;
    let broker = active(&app, &admin, Role::Broker).await;
    let (owner, reviewer, sender, other) = (
        app.another_client().await,
        app.another_client().await,
        app.another_client().await,
        app.another_client().await,
    );
    signed_in(&owner, &researcher).await;
    signed_in(&reviewer, &admin).await;
    signed_in(&sender, &enterprise).await;
    signed_in(&other, &broker).await;
    let id = published_listing(&owner, &reviewer).await;

    let message = "我们有三条分选线，想试用贵所的近红外分级技术";
    let sent =
        post_form(&sender, &format!("/achievements/{id}/contact"), &format!("message={}", encode(message))).await;
    assert_eq!(sent.status(), Status::SeeOther);

    // The owner reads who asked, from where, what they wrote — on the listing and in 我的成果.
    let (_, page) = body(&owner, &format!("/achievements/{id}")).await;
    assert!(page.contains(message) && page.contains("待回复"), "owner sees the request: {page}");
    let (_, mine) = body(&owner, "/achievements/mine").await;
    assert!(mine.contains("待回复的对接请求") && mine.contains(message));
    let (_, listing_for_sender) = body(&sender, &format!("/achievements/{id}")).await;
    assert!(listing_for_sender.contains("您已于") && listing_for_sender.contains("待回复"));

    let request_id = scalar(&app, "SELECT id FROM listing_contact_requests WHERE listing_id = $1", &id).await;
    let reply_uri = format!("/contacts/{request_id}/reply");
    // Someone else cannot answer it, nor learn it exists.
    let refused = post_form(&other, &reply_uri, "decision=answer&reply=x").await;
    assert_eq!(refused.status(), Status::NotFound);
    // An answer needs words; nothing changes without them.
    let empty = post_form(&owner, &reply_uri, "decision=answer&reply=++").await;
    assert_eq!(empty.status(), Status::SeeOther);
    assert_eq!(scalar(&app, "SELECT status FROM listing_contact_requests WHERE id = $1", &request_id).await, "open");
    let unknown = post_form(&owner, &reply_uri, "decision=maybe").await;
    assert_eq!(unknown.status(), Status::NotFound);

    let answer = "欢迎！请下周二上午来所里看样机，联系赵老师";
    let replied = post_form(&owner, &reply_uri, &format!("decision=answer&reply={}", encode(answer))).await;
    assert_eq!(replied.status(), Status::SeeOther);
    assert!(location(replied).await.ends_with("#contacts"));
    assert_eq!(
        scalar(&app, "SELECT status FROM listing_contact_requests WHERE id = $1", &request_id).await,
        "answered"
    );
    // Once only.
    let again = post_form(&owner, &reply_uri, "decision=decline").await;
    assert_eq!(again.status(), Status::SeeOther);
    assert_eq!(
        scalar(&app, "SELECT status FROM listing_contact_requests WHERE id = $1", &request_id).await,
        "answered"
    );

    // The sender sees the answer in 对接请求 and on the listing.
    let (status, contacts) = body(&sender, "/contacts").await;
    assert_eq!(status, Status::Ok);
    assert!(contacts.contains(answer) && contacts.contains("已回复"));
    let (_, listing_for_sender) = body(&sender, &format!("/achievements/{id}")).await;
    assert!(listing_for_sender.contains(answer));
    // The answer is audited under the listing.
    let audited = scalar(
        &app,
        "SELECT action FROM audit_events WHERE subject_id = $1 AND action LIKE '%contact_answered' LIMIT 1",
        &id,
    )
    .await;
    assert_eq!(audited, "achievement.contact_answered");
    // Outsiders are sent to sign in.
    let anonymous = app.another_client().await;
    assert_eq!(anonymous.get("/contacts").dispatch().await.status(), Status::SeeOther);
}

/// The one-time link in an administrator's page or a console line.
fn link_token(text: &str) -> String {
    let start = text.find("/password/reset/").expect("a reset link") + "/password/reset/".len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn reset_with(client: &Client, token: &str, new: &str, confirm: &str) -> Status {
    let csrf = csrf_of(client).await;
    let form = format!("_csrf={csrf}&new_password={}&new_password_confirm={}", encode(new), encode(confirm));
    client
        .post(format!("/password/reset/{token}"))
        .header(rocket::http::ContentType::Form)
        .body(form)
        .dispatch()
        .await
        .status()
}

async fn an_administrator_hands_over_a_one_time_reset_link(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let desk = app.another_client().await;
    signed_in(&desk, &admin).await;
    let response = post_form(&desk, &format!("/admin/users/{}/reset-link", researcher.id), "").await;
    assert_eq!(response.status(), Status::Ok);
    let token = link_token(&response.into_string().await.unwrap_or_default());

    let person = app.another_client().await;
    let (status, form) = body(&person, &format!("/password/reset/{token}")).await;
    assert_eq!(status, Status::Ok);
    assert!(form.contains("设置新密码"));
    assert_eq!(reset_with(&person, &token, "麦积山石窟新密码", "不一样的密码啊").await, Status::UnprocessableEntity);
    assert_eq!(reset_with(&person, &token, "麦积山石窟新密码", "麦积山石窟新密码").await, Status::SeeOther);
    // Spent: a second use and a made-up link read the same.
    assert_eq!(reset_with(&person, &token, "麦积山石窟再一次", "麦积山石窟再一次").await, Status::NotFound);
    let (status, page) = body(&person, "/password/reset/not-a-real-token").await;
    assert_eq!(status, Status::NotFound);
    assert!(page.contains("重置密码的链接无效"));
    assert_eq!(sign_in(&person, &researcher.login, PASSWORD).await.status(), Status::Unauthorized);
    assert_eq!(sign_in(&person, &researcher.login, "麦积山石窟新密码").await.status(), Status::SeeOther);

    // Audited with the administrator's name shown on the account's history.
    let (_, history) = body(&desk, &format!("/admin/users/{}", researcher.id)).await;
    assert!(history.contains("生成重置密码链接") && history.contains("管理员 测试管理员"));
    assert!(history.contains("通过链接重置密码"));
    assert!(!history.contains("管理员/系统"));

    // The console's link works the same way (the demo's way back in).
    let settings =
        techmarket::config::load(crate::support::test_figment(app.dir.path(), &app.database_url)).expect("settings").1;
    let console =
        techmarket::auth::reset::issue_from_console(&app.db, &settings, &researcher.login).await.expect("link");
    let token = link_token(&console);
    assert_eq!(reset_with(&person, &token, "花牛苹果第三个密码", "花牛苹果第三个密码").await, Status::SeeOther);
    assert_eq!(
        sign_in(&app.another_client().await, &researcher.login, "花牛苹果第三个密码").await.status(),
        Status::SeeOther
    );
}

/// A person's sessions as if unused since 2000: the next request finds them timed out.
async fn idle_out(app: &TestApp, user_id: &str) {
    sqlx::query("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00.000000Z' WHERE user_id = $1")
        .bind(user_id)
        .execute(app.db.pool())
        .await
        .expect("age the session");
}

async fn a_form_sent_after_the_session_ended_is_kept_for_its_author(app: TestApp) {
    let admin = create_admin(&app).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let other = active(&app, &admin, Role::Researcher).await;
    let browser = app.another_client().await;
    signed_in(&browser, &researcher).await;
    let csrf = csrf_of(&browser).await;
    // The session times out while the form is being filled.
    idle_out(&app, &researcher.id).await;
    let title = "苹果霉心病近红外在线检测装置";
    let form = format!(
        "_csrf={csrf}&_form=%2Fachievements%2Fnew&title={}&summary={}&asking_price=80",
        encode(title),
        encode("霉心病果在线剔除，检出率百分之九十五")
    );
    let sent = browser.post("/achievements").header(rocket::http::ContentType::Form).body(form).dispatch().await;
    assert_eq!(sent.status(), Status::SeeOther);
    let to_login = location(sent).await;
    assert!(to_login.starts_with("/login?next=/achievements/new%3Fdraft%3D"), "{to_login}");
    let (_, login_page) = body(&browser, &to_login).await;
    assert!(login_page.contains("登录已超时") && login_page.contains("已为您保留"));
    let next = login_page
        .split("name=\"next\" value=\"")
        .nth(1)
        .expect("next")
        .split('"')
        .next()
        .expect("end")
        .replace("&#x3D;", "=");
    assert!(next.starts_with("/achievements/new?draft="));
    let draft_token = next.trim_start_matches("/achievements/new?draft=").to_string();

    // Someone else signing in with that link gets a blank form.
    let stranger = app.another_client().await;
    signed_in(&stranger, &other).await;
    let (_, blank) = body(&stranger, &next).await;
    assert!(!blank.contains(title));

    // The author signs in again and lands on the form with what they typed.
    let csrf = csrf_of(&browser).await;
    let signed = browser
        .post("/login")
        .header(rocket::http::ContentType::Form)
        .body(format!(
            "_csrf={csrf}&login={}&password={}&next={}",
            encode(&researcher.login),
            encode(PASSWORD),
            encode(&next)
        ))
        .dispatch()
        .await;
    assert_eq!(location(signed).await, next);
    let (status, restored) = body(&browser, &next).await;
    assert_eq!(status, Status::Ok);
    assert!(restored.contains(title) && restored.contains("已恢复登录超时前填写的内容"), "the typed title is back");
    // Once.
    let (_, again) = body(&browser, &format!("/achievements/new?draft={draft_token}")).await;
    assert!(!again.contains(title));
    // A form that does not name its page is not kept, but the person is still told.
    let csrf = csrf_of(&browser).await;
    idle_out(&app, &researcher.id).await;
    let plain = browser
        .post("/account/profile")
        .header(rocket::http::ContentType::Form)
        .body(format!("_csrf={csrf}&display_name=x"))
        .dispatch()
        .await;
    assert_eq!(location(plain).await, "/login");
}

async fn registration_takes_the_organisation_picked_and_reports_everything_at_once(app: TestApp) {
    let admin = create_admin(&app).await;
    let existing = active(&app, &admin, Role::Researcher).await;
    let org_id = scalar(&app, "SELECT organisation_id FROM users WHERE id = $1", &existing.id).await;
    let browser = app.another_client().await;
    let csrf = csrf_of(&browser).await;
    // Picked from the list, radio left on 登记新单位, new-organisation fields empty: the list wins.
    let form = format!(
        "_csrf={csrf}&display_name={}&login=13912345670&password={p}&password_confirm={p}&role=researcher&org_mode=new&organisation_id={org_id}&org_name=&org_nature=&org_region_code=620503",
        encode("李研究员"),
        p = encode(PASSWORD)
    );
    let done = browser.post("/register").header(rocket::http::ContentType::Form).body(form).dispatch().await;
    assert_eq!(done.status(), Status::SeeOther, "registered into the existing organisation");
    let joined = scalar(&app, "SELECT organisation_id FROM users WHERE mobile = $1", "13912345670").await;
    assert_eq!(joined, org_id);

    // Every problem in one answer: the login taken (a database fact) next to a form mistake;
    // the passwords typed come back.
    let form = format!(
        "_csrf={csrf}&display_name=&login={}&password={p}&password_confirm={p}&role=researcher&org_mode=new&org_name={}&org_nature=public_university&org_region_code=620503",
        existing.login,
        encode("天水师范学院测试"),
        p = encode(PASSWORD)
    );
    let refused = browser.post("/register").header(rocket::http::ContentType::Form).body(form).dispatch().await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    let page = refused.into_string().await.unwrap_or_default();
    assert!(page.contains("请填写姓名") && page.contains("该邮箱或手机号已注册"), "both errors at once");
    assert!(page.contains(&format!("value=\"{PASSWORD}\"")), "the password is kept");
}

async fn a_registration_refused_with_a_reason_tells_the_person_why(app: TestApp) {
    let admin = create_admin(&app).await;
    let applicant: Person = register(&app, Role::Enterprise).await;
    let desk = app.another_client().await;
    signed_in(&desk, &admin).await;
    let uri = format!("/admin/users/{}/reject", applicant.id);
    assert_eq!(post_form(&desk, &uri, "reason=").await.status(), Status::SeeOther);
    assert_eq!(scalar(&app, "SELECT status FROM users WHERE id = $1", &applicant.id).await, "pending");
    let reason = "单位名称与营业执照不符";
    assert_eq!(post_form(&desk, &uri, &format!("reason={}", encode(reason))).await.status(), Status::SeeOther);
    assert_eq!(scalar(&app, "SELECT status FROM users WHERE id = $1", &applicant.id).await, "disabled");
    let person = app.another_client().await;
    let refused = sign_in(&person, &applicant.login, PASSWORD).await;
    assert_eq!(refused.status(), Status::Forbidden);
    assert!(refused.into_string().await.unwrap_or_default().contains(reason));
    let (_, history) = body(&desk, &format!("/admin/users/{}", applicant.id)).await;
    assert!(history.contains("注册申请不予通过") && history.contains("管理员 测试管理员"));
}

async fn library_filters_say_what_they_could_not_read(app: TestApp) {
    let (status, page) = body(&app.client, "/achievements?min=abc&region=12").await;
    assert_eq!(status, Status::BadRequest);
    assert!(page.contains("价格下限“abc”不是金额") && page.contains("所在地“12”不是 6 位行政区划代码"), "{page}");
    let (status, page) = body(&app.client, "/achievements?page=99").await;
    assert_eq!(status, Status::NotFound);
    assert!(page.contains("第 99 页不存在"));
    let (status, page) = body(&app.client, "/demands?budget=%E5%BE%88%E5%A4%9A&sort=cheapest").await;
    assert_eq!(status, Status::BadRequest);
    assert!(page.contains("预算“很多”") && page.contains("排序方式“cheapest”"));
    let (status, page) = body(&app.client, "/achievements?page=abc").await;
    assert_eq!(status, Status::BadRequest);
    assert!(page.contains("页码“abc”不是数字"));
    assert_eq!(body(&app.client, "/achievements?field=agriculture&sort=views").await.0, Status::Ok);
    // A query of spaces is no query.
    let (_, page) = body(&app.client, "/search?q=%20%20%20").await;
    assert!(!page.contains("与“"));
}

async fn a_bad_terms_entry_comes_back_beside_its_form_and_applications_are_listed(app: TestApp) {
    let admin = create_admin(&app).await;
    let enterprise = active(&app, &admin, Role::Enterprise).await;
    let researcher = active(&app, &admin, Role::Researcher).await;
    let (poster, reviewer, team) = (app.another_client().await, app.another_client().await, app.another_client().await);
    signed_in(&poster, &enterprise).await;
    signed_in(&reviewer, &admin).await;
    signed_in(&team, &researcher).await;
    let demand = crate::demands::published_demand(&poster, &reviewer).await;

    // The demand's page names its region.
    let (_, page) = body(&poster, &format!("/demands/{demand}")).await;
    assert!(page.contains("甘肃省天水市麦积区"));

    let refused =
        post_form(&poster, &format!("/challenges/{demand}/terms"), "reward=0&apply_from=2026-01-01&apply_until=").await;
    assert_eq!(refused.status(), Status::UnprocessableEntity);
    let page = refused.into_string().await.unwrap_or_default();
    assert!(page.contains("揭榜奖励须大于零") && page.contains("请填写揭榜截止日期"), "messages beside the fields");
    assert!(page.contains("name=\"apply_from\" type=\"date\" value=\"2026-01-01\""), "what was typed stays");
    assert!(page.contains("揭榜条件有误"));

    crate::challenges::open_terms(&poster, &demand).await;
    crate::challenges::apply(&team, &demand).await;
    let (status, mine) = body(&team, "/challenges/mine").await;
    assert_eq!(status, Status::Ok);
    assert!(mine.contains(&format!("/demands/{demand}")) && mine.contains("已提交"));
    let (_, empty) = body(&poster, "/challenges/mine").await;
    assert!(empty.contains("您还没有提交过揭榜申请"));
}

crate::on_both_databases!(
    contact_requests_reach_the_owner_and_the_answer_reaches_the_sender,
    an_administrator_hands_over_a_one_time_reset_link,
    a_form_sent_after_the_session_ended_is_kept_for_its_author,
    registration_takes_the_organisation_picked_and_reports_everything_at_once,
    a_registration_refused_with_a_reason_tells_the_person_why,
    library_filters_say_what_they_could_not_read,
    a_bad_terms_entry_comes_back_beside_its_form_and_applications_are_listed,
);
