-- The plan's 15 indicators (DOMAIN.md §8): yearly actuals entered by administrators, with their
-- source and the date they were published. Values are exact decimal text (no floating point).

CREATE TABLE indicator_actuals (
    indicator_no INTEGER NOT NULL CHECK (indicator_no BETWEEN 1 AND 15),
    year INTEGER NOT NULL,
    value TEXT NOT NULL,
    source TEXT NOT NULL,
    published_on TEXT NOT NULL,
    entered_by TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (indicator_no, year)
);
