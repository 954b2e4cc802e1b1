//! 忘记密码 by e-mail, against a local SMTP sink this test starts: the link arrives for an account
//! with an e-mail address, works once, and the answer never says whether an account exists.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use rocket::figment::Figment;
use rocket::http::{ContentType, Status};
use techmarket::auth::model::RegistrationInput;
use techmarket::auth::password::PasswordHasher;
use techmarket::domain::account::Role;

use crate::accounts_support::{PASSWORD, Person, admin_does, create_admin, csrf_of, encode, sign_in};
use crate::support::TestApp;

/// One message the sink accepted: its recipients and its raw text.
#[derive(Debug, Clone)]
struct Received {
    to: Vec<String>,
    data: String,
}

/// A minimal SMTP server (greeting, EHLO, MAIL, RCPT, DATA, QUIT), shared by every test of the
/// run, keeping what it received.
struct Sink {
    port: u16,
    mail: Arc<Mutex<Vec<Received>>>,
}

fn sink() -> &'static Sink {
    static SINK: OnceLock<Sink> = OnceLock::new();
    SINK.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the SMTP sink");
        let port = listener.local_addr().expect("address").port();
        let mail: Arc<Mutex<Vec<Received>>> = Arc::default();
        let kept = mail.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = kept.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &kept);
                });
            }
        });
        Sink { port, mail }
    })
}

fn serve(stream: std::net::TcpStream, kept: &Mutex<Vec<Received>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") || command.starts_with("HELO") {
            out.write_all(b"250 sink\r\n")?;
        } else if command.starts_with("RCPT TO:") {
            to.push(line.trim_end()[8..].trim().trim_matches(['<', '>']).to_string());
            out.write_all(b"250 OK\r\n")?;
        } else if command == "DATA" {
            out.write_all(b"354 go ahead\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 || line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
            }
            kept.lock().expect("sink").push(Received { to: std::mem::take(&mut to), data });
            out.write_all(b"250 queued\r\n")?;
        } else if command == "QUIT" {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"250 OK\r\n")?;
        }
    }
}

fn with_smtp(figment: Figment) -> Figment {
    figment.merge(("smtp_url", format!("smtp://127.0.0.1:{}", sink().port)))
}

fn mail_to(address: &str) -> Vec<Received> {
    sink().mail.lock().expect("sink").iter().filter(|m| m.to.iter().any(|t| t == address)).cloned().collect()
}

/// The text of a message, whichever transfer encoding the mailer chose.
fn text_of(message: &Received) -> String {
    let (head, body) = message.data.split_once("\r\n\r\n").unwrap_or((&message.data, ""));
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        String::from_utf8_lossy(&base64::engine::general_purpose::STANDARD.decode(joined).unwrap_or_default()).into()
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        let unfolded = body.replace("=\r\n", "");
        let mut bytes = Vec::new();
        let mut rest = unfolded.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            if b == b'='
                && tail.len() >= 2
                && let Ok(v) = u8::from_str_radix(&String::from_utf8_lossy(&tail[..2]), 16)
            {
                bytes.push(v);
                rest = &tail[2..];
            } else {
                bytes.push(b);
                rest = tail;
            }
        }
        String::from_utf8_lossy(&bytes).into()
    } else {
        body.to_string()
    }
}

async fn ask(app: &TestApp, login: &str) -> (Status, String) {
    let client = app.another_client().await;
    let csrf = csrf_of(&client).await;
    let response = client
        .post("/password/forgot")
        .header(ContentType::Form)
        .body(format!("_csrf={csrf}&login={}", encode(login)))
        .dispatch()
        .await;
    (response.status(), response.into_string().await.unwrap_or_default().replace(login, "LOGIN"))
}

async fn reset_by_mail(app: TestApp) {
    let admin = create_admin(&app).await;
    let address = format!("zhang{}@example.cn", uuid::Uuid::now_v7().simple());
    let settings = techmarket::config::load(with_smtp(crate::support::test_figment(app.dir.path(), &app.database_url)))
        .expect("settings")
        .1;
    let input = RegistrationInput {
        display_name: Some("张研究员".into()),
        login: Some(address.clone()),
        password: Some(PASSWORD.into()),
        password_confirm: Some(PASSWORD.into()),
        role: Some(Role::Researcher.code().into()),
        org_mode: Some("new".into()),
        org_name: Some(format!("邮件测试研究所{}", &address[5..13])),
        org_nature: Some("public_university".into()),
        org_region_code: Some("620503".into()),
        ..RegistrationInput::default()
    };
    let id = techmarket::auth::service::register(&app.db, &PasswordHasher::default(), &settings, &input, "127.0.0.1")
        .await
        .expect("register");
    let person = Person { id: id.to_string(), login: address.clone() };
    admin_does(&app, &admin, &person, techmarket::auth::admin::AdminAction::Approve).await;

    // The same answer for an account and for nobody.
    let (status, known) = ask(&app, &address).await;
    assert_eq!(status, Status::Ok);
    let stranger = format!("nobody{}@example.cn", uuid::Uuid::now_v7().simple());
    let (_, unknown) = ask(&app, &stranger).await;
    let strip = |page: &str| {
        page.split("name=\"_csrf\" value=\"")
            .map(|p| p.split_once('"').map_or(p, |(_, rest)| rest).to_string())
            .collect::<String>()
    };
    assert_eq!(strip(&known), strip(&unknown), "the answer does not tell whether the account exists");
    assert!(known.contains("重置密码的链接已发往"));

    let mut mails = Vec::new();
    for _ in 0..100 {
        mails = mail_to(&address);
        if !mails.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(mails.len(), 1, "one mail to the account");
    assert!(mail_to(&stranger).is_empty(), "none to an address that is no account");
    let text = text_of(&mails[0]);
    assert!(text.contains("张研究员") && text.contains("30 分钟"), "{text}");
    let start = text.find("/password/reset/").expect("a link") + "/password/reset/".len();
    let token: String =
        text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();

    // A second request within the minute sends nothing more.
    ask(&app, &address).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(mail_to(&address).len(), 1);

    let browser = app.another_client().await;
    let csrf = csrf_of(&browser).await;
    let form = format!("_csrf={csrf}&new_password={p}&new_password_confirm={p}", p = encode("伏羲庙前新密码2026"));
    let done = browser.post(format!("/password/reset/{token}")).header(ContentType::Form).body(form).dispatch().await;
    assert_eq!(done.status(), Status::SeeOther);
    assert_eq!(sign_in(&app.another_client().await, &address, "伏羲庙前新密码2026").await.status(), Status::SeeOther);
    let audited: i64 = sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_events WHERE subject_id = $1 AND action = 'account.password_reset'",
    )
    .bind(&person.id)
    .fetch_one(app.db.pool())
    .await
    .expect("count");
    assert_eq!(audited, 1);
}

#[rocket::async_test]
async fn sqlite_password_reset_by_mail() {
    crate::support::run_sqlite_with(with_smtp, reset_by_mail).await;
}

#[rocket::async_test]
#[cfg_attr(not(postgres_tests), ignore = "runs only with TEST_DATABASE_URL (a PostgreSQL server)")]
async fn postgres_password_reset_by_mail() {
    crate::support::run_postgres_with("password_reset_by_mail", with_smtp, reset_by_mail).await;
}
