-- The same WordPress and WooCommerce tables as mariadb.sql, carried over to
-- PostgreSQL as a port of WordPress would (the types mapped, identifiers
-- unquoted so `ID` is `id`, prefix indexes as plain ones): for stores whose
-- WooCommerce data was moved into PostgreSQL (a replica for reporting, a
-- PG4WP site). `{prefix}` is the table prefix; the tests replace it.
-- Statements end with `;` at the end of a line.

CREATE TABLE {prefix}posts (
  ID bigserial PRIMARY KEY,
  post_author bigint NOT NULL DEFAULT 0,
  post_date timestamp NOT NULL DEFAULT '1970-01-01 00:00:00',
  post_date_gmt timestamp NOT NULL DEFAULT '1970-01-01 00:00:00',
  post_content text NOT NULL,
  post_title text NOT NULL,
  post_excerpt text NOT NULL,
  post_status varchar(20) NOT NULL DEFAULT 'publish',
  comment_status varchar(20) NOT NULL DEFAULT 'open',
  ping_status varchar(20) NOT NULL DEFAULT 'open',
  post_password varchar(255) NOT NULL DEFAULT '',
  post_name varchar(200) NOT NULL DEFAULT '',
  to_ping text NOT NULL,
  pinged text NOT NULL,
  post_modified timestamp NOT NULL DEFAULT '1970-01-01 00:00:00',
  post_modified_gmt timestamp NOT NULL DEFAULT '1970-01-01 00:00:00',
  post_content_filtered text NOT NULL,
  post_parent bigint NOT NULL DEFAULT 0,
  guid varchar(255) NOT NULL DEFAULT '',
  menu_order integer NOT NULL DEFAULT 0,
  post_type varchar(20) NOT NULL DEFAULT 'post',
  post_mime_type varchar(100) NOT NULL DEFAULT '',
  comment_count bigint NOT NULL DEFAULT 0
);
CREATE INDEX {prefix}posts_post_name ON {prefix}posts (post_name);
CREATE INDEX {prefix}posts_type_status_date ON {prefix}posts (post_type, post_status, post_date, ID);
CREATE INDEX {prefix}posts_post_parent ON {prefix}posts (post_parent);
CREATE INDEX {prefix}posts_post_author ON {prefix}posts (post_author);

CREATE TABLE {prefix}postmeta (
  meta_id bigserial PRIMARY KEY,
  post_id bigint NOT NULL DEFAULT 0,
  meta_key varchar(255) DEFAULT NULL,
  meta_value text
);
CREATE INDEX {prefix}postmeta_post_id ON {prefix}postmeta (post_id);
CREATE INDEX {prefix}postmeta_meta_key ON {prefix}postmeta (meta_key);

CREATE TABLE {prefix}terms (
  term_id bigserial PRIMARY KEY,
  name varchar(200) NOT NULL DEFAULT '',
  slug varchar(200) NOT NULL DEFAULT '',
  term_group bigint NOT NULL DEFAULT 0
);
CREATE INDEX {prefix}terms_slug ON {prefix}terms (slug);
CREATE INDEX {prefix}terms_name ON {prefix}terms (name);

CREATE TABLE {prefix}term_taxonomy (
  term_taxonomy_id bigserial PRIMARY KEY,
  term_id bigint NOT NULL DEFAULT 0,
  taxonomy varchar(32) NOT NULL DEFAULT '',
  description text NOT NULL,
  parent bigint NOT NULL DEFAULT 0,
  count bigint NOT NULL DEFAULT 0,
  UNIQUE (term_id, taxonomy)
);
CREATE INDEX {prefix}term_taxonomy_taxonomy ON {prefix}term_taxonomy (taxonomy);

CREATE TABLE {prefix}term_relationships (
  object_id bigint NOT NULL DEFAULT 0,
  term_taxonomy_id bigint NOT NULL DEFAULT 0,
  term_order integer NOT NULL DEFAULT 0,
  PRIMARY KEY (object_id, term_taxonomy_id)
);
CREATE INDEX {prefix}term_relationships_tt ON {prefix}term_relationships (term_taxonomy_id);

CREATE TABLE {prefix}woocommerce_attribute_taxonomies (
  attribute_id bigserial PRIMARY KEY,
  attribute_name varchar(200) NOT NULL,
  attribute_label varchar(200) NULL,
  attribute_type varchar(20) NOT NULL,
  attribute_orderby varchar(20) NOT NULL,
  attribute_public integer NOT NULL DEFAULT 1
);
CREATE INDEX {prefix}woocommerce_attribute_taxonomies_name ON {prefix}woocommerce_attribute_taxonomies (attribute_name);

CREATE TABLE {prefix}wc_product_meta_lookup (
  product_id bigint NOT NULL PRIMARY KEY,
  sku varchar(100) NULL DEFAULT '',
  global_unique_id varchar(100) NULL DEFAULT '',
  virtual smallint NULL DEFAULT 0,
  downloadable smallint NULL DEFAULT 0,
  min_price numeric(19,4) NULL DEFAULT NULL,
  max_price numeric(19,4) NULL DEFAULT NULL,
  onsale smallint NULL DEFAULT 0,
  stock_quantity double precision NULL DEFAULT NULL,
  stock_status varchar(100) NULL DEFAULT 'instock',
  rating_count bigint NULL DEFAULT 0,
  average_rating numeric(3,2) NULL DEFAULT 0.00,
  total_sales bigint NULL DEFAULT 0,
  tax_status varchar(100) NULL DEFAULT 'taxable',
  tax_class varchar(100) NULL DEFAULT ''
);
CREATE INDEX {prefix}wc_product_meta_lookup_stock_status ON {prefix}wc_product_meta_lookup (stock_status);
CREATE INDEX {prefix}wc_product_meta_lookup_min_max_price ON {prefix}wc_product_meta_lookup (min_price, max_price);
CREATE INDEX {prefix}wc_product_meta_lookup_sku ON {prefix}wc_product_meta_lookup (sku);

CREATE TABLE {prefix}wc_orders (
  id bigint PRIMARY KEY,
  status varchar(20) NULL,
  currency varchar(10) NULL,
  type varchar(20) NULL,
  tax_amount numeric(26,8) NULL,
  total_amount numeric(26,8) NULL,
  customer_id bigint NULL,
  billing_email varchar(320) NULL,
  date_created_gmt timestamp NULL,
  date_updated_gmt timestamp NULL,
  parent_order_id bigint NULL,
  payment_method varchar(100) NULL,
  payment_method_title text NULL,
  transaction_id varchar(100) NULL,
  ip_address varchar(100) NULL,
  user_agent text NULL,
  customer_note text NULL
);
CREATE INDEX {prefix}wc_orders_status ON {prefix}wc_orders (status);
CREATE INDEX {prefix}wc_orders_billing_email ON {prefix}wc_orders (billing_email);
CREATE INDEX {prefix}wc_orders_type_status_date ON {prefix}wc_orders (type, status, date_created_gmt);

CREATE TABLE {prefix}wc_order_addresses (
  id bigserial PRIMARY KEY,
  order_id bigint NOT NULL,
  address_type varchar(20) NULL,
  first_name text NULL,
  last_name text NULL,
  company text NULL,
  address_1 text NULL,
  address_2 text NULL,
  city text NULL,
  state text NULL,
  postcode text NULL,
  country text NULL,
  email varchar(320) NULL,
  phone varchar(100) NULL,
  UNIQUE (address_type, order_id)
);
CREATE INDEX {prefix}wc_order_addresses_order_id ON {prefix}wc_order_addresses (order_id);

CREATE TABLE {prefix}wc_order_operational_data (
  id bigserial PRIMARY KEY,
  order_id bigint NULL UNIQUE,
  created_via varchar(100) NULL,
  woocommerce_version varchar(20) NULL,
  prices_include_tax smallint NULL,
  coupon_usages_are_counted smallint NULL,
  download_permission_granted smallint NULL,
  cart_hash varchar(100) NULL,
  new_order_email_sent smallint NULL,
  order_key varchar(100) NULL,
  order_stock_reduced smallint NULL,
  date_paid_gmt timestamp NULL,
  date_completed_gmt timestamp NULL,
  shipping_tax_amount numeric(26,8) NULL,
  shipping_total_amount numeric(26,8) NULL,
  discount_tax_amount numeric(26,8) NULL,
  discount_total_amount numeric(26,8) NULL,
  recorded_sales smallint NULL
);

CREATE TABLE {prefix}wc_orders_meta (
  id bigserial PRIMARY KEY,
  order_id bigint NULL,
  meta_key varchar(255),
  meta_value text NULL
);
CREATE INDEX {prefix}wc_orders_meta_order_id ON {prefix}wc_orders_meta (order_id, meta_key);

CREATE TABLE {prefix}woocommerce_order_items (
  order_item_id bigserial PRIMARY KEY,
  order_item_name text NOT NULL,
  order_item_type varchar(200) NOT NULL DEFAULT '',
  order_id bigint NOT NULL
);
CREATE INDEX {prefix}woocommerce_order_items_order_id ON {prefix}woocommerce_order_items (order_id);

CREATE TABLE {prefix}woocommerce_order_itemmeta (
  meta_id bigserial PRIMARY KEY,
  order_item_id bigint NOT NULL,
  meta_key varchar(255) DEFAULT NULL,
  meta_value text NULL
);
CREATE INDEX {prefix}woocommerce_order_itemmeta_item ON {prefix}woocommerce_order_itemmeta (order_item_id);
CREATE INDEX {prefix}woocommerce_order_itemmeta_key ON {prefix}woocommerce_order_itemmeta (meta_key);
