-- Gateways keep in process the products they read and small stores' card
-- vectors (`storage/pg_kept.rs`), and drop a store's as soon as they hear
-- it changed. The database itself tells them: every statement that writes
-- a store's products, variants or cards, whoever runs it (a gateway of any
-- version, a migration, psql), notifies `chatgw_catalog` with the table's
-- schema, the store and the table (an empty store: every store of the
-- schema, after a TRUNCATE). Notifications leave when the transaction
-- commits, once per distinct payload.
CREATE FUNCTION chatgw_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('chatgw_catalog', TG_TABLE_SCHEMA || chr(9) || chr(9) || TG_TABLE_NAME);
    ELSIF TG_OP = 'INSERT' THEN
        FOR changed IN SELECT DISTINCT store_id FROM new_rows LOOP
            PERFORM pg_notify('chatgw_catalog', TG_TABLE_SCHEMA || chr(9) || changed || chr(9) || TG_TABLE_NAME);
        END LOOP;
    ELSIF TG_OP = 'UPDATE' THEN
        FOR changed IN SELECT store_id FROM new_rows UNION SELECT store_id FROM old_rows LOOP
            PERFORM pg_notify('chatgw_catalog', TG_TABLE_SCHEMA || chr(9) || changed || chr(9) || TG_TABLE_NAME);
        END LOOP;
    ELSE
        FOR changed IN SELECT DISTINCT store_id FROM old_rows LOOP
            PERFORM pg_notify('chatgw_catalog', TG_TABLE_SCHEMA || chr(9) || changed || chr(9) || TG_TABLE_NAME);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

-- A trigger with transition tables takes one kind of event: four per table.
DO $$
DECLARE
    tbl text;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['products', 'variants', 'product_cards'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION chatgw_catalog_changed()', tbl || '_inserted', tbl);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION chatgw_catalog_changed()', tbl || '_updated', tbl);
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows
                        FOR EACH STATEMENT EXECUTE FUNCTION chatgw_catalog_changed()', tbl || '_deleted', tbl);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION chatgw_catalog_changed()', tbl || '_truncated', tbl);
    END LOOP;
END
$$;
