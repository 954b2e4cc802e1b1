-- 科技成果: the achievement library. Multi-valued codes are stored as ",a,b," so that a filter
-- is a portable LIKE '%,a,%'; keywords as a JSON array; money in fen (NULL asking price = 面议).

CREATE TABLE achievements (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_by TEXT NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    keywords TEXT NOT NULL DEFAULT '[]',
    achievement_type TEXT NOT NULL CHECK (achievement_type IN ('applied', 'basic_theory', 'soft_science')),
    ip_carriers TEXT NOT NULL DEFAULT ',',
    patent_numbers TEXT NOT NULL DEFAULT '',
    technical_field TEXT NOT NULL,
    industry_section TEXT NOT NULL CHECK (length(industry_section) = 1),
    industry_division TEXT,
    trl BIGINT NOT NULL CHECK (trl BETWEEN 1 AND 9),
    stage TEXT NOT NULL CHECK (stage IN ('laboratory', 'small_pilot', 'pilot', 'industrial')),
    transfer_modes TEXT NOT NULL,
    pricing_route TEXT NOT NULL CHECK (pricing_route IN ('negotiated', 'listing', 'auction', 'appraisal')),
    asking_price_fen BIGINT CHECK (asking_price_fen IS NULL OR asking_price_fen > 0),
    publicity_start TEXT,
    publicity_end TEXT,
    team TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL,
    contact_phone TEXT NOT NULL,
    contact_email TEXT,
    problem TEXT NOT NULL,
    advantages TEXT NOT NULL,
    scenarios TEXT NOT NULL DEFAULT '',
    region_code TEXT NOT NULL CHECK (length(region_code) = 6),
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'published', 'negotiating', 'transferred', 'withdrawn')),
    review_note TEXT NOT NULL DEFAULT '',
    views BIGINT NOT NULL DEFAULT 0,
    contact_requests BIGINT NOT NULL DEFAULT 0,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    published_at TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX achievements_status_published ON achievements (status, published_at);
CREATE INDEX achievements_organisation ON achievements (organisation_id);
CREATE INDEX achievements_field ON achievements (technical_field);

-- Someone asked to be put in touch about a listing (the interest counter listers ask for).
CREATE TABLE listing_contact_requests (
    id TEXT PRIMARY KEY NOT NULL,
    listing_kind TEXT NOT NULL CHECK (listing_kind IN ('achievement', 'demand')),
    listing_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    message TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX listing_contact_requests_listing ON listing_contact_requests (listing_kind, listing_id);
