-- Every change to a searchable listing, in commit order; the search indexer follows it.

CREATE TABLE search_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    listing_kind TEXT NOT NULL CHECK (listing_kind IN ('achievement', 'demand')),
    listing_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
