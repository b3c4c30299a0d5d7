-- Gateways keep the products they read in process (`storage/pg_kept.rs`)
-- and drop a store's as soon as they hear it changed. The database itself
-- tells them: every statement that writes a store's products or variants,
-- whoever runs it (a gateway of any version, a migration, psql), notifies
-- `chatgw_products` with the table's schema and the store (an empty store:
-- every store of the schema, after a TRUNCATE). Notifications leave when
-- the transaction commits, once per distinct payload.
CREATE FUNCTION chatgw_products_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('chatgw_products', TG_TABLE_SCHEMA || chr(9));
    ELSIF TG_OP = 'INSERT' THEN
        FOR changed IN SELECT DISTINCT store_id FROM new_rows LOOP
            PERFORM pg_notify('chatgw_products', TG_TABLE_SCHEMA || chr(9) || changed);
        END LOOP;
    ELSIF TG_OP = 'UPDATE' THEN
        FOR changed IN SELECT store_id FROM new_rows UNION SELECT store_id FROM old_rows LOOP
            PERFORM pg_notify('chatgw_products', TG_TABLE_SCHEMA || chr(9) || changed);
        END LOOP;
    ELSE
        FOR changed IN SELECT DISTINCT store_id FROM old_rows LOOP
            PERFORM pg_notify('chatgw_products', TG_TABLE_SCHEMA || chr(9) || changed);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

-- A trigger with transition tables takes one kind of event.
CREATE TRIGGER products_inserted AFTER INSERT ON products REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION chatgw_products_changed();
CREATE TRIGGER products_updated AFTER UPDATE ON products REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION chatgw_products_changed();
CREATE TRIGGER products_deleted AFTER DELETE ON products REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION chatgw_products_changed();
CREATE TRIGGER products_truncated AFTER TRUNCATE ON products
    FOR EACH STATEMENT EXECUTE FUNCTION chatgw_products_changed();
CREATE TRIGGER variants_inserted AFTER INSERT ON variants REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION chatgw_products_changed();
CREATE TRIGGER variants_updated AFTER UPDATE ON variants REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION chatgw_products_changed();
CREATE TRIGGER variants_deleted AFTER DELETE ON variants REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION chatgw_products_changed();
CREATE TRIGGER variants_truncated AFTER TRUNCATE ON variants
    FOR EACH STATEMENT EXECUTE FUNCTION chatgw_products_changed();
