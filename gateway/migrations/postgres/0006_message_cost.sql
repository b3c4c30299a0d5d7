-- What each assistant message cost at the store's per-token prices
-- (issue 10: cost and model bookkeeping); NULL when no price is set.
ALTER TABLE messages ADD COLUMN cost DOUBLE PRECISION;
