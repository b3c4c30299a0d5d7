//! A WooCommerce shop written into the tables of
//! `testkit/sql/woocommerce/`, as WooCommerce itself stores one: products
//! and variations as posts with their postmeta (`_sku`, `_price`,
//! `_regular_price`, `_manage_stock`, `_stock`, `_stock_status`,
//! `attribute_pa_size`, `attribute_pa_color`, `_thumbnail_id`), the same
//! figures in `wc_product_meta_lookup`, categories as `product_cat` terms,
//! global attributes in `woocommerce_attribute_taxonomies`, and HPOS orders
//! (`wc_orders`, billing and shipping rows in `wc_order_addresses`,
//! operational data, order meta) with line items in
//! `woocommerce_order_items` / `woocommerce_order_itemmeta`.

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

use super::{Db, ShopDb, V, s};

const SIZES: &[(&str, &str)] = &[("s", "Small"), ("m", "Medium"), ("l", "Large"), ("xl", "Extra Large")];
const COLOURS: &[(&str, &str)] = &[("sand", "Sand"), ("navy", "Navy"), ("forest", "Forest Green")];
const CATEGORIES: &[(&str, &str)] =
    &[("Shirts", "Shirt"), ("Trousers", "Chino"), ("Jackets", "Jacket"), ("Knitwear", "Jumper"), ("Accessories", "Scarf"), ("Shoes", "Loafer")];
const ADJECTIVES: &[&str] = &["Harbour", "Pine", "Coastal", "Linen", "Merino", "Storm", "Field"];
const POST_COLUMNS: &[&str] = &[
    "ID",
    "post_author",
    "post_date",
    "post_date_gmt",
    "post_content",
    "post_title",
    "post_excerpt",
    "post_status",
    "post_name",
    "to_ping",
    "pinged",
    "post_modified",
    "post_modified_gmt",
    "post_content_filtered",
    "post_parent",
    "guid",
    "menu_order",
    "post_type",
];
const LOOKUP_COLUMNS: &[&str] = &["product_id", "sku", "min_price", "max_price", "onsale", "stock_quantity", "stock_status"];

/// What the seeded shop holds, for the tests' expectations.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub prefix: String,
    pub products: usize,
    /// Published products (every 50th is a draft).
    pub active: usize,
    pub variable: Vec<VariableProduct>,
    /// A simple product that does not manage stock (in stock, no count).
    pub unmanaged_sku: String,
    pub orders: Vec<SeededOrder>,
}

#[derive(Debug, Clone)]
pub struct VariableProduct {
    pub id: i64,
    pub title: String,
    pub published: bool,
    pub colour: Option<String>,
    /// The thumbnail's URL.
    pub image: Option<String>,
    pub variations: Vec<Variation>,
}

#[derive(Debug, Clone)]
pub struct Variation {
    pub id: i64,
    pub sku: String,
    pub size: String,
    pub price: String,
    pub regular_price: String,
    pub stock: i64,
}

#[derive(Debug, Clone)]
pub struct SeededOrder {
    pub number: i64,
    pub email: String,
    pub status: String,
    pub item_skus: Vec<String>,
    pub tracking: Option<(String, String)>,
}

/// When the seeded products were last modified (UTC), one second apart.
pub fn seeded_at() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 3, 1).and_then(|d| d.and_hms_opt(9, 0, 0)).expect("a valid date")
}

fn post(id: i64, kind: &str, status: &str, title: &str, name: &str, parent: i64, at: NaiveDateTime, guid: &str, order: i64, content: &str) -> Vec<V> {
    vec![
        V::I(id),
        V::I(1),
        V::T(at),
        V::T(at),
        s(content),
        s(title),
        s(""),
        s(status),
        s(name),
        s(""),
        s(""),
        V::T(at),
        V::T(at),
        s(""),
        V::I(parent),
        s(guid),
        V::I(order),
        s(kind),
    ]
}

fn meta(post_id: i64, key: &str, value: impl Into<String>) -> Vec<V> {
    vec![V::I(post_id), s(key), s(value)]
}

fn stock_status(stock: i64) -> &'static str {
    if stock > 0 { "instock" } else { "outofstock" }
}

/// Every row of the shop, by table.
#[derive(Default)]
struct Rows {
    posts: Vec<Vec<V>>,
    postmeta: Vec<Vec<V>>,
    lookup: Vec<Vec<V>>,
    relationships: Vec<Vec<V>>,
    next_id: i64,
}

impl Rows {
    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// A sellable item's price, stock and lookup row (a variation or a
    /// simple product).
    fn sellable(&mut self, id: i64, sku: &str, price: f64, regular: f64, stock: Option<i64>) {
        self.postmeta.push(meta(id, "_sku", sku));
        self.postmeta.push(meta(id, "_price", format!("{price:.2}")));
        self.postmeta.push(meta(id, "_regular_price", format!("{regular:.2}")));
        if regular > price {
            self.postmeta.push(meta(id, "_sale_price", format!("{price:.2}")));
        }
        let status = stock.map_or("instock", stock_status);
        match stock {
            Some(stock) => {
                self.postmeta.push(meta(id, "_manage_stock", "yes"));
                self.postmeta.push(meta(id, "_stock", stock.to_string()));
            }
            None => self.postmeta.push(meta(id, "_manage_stock", "no")),
        }
        self.postmeta.push(meta(id, "_stock_status", status));
        self.lookup.push(vec![
            V::I(id),
            s(sku),
            V::F(price),
            V::F(price),
            V::I(i64::from(regular > price)),
            stock.map_or(V::NullF, |n| V::F(n as f64)),
            s(status),
        ]);
    }
}

/// Seeds `products` products (three in four variable, with two to four
/// sizes, every odd one also in a colour) and twelve HPOS orders.
pub async fn seed(shop: &mut ShopDb, prefix: &str, products: usize) -> Seeded {
    let ddl = match shop.db {
        Db::Postgres => "woocommerce/postgres.sql",
        Db::MariaDb => "woocommerce/mariadb.sql",
    };
    shop.create_tables(ddl, prefix).await;
    let t = |name: &str| format!("{prefix}{name}");

    // Terms: sizes and colours (global attributes pa_size, pa_color), then
    // the categories. A term's taxonomy id is its id.
    let mut terms = Vec::new();
    let mut taxonomy = Vec::new();
    let term_id = |slug: &str, name: &str, tax: &str, terms: &mut Vec<Vec<V>>, taxonomy: &mut Vec<Vec<V>>| {
        let id = terms.len() as i64 + 1;
        terms.push(vec![V::I(id), s(name), s(slug)]);
        taxonomy.push(vec![V::I(id), V::I(id), s(tax), s("")]);
        id
    };
    for (slug, name) in SIZES {
        term_id(slug, name, "pa_size", &mut terms, &mut taxonomy);
    }
    for (slug, name) in COLOURS {
        term_id(slug, name, "pa_color", &mut terms, &mut taxonomy);
    }
    let categories: Vec<i64> = CATEGORIES.iter().map(|(name, _)| term_id(&name.to_lowercase(), name, "product_cat", &mut terms, &mut taxonomy)).collect();

    let mut rows = Rows { next_id: 100, ..Rows::default() };
    let mut seeded = Seeded { prefix: prefix.to_owned(), products, active: 0, variable: Vec::new(), unmanaged_sku: String::new(), orders: Vec::new() };
    for i in 1..=products {
        let n = i as i64;
        let id = rows.id();
        let (category, noun) = CATEGORIES[i % CATEGORIES.len()];
        let title = format!("{} {noun} No. {i}", ADJECTIVES[i % ADJECTIVES.len()]);
        let slug = title.to_lowercase().replace(['.', ' '], "-");
        let published = i % 50 != 0;
        seeded.active += usize::from(published);
        let at = seeded_at() + TimeDelta::seconds(n);
        let description = format!("A {noun} for {} days, from the {category} range.", ["sunny", "windy", "rainy"][i % 3]);
        rows.posts.push(post(id, "product", if published { "publish" } else { "draft" }, &title, &slug, 0, at, "", 0, &description));
        rows.relationships.push(vec![V::I(id), V::I(categories[i % CATEGORIES.len()])]);
        let image = (i % 10 == 0).then(|| format!("https://cdn.harbourpine.example/p{i}.jpg"));
        if let Some(url) = &image {
            let attachment = rows.id();
            rows.posts.push(post(attachment, "attachment", "inherit", &title, &slug, id, at, url, 0, ""));
            rows.postmeta.push(meta(id, "_thumbnail_id", attachment.to_string()));
        }
        let price = 19.0 + (i % 40) as f64 + 0.9;
        let regular = if i % 10 == 1 { price + 10.0 } else { price };
        if i % 4 == 0 {
            let sku = format!("SIMPLE-{i:05}");
            let managed = i % 8 != 0;
            if !managed && seeded.unmanaged_sku.is_empty() {
                seeded.unmanaged_sku = sku.clone();
            }
            rows.sellable(id, &sku, price, regular, managed.then_some(n % 13));
            continue;
        }
        let colour = (i % 2 == 1).then(|| COLOURS[i % COLOURS.len()]);
        rows.postmeta.push(meta(id, "_price", format!("{price:.2}")));
        rows.lookup.push(vec![V::I(id), s(""), V::F(price), V::F(price), V::I(0), V::NullF, s("instock")]);
        let mut product =
            VariableProduct { id, title: title.clone(), published, colour: colour.map(|(_, name)| (*name).to_owned()), image, variations: Vec::new() };
        for (k, (size_slug, size)) in SIZES.iter().take(2 + i % 3).enumerate() {
            let vid = rows.id();
            let sku = format!("V{i:05}-{}", size_slug.to_uppercase());
            let stock = (n + k as i64) % 9;
            rows.posts.push(post(vid, "product_variation", "publish", &format!("{title} - {size}"), &format!("{slug}-{size_slug}"), id, at, "", k as i64, ""));
            rows.sellable(vid, &sku, price, regular, Some(stock));
            rows.postmeta.push(meta(vid, "attribute_pa_size", *size_slug));
            if let Some((colour_slug, _)) = colour {
                rows.postmeta.push(meta(vid, "attribute_pa_color", colour_slug));
            }
            product.variations.push(Variation {
                id: vid,
                sku,
                size: (*size).to_owned(),
                price: format!("{price:.2}"),
                regular_price: format!("{regular:.2}"),
                stock,
            });
        }
        seeded.variable.push(product);
    }

    shop.insert(&t("terms"), &["term_id", "name", "slug"], &terms).await;
    shop.insert(&t("term_taxonomy"), &["term_taxonomy_id", "term_id", "taxonomy", "description"], &taxonomy).await;
    shop.insert(
        &t("woocommerce_attribute_taxonomies"),
        &["attribute_name", "attribute_label", "attribute_type", "attribute_orderby", "attribute_public"],
        &[vec![s("size"), s("Size"), s("select"), s("menu_order"), V::I(0)], vec![s("color"), s("Colour"), s("select"), s("menu_order"), V::I(0)]],
    )
    .await;
    shop.insert(&t("posts"), POST_COLUMNS, &rows.posts).await;
    shop.insert(&t("postmeta"), &["post_id", "meta_key", "meta_value"], &rows.postmeta).await;
    shop.insert(&t("wc_product_meta_lookup"), LOOKUP_COLUMNS, &rows.lookup).await;
    shop.insert(&t("term_relationships"), &["object_id", "term_taxonomy_id"], &rows.relationships).await;
    seeded.orders = seed_orders(shop, prefix, &seeded.variable).await;
    // A live shop's tables have planner statistics; fresh ones get them now.
    let tables = ["posts", "postmeta", "wc_product_meta_lookup", "term_relationships", "term_taxonomy", "terms"];
    let analyze: Vec<String> = match shop.db {
        Db::Postgres => vec![format!("ANALYZE {}", tables.map(|name| t(name)).join(", "))],
        Db::MariaDb => vec![format!("ANALYZE TABLE {}", tables.map(|name| t(name)).join(", "))],
    };
    shop.admin(&analyze).await;
    seeded
}

/// Twelve HPOS orders, #1001 to #1012, each with two line items, a billing
/// and a shipping address; #1001 is completed and has tracking.
async fn seed_orders(shop: &mut ShopDb, prefix: &str, products: &[VariableProduct]) -> Vec<SeededOrder> {
    let t = |name: &str| format!("{prefix}{name}");
    let (mut orders, mut addresses, mut operational, mut order_meta, mut items, mut item_meta) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut seeded = Vec::new();
    let mut item_id = 0;
    for k in 1..=12_usize {
        let number = 1000 + k as i64;
        let email = format!("customer{k}@example.com");
        let status = ["wc-completed", "wc-processing", "wc-on-hold"][(k - 1) % 3];
        let created = seeded_at() + TimeDelta::days(k as i64);
        let lines: Vec<(&VariableProduct, &Variation, i64)> =
            (0..2).map(|j| &products[(k * 7 + j * 3) % products.len()]).map(|p| (p, &p.variations[0])).zip([1, 2]).map(|((p, v), q)| (p, v, q)).collect();
        let total: f64 = lines.iter().map(|(_, v, q)| v.price.parse::<f64>().expect("a price") * *q as f64).sum();
        orders.push(vec![
            V::I(number),
            s(status),
            s("EUR"),
            s("shop_order"),
            V::F(0.0),
            V::F(total),
            V::I(0),
            s(&email),
            V::T(created),
            V::T(created),
            V::I(0),
            s("bacs"),
        ]);
        for kind in ["billing", "shipping"] {
            let address_email = if kind == "billing" { email.clone() } else { String::new() };
            addresses.push(vec![
                V::I(number),
                s(kind),
                s("Mara"),
                s(format!("Keller {k}")),
                s("Hafenstrasse 1"),
                s("Hamburg"),
                s(format!("2045{k}")),
                s("DE"),
                s(address_email),
            ]);
        }
        let completed = if status == "wc-completed" { V::T(created + TimeDelta::days(1)) } else { V::NullT };
        operational.push(vec![V::I(number), s("checkout"), s("9.8.0"), s(format!("wc_order_{number}")), completed]);
        let tracking = (k == 1).then(|| ("DHL".to_owned(), "JJD0099887766".to_owned()));
        if let Some((carrier, number_text)) = &tracking {
            order_meta.push(vec![V::I(number), s("_tracking_provider"), s(carrier)]);
            order_meta.push(vec![V::I(number), s("_tracking_number"), s(number_text)]);
        }
        for (product, variation, quantity) in &lines {
            item_id += 1;
            items.push(vec![V::I(item_id), s(format!("{} - {}", product.title, variation.size)), s("line_item"), V::I(number)]);
            let line_total = variation.price.parse::<f64>().expect("a price") * *quantity as f64;
            for (key, value) in [
                ("_product_id", product.id.to_string()),
                ("_variation_id", variation.id.to_string()),
                ("_qty", quantity.to_string()),
                ("_line_subtotal", format!("{line_total:.2}")),
                ("_line_total", format!("{line_total:.2}")),
            ] {
                item_meta.push(vec![V::I(item_id), s(key), s(value)]);
            }
        }
        seeded.push(SeededOrder {
            number,
            email,
            status: status.trim_start_matches("wc-").to_owned(),
            item_skus: lines.iter().map(|(_, v, _)| v.sku.clone()).collect(),
            tracking,
        });
    }
    let order_columns = [
        "id",
        "status",
        "currency",
        "type",
        "tax_amount",
        "total_amount",
        "customer_id",
        "billing_email",
        "date_created_gmt",
        "date_updated_gmt",
        "parent_order_id",
        "payment_method",
    ];
    shop.insert(&t("wc_orders"), &order_columns, &orders).await;
    shop.insert(
        &t("wc_order_addresses"),
        &["order_id", "address_type", "first_name", "last_name", "address_1", "city", "postcode", "country", "email"],
        &addresses,
    )
    .await;
    shop.insert(&t("wc_order_operational_data"), &["order_id", "created_via", "woocommerce_version", "order_key", "date_completed_gmt"], &operational).await;
    shop.insert(&t("wc_orders_meta"), &["order_id", "meta_key", "meta_value"], &order_meta).await;
    shop.insert(&t("woocommerce_order_items"), &["order_item_id", "order_item_name", "order_item_type", "order_id"], &items).await;
    shop.insert(&t("woocommerce_order_itemmeta"), &["order_item_id", "meta_key", "meta_value"], &item_meta).await;
    seeded
}
