-- chatgw schema for PostgreSQL (with pgvector).
--
-- Every store-owned table carries store_id as the first column of its
-- primary key and every query filters on it. Stores are not a foreign key
-- target: the config file is the source of truth for stores, and catalog
-- rows may be written before the store row.

CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE stores (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    languages   text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE products (
    store_id      text NOT NULL,
    id            text NOT NULL,
    handle        text NOT NULL DEFAULT '',
    title         text NOT NULL,
    description   text NOT NULL DEFAULT '',
    category      text NOT NULL DEFAULT '',
    vendor        text NOT NULL DEFAULT '',
    tags          jsonb NOT NULL DEFAULT '[]',
    attributes    jsonb NOT NULL DEFAULT '{}',
    reviews       jsonb NOT NULL DEFAULT '[]',
    translations  jsonb NOT NULL DEFAULT '{}',
    url           text,
    image         text,
    updated_at    timestamptz,
    -- SHA-256 of the product as given (fields and variants): an upsert
    -- with the same fingerprint and card hash is a no-op.
    fingerprint   text NOT NULL,
    synced_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, id)
);
CREATE INDEX products_store_handle ON products (store_id, handle);

CREATE TABLE variants (
    store_id            text NOT NULL,
    product_id          text NOT NULL,
    sku                 text NOT NULL,
    title               text NOT NULL DEFAULT '',
    options             jsonb NOT NULL DEFAULT '{}',
    price               text NOT NULL,
    compare_at_price    text,
    inventory_quantity  bigint,
    position            integer NOT NULL,
    PRIMARY KEY (store_id, sku),
    FOREIGN KEY (store_id, product_id) REFERENCES products (store_id, id) ON DELETE CASCADE
);
CREATE INDEX variants_product ON variants (store_id, product_id, position);

CREATE TABLE product_cards (
    store_id         text NOT NULL,
    product_id       text NOT NULL,
    text             text NOT NULL,
    content_hash     text NOT NULL,
    -- Any dimension: each dimension d in use gets its own partial HNSW
    -- index on (embedding::vector(d)) WHERE embedding_dims = d, created by
    -- the gateway the first time it saves embeddings of that size.
    embedding        vector,
    embedding_dims   integer,
    embedding_model  text,
    -- content_hash of the text the embedding was made from.
    embedding_hash   text,
    embedded_at      timestamptz,
    -- Each segment stemmed in its own language, plus the title unstemmed.
    search_vector    tsvector NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (store_id, product_id),
    FOREIGN KEY (store_id, product_id) REFERENCES products (store_id, id) ON DELETE CASCADE,
    CHECK ((embedding IS NULL) = (embedding_dims IS NULL))
);
-- Keep vectors in the row, not in TOAST: exact scans and the rows an
-- index scan returns would otherwise fetch every vector from the TOAST
-- table (several times slower). Rows of up to ~4 kB (a 384-d vector, the
-- card and its tsvector) stay whole; larger ones move text out first.
ALTER TABLE product_cards ALTER COLUMN embedding SET STORAGE MAIN;
ALTER TABLE product_cards SET (toast_tuple_target = 4080);
CREATE INDEX product_cards_search_vector ON product_cards USING gin (search_vector);
-- Vector search filters (store, model, dims); also serves exact scans of
-- small stores.
CREATE INDEX product_cards_embedded ON product_cards (store_id, embedding_model, embedding_dims)
    WHERE embedding IS NOT NULL;

CREATE TABLE conversations (
    store_id    text NOT NULL,
    id          text NOT NULL,
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (store_id, id)
);
CREATE INDEX conversations_created ON conversations (store_id, created_at);

CREATE TABLE messages (
    store_id           text NOT NULL,
    id                 text NOT NULL,
    conversation_id    text NOT NULL,
    -- Insertion order: the order of a transcript.
    seq                bigint GENERATED ALWAYS AS IDENTITY,
    role               text NOT NULL CHECK (role IN ('user', 'assistant', 'agent', 'system')),
    text               text NOT NULL,
    language           text,
    label              text,
    tool_calls         jsonb NOT NULL DEFAULT '[]',
    model              text,
    latency_ms         bigint,
    prompt_tokens      bigint,
    completion_tokens  bigint,
    created_at         timestamptz NOT NULL,
    PRIMARY KEY (store_id, id),
    FOREIGN KEY (store_id, conversation_id) REFERENCES conversations (store_id, id) ON DELETE CASCADE
);
CREATE INDEX messages_conversation ON messages (store_id, conversation_id, seq);
