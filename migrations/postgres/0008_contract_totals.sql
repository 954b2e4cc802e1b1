-- Registered totals by month and by every dimension the goal dashboard breaks them down by, kept
-- exact by the same transactions that register, amend and cancel (a test compares them with a full
-- recomputation). `month` is the Beijing-time month of `contracts.registered_on`; empty text stands
-- for "not recorded" so the key has no NULLs.

CREATE TABLE contract_totals (
    month TEXT NOT NULL,
    contract_type TEXT NOT NULL,
    subtype TEXT NOT NULL,
    technical_field TEXT NOT NULL,
    seller_nature TEXT NOT NULL,
    buyer_nature TEXT NOT NULL,
    seller_region TEXT NOT NULL,
    buyer_region TEXT NOT NULL,
    broker_user_id TEXT NOT NULL,
    contracts BIGINT NOT NULL,
    total_fen BIGINT NOT NULL,
    technology_fen BIGINT NOT NULL,
    PRIMARY KEY (month, contract_type, subtype, technical_field, seller_nature, buyer_nature, seller_region,
                 buyer_region, broker_user_id)
);

-- The yearly goals administrators keep (DOMAIN.md §7): the plan's 2021 baseline and 2025 target
-- are there from the start.
CREATE TABLE goal_settings (
    year BIGINT PRIMARY KEY NOT NULL,
    amount_fen BIGINT NOT NULL CHECK (amount_fen > 0),
    basis TEXT NOT NULL CHECK (basis IN ('turnover', 'technology_value')),
    side TEXT NOT NULL CHECK (side IN ('output', 'absorb')),
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    updated_by TEXT,
    version BIGINT NOT NULL DEFAULT 1
);
INSERT INTO goal_settings (year, amount_fen, basis, side, note, updated_at) VALUES
    (2021, 40000000000, 'turnover', 'output', '基准年：技术合同成交额 4 亿元（强科技行动实施方案）', '2026-01-01T00:00:00.000000Z'),
    (2025, 60000000000, 'turnover', 'output', '目标年：技术合同成交额 6 亿元（强科技行动实施方案）', '2026-01-01T00:00:00.000000Z');
