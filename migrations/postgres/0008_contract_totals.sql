-- Registered totals kept exact by the same transactions that register, amend and cancel (a test
-- compares them with a full recomputation). Each contract counts once in every dimension: `all`
-- (value ''), `day` (value = the Beijing-time registration date), and one row per dimension the
-- dashboard breaks down by (value = the code, '' when not recorded). Keyed by the Beijing-time month
-- and both parties' regions, so either side's district figures are a sum over a few rows.

CREATE TABLE contract_totals (
    dimension TEXT NOT NULL,
    month TEXT NOT NULL,
    seller_region TEXT NOT NULL,
    buyer_region TEXT NOT NULL,
    value TEXT NOT NULL,
    contracts BIGINT NOT NULL,
    total_fen BIGINT NOT NULL,
    technology_fen BIGINT NOT NULL,
    PRIMARY KEY (dimension, month, seller_region, buyer_region, value)
);

-- The year's largest contracts on either side, by either amount: walked in amount order.
CREATE INDEX contract_revisions_seller_total ON contract_revisions (seller_region, total_fen);
CREATE INDEX contract_revisions_seller_technology ON contract_revisions (seller_region, technology_fen);
CREATE INDEX contract_revisions_buyer_total ON contract_revisions (buyer_region, total_fen);
CREATE INDEX contract_revisions_buyer_technology ON contract_revisions (buyer_region, technology_fen);

-- Contracts that sold a platform listing (market activity: time from publication to contract).
CREATE INDEX contract_revisions_achievement ON contract_revisions (achievement_id);
CREATE INDEX contract_revisions_demand ON contract_revisions (demand_id);

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
