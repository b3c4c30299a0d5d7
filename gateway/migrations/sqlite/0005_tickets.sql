-- Handoff tickets (issue 10): a conversation handed to a person. At most
-- one ticket per conversation is not yet resolved; while it is, the
-- assistant stays silent and the shopper's messages go to the agents.
CREATE TABLE tickets (
    store_id         TEXT NOT NULL,
    id               TEXT NOT NULL,
    conversation_id  TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'resolved')),
    label            TEXT NOT NULL CHECK (label IN ('normal', 'escalate', 'urgent')),
    reason           TEXT NOT NULL,
    language         TEXT NOT NULL,
    -- Products the conversation showed or discussed, newest first (JSON).
    product_ids      TEXT NOT NULL DEFAULT '[]',
    assignee         TEXT,
    -- An email the shopper left for a person to answer (outside hours).
    contact_email    TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    resolved_at      TEXT,
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, conversation_id) REFERENCES conversations (store_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX tickets_one_active ON tickets (store_id, conversation_id) WHERE status <> 'resolved';
CREATE INDEX tickets_queue ON tickets (store_id, status, created_at);
