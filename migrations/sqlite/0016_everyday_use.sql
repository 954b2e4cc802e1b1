-- Everyday use (issue 17).
-- A request to be put in touch is answered or declined by the listing's owner; the sender sees it.
ALTER TABLE listing_contact_requests ADD COLUMN status TEXT NOT NULL DEFAULT 'open'
    CHECK (status IN ('open', 'answered', 'declined'));
ALTER TABLE listing_contact_requests ADD COLUMN reply TEXT NOT NULL DEFAULT '';
ALTER TABLE listing_contact_requests ADD COLUMN replied_at TEXT;
ALTER TABLE listing_contact_requests ADD COLUMN replied_by TEXT REFERENCES users (id);
CREATE INDEX listing_contact_requests_sender ON listing_contact_requests (user_id, created_at);

-- Why an administrator refused a registration or disabled an account (shown to the person).
ALTER TABLE users ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';

-- One-time password reset links: sent by e-mail, or issued by an administrator / the console.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    issued_by TEXT
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);

-- A long form submitted after its session ended, kept for the same person to finish after
-- signing in again.
CREATE TABLE form_drafts (
    token_hash TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    form_path TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX form_drafts_user ON form_drafts (user_id);
