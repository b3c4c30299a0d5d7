-- Webhooks and syncs may arrive in any order and be replayed (issue 8).
-- A deleted product leaves a tombstone with the time it was deleted as of,
-- so an older upsert that arrives later (a late or replayed webhook, a sync
-- page fetched before the delete) does not bring it back; a newer upsert
-- removes the tombstone.
CREATE TABLE product_tombstones (
    store_id    text NOT NULL,
    product_id  text NOT NULL,
    deleted_at  timestamptz NOT NULL,
    PRIMARY KEY (store_id, product_id)
);

-- Delivery ids of webhooks already applied, per store, kept for a
-- retention window: a platform's retry or a replay of the same delivery is
-- answered without doing the work again. Inserted with ON CONFLICT DO
-- NOTHING, so two replicas receiving the same delivery apply it once.
CREATE TABLE webhook_deliveries (
    store_id     text NOT NULL,
    delivery_id  text NOT NULL,
    received_at  timestamptz NOT NULL,
    PRIMARY KEY (store_id, delivery_id)
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (store_id, received_at);
