-- Pricing routes (issue 16): 资产评估 records, 协议定价公示 notices with objections, 挂牌交易
-- offerings with intents, and online 竞价 auctions with qualified bidders and append-only bids.
-- Money in fen; instants as RFC 3339 UTC text (they sort); calendar dates as `YYYY-MM-DD`
-- Beijing dates.

CREATE TABLE achievement_appraisals (
    id TEXT PRIMARY KEY NOT NULL,
    achievement_id TEXT NOT NULL REFERENCES achievements (id),
    agency TEXT NOT NULL,
    report_no TEXT NOT NULL,
    appraised_on TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('income', 'market', 'cost', 'other')),
    value_fen INTEGER NOT NULL CHECK (value_fen > 0),
    valid_until TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    CHECK (valid_until >= appraised_on),
    UNIQUE (achievement_id, report_no)
);
CREATE INDEX achievement_appraisals_achievement ON achievement_appraisals (achievement_id, appraised_on);

-- A notice's published text never changes: a correction is a new version in the same series
-- (`series_id` is the first version's id) and the old one is closed as superseded.
CREATE TABLE pricing_notices (
    id TEXT PRIMARY KEY NOT NULL,
    series_id TEXT NOT NULL,
    version_no INTEGER NOT NULL CHECK (version_no >= 1),
    achievement_id TEXT NOT NULL REFERENCES achievements (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    team TEXT NOT NULL,
    transferee TEXT NOT NULL,
    transferee_organisation_id TEXT REFERENCES organisations (id),
    transfer_mode TEXT NOT NULL,
    price_fen INTEGER NOT NULL CHECK (price_fen > 0),
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    contact TEXT NOT NULL,
    statement TEXT NOT NULL DEFAULT '',
    correction_note TEXT NOT NULL DEFAULT '',
    published_by TEXT NOT NULL REFERENCES users (id),
    published_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'closed_clear', 'closed_resolved', 'withdrawn', 'superseded')),
    closed_at TEXT,
    closed_by TEXT REFERENCES users (id),
    close_note TEXT NOT NULL DEFAULT '',
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    CHECK (ends_on >= starts_on),
    UNIQUE (series_id, version_no)
);
CREATE INDEX pricing_notices_published ON pricing_notices (published_at);
CREATE INDEX pricing_notices_achievement ON pricing_notices (achievement_id);

CREATE TRIGGER pricing_notices_text_is_final BEFORE UPDATE ON pricing_notices
WHEN NEW.id IS NOT OLD.id OR NEW.series_id IS NOT OLD.series_id OR NEW.version_no IS NOT OLD.version_no
    OR NEW.achievement_id IS NOT OLD.achievement_id OR NEW.organisation_id IS NOT OLD.organisation_id
    OR NEW.title IS NOT OLD.title OR NEW.team IS NOT OLD.team OR NEW.transferee IS NOT OLD.transferee
    OR NEW.transferee_organisation_id IS NOT OLD.transferee_organisation_id
    OR NEW.transfer_mode IS NOT OLD.transfer_mode OR NEW.price_fen IS NOT OLD.price_fen
    OR NEW.starts_on IS NOT OLD.starts_on OR NEW.ends_on IS NOT OLD.ends_on OR NEW.contact IS NOT OLD.contact
    OR NEW.statement IS NOT OLD.statement OR NEW.correction_note IS NOT OLD.correction_note
    OR NEW.published_by IS NOT OLD.published_by OR NEW.published_at IS NOT OLD.published_at
    OR OLD.status <> 'open'
BEGIN
    SELECT RAISE(ABORT, 'a published pricing notice is never changed');
END;

CREATE TRIGGER pricing_notices_never_deleted BEFORE DELETE ON pricing_notices
WHEN OLD.is_demo = 0
BEGIN
    SELECT RAISE(ABORT, 'pricing notices are never deleted');
END;

CREATE TABLE pricing_notice_objections (
    id TEXT PRIMARY KEY NOT NULL,
    notice_id TEXT NOT NULL REFERENCES pricing_notices (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    reasons TEXT NOT NULL,
    filed_at TEXT NOT NULL,
    answer TEXT,
    answered_by TEXT REFERENCES users (id),
    answered_at TEXT
);
CREATE INDEX pricing_notice_objections_notice ON pricing_notice_objections (notice_id, filed_at);

CREATE TRIGGER pricing_notice_objections_final BEFORE UPDATE ON pricing_notice_objections
WHEN NEW.reasons IS NOT OLD.reasons OR NEW.notice_id IS NOT OLD.notice_id OR NEW.user_id IS NOT OLD.user_id
    OR NEW.filed_at IS NOT OLD.filed_at OR OLD.answer IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an objection and its answer are never changed');
END;

-- 挂牌交易: an achievement offered at a posted price for a period; enterprises register intent.
CREATE TABLE offerings (
    id TEXT PRIMARY KEY NOT NULL,
    achievement_id TEXT NOT NULL REFERENCES achievements (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    price_fen INTEGER NOT NULL CHECK (price_fen > 0),
    increment_fen INTEGER NOT NULL CHECK (increment_fen > 0),
    conditions TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'agreed', 'bidding', 'unsold', 'withdrawn')),
    auction_id TEXT,
    buyer_organisation_id TEXT REFERENCES organisations (id),
    settled_at TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    CHECK (ends_at > starts_at)
);
CREATE INDEX offerings_ends ON offerings (status, ends_at);
CREATE INDEX offerings_achievement ON offerings (achievement_id);

CREATE TABLE offering_intents (
    offering_id TEXT NOT NULL REFERENCES offerings (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    statement TEXT NOT NULL DEFAULT '',
    registered_at TEXT NOT NULL,
    PRIMARY KEY (offering_id, organisation_id)
);

-- 竞价: an online English auction. `ends_at` moves when a late bid extends it; `current_price_fen`,
-- `leader_organisation_id` and `bid_count` are written by each accepted bid in the same
-- transaction as the bid row (the bid first updates this row, which serialises bids).
CREATE TABLE auctions (
    id TEXT PRIMARY KEY NOT NULL,
    achievement_id TEXT NOT NULL REFERENCES achievements (id),
    seller_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    agency_organisation_id TEXT REFERENCES organisations (id),
    offering_id TEXT REFERENCES offerings (id),
    title TEXT NOT NULL,
    rules TEXT NOT NULL DEFAULT '',
    opening_price_fen INTEGER NOT NULL CHECK (opening_price_fen > 0),
    increment_fen INTEGER NOT NULL CHECK (increment_fen > 0),
    reserve_fen INTEGER CHECK (reserve_fen IS NULL OR reserve_fen > 0),
    starts_at TEXT NOT NULL,
    scheduled_end_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    extend_minutes INTEGER NOT NULL DEFAULT 5 CHECK (extend_minutes BETWEEN 0 AND 60),
    current_price_fen INTEGER,
    leader_organisation_id TEXT REFERENCES organisations (id),
    bid_count INTEGER NOT NULL DEFAULT 0 CHECK (bid_count >= 0),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'sold', 'unsold', 'cancelled')),
    settled_at TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    CHECK (scheduled_end_at > starts_at),
    CHECK (ends_at >= scheduled_end_at),
    CHECK (current_price_fen IS NULL OR current_price_fen >= opening_price_fen)
);
CREATE INDEX auctions_ends ON auctions (status, ends_at);
CREATE INDEX auctions_achievement ON auctions (achievement_id);

CREATE TABLE auction_bidders (
    auction_id TEXT NOT NULL REFERENCES auctions (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    number INTEGER NOT NULL CHECK (number >= 1),
    approved_by TEXT NOT NULL REFERENCES users (id),
    approved_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (auction_id, organisation_id),
    UNIQUE (auction_id, number)
);

CREATE TABLE auction_bids (
    auction_id TEXT NOT NULL REFERENCES auctions (id),
    seq INTEGER NOT NULL CHECK (seq >= 1),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    placed_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    PRIMARY KEY (auction_id, seq)
);

CREATE TRIGGER auction_bids_append_only_u BEFORE UPDATE ON auction_bids
BEGIN SELECT RAISE(ABORT, 'auction bids are append-only'); END;
CREATE TRIGGER auction_bids_append_only_d BEFORE DELETE ON auction_bids
WHEN (SELECT is_demo FROM auctions WHERE id = OLD.auction_id) = 0
BEGIN SELECT RAISE(ABORT, 'auction bids are append-only'); END;
