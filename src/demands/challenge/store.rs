//! SQL of challenges and their applications.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row as _};

use super::model::{Application, ApplicationStatus, Terms};
use crate::db::Db;
use crate::domain::forms::date_text;
use crate::domain::time::now_stored;

/// A challenge's terms as stored.
#[derive(Debug, Clone, Serialize)]
pub struct TermsRow {
    pub demand_id: String,
    pub reward_fen: i64,
    pub apply_from: String,
    pub apply_until: String,
    pub selected_application_id: Option<String>,
    pub applications: i64,
}

/// One application as stored, with who sent it.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationRow {
    pub id: String,
    pub demand_id: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub organisation_name: Option<String>,
    pub team: String,
    pub proposal: String,
    pub expected_results: String,
    pub attachments: Vec<String>,
    pub status: ApplicationStatus,
    pub created_at: String,
}

const TERMS_SQL: &str = "SELECT c.demand_id, c.reward_fen, c.apply_from, c.apply_until, c.selected_application_id, \
     (SELECT CAST(COUNT(*) AS BIGINT) FROM challenge_applications a WHERE a.demand_id = c.demand_id AND a.status <> 'withdrawn') AS applications \
     FROM challenges c";

fn terms_from_row(row: &AnyRow) -> Result<TermsRow, sqlx::Error> {
    Ok(TermsRow {
        demand_id: row.try_get("demand_id")?,
        reward_fen: row.try_get("reward_fen")?,
        apply_from: row.try_get("apply_from")?,
        apply_until: row.try_get("apply_until")?,
        selected_application_id: row.try_get("selected_application_id")?,
        applications: row.try_get("applications")?,
    })
}

const APPLICATION_SQL: &str = "SELECT a.id, a.demand_id, a.applicant_id, u.display_name AS applicant_name, o.name AS organisation_name, \
     a.team, a.proposal, a.expected_results, a.attachments, a.status, a.created_at \
     FROM challenge_applications a JOIN users u ON u.id = a.applicant_id LEFT JOIN organisations o ON o.id = a.organisation_id";

fn application_from_row(row: &AnyRow) -> Result<ApplicationRow, sqlx::Error> {
    let status: String = row.try_get("status")?;
    let attachments: String = row.try_get("attachments")?;
    Ok(ApplicationRow {
        id: row.try_get("id")?,
        demand_id: row.try_get("demand_id")?,
        applicant_id: row.try_get("applicant_id")?,
        applicant_name: row.try_get("applicant_name")?,
        organisation_name: row.try_get("organisation_name")?,
        team: row.try_get("team")?,
        proposal: row.try_get("proposal")?,
        expected_results: row.try_get("expected_results")?,
        attachments: attachments.lines().filter(|l| !l.is_empty()).map(str::to_string).collect(),
        status: ApplicationStatus::from_code(&status)
            .ok_or_else(|| sqlx::Error::Decode(format!("application status {status:?}").into()))?,
        created_at: row.try_get("created_at")?,
    })
}

pub async fn find_terms(db: &Db, demand_id: &str) -> Result<Option<TermsRow>, sqlx::Error> {
    let sql = format!("{TERMS_SQL} WHERE c.demand_id = $1");
    sqlx::query(&sql).bind(demand_id).fetch_optional(db.pool()).await?.as_ref().map(terms_from_row).transpose()
}

/// Sets (or replaces) a demand's challenge terms.
pub async fn upsert_terms(conn: &mut AnyConnection, demand_id: &str, terms: &Terms) -> Result<(), sqlx::Error> {
    let now = now_stored();
    let updated = sqlx::query("UPDATE challenges SET reward_fen = $1, apply_from = $2, apply_until = $3, updated_at = $4 WHERE demand_id = $5")
        .bind(terms.reward.0)
        .bind(date_text(terms.apply_from))
        .bind(date_text(terms.apply_until))
        .bind(&now)
        .bind(demand_id)
        .execute(&mut *conn)
        .await?;
    if updated.rows_affected() == 0 {
        sqlx::query(
            "INSERT INTO challenges (demand_id, reward_fen, apply_from, apply_until, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(demand_id)
        .bind(terms.reward.0)
        .bind(date_text(terms.apply_from))
        .bind(date_text(terms.apply_until))
        .bind(&now)
        .execute(conn)
        .await?;
    }
    Ok(())
}

pub async fn insert_application(
    conn: &mut AnyConnection,
    id: &str,
    demand_id: &str,
    applicant_id: &str,
    organisation_id: Option<&str>,
    application: &Application,
) -> Result<(), sqlx::Error> {
    let now = now_stored();
    sqlx::query(
        "INSERT INTO challenge_applications (id, demand_id, applicant_id, organisation_id, team, proposal, expected_results, attachments, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'submitted', $9, $9)",
    )
    .bind(id)
    .bind(demand_id)
    .bind(applicant_id)
    .bind(organisation_id)
    .bind(application.team.clone())
    .bind(application.proposal.clone())
    .bind(application.expected_results.clone())
    .bind(application.attachments.join("\n"))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn find_application(db: &Db, id: &str) -> Result<Option<ApplicationRow>, sqlx::Error> {
    let sql = format!("{APPLICATION_SQL} WHERE a.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?.as_ref().map(application_from_row).transpose()
}

/// Applications to one challenge, oldest first; `applicant` narrows to one person's.
pub async fn applications(
    db: &Db,
    demand_id: &str,
    applicant: Option<&str>,
) -> Result<Vec<ApplicationRow>, sqlx::Error> {
    let rows = match applicant {
        Some(user) => {
            let sql = format!("{APPLICATION_SQL} WHERE a.demand_id = $1 AND a.applicant_id = $2 ORDER BY a.created_at");
            sqlx::query(&sql).bind(demand_id).bind(user).fetch_all(db.pool()).await?
        }
        None => {
            let sql = format!("{APPLICATION_SQL} WHERE a.demand_id = $1 ORDER BY a.created_at");
            sqlx::query(&sql).bind(demand_id).fetch_all(db.pool()).await?
        }
    };
    rows.iter().map(application_from_row).collect()
}

/// A person's applications to every challenge, newest first, with the demand each is for.
pub async fn applications_of(db: &Db, applicant: &str) -> Result<Vec<(ApplicationRow, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT x.*, d.title AS demand_title FROM ({APPLICATION_SQL} WHERE a.applicant_id = $1) x \
         JOIN demands d ON d.id = x.demand_id ORDER BY x.created_at DESC LIMIT 200"
    );
    let rows = sqlx::query(&sql).bind(applicant).fetch_all(db.pool()).await?;
    rows.iter().map(|row| Ok((application_from_row(row)?, row.try_get("demand_title")?))).collect()
}

/// Moves an application if it is still in `from`.
pub async fn set_application_status(
    conn: &mut AnyConnection,
    id: &str,
    from: ApplicationStatus,
    to: ApplicationStatus,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("UPDATE challenge_applications SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(to.code())
            .bind(now_stored())
            .bind(id)
            .bind(from.code())
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the one selected application and turns every other open one into `not_selected`;
/// refuses (false) when one was already selected.
pub async fn select(conn: &mut AnyConnection, demand_id: &str, application_id: &str) -> Result<bool, sqlx::Error> {
    let now = now_stored();
    let claimed = sqlx::query(
        "UPDATE challenges SET selected_application_id = $1, updated_at = $2 WHERE demand_id = $3 AND selected_application_id IS NULL",
    )
    .bind(application_id)
    .bind(&now)
    .bind(demand_id)
    .execute(&mut *conn)
    .await?;
    if claimed.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query(
        "UPDATE challenge_applications SET status = 'not_selected', updated_at = $1 \
         WHERE demand_id = $2 AND id <> $3 AND status IN ('submitted', 'shortlisted')",
    )
    .bind(&now)
    .bind(demand_id)
    .bind(application_id)
    .execute(conn)
    .await?;
    Ok(true)
}

/// Public challenge demands (the `/challenges` board), newest first.
pub async fn public_challenges(db: &Db, today: &str) -> Result<Vec<TermsRow>, sqlx::Error> {
    let sql = format!(
        "{TERMS_SQL} JOIN demands d ON d.id = c.demand_id \
         WHERE d.status IN ('published', 'in_talks', 'solved') AND (d.status = 'solved' OR d.valid_until >= $1) \
         ORDER BY c.apply_until DESC"
    );
    let rows = sqlx::query(&sql).bind(today).fetch_all(db.pool()).await?;
    rows.iter().map(terms_from_row).collect()
}
