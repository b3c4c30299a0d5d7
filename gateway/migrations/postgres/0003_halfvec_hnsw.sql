-- HNSW indexes now cover `embedding::halfvec(d)` instead of
-- `embedding::vector(d)`: half the index size, faster graph walks, and
-- HNSW for embeddings of up to 4,000 dimensions instead of 2,000. The
-- stored vectors keep full precision and re-rank what the index returns.
-- The gateway builds the new index for every dimension in use when it
-- migrates (see PgStorage::migrate); the old ones go here.
DO $$
DECLARE
    old record;
BEGIN
    FOR old IN
        SELECT indexname FROM pg_indexes
        WHERE schemaname = current_schema() AND tablename = 'product_cards' AND indexname ~ '^product_cards_hnsw_[0-9]+$'
    LOOP
        EXECUTE format('DROP INDEX %I', old.indexname);
    END LOOP;
END
$$;
