-- 技术需求: enterprise technology demands. Indicators and keywords as JSON arrays, cooperation
-- modes as ",a,b,", budget bounds in fen (both NULL = 面议), validity date as YYYY-MM-DD.

CREATE TABLE demands (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    indicators TEXT NOT NULL,
    basis TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]',
    technical_field TEXT NOT NULL,
    industry_section TEXT NOT NULL CHECK (length(industry_section) = 1),
    cooperation_modes TEXT NOT NULL,
    budget_min_fen INTEGER CHECK (budget_min_fen IS NULL OR budget_min_fen > 0),
    budget_max_fen INTEGER CHECK (budget_max_fen IS NULL OR budget_max_fen > 0),
    valid_until TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    contact_email TEXT,
    region_code TEXT NOT NULL CHECK (length(region_code) = 6),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'published', 'in_talks', 'solved', 'closed', 'expired')),
    review_note TEXT NOT NULL DEFAULT '',
    views INTEGER NOT NULL DEFAULT 0,
    contact_requests INTEGER NOT NULL DEFAULT 0,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    published_at TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (budget_min_fen IS NULL OR budget_max_fen IS NULL OR budget_min_fen <= budget_max_fen)
);
CREATE INDEX demands_status_valid ON demands (status, valid_until);
CREATE INDEX demands_organisation ON demands (organisation_id);
