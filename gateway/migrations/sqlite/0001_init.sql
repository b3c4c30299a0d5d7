-- chatgw schema for SQLite (the embedded single-process default).
--
-- Every store-owned table carries store_id and every query filters on it.
-- JSON values are stored as TEXT; times as RFC 3339 TEXT (UTC).

CREATE TABLE stores (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    languages   TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE products (
    store_id      TEXT NOT NULL,
    id            TEXT NOT NULL,
    handle        TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    category      TEXT NOT NULL DEFAULT '',
    vendor        TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '[]',
    attributes    TEXT NOT NULL DEFAULT '{}',
    reviews       TEXT NOT NULL DEFAULT '[]',
    translations  TEXT NOT NULL DEFAULT '{}',
    url           TEXT,
    image         TEXT,
    updated_at    TEXT,
    -- SHA-256 of the product as given (fields and variants).
    fingerprint   TEXT NOT NULL,
    synced_at     TEXT NOT NULL,
    PRIMARY KEY (store_id, id)
);
CREATE INDEX products_store_handle ON products (store_id, handle);

CREATE TABLE variants (
    store_id            TEXT NOT NULL,
    product_id          TEXT NOT NULL,
    sku                 TEXT NOT NULL,
    title               TEXT NOT NULL DEFAULT '',
    options             TEXT NOT NULL DEFAULT '{}',
    price               TEXT NOT NULL,
    compare_at_price    TEXT,
    inventory_quantity  INTEGER,
    position            INTEGER NOT NULL,
    PRIMARY KEY (store_id, sku),
    FOREIGN KEY (store_id, product_id) REFERENCES products (store_id, id) ON DELETE CASCADE
);
CREATE INDEX variants_product ON variants (store_id, product_id, position);

CREATE TABLE product_cards (
    -- Row id shared with product_cards_fts.
    id               INTEGER PRIMARY KEY,
    store_id         TEXT NOT NULL,
    product_id       TEXT NOT NULL,
    text             TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    -- Little-endian f32 values, embedding_dims of them.
    embedding        BLOB,
    embedding_dims   INTEGER,
    embedding_model  TEXT,
    embedding_hash   TEXT,
    embedded_at      TEXT,
    -- What full text indexes (folded: lower case, no diacritics): the card
    -- and, weighted higher, the titles.
    fts_body         TEXT NOT NULL,
    fts_title        TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (store_id, product_id),
    FOREIGN KEY (store_id, product_id) REFERENCES products (store_id, id) ON DELETE CASCADE
);
CREATE INDEX product_cards_embedded ON product_cards (store_id, embedding_model, embedding_dims)
    WHERE embedding IS NOT NULL;

-- Full text of the cards, rowid = product_cards.id. `store` holds one
-- token per row, 's' and the hex of the store id, so a query names its
-- store inside MATCH (`store : "s..." AND {body title} : (...)`) and ranks
-- only that store's rows.
CREATE VIRTUAL TABLE product_cards_fts USING fts5 (
    store,
    body,
    title,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER product_cards_fts_insert AFTER INSERT ON product_cards BEGIN
    INSERT INTO product_cards_fts (rowid, store, body, title)
    VALUES (new.id, 's' || lower(hex(new.store_id)), new.fts_body, new.fts_title);
END;

CREATE TRIGGER product_cards_fts_update AFTER UPDATE OF fts_body, fts_title ON product_cards BEGIN
    UPDATE product_cards_fts SET body = new.fts_body, title = new.fts_title WHERE rowid = new.id;
END;

CREATE TRIGGER product_cards_fts_delete AFTER DELETE ON product_cards BEGIN
    DELETE FROM product_cards_fts WHERE rowid = old.id;
END;

CREATE TABLE conversations (
    store_id    TEXT NOT NULL,
    id          TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    PRIMARY KEY (store_id, id)
);
CREATE INDEX conversations_created ON conversations (store_id, created_at);

CREATE TABLE messages (
    -- Insertion order: the order of a transcript.
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    store_id           TEXT NOT NULL,
    id                 TEXT NOT NULL,
    conversation_id    TEXT NOT NULL,
    role               TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'agent', 'system')),
    text               TEXT NOT NULL,
    language           TEXT,
    label              TEXT,
    tool_calls         TEXT NOT NULL DEFAULT '[]',
    model              TEXT,
    latency_ms         INTEGER,
    prompt_tokens      INTEGER,
    completion_tokens  INTEGER,
    created_at         TEXT NOT NULL,
    UNIQUE (store_id, id),
    FOREIGN KEY (store_id, conversation_id) REFERENCES conversations (store_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation ON messages (store_id, conversation_id, seq);
