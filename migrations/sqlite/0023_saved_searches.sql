-- Saved searches: a person's words and filters, and how to hear of new matches (inbox now,
-- a daily digest, the organisation's webhooks). Each listing is reported once per search.
CREATE TABLE saved_searches (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    -- The search parameters (JSON object of name → value).
    params TEXT NOT NULL,
    notify_inbox INTEGER NOT NULL CHECK (notify_inbox IN (0, 1)),
    notify_digest INTEGER NOT NULL CHECK (notify_digest IN (0, 1)),
    notify_webhook INTEGER NOT NULL CHECK (notify_webhook IN (0, 1)),
    created_at TEXT NOT NULL,
    -- Listings published after this were looked for last (with an hour's overlap for the index).
    checked_at TEXT NOT NULL,
    -- The Beijing day the last digest went out.
    digest_on TEXT
);
CREATE INDEX saved_searches_by_user ON saved_searches (user_id, created_at);

CREATE TABLE saved_search_hits (
    search_id TEXT NOT NULL REFERENCES saved_searches (id),
    kind TEXT NOT NULL CHECK (kind IN ('achievement', 'demand')),
    listing_id TEXT NOT NULL,
    title TEXT NOT NULL,
    found_at TEXT NOT NULL,
    digested_at TEXT,
    PRIMARY KEY (search_id, kind, listing_id)
);
