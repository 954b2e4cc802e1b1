-- Brokered deals (对接项目), DOMAIN.md §5: a broker links a demand and achievements and the
-- organisations on each side, and carries the deal through its stages to a contract.
--
-- `deals` holds where a deal stands; `deal_events` is its timeline (stage steps, notes, party
-- answers, reassignments), append-only: the database refuses UPDATE, and DELETE except for the
-- demo district's deals (`techmarket demo remove`).
-- A lead (a 发起对接 request or a 揭榜 application) is claimed by at most one deal: the unique
-- index on (lead_source, lead_id) decides between two brokers claiming it at once.

CREATE TABLE deals (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    demand_id TEXT REFERENCES demands (id),
    buyer_organisation_id TEXT REFERENCES organisations (id),
    seller_organisation_id TEXT REFERENCES organisations (id),
    broker_user_id TEXT NOT NULL REFERENCES users (id),
    agency_organisation_id TEXT REFERENCES organisations (id),
    stage TEXT NOT NULL CHECK (stage IN ('lead', 'contacted', 'negotiating', 'agreed', 'contracted', 'lost')),
    lost_from TEXT,
    lost_reason TEXT,
    agreed_amount_fen BIGINT,
    lead_source TEXT CHECK (lead_source IN ('contact', 'application')),
    lead_id TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    stage_changed_at TEXT NOT NULL,
    last_step_at TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    is_demo BIGINT NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    CHECK (stage <> 'lost' OR (lost_from IS NOT NULL AND lost_reason IS NOT NULL))
);
CREATE UNIQUE INDEX deals_lead_once ON deals (lead_source, lead_id);
CREATE INDEX deals_broker ON deals (broker_user_id, stage);
CREATE INDEX deals_agency ON deals (agency_organisation_id);
CREATE INDEX deals_buyer ON deals (buyer_organisation_id);
CREATE INDEX deals_seller ON deals (seller_organisation_id);

CREATE TABLE deal_achievements (
    deal_id TEXT NOT NULL REFERENCES deals (id),
    achievement_id TEXT NOT NULL REFERENCES achievements (id),
    PRIMARY KEY (deal_id, achievement_id)
);
CREATE INDEX deal_achievements_achievement ON deal_achievements (achievement_id);

-- The organisations a deal invites; each answers once (and may be invited again after declining).
CREATE TABLE deal_parties (
    deal_id TEXT NOT NULL REFERENCES deals (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    side TEXT NOT NULL CHECK (side IN ('buyer', 'seller')),
    status TEXT NOT NULL CHECK (status IN ('invited', 'accepted', 'declined')),
    invited_at TEXT NOT NULL,
    answered_at TEXT,
    answered_by TEXT REFERENCES users (id),
    PRIMARY KEY (deal_id, organisation_id)
);
CREATE INDEX deal_parties_organisation ON deal_parties (organisation_id, status);

CREATE TABLE deal_events (
    id TEXT PRIMARY KEY NOT NULL,
    deal_id TEXT NOT NULL REFERENCES deals (id),
    occurred_at TEXT NOT NULL,
    actor_user_id TEXT REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'stage', 'note', 'party', 'reassigned')),
    from_stage TEXT,
    to_stage TEXT,
    reason TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL DEFAULT 'shared' CHECK (visibility IN ('shared', 'private'))
);
CREATE INDEX deal_events_deal ON deal_events (deal_id, occurred_at);

CREATE FUNCTION deal_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND (SELECT is_demo FROM deals WHERE id = OLD.deal_id) = 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'deal_events is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER deal_events_append_only BEFORE UPDATE OR DELETE ON deal_events
    FOR EACH ROW EXECUTE FUNCTION deal_events_refuse_change();
CREATE TRIGGER deal_events_no_truncate BEFORE TRUNCATE ON deal_events
    FOR EACH STATEMENT EXECUTE FUNCTION deal_events_refuse_change();

-- A contract may name the deal it came from. At registration the contract records where its value
-- came from (the goal dashboard's breakdown): `channel` negotiation (a deal that went through
-- 联席预谈判) / broker (a deal, or a named broker) / direct, and the broker's agency.
ALTER TABLE contracts ADD COLUMN deal_id TEXT REFERENCES deals (id);
ALTER TABLE contracts ADD COLUMN channel TEXT CHECK (channel IS NULL OR channel IN ('salon', 'negotiation', 'broker', 'direct'));
ALTER TABLE contracts ADD COLUMN agency_organisation_id TEXT REFERENCES organisations (id);
CREATE INDEX contracts_deal ON contracts (deal_id);
