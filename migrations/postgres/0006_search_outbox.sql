-- Every change to a searchable listing, in commit order; the search indexer follows it.
-- Writers hold the chain advisory lock while inserting, so seq order is commit order.

CREATE TABLE search_outbox (
    seq BIGSERIAL PRIMARY KEY,
    listing_kind TEXT NOT NULL CHECK (listing_kind IN ('achievement', 'demand')),
    listing_id TEXT NOT NULL,
    created_at TEXT NOT NULL
);
