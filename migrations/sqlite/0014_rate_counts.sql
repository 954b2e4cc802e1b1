-- Request budgets of nodes that share one database (PostgreSQL): hits per bucket (an address or
-- an account) per one-minute window, so the budget holds across nodes. Old windows are pruned.
CREATE TABLE rate_counts (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
