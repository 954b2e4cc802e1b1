-- 联席预谈判 meetings, 成果对接沙龙 salons, the inbox and outbound webhooks (issue 15).
-- Times are stored as RFC 3339 UTC text (they sort) and shown in Beijing time.

-- A joint pre-negotiation meeting on a deal, its participants and its next steps.
CREATE TABLE deal_meetings (
    id TEXT PRIMARY KEY NOT NULL,
    deal_id TEXT NOT NULL REFERENCES deals (id),
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    online_url TEXT NOT NULL DEFAULT '',
    agenda TEXT NOT NULL DEFAULT '',
    nda_signed INTEGER NOT NULL DEFAULT 0 CHECK (nda_signed IN (0, 1)),
    nda_signed_on TEXT,
    minutes TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'held', 'cancelled')),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at)
);
CREATE INDEX deal_meetings_deal ON deal_meetings (deal_id, starts_at);
CREATE INDEX deal_meetings_start ON deal_meetings (starts_at);

CREATE TABLE deal_meeting_participants (
    meeting_id TEXT NOT NULL REFERENCES deal_meetings (id),
    position INTEGER NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('buyer', 'seller', 'bureau', 'broker', 'other')),
    name TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    user_id TEXT REFERENCES users (id),
    PRIMARY KEY (meeting_id, position)
);
CREATE INDEX deal_meeting_participants_user ON deal_meeting_participants (user_id);

CREATE TABLE deal_meeting_steps (
    meeting_id TEXT NOT NULL REFERENCES deal_meetings (id),
    position INTEGER NOT NULL,
    task TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_on TEXT,
    PRIMARY KEY (meeting_id, position)
);

-- A matchmaking salon or roadshow; `confirmed` counts confirmed sign-ups and never passes
-- `capacity` (every sign-up and cancellation updates this row first, which serialises them).
CREATE TABLE salons (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('salon', 'roadshow')),
    theme TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_at TEXT NOT NULL,
    ends_at TEXT NOT NULL,
    venue TEXT NOT NULL DEFAULT '',
    online_url TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL CHECK (capacity > 0),
    confirmed INTEGER NOT NULL DEFAULT 0,
    agency_organisation_id TEXT REFERENCES organisations (id),
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    reminded_at TEXT,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    CHECK (ends_at > starts_at),
    CHECK (confirmed >= 0 AND confirmed <= capacity)
);
CREATE INDEX salons_start ON salons (starts_at);

CREATE TABLE salon_listings (
    salon_id TEXT NOT NULL REFERENCES salons (id),
    kind TEXT NOT NULL CHECK (kind IN ('achievement', 'demand')),
    listing_id TEXT NOT NULL,
    PRIMARY KEY (salon_id, kind, listing_id)
);

CREATE TABLE salon_signups (
    salon_id TEXT NOT NULL REFERENCES salons (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'waiting', 'cancelled')),
    signed_up_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    checked_in_at TEXT,
    PRIMARY KEY (salon_id, user_id)
);
CREATE INDEX salon_signups_waiting ON salon_signups (salon_id, status, signed_up_at);
CREATE INDEX salon_signups_user ON salon_signups (user_id);

-- A deal opened at a salon counts among the salon's outcomes and brings its contract the salon channel.
ALTER TABLE deals ADD COLUMN salon_id TEXT REFERENCES salons (id);
CREATE INDEX deals_salon ON deals (salon_id);

-- The in-app inbox: one row per recipient.
CREATE TABLE inbox_messages (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    read_at TEXT
);
CREATE INDEX inbox_messages_user ON inbox_messages (user_id, created_at);
CREATE INDEX inbox_messages_unread ON inbox_messages (user_id, read_at);

-- Outbound webhooks per organisation and their durable delivery queue (the delivery log).
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX webhooks_organisation ON webhooks (organisation_id);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_status INTEGER,
    last_error TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (webhook_id, created_at);
