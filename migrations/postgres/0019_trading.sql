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
    value_fen BIGINT NOT NULL CHECK (value_fen > 0),
    valid_until TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    CHECK (valid_until >= appraised_on),
    UNIQUE (achievement_id, report_no)
);
CREATE INDEX achievement_appraisals_achievement ON achievement_appraisals (achievement_id, appraised_on);

-- A notice's published text never changes: a correction is a new version in the same series
-- (`series_id` is the first version's id) and the old one is closed as superseded.
CREATE TABLE pricing_notices (
    id TEXT PRIMARY KEY NOT NULL,
    series_id TEXT NOT NULL,
    version_no BIGINT NOT NULL CHECK (version_no >= 1),
    achievement_id TEXT NOT NULL REFERENCES achievements (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    team TEXT NOT NULL,
    transferee TEXT NOT NULL,
    transferee_organisation_id TEXT REFERENCES organisations (id),
    transfer_mode TEXT NOT NULL,
    price_fen BIGINT NOT NULL CHECK (price_fen > 0),
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
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    CHECK (ends_on >= starts_on),
    UNIQUE (series_id, version_no)
);
CREATE INDEX pricing_notices_published ON pricing_notices (published_at);
CREATE INDEX pricing_notices_achievement ON pricing_notices (achievement_id);

CREATE FUNCTION pricing_notices_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.is_demo = 1 THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'pricing notices are never deleted';
    END IF;
    IF OLD.status <> 'open' OR (NEW.id, NEW.series_id, NEW.version_no, NEW.achievement_id, NEW.organisation_id,
        NEW.title, NEW.team, NEW.transferee, NEW.transferee_organisation_id, NEW.transfer_mode, NEW.price_fen,
        NEW.starts_on, NEW.ends_on, NEW.contact, NEW.statement, NEW.correction_note, NEW.published_by,
        NEW.published_at) IS DISTINCT FROM (OLD.id, OLD.series_id, OLD.version_no, OLD.achievement_id,
        OLD.organisation_id, OLD.title, OLD.team, OLD.transferee, OLD.transferee_organisation_id,
        OLD.transfer_mode, OLD.price_fen, OLD.starts_on, OLD.ends_on, OLD.contact, OLD.statement,
        OLD.correction_note, OLD.published_by, OLD.published_at) THEN
        RAISE EXCEPTION 'a published pricing notice is never changed';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER pricing_notices_text_is_final BEFORE UPDATE OR DELETE ON pricing_notices
    FOR EACH ROW EXECUTE FUNCTION pricing_notices_guard();

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

CREATE FUNCTION pricing_notice_objections_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.answer IS NOT NULL OR (NEW.reasons, NEW.notice_id, NEW.user_id, NEW.filed_at)
        IS DISTINCT FROM (OLD.reasons, OLD.notice_id, OLD.user_id, OLD.filed_at) THEN
        RAISE EXCEPTION 'an objection and its answer are never changed';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER pricing_notice_objections_final BEFORE UPDATE ON pricing_notice_objections
    FOR EACH ROW EXECUTE FUNCTION pricing_notice_objections_guard();

-- 挂牌交易: an achievement offered at a posted price for a period; enterprises register intent.
CREATE TABLE offerings (
    id TEXT PRIMARY KEY NOT NULL,
    achievement_id TEXT NOT NULL REFERENCES achievements (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    price_fen BIGINT NOT NULL CHECK (price_fen > 0),
    increment_fen BIGINT NOT NULL CHECK (increment_fen > 0),
    conditions TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'agreed', 'bidding', 'unsold', 'withdrawn')),
    auction_id TEXT,
    buyer_organisation_id TEXT REFERENCES organisations (id),
    settled_at TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
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
    opening_price_fen BIGINT NOT NULL CHECK (opening_price_fen > 0),
    increment_fen BIGINT NOT NULL CHECK (increment_fen > 0),
    reserve_fen BIGINT CHECK (reserve_fen IS NULL OR reserve_fen > 0),
    starts_at TEXT NOT NULL,
    scheduled_end_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    extend_minutes BIGINT NOT NULL DEFAULT 5 CHECK (extend_minutes BETWEEN 0 AND 60),
    current_price_fen BIGINT,
    leader_organisation_id TEXT REFERENCES organisations (id),
    bid_count BIGINT NOT NULL DEFAULT 0 CHECK (bid_count >= 0),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'sold', 'unsold', 'cancelled')),
    settled_at TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    CHECK (scheduled_end_at > starts_at),
    CHECK (ends_at >= scheduled_end_at),
    CHECK (current_price_fen IS NULL OR current_price_fen >= opening_price_fen)
);
CREATE INDEX auctions_ends ON auctions (status, ends_at);
CREATE INDEX auctions_achievement ON auctions (achievement_id);

CREATE TABLE auction_bidders (
    auction_id TEXT NOT NULL REFERENCES auctions (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    number BIGINT NOT NULL CHECK (number >= 1),
    approved_by TEXT NOT NULL REFERENCES users (id),
    approved_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (auction_id, organisation_id),
    UNIQUE (auction_id, number)
);

CREATE TABLE auction_bids (
    auction_id TEXT NOT NULL REFERENCES auctions (id),
    seq BIGINT NOT NULL CHECK (seq >= 1),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    placed_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    PRIMARY KEY (auction_id, seq)
);

CREATE FUNCTION auction_bids_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND (SELECT is_demo FROM auctions WHERE id = OLD.auction_id) = 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'auction bids are append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER auction_bids_append_only BEFORE UPDATE OR DELETE ON auction_bids
    FOR EACH ROW EXECUTE FUNCTION auction_bids_refuse_change();
