-- Progress of each store's connector sync, so a sync that stops half-way
-- (crash, upstream failure, deploy) resumes from its last finished page.
CREATE TABLE connector_sync_state (
    store_id    TEXT PRIMARY KEY REFERENCES stores (id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
