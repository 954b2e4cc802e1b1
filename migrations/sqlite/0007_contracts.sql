-- Technology contracts and their registration (技术合同认定登记), DOMAIN.md §6.
--
-- `contracts` holds who the parties are and where registration stands; `contract_revisions` holds
-- what the contract says (revision 1 is the draft, edited until registration seals it; every
-- 变更登记 adds a sealed revision). Once a contract is registered or refused its row never changes,
-- sealed revisions never change, and nothing here is ever deleted: cancellation (注销登记), the
-- lifecycle events and the revenue-share payments are rows added to tables that refuse UPDATE and
-- DELETE. The triggers below make the database itself keep those promises.

CREATE TABLE contracts (
    id TEXT PRIMARY KEY NOT NULL,
    seller_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    buyer_organisation_id TEXT REFERENCES organisations (id),
    broker_user_id TEXT REFERENCES users (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'correction_requested', 'registered', 'refused')),
    submissions INTEGER NOT NULL DEFAULT 0,
    accepted_on TEXT,
    review_days INTEGER,
    due_on TEXT,
    correction_note TEXT,
    refusal_reason TEXT,
    refusal_note TEXT,
    registration_no TEXT UNIQUE,
    registered_at TEXT,
    registered_on TEXT,
    decided_by TEXT REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (status <> 'registered' OR (registration_no IS NOT NULL AND registered_at IS NOT NULL AND registered_on IS NOT NULL))
);
CREATE INDEX contracts_status ON contracts (status, due_on);
CREATE INDEX contracts_seller ON contracts (seller_organisation_id);
CREATE INDEX contracts_buyer ON contracts (buyer_organisation_id);
CREATE INDEX contracts_broker ON contracts (broker_user_id);
CREATE INDEX contracts_registered_on ON contracts (registered_on);

CREATE TRIGGER contracts_decided_are_final BEFORE UPDATE ON contracts
WHEN OLD.status IN ('registered', 'refused')
BEGIN
    SELECT RAISE(ABORT, 'a registered or refused contract is never changed');
END;

CREATE TRIGGER contracts_never_deleted BEFORE DELETE ON contracts
BEGIN
    SELECT RAISE(ABORT, 'contracts are never deleted');
END;

CREATE TABLE contract_revisions (
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    revision_no INTEGER NOT NULL CHECK (revision_no >= 1),
    sealed INTEGER NOT NULL DEFAULT 0 CHECK (sealed IN (0, 1)),
    reason TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    contract_type TEXT NOT NULL,
    subtype TEXT NOT NULL,
    title TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    seller_name TEXT NOT NULL DEFAULT '',
    seller_credit_code TEXT,
    seller_credit_override INTEGER NOT NULL DEFAULT 0 CHECK (seller_credit_override IN (0, 1)),
    seller_nature TEXT,
    seller_region TEXT,
    buyer_name TEXT NOT NULL DEFAULT '',
    buyer_credit_code TEXT,
    buyer_credit_override INTEGER NOT NULL DEFAULT 0 CHECK (buyer_credit_override IN (0, 1)),
    buyer_nature TEXT,
    buyer_region TEXT,
    achievement_id TEXT REFERENCES achievements (id),
    demand_id TEXT REFERENCES demands (id),
    signed_on TEXT,
    valid_from TEXT,
    valid_until TEXT,
    technical_field TEXT,
    ip_type TEXT,
    programme TEXT,
    payment_mode TEXT,
    payment_terms TEXT NOT NULL DEFAULT '',
    total_fen INTEGER CHECK (total_fen >= 0),
    equipment_fen INTEGER NOT NULL DEFAULT 0 CHECK (equipment_fen >= 0),
    instruments_fen INTEGER NOT NULL DEFAULT 0 CHECK (instruments_fen >= 0),
    parts_fen INTEGER NOT NULL DEFAULT 0 CHECK (parts_fen >= 0),
    materials_fen INTEGER NOT NULL DEFAULT 0 CHECK (materials_fen >= 0),
    carrier_fen INTEGER NOT NULL DEFAULT 0 CHECK (carrier_fen >= 0),
    technology_fen INTEGER CHECK (technology_fen >= 0),
    expected_investment_fen INTEGER CHECK (expected_investment_fen >= 0),
    expected_output_fen INTEGER CHECK (expected_output_fen >= 0),
    written INTEGER NOT NULL DEFAULT 1 CHECK (written IN (0, 1)),
    signed_by_parties INTEGER NOT NULL DEFAULT 0 CHECK (signed_by_parties IN (0, 1)),
    approvals TEXT NOT NULL DEFAULT 'not_required' CHECK (approvals IN ('not_required', 'obtained', 'missing')),
    institution_achievement INTEGER NOT NULL DEFAULT 0 CHECK (institution_achievement IN (0, 1)),
    team_self_transfer INTEGER NOT NULL DEFAULT 0 CHECK (team_self_transfer IN (0, 1)),
    net_income_fen INTEGER CHECK (net_income_fen >= 0),
    team_share_fen INTEGER CHECK (team_share_fen >= 0),
    PRIMARY KEY (contract_id, revision_no),
    CHECK ((total_fen IS NULL AND technology_fen IS NULL) OR
           technology_fen = total_fen - equipment_fen - instruments_fen - parts_fen - materials_fen),
    CHECK (team_share_fen IS NULL OR net_income_fen IS NULL OR team_share_fen <= net_income_fen)
);

CREATE TRIGGER contract_revisions_sealed_are_final BEFORE UPDATE ON contract_revisions
WHEN OLD.sealed = 1
BEGIN
    SELECT RAISE(ABORT, 'a sealed contract revision is never changed');
END;

CREATE TRIGGER contract_revisions_never_deleted BEFORE DELETE ON contract_revisions
BEGIN
    SELECT RAISE(ABORT, 'contract revisions are never deleted');
END;

CREATE TABLE contract_cancellations (
    contract_id TEXT PRIMARY KEY NOT NULL REFERENCES contracts (id),
    reason TEXT NOT NULL,
    cancelled_at TEXT NOT NULL,
    cancelled_by TEXT NOT NULL REFERENCES users (id)
);

CREATE TABLE contract_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    kind TEXT NOT NULL,
    revision_no INTEGER,
    note TEXT NOT NULL DEFAULT '',
    actor_user_id TEXT,
    occurred_at TEXT NOT NULL
);
CREATE INDEX contract_events_contract ON contract_events (contract_id, seq);

CREATE TABLE contract_share_payments (
    id TEXT PRIMARY KEY NOT NULL,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    paid_on TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    note TEXT NOT NULL DEFAULT '',
    recorded_by TEXT NOT NULL REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX contract_share_payments_contract ON contract_share_payments (contract_id);

CREATE TRIGGER contract_cancellations_append_only_u BEFORE UPDATE ON contract_cancellations
BEGIN SELECT RAISE(ABORT, 'contract_cancellations is append-only'); END;
CREATE TRIGGER contract_cancellations_append_only_d BEFORE DELETE ON contract_cancellations
BEGIN SELECT RAISE(ABORT, 'contract_cancellations is append-only'); END;
CREATE TRIGGER contract_events_append_only_u BEFORE UPDATE ON contract_events
BEGIN SELECT RAISE(ABORT, 'contract_events is append-only'); END;
CREATE TRIGGER contract_events_append_only_d BEFORE DELETE ON contract_events
BEGIN SELECT RAISE(ABORT, 'contract_events is append-only'); END;
CREATE TRIGGER contract_share_payments_append_only_u BEFORE UPDATE ON contract_share_payments
BEGIN SELECT RAISE(ABORT, 'contract_share_payments is append-only'); END;
CREATE TRIGGER contract_share_payments_append_only_d BEFORE DELETE ON contract_share_payments
BEGIN SELECT RAISE(ABORT, 'contract_share_payments is append-only'); END;

-- A replayed API create (Idempotency-Key) and a re-sent form (one-time token) find the contract
-- the first request made instead of making another.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);

CREATE TABLE form_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL,
    purpose TEXT NOT NULL,
    created_at TEXT NOT NULL,
    used_at TEXT,
    result_id TEXT
);
CREATE INDEX form_tokens_created ON form_tokens (created_at);
