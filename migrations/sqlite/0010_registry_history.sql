-- The registry's whole history and its calendar (issue 12).
--
-- `origin` says where a contract came from: drafted on the platform, back-entered from the
-- registry's own records (`history`, with real acceptance and registration dates), or demo content
-- (`demo`: seeded only in demo mode, and the only contracts that may ever be deleted, by
-- `techmarket demo remove`). `disputed` marks 存在争议 (the longer review period applies);
-- `review_rule` records which review-period rule set the deadline. A revision's
-- `technology_import` marks a 技术进口 contract: a foreign seller with a country code instead of a
-- GB/T 2260 region, registered by the domestic buyer.

ALTER TABLE contracts ADD COLUMN origin TEXT NOT NULL DEFAULT 'platform' CHECK (origin IN ('platform', 'history', 'demo'));
ALTER TABLE contracts ADD COLUMN disputed INTEGER NOT NULL DEFAULT 0 CHECK (disputed IN (0, 1));
ALTER TABLE contracts ADD COLUMN review_rule TEXT;
ALTER TABLE contracts ADD COLUMN import_id TEXT;
ALTER TABLE contract_revisions ADD COLUMN technology_import INTEGER NOT NULL DEFAULT 0 CHECK (technology_import IN (0, 1));

-- Unfiltered lists walk this index (keyset paging: newest change first).
CREATE INDEX contracts_updated ON contracts (updated_at, id);
CREATE INDEX contracts_origin ON contracts (origin);

-- Only demo contracts may be deleted, and only with everything recorded about them.
DROP TRIGGER contracts_never_deleted;
CREATE TRIGGER contracts_never_deleted BEFORE DELETE ON contracts
WHEN OLD.origin <> 'demo'
BEGIN
    SELECT RAISE(ABORT, 'contracts are never deleted');
END;
DROP TRIGGER contract_revisions_never_deleted;
CREATE TRIGGER contract_revisions_never_deleted BEFORE DELETE ON contract_revisions
WHEN (SELECT origin FROM contracts WHERE id = OLD.contract_id) IS NOT 'demo'
BEGIN
    SELECT RAISE(ABORT, 'contract revisions are never deleted');
END;
DROP TRIGGER contract_cancellations_append_only_d;
CREATE TRIGGER contract_cancellations_append_only_d BEFORE DELETE ON contract_cancellations
WHEN (SELECT origin FROM contracts WHERE id = OLD.contract_id) IS NOT 'demo'
BEGIN SELECT RAISE(ABORT, 'contract_cancellations is append-only'); END;
DROP TRIGGER contract_events_append_only_d;
CREATE TRIGGER contract_events_append_only_d BEFORE DELETE ON contract_events
WHEN (SELECT origin FROM contracts WHERE id = OLD.contract_id) IS NOT 'demo'
BEGIN SELECT RAISE(ABORT, 'contract_events is append-only'); END;
DROP TRIGGER contract_share_payments_append_only_d;
CREATE TRIGGER contract_share_payments_append_only_d BEFORE DELETE ON contract_share_payments
WHEN (SELECT origin FROM contracts WHERE id = OLD.contract_id) IS NOT 'demo'
BEGIN SELECT RAISE(ABORT, 'contract_share_payments is append-only'); END;

-- The State Council's yearly holiday notices (国务院办公厅关于某年部分节假日安排的通知), entered
-- by administrators: the days off and the weekend days worked in exchange. Years without a notice
-- count weekends and the statutory fixed-date holidays only.
CREATE TABLE holiday_notices (
    year INTEGER PRIMARY KEY NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    document TEXT NOT NULL,
    published_on TEXT NOT NULL,
    entered_by TEXT REFERENCES users (id),
    updated_at TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE holiday_days (
    day TEXT PRIMARY KEY NOT NULL,
    year INTEGER NOT NULL REFERENCES holiday_notices (year),
    kind TEXT NOT NULL CHECK (kind IN ('off', 'work')),
    name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX holiday_days_year ON holiday_days (year);

INSERT INTO holiday_notices (year, document, published_on, updated_at) VALUES
    (2025, '国办发明电〔2024〕12号', '2024-11-12', '2026-01-01T00:00:00.000000Z'),
    (2026, '国办发明电〔2025〕7号', '2025-11-04', '2026-01-01T00:00:00.000000Z');
INSERT INTO holiday_days (day, year, kind, name) VALUES
    ('2025-01-01', 2025, 'off', '元旦'),
    ('2025-01-28', 2025, 'off', '春节'),
    ('2025-01-29', 2025, 'off', '春节'),
    ('2025-01-30', 2025, 'off', '春节'),
    ('2025-01-31', 2025, 'off', '春节'),
    ('2025-02-01', 2025, 'off', '春节'),
    ('2025-02-02', 2025, 'off', '春节'),
    ('2025-02-03', 2025, 'off', '春节'),
    ('2025-02-04', 2025, 'off', '春节'),
    ('2025-04-04', 2025, 'off', '清明节'),
    ('2025-04-05', 2025, 'off', '清明节'),
    ('2025-04-06', 2025, 'off', '清明节'),
    ('2025-05-01', 2025, 'off', '劳动节'),
    ('2025-05-02', 2025, 'off', '劳动节'),
    ('2025-05-03', 2025, 'off', '劳动节'),
    ('2025-05-04', 2025, 'off', '劳动节'),
    ('2025-05-05', 2025, 'off', '劳动节'),
    ('2025-05-31', 2025, 'off', '端午节'),
    ('2025-06-01', 2025, 'off', '端午节'),
    ('2025-06-02', 2025, 'off', '端午节'),
    ('2025-10-01', 2025, 'off', '国庆节、中秋节'),
    ('2025-10-02', 2025, 'off', '国庆节、中秋节'),
    ('2025-10-03', 2025, 'off', '国庆节、中秋节'),
    ('2025-10-04', 2025, 'off', '国庆节、中秋节'),
    ('2025-10-05', 2025, 'off', '国庆节、中秋节'),
    ('2025-10-06', 2025, 'off', '国庆节、中秋节'),
    ('2025-10-07', 2025, 'off', '国庆节、中秋节'),
    ('2025-10-08', 2025, 'off', '国庆节、中秋节'),
    ('2025-01-26', 2025, 'work', '春节'),
    ('2025-02-08', 2025, 'work', '春节'),
    ('2025-04-27', 2025, 'work', '劳动节'),
    ('2025-09-28', 2025, 'work', '国庆节、中秋节'),
    ('2025-10-11', 2025, 'work', '国庆节、中秋节'),
    ('2026-01-01', 2026, 'off', '元旦'),
    ('2026-01-02', 2026, 'off', '元旦'),
    ('2026-01-03', 2026, 'off', '元旦'),
    ('2026-02-15', 2026, 'off', '春节'),
    ('2026-02-16', 2026, 'off', '春节'),
    ('2026-02-17', 2026, 'off', '春节'),
    ('2026-02-18', 2026, 'off', '春节'),
    ('2026-02-19', 2026, 'off', '春节'),
    ('2026-02-20', 2026, 'off', '春节'),
    ('2026-02-21', 2026, 'off', '春节'),
    ('2026-02-22', 2026, 'off', '春节'),
    ('2026-02-23', 2026, 'off', '春节'),
    ('2026-04-04', 2026, 'off', '清明节'),
    ('2026-04-05', 2026, 'off', '清明节'),
    ('2026-04-06', 2026, 'off', '清明节'),
    ('2026-05-01', 2026, 'off', '劳动节'),
    ('2026-05-02', 2026, 'off', '劳动节'),
    ('2026-05-03', 2026, 'off', '劳动节'),
    ('2026-05-04', 2026, 'off', '劳动节'),
    ('2026-05-05', 2026, 'off', '劳动节'),
    ('2026-06-19', 2026, 'off', '端午节'),
    ('2026-06-20', 2026, 'off', '端午节'),
    ('2026-06-21', 2026, 'off', '端午节'),
    ('2026-09-25', 2026, 'off', '中秋节'),
    ('2026-09-26', 2026, 'off', '中秋节'),
    ('2026-09-27', 2026, 'off', '中秋节'),
    ('2026-10-01', 2026, 'off', '国庆节'),
    ('2026-10-02', 2026, 'off', '国庆节'),
    ('2026-10-03', 2026, 'off', '国庆节'),
    ('2026-10-04', 2026, 'off', '国庆节'),
    ('2026-10-05', 2026, 'off', '国庆节'),
    ('2026-10-06', 2026, 'off', '国庆节'),
    ('2026-10-07', 2026, 'off', '国庆节'),
    ('2026-01-04', 2026, 'work', '元旦'),
    ('2026-02-14', 2026, 'work', '春节'),
    ('2026-02-28', 2026, 'work', '春节'),
    ('2026-05-09', 2026, 'work', '劳动节'),
    ('2026-09-20', 2026, 'work', '中秋节'),
    ('2026-10-10', 2026, 'work', '国庆节');

-- Uploaded history files awaiting confirmation (the dry run's input) and what became of them.
CREATE TABLE contract_imports (
    id TEXT PRIMARY KEY NOT NULL,
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
