-- 揭榜挂帅: a demand with a reward and an application window, and the applications to it.

CREATE TABLE challenges (
    demand_id TEXT PRIMARY KEY NOT NULL REFERENCES demands (id),
    reward_fen INTEGER NOT NULL CHECK (reward_fen > 0),
    apply_from TEXT NOT NULL,
    apply_until TEXT NOT NULL,
    selected_application_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (apply_from <= apply_until)
);

CREATE TABLE challenge_applications (
    id TEXT PRIMARY KEY NOT NULL,
    demand_id TEXT NOT NULL REFERENCES challenges (demand_id),
    applicant_id TEXT NOT NULL REFERENCES users (id),
    organisation_id TEXT REFERENCES organisations (id),
    team TEXT NOT NULL,
    proposal TEXT NOT NULL,
    expected_results TEXT NOT NULL,
    attachments TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('submitted', 'shortlisted', 'selected', 'not_selected', 'withdrawn')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (demand_id, applicant_id)
);
CREATE INDEX challenge_applications_demand ON challenge_applications (demand_id, status);
