-- A small custom shop schema, the one examples/stores/generic-sql.toml is
-- written for: products with variants (size and colour), stock per variant,
-- orders with their items and a tracking number. Statements end with `;`
-- at the end of a line.

CREATE TABLE products (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  slug text NOT NULL,
  category text,
  brand text,
  image_url text,
  tags text[] NOT NULL DEFAULT '{}',
  published boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_updated_at ON products (updated_at);

CREATE TABLE variants (
  id bigint PRIMARY KEY,
  product_id bigint NOT NULL REFERENCES products (id) ON DELETE CASCADE,
  sku text UNIQUE,
  title text,
  size text,
  colour text,
  price numeric(12,2) NOT NULL,
  list_price numeric(12,2),
  stock integer
);
CREATE INDEX variants_product_id ON variants (product_id);

CREATE TABLE orders (
  id bigint PRIMARY KEY,
  number text NOT NULL UNIQUE,
  status text NOT NULL,
  email text NOT NULL,
  postcode text,
  created_at timestamptz NOT NULL,
  total numeric(12,2) NOT NULL,
  currency char(3) NOT NULL,
  carrier text,
  tracking_number text,
  shipped_at timestamptz
);

CREATE TABLE order_items (
  id bigint PRIMARY KEY,
  order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  sku text,
  title text NOT NULL,
  quantity integer NOT NULL,
  unit_price numeric(12,2) NOT NULL
);
CREATE INDEX order_items_order_id ON order_items (order_id);
