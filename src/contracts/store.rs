//! SQL of contracts and their revisions. The current revision is the highest-numbered one;
//! registered and refused rows and sealed revisions are never written again (the database's
//! triggers refuse it too).

use crate::domain::time::parse_date;
use serde::Serialize;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row as _};
use time::Date;

use super::amounts::{Amounts, Deductions};
use super::lifecycle::Status;
use super::model::{Draft, Party};
use crate::db::Db;
use crate::domain::contract_vocab::{Approvals, ContractType, IpType, PaymentMode, Programme, Subtype};
use crate::domain::forms::date_text;
use crate::domain::money::Fen;
use crate::domain::org::NatureCode;
use crate::domain::taxonomy::TechnicalField;
use crate::domain::time::now_stored;

/// A contract's registration record, with the names a page shows and its cancellation, if any.
#[derive(Debug, Clone, Serialize)]
pub struct ContractRow {
    pub id: String,
    pub seller_organisation_id: String,
    pub seller_organisation_name: String,
    pub buyer_organisation_id: Option<String>,
    pub broker_user_id: Option<String>,
    pub broker_name: Option<String>,
    pub created_by: String,
    pub status: Status,
    pub submissions: i64,
    pub accepted_on: Option<String>,
    pub review_days: Option<i64>,
    pub due_on: Option<String>,
    pub correction_note: Option<String>,
    pub refusal_reason: Option<String>,
    pub refusal_note: Option<String>,
    pub registration_no: Option<String>,
    pub registered_at: Option<String>,
    pub registered_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    pub current_revision: i64,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    /// `platform`, `history` (back-entered from the registry's records) or `demo`.
    pub origin: String,
    /// 存在争议: the longer review period applies.
    pub disputed: bool,
    /// The review-period rule that set `due_on`.
    pub review_rule: Option<String>,
    /// The 对接项目 it came from (attribution to the broker, agency and channel).
    pub deal_id: Option<String>,
    pub deal_title: Option<String>,
    /// Recorded at registration: where the value came from, and the broker's agency.
    pub channel: Option<String>,
    pub agency_organisation_id: Option<String>,
}

impl ContractRow {
    pub fn is_cancelled(&self) -> bool {
        self.cancelled_at.is_some()
    }

    pub fn due_date(&self) -> Option<Date> {
        self.due_on.as_deref().and_then(parse_date)
    }
}

/// One revision: what the contract said from `created_at` on.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub revision_no: i64,
    pub sealed: bool,
    pub reason: String,
    pub created_by: String,
    pub created_by_name: String,
    pub created_at: String,
    pub draft: Draft,
}

const CONTRACT_SQL: &str = "SELECT c.id, c.seller_organisation_id, so.name AS seller_organisation_name, c.buyer_organisation_id, \
     c.broker_user_id, bu.display_name AS broker_name, c.created_by, c.status, c.submissions, c.accepted_on, c.review_days, \
     c.due_on, c.correction_note, c.refusal_reason, c.refusal_note, c.registration_no, c.registered_at, c.registered_on, \
     c.created_at, c.updated_at, c.version, c.origin, c.disputed, c.review_rule, x.cancelled_at, x.reason AS cancel_reason, \
     c.deal_id, dl.title AS deal_title, c.channel, c.agency_organisation_id, \
     (SELECT MAX(r.revision_no) FROM contract_revisions r WHERE r.contract_id = c.id) AS current_revision \
     FROM contracts c JOIN organisations so ON so.id = c.seller_organisation_id \
     LEFT JOIN users bu ON bu.id = c.broker_user_id LEFT JOIN contract_cancellations x ON x.contract_id = c.id \
     LEFT JOIN deals dl ON dl.id = c.deal_id";

fn decode<T>(value: Option<T>, what: &str, code: &str) -> Result<T, sqlx::Error> {
    value.ok_or_else(|| sqlx::Error::Decode(format!("{what} {code:?}").into()))
}

fn contract_from_row(row: &AnyRow) -> Result<ContractRow, sqlx::Error> {
    let status: String = row.try_get("status")?;
    Ok(ContractRow {
        id: row.try_get("id")?,
        seller_organisation_id: row.try_get("seller_organisation_id")?,
        seller_organisation_name: row.try_get("seller_organisation_name")?,
        buyer_organisation_id: row.try_get("buyer_organisation_id")?,
        broker_user_id: row.try_get("broker_user_id")?,
        broker_name: row.try_get("broker_name")?,
        created_by: row.try_get("created_by")?,
        status: decode(Status::from_code(&status), "contract status", &status)?,
        submissions: row.try_get("submissions")?,
        accepted_on: row.try_get("accepted_on")?,
        review_days: row.try_get("review_days")?,
        due_on: row.try_get("due_on")?,
        correction_note: row.try_get("correction_note")?,
        refusal_reason: row.try_get("refusal_reason")?,
        refusal_note: row.try_get("refusal_note")?,
        registration_no: row.try_get("registration_no")?,
        registered_at: row.try_get("registered_at")?,
        registered_on: row.try_get("registered_on")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        version: row.try_get("version")?,
        current_revision: row.try_get::<Option<i64>, _>("current_revision")?.unwrap_or(0),
        cancelled_at: row.try_get("cancelled_at")?,
        cancel_reason: row.try_get("cancel_reason")?,
        origin: row.try_get("origin")?,
        disputed: row.try_get::<i64, _>("disputed")? == 1,
        review_rule: row.try_get("review_rule")?,
        deal_id: row.try_get("deal_id")?,
        deal_title: row.try_get("deal_title")?,
        channel: row.try_get("channel")?,
        agency_organisation_id: row.try_get("agency_organisation_id")?,
    })
}

/// The revision columns after `contract_id, revision_no, sealed, reason, created_by, created_at`,
/// in the order [`bind_draft`] binds them.
#[rustfmt::skip]
const DRAFT_COLUMNS: [&str; 41] = [
    "contract_type", "subtype", "title", "subject",
    "seller_name", "seller_credit_code", "seller_credit_override", "seller_nature", "seller_region",
    "buyer_name", "buyer_credit_code", "buyer_credit_override", "buyer_nature", "buyer_region",
    "achievement_id", "demand_id", "signed_on", "valid_from", "valid_until",
    "technical_field", "ip_type", "programme", "payment_mode", "payment_terms",
    "total_fen", "equipment_fen", "instruments_fen", "parts_fen", "materials_fen", "carrier_fen", "technology_fen",
    "expected_investment_fen", "expected_output_fen", "written", "signed_by_parties", "approvals",
    "institution_achievement", "team_self_transfer", "net_income_fen", "team_share_fen", "technology_import",
];

type AnyQuery<'q> = Query<'q, Any, AnyArguments<'q>>;

fn bind_party<'q>(query: AnyQuery<'q>, party: &Party) -> AnyQuery<'q> {
    query
        .bind(party.name.clone())
        .bind(party.credit_code.clone())
        .bind(i64::from(party.credit_override))
        .bind(party.nature.map(|n| n.code().to_string()))
        .bind(party.region.clone())
}

fn bind_draft<'q>(query: AnyQuery<'q>, draft: &Draft) -> AnyQuery<'q> {
    let code = |c: Option<&'static str>| c.map(str::to_string);
    let deductions = draft.amounts.map(|a| a.deductions()).unwrap_or_default();
    let query = query
        .bind(draft.contract_type.code().to_string())
        .bind(draft.subtype.code().to_string())
        .bind(draft.title.clone())
        .bind(draft.subject.clone());
    let query = bind_party(bind_party(query, &draft.seller), &draft.buyer);
    query
        .bind(draft.achievement_id.clone())
        .bind(draft.demand_id.clone())
        .bind(draft.signed_on.map(date_text))
        .bind(draft.valid_from.map(date_text))
        .bind(draft.valid_until.map(date_text))
        .bind(code(draft.technical_field.map(TechnicalField::code)))
        .bind(code(draft.ip_type.map(IpType::code)))
        .bind(code(draft.programme.map(Programme::code)))
        .bind(code(draft.payment_mode.map(PaymentMode::code)))
        .bind(draft.payment_terms.clone())
        .bind(draft.amounts.map(|a| a.total().0))
        .bind(deductions.equipment.0)
        .bind(deductions.instruments.0)
        .bind(deductions.parts.0)
        .bind(deductions.materials.0)
        .bind(draft.amounts.map(|a| a.carrier().0).unwrap_or(0))
        .bind(draft.amounts.map(|a| a.technology().0))
        .bind(draft.expected_investment.map(|f| f.0))
        .bind(draft.expected_output.map(|f| f.0))
        .bind(i64::from(draft.written))
        .bind(i64::from(draft.signed_by_parties))
        .bind(draft.approvals.code().to_string())
        .bind(i64::from(draft.institution_achievement))
        .bind(i64::from(draft.team_self_transfer))
        .bind(draft.net_income.map(|f| f.0))
        .bind(draft.team_share.map(|f| f.0))
        .bind(i64::from(draft.technology_import))
}

fn party_from_row(row: &AnyRow, side: &str) -> Result<Party, sqlx::Error> {
    let nature: Option<String> = row.try_get(format!("{side}_nature").as_str())?;
    Ok(Party {
        name: row.try_get(format!("{side}_name").as_str())?,
        credit_code: row.try_get(format!("{side}_credit_code").as_str())?,
        credit_override: row.try_get::<i64, _>(format!("{side}_credit_override").as_str())? == 1,
        nature: nature.as_deref().and_then(NatureCode::from_code),
        region: row.try_get(format!("{side}_region").as_str())?,
    })
}

fn draft_from_row(row: &AnyRow) -> Result<Draft, sqlx::Error> {
    let text = |name: &str| row.try_get::<Option<String>, _>(name);
    let fen = |name: &str| row.try_get::<Option<i64>, _>(name).map(|v| v.map(Fen));
    let flag = |name: &str| row.try_get::<i64, _>(name).map(|v| v == 1);
    let date = |name: &str| text(name).map(|v| v.as_deref().and_then(parse_date));
    let kind: String = row.try_get("contract_type")?;
    let subtype: String = row.try_get("subtype")?;
    let approvals: String = row.try_get("approvals")?;
    let amounts = match fen("total_fen")? {
        None => None,
        Some(total) => {
            let deductions = Deductions {
                equipment: Fen(row.try_get("equipment_fen")?),
                instruments: Fen(row.try_get("instruments_fen")?),
                parts: Fen(row.try_get("parts_fen")?),
                materials: Fen(row.try_get("materials_fen")?),
            };
            let amounts = Amounts::new(total, deductions, Fen(row.try_get("carrier_fen")?))
                .map_err(|e| sqlx::Error::Decode(e.to_string().into()))?;
            Some(amounts)
        }
    };
    Ok(Draft {
        contract_type: decode(ContractType::from_code(&kind), "contract type", &kind)?,
        subtype: decode(Subtype::from_code(&subtype), "contract subtype", &subtype)?,
        title: row.try_get("title")?,
        subject: row.try_get("subject")?,
        seller: party_from_row(row, "seller")?,
        buyer: party_from_row(row, "buyer")?,
        technology_import: flag("technology_import")?,
        achievement_id: text("achievement_id")?,
        demand_id: text("demand_id")?,
        signed_on: date("signed_on")?,
        valid_from: date("valid_from")?,
        valid_until: date("valid_until")?,
        technical_field: text("technical_field")?.as_deref().and_then(TechnicalField::from_code),
        ip_type: text("ip_type")?.as_deref().and_then(IpType::from_code),
        programme: text("programme")?.as_deref().and_then(Programme::from_code),
        payment_mode: text("payment_mode")?.as_deref().and_then(PaymentMode::from_code),
        payment_terms: row.try_get("payment_terms")?,
        amounts,
        expected_investment: fen("expected_investment_fen")?,
        expected_output: fen("expected_output_fen")?,
        written: flag("written")?,
        signed_by_parties: flag("signed_by_parties")?,
        approvals: decode(Approvals::from_code(&approvals), "approvals", &approvals)?,
        institution_achievement: flag("institution_achievement")?,
        team_self_transfer: flag("team_self_transfer")?,
        net_income: fen("net_income_fen")?,
        team_share: fen("team_share_fen")?,
    })
}

fn revision_from_row(row: &AnyRow) -> Result<Revision, sqlx::Error> {
    Ok(Revision {
        revision_no: row.try_get("revision_no")?,
        sealed: row.try_get::<i64, _>("sealed")? == 1,
        reason: row.try_get("reason")?,
        created_by: row.try_get("created_by")?,
        created_by_name: row.try_get::<Option<String>, _>("created_by_name")?.unwrap_or_default(),
        created_at: row.try_get("created_at")?,
        draft: draft_from_row(row)?,
    })
}

/// Who a new contract belongs to.
pub struct NewContract<'a> {
    pub id: &'a str,
    pub seller_organisation_id: &'a str,
    pub buyer_organisation_id: Option<&'a str>,
    pub broker_user_id: Option<&'a str>,
    pub created_by: &'a str,
    pub deal_id: Option<&'a str>,
}

/// Inserts a draft contract and its first, unsealed revision.
pub async fn insert(conn: &mut AnyConnection, new: &NewContract<'_>, draft: &Draft) -> Result<(), sqlx::Error> {
    let now = now_stored();
    sqlx::query(
        "INSERT INTO contracts (id, seller_organisation_id, buyer_organisation_id, broker_user_id, created_by, status, created_at, updated_at, deal_id) \
         VALUES ($1, $2, $3, $4, $5, 'draft', $6, $6, $7)",
    )
    .bind(new.id)
    .bind(new.seller_organisation_id)
    .bind(new.buyer_organisation_id)
    .bind(new.broker_user_id)
    .bind(new.created_by)
    .bind(&now)
    .bind(new.deal_id)
    .execute(&mut *conn)
    .await?;
    insert_revision(conn, new.id, 1, false, "", new.created_by, draft).await
}

/// Adds a revision (sealed ones are amendments of a registered contract).
pub async fn insert_revision(
    conn: &mut AnyConnection,
    contract_id: &str,
    revision_no: i64,
    sealed: bool,
    reason: &str,
    created_by: &str,
    draft: &Draft,
) -> Result<(), sqlx::Error> {
    let columns = DRAFT_COLUMNS.join(", ");
    let params = (7..7 + DRAFT_COLUMNS.len()).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ");
    let sql = format!(
        "INSERT INTO contract_revisions (contract_id, revision_no, sealed, reason, created_by, created_at, {columns}) \
         VALUES ($1, $2, $3, $4, $5, $6, {params})"
    );
    let query = sqlx::query(&sql)
        .bind(contract_id)
        .bind(revision_no)
        .bind(i64::from(sealed))
        .bind(reason)
        .bind(created_by)
        .bind(now_stored());
    bind_draft(query, draft).execute(conn).await?;
    Ok(())
}

/// Rewrites the unsealed first revision and the contract's parties, if `version` is current and
/// the contract is still editable. `false` when someone else changed it first.
pub async fn update_draft(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    buyer_organisation_id: Option<&str>,
    broker_user_id: Option<&str>,
    draft: &Draft,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE contracts SET buyer_organisation_id = $1, broker_user_id = $2, updated_at = $3, version = version + 1 \
         WHERE id = $4 AND version = $5 AND status IN ('draft', 'correction_requested')",
    )
    .bind(buyer_organisation_id)
    .bind(broker_user_id)
    .bind(now_stored())
    .bind(id)
    .bind(version)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Ok(false);
    }
    let sets = DRAFT_COLUMNS.iter().enumerate().map(|(i, c)| format!("{c} = ${}", i + 1)).collect::<Vec<_>>();
    let sql = format!(
        "UPDATE contract_revisions SET {} WHERE contract_id = ${} AND revision_no = 1 AND sealed = 0",
        sets.join(", "),
        DRAFT_COLUMNS.len() + 1
    );
    let done = bind_draft(sqlx::query(&sql), draft).bind(id).execute(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// The registration fields a transition writes.
#[derive(Debug, Default)]
pub struct Transition<'a> {
    pub accepted_on: Option<String>,
    pub review_days: Option<i64>,
    pub due_on: Option<String>,
    pub correction_note: Option<&'a str>,
    pub refusal_reason: Option<&'a str>,
    pub refusal_note: Option<&'a str>,
    pub registration_no: Option<&'a str>,
    pub registered_at: Option<String>,
    pub registered_on: Option<String>,
    pub decided_by: Option<&'a str>,
    pub review_rule: Option<&'a str>,
}

/// Moves a contract from `from` to `to` and writes the fields of that step; `false` if it was not
/// in `from` at `version` any more.
pub async fn transition(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    from: Status,
    to: Status,
    t: &Transition<'_>,
) -> Result<bool, sqlx::Error> {
    let submitted = to == Status::Submitted;
    let updated = sqlx::query(
        "UPDATE contracts SET status = $1, \
         submissions = submissions + $2, \
         accepted_on = COALESCE($3, accepted_on), review_days = COALESCE($4, review_days), due_on = COALESCE($5, due_on), \
         correction_note = COALESCE($6, correction_note), refusal_reason = $7, refusal_note = $8, \
         registration_no = $9, registered_at = $10, registered_on = $11, decided_by = COALESCE($12, decided_by), \
         updated_at = $13, version = version + 1, review_rule = COALESCE($17, review_rule) \
         WHERE id = $14 AND status = $15 AND version = $16",
    )
    .bind(to.code())
    .bind(i64::from(submitted))
    .bind(t.accepted_on.clone())
    .bind(t.review_days)
    .bind(t.due_on.clone())
    .bind(t.correction_note)
    .bind(t.refusal_reason)
    .bind(t.refusal_note)
    .bind(t.registration_no)
    .bind(t.registered_at.clone())
    .bind(t.registered_on.clone())
    .bind(t.decided_by)
    .bind(now_stored())
    .bind(id)
    .bind(from.code())
    .bind(version)
    .bind(t.review_rule)
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Marks a submitted contract disputed with its longer deadline; `false` if it changed meanwhile.
pub async fn mark_disputed(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    review_days: i64,
    due_on: &str,
) -> Result<bool, sqlx::Error> {
    let updated = sqlx::query(
        "UPDATE contracts SET disputed = 1, review_days = $1, due_on = $2, updated_at = $3, version = version + 1 \
         WHERE id = $4 AND version = $5 AND status = 'submitted'",
    )
    .bind(review_days)
    .bind(due_on)
    .bind(now_stored())
    .bind(id)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(updated.rows_affected() == 1)
}

/// Seals the draft revision at registration: from then on it never changes.
pub async fn seal(conn: &mut AnyConnection, contract_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE contract_revisions SET sealed = 1 WHERE contract_id = $1 AND sealed = 0")
        .bind(contract_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether a registration number is already taken.
pub async fn registration_no_taken(conn: &mut AnyConnection, number: &str) -> Result<bool, sqlx::Error> {
    let found: Option<String> = sqlx::query_scalar("SELECT id FROM contracts WHERE registration_no = $1")
        .bind(number)
        .fetch_optional(conn)
        .await?;
    Ok(found.is_some())
}

pub async fn find(db: &Db, id: &str) -> Result<Option<ContractRow>, sqlx::Error> {
    let sql = format!("{CONTRACT_SQL} WHERE c.id = $1");
    sqlx::query(&sql).bind(id).fetch_optional(db.pool()).await?.as_ref().map(contract_from_row).transpose()
}

const REVISION_SQL: &str = "SELECT r.*, u.display_name AS created_by_name FROM contract_revisions r \
     LEFT JOIN users u ON u.id = r.created_by";

/// Every revision, oldest first.
pub async fn revisions(db: &Db, contract_id: &str) -> Result<Vec<Revision>, sqlx::Error> {
    let sql = format!("{REVISION_SQL} WHERE r.contract_id = $1 ORDER BY r.revision_no");
    let rows = sqlx::query(&sql).bind(contract_id).fetch_all(db.pool()).await?;
    rows.iter().map(revision_from_row).collect()
}

/// The revision that is in force.
pub async fn current_revision(db: &Db, contract_id: &str) -> Result<Option<Revision>, sqlx::Error> {
    current_revision_in(&mut *db.pool().acquire().await?, contract_id).await
}

/// The revision in force, read inside a transaction.
pub async fn current_revision_in(conn: &mut AnyConnection, contract_id: &str) -> Result<Option<Revision>, sqlx::Error> {
    let sql = format!("{REVISION_SQL} WHERE r.contract_id = $1 ORDER BY r.revision_no DESC LIMIT 1");
    sqlx::query(&sql).bind(contract_id).fetch_optional(conn).await?.as_ref().map(revision_from_row).transpose()
}
