-- Spreadsheet imports of achievements and demands: the uploaded file is kept for its dry run
-- (nothing is saved until the uploader confirms), then its valid rows enter the review queue.
CREATE TABLE listing_imports (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('achievement', 'demand')),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    file_name TEXT NOT NULL,
    file_sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    valid_count INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('checked', 'loaded')),
    loaded_count INTEGER,
    loaded_at TEXT,
    -- At upload: line → the stored listings the row may repeat (JSON).
    suspects TEXT NOT NULL DEFAULT '{}'
);

CREATE INDEX listing_imports_by_organisation ON listing_imports (organisation_id, uploaded_at);

-- An administrator's decision on a pair of possibly duplicate listings: `distinct` (not a
-- duplicate; no longer shown) or `merged` (the first was withdrawn into the second).
CREATE TABLE duplicate_marks (
    kind TEXT NOT NULL CHECK (kind IN ('achievement', 'demand')),
    listing_id TEXT NOT NULL,
    other_id TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('distinct', 'merged')),
    decided_by TEXT NOT NULL REFERENCES users (id),
    decided_at TEXT NOT NULL,
    PRIMARY KEY (kind, listing_id, other_id)
);

CREATE INDEX duplicate_marks_other ON duplicate_marks (kind, other_id);

-- Possible duplicates are looked up by exact title (imports, the listing's page).
CREATE INDEX achievements_by_title ON achievements (title);
CREATE INDEX demands_by_title ON demands (title);
