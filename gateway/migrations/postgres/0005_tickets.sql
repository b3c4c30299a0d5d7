-- Handoff tickets (issue 10): a conversation handed to a person. At most
-- one ticket per conversation is not yet resolved; while it is, the
-- assistant stays silent and the shopper's messages go to the agents.
CREATE TABLE tickets (
    store_id         text NOT NULL,
    id               text NOT NULL,
    conversation_id  text NOT NULL,
    status           text NOT NULL CHECK (status IN ('open', 'claimed', 'resolved')),
    label            text NOT NULL CHECK (label IN ('normal', 'escalate', 'urgent')),
    reason           text NOT NULL,
    language         text NOT NULL,
    -- Products the conversation showed or discussed, newest first.
    product_ids      jsonb NOT NULL DEFAULT '[]',
    assignee         text,
    -- An email the shopper left for a person to answer (outside hours).
    contact_email    text,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    resolved_at      timestamptz,
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, conversation_id) REFERENCES conversations (store_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX tickets_one_active ON tickets (store_id, conversation_id) WHERE status <> 'resolved';
CREATE INDEX tickets_queue ON tickets (store_id, status, created_at);
