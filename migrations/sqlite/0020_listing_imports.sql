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
    loaded_at TEXT
);

CREATE INDEX listing_imports_by_organisation ON listing_imports (organisation_id, uploaded_at);
