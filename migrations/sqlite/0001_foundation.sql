-- Foundation: organisations, their qualifications, users, and the append-only audit log.
-- Conventions (ARCHITECTURE.md §2): ids TEXT uuid, times TEXT RFC 3339 UTC, money BIGINT fen,
-- states TEXT codes, flags INTEGER 0/1, optimistic locking through `version`.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('institution', 'enterprise', 'agency', 'broker_firm')),
    credit_code TEXT UNIQUE,
    credit_code_overridden INTEGER NOT NULL DEFAULT 0 CHECK (credit_code_overridden IN (0, 1)),
    nature_code TEXT NOT NULL CHECK (nature_code IN (
        'government', 'public_research', 'public_university', 'public_medical', 'public_other',
        'association', 'enterprise_state', 'enterprise_collective', 'enterprise_private',
        'enterprise_hk_mo_tw', 'enterprise_foreign', 'individual')),
    region_code TEXT NOT NULL CHECK (length(region_code) = 6),
    address TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX organisations_kind ON organisations (kind);

CREATE TABLE organisation_qualifications (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    qualification TEXT NOT NULL CHECK (qualification IN (
        'high_tech_enterprise', 'provincial_innovative_enterprise', 'tech_sme')),
    certificate_no TEXT NOT NULL DEFAULT '',
    valid_from TEXT,
    valid_until TEXT,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (organisation_id, qualification)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT UNIQUE,
    mobile TEXT UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('researcher', 'enterprise', 'broker', 'admin')),
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'disabled')),
    organisation_id TEXT REFERENCES organisations (id),
    job_title TEXT NOT NULL DEFAULT '',
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    last_login_at TEXT,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (email IS NOT NULL OR mobile IS NOT NULL)
);
CREATE INDEX users_organisation ON users (organisation_id);
CREATE INDEX users_status ON users (status);

-- The audit log: rows are chained by SHA-256 (hash = sha256(prev_hash, canonical row)) and the
-- database itself refuses UPDATE and DELETE. actor_user_id has no foreign key: the log outlives
-- whatever it describes.
CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    occurred_at TEXT NOT NULL,
    actor_user_id TEXT,
    actor_ip TEXT,
    action TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE
);
CREATE INDEX audit_events_subject ON audit_events (subject_type, subject_id);
CREATE INDEX audit_events_actor ON audit_events (actor_user_id);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
