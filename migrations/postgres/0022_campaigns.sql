-- 科技成果征集: an administrator's collection campaign (one kind of listing, a theme, fields,
-- a deadline, target organisations — none means every institution or enterprise), and the
-- listings organisations entered into it, one by one or through an import.
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('achievement', 'demand')),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- ",agriculture,new_materials," (",": any field)
    technical_fields TEXT NOT NULL DEFAULT ',',
    -- The last Beijing day entries are taken.
    deadline TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX campaigns_by_deadline ON campaigns (status, deadline);

CREATE TABLE campaign_targets (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (campaign_id, organisation_id)
);

CREATE TABLE campaign_entries (
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    kind TEXT NOT NULL CHECK (kind IN ('achievement', 'demand')),
    listing_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    via TEXT NOT NULL CHECK (via IN ('form', 'import')),
    import_id TEXT,
    entered_by TEXT NOT NULL REFERENCES users (id),
    entered_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, kind, listing_id)
);
CREATE INDEX campaign_entries_by_organisation ON campaign_entries (campaign_id, organisation_id);
CREATE INDEX campaign_entries_by_listing ON campaign_entries (kind, listing_id);

-- An import made for a campaign enters the listings it loads.
ALTER TABLE listing_imports ADD COLUMN campaign_id TEXT REFERENCES campaigns (id);
