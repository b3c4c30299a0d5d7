//! The store the WooCommerce emulator serves, and its REST v3 rendering:
//! simple and variable products (variations with their own SKU, stock and
//! status), WordPress post statuses, and orders whose `number` is not
//! always their id. A deterministic generator builds catalogs of any size
//! with the awkward cases real shops have: drafts, private and pending
//! products, products hidden from the catalog, variations without a SKU of
//! their own (WooCommerce then shows the parent's), stock not managed or on
//! backorder, sale prices, and products with more than 100 variations.

use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use serde_json::{Value, json};

/// `manage_stock` of a variation may defer to its parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManageStock {
    Yes,
    No,
    Parent,
}

#[derive(Debug, Clone)]
pub struct Stock {
    pub manage: ManageStock,
    /// `stock_quantity`; only shown when managed.
    pub quantity: i64,
    /// `instock`, `outofstock` or `onbackorder`.
    pub status: String,
}

impl Stock {
    pub fn counted(quantity: i64) -> Self {
        Stock { manage: ManageStock::Yes, quantity, status: if quantity > 0 { "instock" } else { "outofstock" }.into() }
    }

    pub fn uncounted(status: &str) -> Self {
        Stock { manage: ManageStock::No, quantity: 0, status: status.into() }
    }

    fn json(&self, parent: Option<&Stock>) -> (Value, Value) {
        match self.manage {
            ManageStock::Yes => (json!(true), json!(self.quantity)),
            ManageStock::No => (json!(false), Value::Null),
            ManageStock::Parent => ("parent".into(), parent.map_or(Value::Null, |p| json!(p.quantity))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub options: Vec<String>,
    pub variation: bool,
    pub visible: bool,
}

#[derive(Debug, Clone)]
pub struct Variation {
    pub id: u64,
    /// The variation's own SKU, often empty.
    pub sku: String,
    pub regular_price: String,
    pub sale_price: String,
    /// `publish`, or `private` when disabled.
    pub status: String,
    pub stock: Stock,
    /// `(attribute name, option)`.
    pub attributes: Vec<(String, String)>,
    pub image: Option<String>,
    pub date_modified: DateTime<Utc>,
}

impl Variation {
    pub fn price(&self) -> &str {
        if self.sale_price.is_empty() { &self.regular_price } else { &self.sale_price }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductType {
    Simple,
    Variable,
    External,
}

impl ProductType {
    fn name(self) -> &'static str {
        match self {
            ProductType::Simple => "simple",
            ProductType::Variable => "variable",
            ProductType::External => "external",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: u64,
    pub name: String,
    pub slug: String,
    pub kind: ProductType,
    /// WordPress post status: `publish`, `draft`, `pending`, `private`, `future`.
    pub status: String,
    /// `visible`, `catalog`, `search` or `hidden`.
    pub catalog_visibility: String,
    pub description: String,
    pub short_description: String,
    pub sku: String,
    pub regular_price: String,
    pub sale_price: String,
    pub stock: Stock,
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    pub images: Vec<String>,
    pub attributes: Vec<Attribute>,
    pub variations: Vec<Variation>,
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
}

impl Product {
    /// The REST `type`.
    pub fn kind_name(&self) -> &'static str {
        self.kind.name()
    }

    /// A variable product's price is its cheapest enabled variation's.
    pub fn price(&self) -> String {
        match self.kind {
            ProductType::Variable => self
                .variations
                .iter()
                .filter(|v| v.status == "publish")
                .map(|v| v.price().to_owned())
                .min_by(|a, b| a.parse::<f64>().unwrap_or(0.0).total_cmp(&b.parse::<f64>().unwrap_or(0.0)))
                .unwrap_or_default(),
            _ if self.sale_price.is_empty() => self.regular_price.clone(),
            _ => self.sale_price.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct LineItem {
    pub name: String,
    pub sku: String,
    pub quantity: u32,
    pub price: f64,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    /// What the shopper sees; the id unless a numbering plugin says otherwise.
    pub number: String,
    /// pending, processing, on-hold, completed, cancelled, refunded, failed.
    pub status: String,
    pub currency: String,
    pub total: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub postcode: String,
    pub date_created: DateTime<Utc>,
    pub date_completed: Option<DateTime<Utc>>,
    pub date_modified: DateTime<Utc>,
    pub line_items: Vec<LineItem>,
    /// `(key, value)`; keys starting with `_` are the plugins' own.
    pub meta: Vec<(String, Value)>,
}

#[derive(Debug, Clone)]
pub struct Store {
    pub name: String,
    /// `home_url('/')`, sent as `X-WC-Webhook-Source`.
    pub home_url: String,
    pub currency: String,
    /// The site's timezone (WordPress's non-`_gmt` dates are in it).
    pub utc_offset: FixedOffset,
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
}

/// `2025-03-01T10:00:00`: WordPress dates carry no zone.
pub fn wp_date(t: DateTime<Utc>, offset: FixedOffset) -> String {
    t.with_timezone(&offset).format("%Y-%m-%dT%H:%M:%S").to_string()
}

impl Store {
    pub fn product(&self, id: u64) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    pub fn product_mut(&mut self, id: u64) -> Option<&mut Product> {
        self.products.iter_mut().find(|p| p.id == id)
    }

    /// A variation and its parent.
    pub fn variation(&self, id: u64) -> Option<(&Product, &Variation)> {
        self.products.iter().find_map(|p| p.variations.iter().find(|v| v.id == id).map(|v| (p, v)))
    }

    /// Changes a product as saving it in WooCommerce does: its modified
    /// date becomes `now`.
    pub fn update_product(&mut self, id: u64, now: DateTime<Utc>, change: impl FnOnce(&mut Product)) {
        let product = self.product_mut(id).expect("a product of the store");
        change(product);
        product.date_modified = now;
    }

    /// Changes a variation as saving it in WooCommerce does: the variation's
    /// modified date becomes `now`, and so does its parent's (WooCommerce
    /// syncs and saves the parent after a variation changes, and every save
    /// records the time).
    pub fn update_variation(&mut self, id: u64, now: DateTime<Utc>, change: impl FnOnce(&mut Variation)) {
        let parent = self.products.iter_mut().find(|p| p.variations.iter().any(|v| v.id == id)).expect("a variation of the store");
        let variation = parent.variations.iter_mut().find(|v| v.id == id).expect("found above");
        change(variation);
        variation.date_modified = now;
        parent.date_modified = now;
    }

    pub fn order(&self, id: u64) -> Option<&Order> {
        self.orders.iter().find(|o| o.id == id)
    }

    /// Products a shopper can buy: published and not hidden.
    pub fn listed_products(&self) -> usize {
        self.products.iter().filter(|p| p.status == "publish" && p.catalog_visibility != "hidden").count()
    }

    fn date(&self, t: DateTime<Utc>) -> String {
        wp_date(t, self.utc_offset)
    }

    fn dates(&self, object: &mut serde_json::Map<String, Value>, name: &str, t: Option<DateTime<Utc>>) {
        object.insert(name.into(), t.map_or(Value::Null, |t| json!(self.date(t))));
        object.insert(format!("{name}_gmt"), t.map_or(Value::Null, |t| json!(wp_date(t, FixedOffset::east_opt(0).expect("UTC")))));
    }

    fn terms(names: &[String], base: u64) -> Value {
        json!(names.iter().enumerate().map(|(i, n)| json!({"id": base + i as u64, "name": n, "slug": n.to_lowercase().replace(' ', "-")})).collect::<Vec<_>>())
    }

    /// `GET /products/{id}` of a product (type simple, variable, external).
    pub fn product_json(&self, p: &Product) -> Value {
        let (manage, quantity) = p.stock.json(None);
        let price = p.price();
        let mut o = json!({
            "id": p.id, "name": p.name, "slug": p.slug, "permalink": format!("{}product/{}/", self.home_url, p.slug),
            "type": p.kind.name(), "status": p.status, "featured": false, "catalog_visibility": p.catalog_visibility,
            "description": p.description, "short_description": p.short_description, "sku": p.sku,
            "price": price, "regular_price": if p.kind == ProductType::Variable { "" } else { p.regular_price.as_str() },
            "sale_price": if p.kind == ProductType::Variable { "" } else { p.sale_price.as_str() },
            "on_sale": !p.sale_price.is_empty(), "purchasable": !price.is_empty(), "total_sales": 0, "virtual": false, "downloadable": false,
            "external_url": if p.kind == ProductType::External { format!("{}go/{}", self.home_url, p.slug) } else { String::new() },
            "tax_status": "taxable", "manage_stock": manage, "stock_quantity": quantity, "stock_status": p.stock.status,
            "backorders": if p.stock.status == "onbackorder" { "notify" } else { "no" },
            "categories": Self::terms(&p.categories, 15), "tags": Self::terms(&p.tags, 40),
            "images": p.images.iter().enumerate().map(|(i, src)| json!({"id": p.id * 10 + i as u64, "src": src, "name": "", "alt": ""})).collect::<Vec<_>>(),
            "attributes": p.attributes.iter().enumerate().map(|(i, a)| json!({
                "id": i + 1, "name": a.name, "position": i, "visible": a.visible, "variation": a.variation, "options": a.options
            })).collect::<Vec<_>>(),
            "default_attributes": [], "variations": p.variations.iter().map(|v| v.id).collect::<Vec<_>>(),
            "grouped_products": [], "menu_order": 0, "parent_id": 0, "meta_data": [],
        });
        let object = o.as_object_mut().expect("an object");
        self.dates(object, "date_created", Some(p.date_created));
        self.dates(object, "date_modified", Some(p.date_modified));
        o
    }

    /// The variation's SKU as WooCommerce shows it: its own, else the parent's.
    fn shown_sku<'a>(parent: &'a Product, v: &'a Variation) -> &'a str {
        if v.sku.is_empty() { &parent.sku } else { &v.sku }
    }

    /// One item of `GET /products/{id}/variations`.
    pub fn variation_json(&self, parent: &Product, v: &Variation) -> Value {
        let (manage, quantity) = v.stock.json(Some(&parent.stock));
        let mut o = json!({
            "id": v.id, "description": "", "permalink": format!("{}product/{}/?attribute_size=x", self.home_url, parent.slug),
            "sku": Self::shown_sku(parent, v), "price": v.price(), "regular_price": v.regular_price, "sale_price": v.sale_price,
            "on_sale": !v.sale_price.is_empty(), "status": v.status, "purchasable": v.status == "publish",
            "manage_stock": manage, "stock_quantity": quantity, "stock_status": v.stock.status,
            "image": v.image.as_ref().map(|src| json!({"id": v.id, "src": src})),
            "attributes": v.attributes.iter().enumerate().map(|(i, (name, option))| json!({"id": i + 1, "name": name, "option": option})).collect::<Vec<_>>(),
            "menu_order": 0, "meta_data": [],
        });
        let object = o.as_object_mut().expect("an object");
        self.dates(object, "date_created", Some(parent.date_created));
        self.dates(object, "date_modified", Some(v.date_modified));
        o
    }

    /// A variation as `GET /products/{variation id}` and `/products?sku=`
    /// give it: the product shape, type `variation`, with its `parent_id`.
    pub fn variation_as_product_json(&self, parent: &Product, v: &Variation) -> Value {
        let mut o = self.variation_json(parent, v);
        let options: Vec<&str> = v.attributes.iter().map(|(_, option)| option.as_str()).collect();
        let object = o.as_object_mut().expect("an object");
        object.insert("name".into(), json!(format!("{} - {}", parent.name, options.join(", "))));
        object.insert("type".into(), json!("variation"));
        object.insert("parent_id".into(), json!(parent.id));
        object.insert("slug".into(), json!(format!("{}-{}", parent.slug, v.id)));
        object.insert("images".into(), json!(v.image.iter().map(|src| json!({"src": src})).collect::<Vec<_>>()));
        o
    }

    /// `GET /orders/{id}`.
    pub fn order_json(&self, o: &Order) -> Value {
        let address = json!({"first_name": o.first_name, "last_name": o.last_name, "company": "", "address_1": "Calle Mayor 1", "address_2": "",
            "city": "Madrid", "state": "", "postcode": o.postcode, "country": "ES"});
        let mut billing = address.clone();
        billing["email"] = json!(o.email);
        billing["phone"] = json!("+34 600 000 000");
        let mut out = json!({
            "id": o.id, "parent_id": 0, "number": o.number, "order_key": format!("wc_order_{:x}", o.id * 7919), "created_via": "checkout",
            "version": "9.4.0", "status": o.status, "currency": o.currency, "prices_include_tax": true,
            "discount_total": "0.00", "shipping_total": "0.00", "total": o.total, "total_tax": "0.00", "customer_id": 0,
            "billing": billing, "shipping": address, "payment_method": "stripe", "payment_method_title": "Card",
            "line_items": o.line_items.iter().enumerate().map(|(i, item)| json!({
                "id": o.id * 100 + i as u64, "name": item.name, "product_id": 0, "variation_id": 0, "quantity": item.quantity,
                "subtotal": format!("{:.2}", item.price * f64::from(item.quantity)), "total": format!("{:.2}", item.price * f64::from(item.quantity)),
                "sku": item.sku, "price": item.price, "meta_data": [],
            })).collect::<Vec<_>>(),
            "meta_data": o.meta.iter().enumerate().map(|(i, (key, value))| json!({"id": o.id * 10 + i as u64, "key": key, "value": value})).collect::<Vec<_>>(),
        });
        let object = out.as_object_mut().expect("an object");
        self.dates(object, "date_created", Some(o.date_created));
        self.dates(object, "date_modified", Some(o.date_modified));
        self.dates(object, "date_completed", o.date_completed);
        out
    }
}

const STYLES: [&str; 10] = ["Relaxed", "Classic", "Slim", "Oversized", "Cropped", "Tailored", "Everyday", "Summer", "Winter", "Vintage"];
const MATERIALS: [&str; 6] = ["Linen", "Cotton", "Merino", "Denim", "Silk", "Wool"];
const KINDS: [(&str, &str); 6] =
    [("Shirt", "Shirts"), ("Dress", "Dresses"), ("Trousers", "Trousers"), ("Jacket", "Jackets"), ("Sweater", "Knitwear"), ("Bag", "Accessories")];
const COLOURS: [&str; 10] = ["Black", "White", "Navy", "Sand", "Olive", "Red", "Teal", "Rust", "Grey", "Pink"];
const SIZES: [&str; 12] = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL", "6XL", "7XL"];

/// What [`generate`] builds.
#[derive(Debug, Clone)]
pub struct CatalogSpec {
    pub products: usize,
    /// Every `variable_every`-th product is variable (sizes x colours).
    pub variable_every: usize,
    /// Every `wide_every`-th product has 120 variations (12 sizes x 10
    /// colours), more than one page of the variations endpoint.
    pub wide_every: usize,
    /// Every `draft_every`-th product is a draft, every `private_every`-th
    /// private, every `pending_every`-th pending review.
    pub draft_every: usize,
    pub private_every: usize,
    pub pending_every: usize,
    /// Generated orders besides the fixed ones.
    pub orders: usize,
}

impl Default for CatalogSpec {
    fn default() -> Self {
        Self { products: 60, variable_every: 3, wide_every: 40, draft_every: 17, private_every: 29, pending_every: 31, orders: 20 }
    }
}

fn first_product_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).single().expect("a valid date")
}

fn cents(amount: i64) -> String {
    format!("{}.{:02}", amount / 100, amount % 100)
}

/// A deterministic store: the same spec always gives the same catalog.
pub fn generate(spec: &CatalogSpec) -> Store {
    let mut products = Vec::with_capacity(spec.products);
    let mut next_variation = 500_000;
    for i in 0..spec.products {
        products.push(generated_product(spec, i, &mut next_variation));
    }
    Store {
        name: "Costa Linen Co.".into(),
        home_url: "https://costa-linen.example/".into(),
        currency: "EUR".into(),
        utc_offset: FixedOffset::east_opt(3600).expect("+01:00"),
        products,
        orders: orders(spec.orders),
    }
}

fn status_of(spec: &CatalogSpec, n: usize) -> &'static str {
    let every = |k: usize| k > 0 && n.is_multiple_of(k);
    if every(spec.draft_every) {
        "draft"
    } else if every(spec.private_every) {
        "private"
    } else if every(spec.pending_every) {
        "pending"
    } else {
        "publish"
    }
}

fn generated_product(spec: &CatalogSpec, i: usize, next_variation: &mut u64) -> Product {
    let n = i + 1;
    let (kind_name, category) = KINDS[(i / 5) % KINDS.len()];
    let material = MATERIALS[(i / 2) % MATERIALS.len()];
    let name = format!("{} {material} {kind_name} {n}", STYLES[i % STYLES.len()]);
    let id = 1_000 + n as u64 * 3;
    let base = 1_990 + (i as i64 * 370) % 18_000;
    let created = first_product_time() + Duration::minutes(i as i64);
    let variable = spec.variable_every > 0 && n.is_multiple_of(spec.variable_every);
    let wide = variable && spec.wide_every > 0 && n.is_multiple_of(spec.wide_every);
    let sku = format!("CL-{n:05}");
    let mut attributes = vec![Attribute { name: "Material".into(), options: vec![material.into()], variation: false, visible: true }];
    let mut variations = Vec::new();
    let kind = if variable {
        let (sizes, colours) =
            if wide { (SIZES.to_vec(), COLOURS.to_vec()) } else { (SIZES[2..3 + i % 3].to_vec(), COLOURS[i % 4..i % 4 + 1 + i % 2].to_vec()) };
        attributes.push(Attribute { name: "Size".into(), options: sizes.iter().map(|s| (*s).into()).collect(), variation: true, visible: true });
        attributes.push(Attribute { name: "Color".into(), options: colours.iter().map(|c| (*c).into()).collect(), variation: true, visible: true });
        for (ci, colour) in colours.iter().enumerate() {
            for (si, size) in sizes.iter().enumerate() {
                *next_variation += 1;
                let k = variations.len();
                let stock = match (n + k) % 9 {
                    0 => Stock::uncounted("instock"),
                    1 => Stock { manage: ManageStock::Yes, quantity: -2, status: "onbackorder".into() },
                    2 => Stock::counted(0),
                    _ => Stock::counted(((n * 7 + si * 3 + ci * 5) % 12) as i64 + 1),
                };
                variations.push(Variation {
                    id: *next_variation,
                    // Some variations have no SKU of their own.
                    sku: if (n + k).is_multiple_of(13) { String::new() } else { format!("{sku}-{}-{size}", colour[..3].to_ascii_uppercase()) },
                    regular_price: cents(base + si as i64 * 100),
                    sale_price: if n.is_multiple_of(6) { cents(base + si as i64 * 100 - 500) } else { String::new() },
                    status: if (n + k).is_multiple_of(23) { "private".into() } else { "publish".into() },
                    stock,
                    attributes: vec![("Size".into(), (*size).into()), ("Color".into(), (*colour).into())],
                    image: Some(format!("https://costa-linen.example/wp-content/uploads/2025/03/{id}-{}.jpg", colour.to_lowercase())),
                    date_modified: created + Duration::hours(1),
                });
            }
        }
        ProductType::Variable
    } else if n % 50 == 7 {
        ProductType::External
    } else {
        ProductType::Simple
    };
    let stock = match n % 8 {
        0 if !variable => Stock::uncounted(if n.is_multiple_of(16) { "outofstock" } else { "instock" }),
        _ if variable => Stock::uncounted("instock"),
        _ => Stock::counted(((n * 5) % 15) as i64),
    };
    Product {
        id,
        slug: name.to_lowercase().replace(' ', "-"),
        kind,
        status: status_of(spec, n).into(),
        catalog_visibility: if n.is_multiple_of(97) { "hidden".into() } else { "visible".into() },
        description: format!(
            "<p>A {} {} {} made to last &amp; easy to care for.</p>\n<ul>\n<li>Fit: {}</li>\n<li>Care: machine wash cold</li>\n</ul>",
            STYLES[i % STYLES.len()].to_lowercase(),
            material.to_lowercase(),
            kind_name.to_lowercase(),
            if i.is_multiple_of(2) { "regular" } else { "relaxed" }
        ),
        short_description: format!("<p>{material} {} for every day.</p>", kind_name.to_lowercase()),
        sku,
        regular_price: if variable { String::new() } else { cents(base) },
        sale_price: if !variable && n.is_multiple_of(6) { cents(base - 500) } else { String::new() },
        stock,
        categories: vec![category.into()],
        tags: vec![material.to_lowercase(), if i.is_multiple_of(2) { "ss25".into() } else { "aw25".into() }],
        images: vec![format!("https://costa-linen.example/wp-content/uploads/2025/03/{id}.jpg")],
        attributes,
        variations,
        date_created: created,
        date_modified: created + Duration::hours(1),
        name,
    }
}

fn order(id: u64, number: &str, status: &str, email: &str, day: u32) -> Order {
    let at = Utc.with_ymd_and_hms(2026, 11, day, 10, 30, 0).single().expect("a valid date");
    Order {
        id,
        number: number.into(),
        status: status.into(),
        currency: "EUR".into(),
        total: "49.90".into(),
        first_name: "Ana".into(),
        last_name: "García".into(),
        email: email.into(),
        postcode: "28013".into(),
        date_created: at,
        date_completed: (status == "completed").then(|| at + Duration::days(2)),
        date_modified: at + Duration::days(2),
        line_items: vec![LineItem { name: "Relaxed Linen Shirt 1".into(), sku: "CL-00001".into(), quantity: 1, price: 49.9 }],
        meta: vec![("_billing_phone_verified".into(), json!("no"))],
    }
}

/// Fixed orders the tests look up, and `extra` generated ones.
fn orders(extra: usize) -> Vec<Order> {
    let mut shipped = order(1001, "1001", "completed", "mara.keller@example.com", 2);
    shipped.total = "129.80".into();
    shipped.line_items = vec![LineItem { name: "Relaxed Linen Shirt 1 - M, Black".into(), sku: "CL-00001-BLA-M".into(), quantity: 2, price: 64.9 }];
    shipped.meta.push((
        "_wc_shipment_tracking_items".into(),
        json!([{"tracking_provider": "DHL", "custom_tracking_provider": "", "custom_tracking_link": "", "tracking_number": "JJD0099887766",
                "date_shipped": "1764151200", "tracking_id": "9f3c1b2a"}]),
    ));
    let mut list = vec![
        shipped,
        order(1002, "1002", "processing", "li.wei@example.com", 10),
        // Starts like 1001: a search for 1001 finds it too.
        order(10011, "10011", "on-hold", "someone.else@example.com", 12),
        // A numbering plugin gave this order its own number.
        order(1500, "1777", "processing", "noor.haddad@example.com", 14),
    ];
    for k in 0..extra as u64 {
        let id = 2_000 + k;
        list.push(order(
            id,
            &id.to_string(),
            ["processing", "completed", "pending", "cancelled"][k as usize % 4],
            &format!("buyer{k}@example.com"),
            1 + (k % 25) as u32,
        ));
    }
    list
}
