//! The shop the Shopify emulator serves: products with options and variants,
//! inventory levels per location, orders with fulfilments. A deterministic
//! generator builds catalogs of any size with the awkward cases real shops
//! have (drafts, archived products, variants beyond the first page, missing
//! SKUs, a price with a compare-at price, negative stock).

use chrono::{DateTime, Duration, TimeZone, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProductStatus {
    Active,
    Draft,
    Archived,
}

impl ProductStatus {
    /// The GraphQL enum value (`ProductStatus`).
    pub fn graphql(self) -> &'static str {
        match self {
            ProductStatus::Active => "ACTIVE",
            ProductStatus::Draft => "DRAFT",
            ProductStatus::Archived => "ARCHIVED",
        }
    }

    /// The REST (and webhook body) value.
    pub fn rest(self) -> &'static str {
        match self {
            ProductStatus::Active => "active",
            ProductStatus::Draft => "draft",
            ProductStatus::Archived => "archived",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Location {
    pub id: u64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct InventoryLevel {
    /// Index into [`Shop::locations`].
    pub location: usize,
    pub available: i64,
    pub committed: i64,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub id: u64,
    pub sku: Option<String>,
    pub title: String,
    /// Decimal string, as Shopify's `Money` scalar.
    pub price: String,
    pub compare_at_price: Option<String>,
    /// `(option name, value)`, in the product's option order.
    pub selected_options: Vec<(String, String)>,
    pub inventory_item_id: u64,
    pub levels: Vec<InventoryLevel>,
}

impl Variant {
    /// Shopify's `inventoryQuantity`: available units over all locations.
    pub fn inventory_quantity(&self) -> i64 {
        self.levels.iter().map(|l| l.available).sum()
    }
}

#[derive(Debug, Clone)]
pub struct Product {
    pub id: u64,
    pub title: String,
    pub handle: String,
    pub description_html: String,
    pub vendor: String,
    pub product_type: String,
    pub tags: Vec<String>,
    pub status: ProductStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `(name, values)`.
    pub options: Vec<(String, Vec<String>)>,
    pub image_url: Option<String>,
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone)]
pub struct LineItem {
    pub sku: Option<String>,
    pub title: String,
    pub quantity: u32,
    pub unit_price: String,
}

#[derive(Debug, Clone)]
pub struct TrackingInfo {
    pub company: Option<String>,
    pub number: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Fulfillment {
    /// `FulfillmentStatus`: SUCCESS, CANCELLED, ERROR, FAILURE, OPEN, PENDING.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub tracking: Vec<TrackingInfo>,
}

#[derive(Debug, Clone)]
pub struct Order {
    pub id: u64,
    /// `#1001`.
    pub name: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// `OrderDisplayFinancialStatus`, e.g. PAID.
    pub financial_status: String,
    /// `OrderDisplayFulfillmentStatus`, e.g. FULFILLED, UNFULFILLED.
    pub fulfillment_status: String,
    pub total: String,
    pub line_items: Vec<LineItem>,
    pub fulfillments: Vec<Fulfillment>,
}

#[derive(Debug, Clone)]
pub struct Shop {
    pub name: String,
    pub domain: String,
    pub currency: String,
    pub locations: Vec<Location>,
    pub products: Vec<Product>,
    pub orders: Vec<Order>,
}

impl Shop {
    pub fn product(&self, id: u64) -> Option<&Product> {
        self.products.iter().find(|p| p.id == id)
    }

    pub fn product_mut(&mut self, id: u64) -> Option<&mut Product> {
        self.products.iter_mut().find(|p| p.id == id)
    }

    /// The product and variant a SKU belongs to.
    pub fn variant_by_sku(&self, sku: &str) -> Option<(&Product, &Variant)> {
        self.products.iter().find_map(|p| p.variants.iter().find(|v| v.sku.as_deref() == Some(sku)).map(|v| (p, v)))
    }

    pub fn variant_by_inventory_item(&self, id: u64) -> Option<(&Product, &Variant)> {
        self.products.iter().find_map(|p| p.variants.iter().find(|v| v.inventory_item_id == id).map(|v| (p, v)))
    }

    /// Products a shopper can buy (status ACTIVE).
    pub fn active_products(&self) -> usize {
        self.products.iter().filter(|p| p.status == ProductStatus::Active).count()
    }
}

const ADJECTIVES: [&str; 12] =
    ["Relaxed", "Classic", "Slim", "Oversized", "Cropped", "Tailored", "Everyday", "Summer", "Winter", "Vintage", "Essential", "Travel"];
const MATERIALS: [&str; 8] = ["Linen", "Cotton", "Merino", "Denim", "Silk", "Cashmere", "Corduroy", "Organic cotton"];
const TYPES: [(&str, &str); 8] = [
    ("Shirt", "Shirts"),
    ("Dress", "Dresses"),
    ("Trousers", "Trousers"),
    ("Jacket", "Jackets"),
    ("Sweater", "Knitwear"),
    ("Skirt", "Skirts"),
    ("Shorts", "Shorts"),
    ("Coat", "Coats"),
];
const COLOURS: [&str; 6] = ["Black", "White", "Navy", "Sand", "Olive", "Red"];
const SIZES: [&str; 10] = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL"];
const VENDORS: [&str; 4] = ["Northwind", "Atelier Sud", "Fjord & Co", "Kasumi"];

/// What [`generate`] builds.
#[derive(Debug, Clone)]
pub struct CatalogSpec {
    pub products: usize,
    /// Every `wide_every`-th product has 60 variants (10 sizes x 6 colours),
    /// more than a connector fetches on the first variants page.
    pub wide_every: usize,
    /// Every `draft_every`-th product is a draft, every `archived_every`-th
    /// archived.
    pub draft_every: usize,
    pub archived_every: usize,
}

impl Default for CatalogSpec {
    fn default() -> Self {
        Self { products: 60, wide_every: 25, draft_every: 20, archived_every: 33 }
    }
}

fn first_product_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).single().expect("a valid date")
}

/// A deterministic shop: the same spec always gives the same catalog.
pub fn generate(spec: &CatalogSpec) -> Shop {
    let locations = vec![
        Location { id: 71_000_001, name: "Berlin warehouse".into() },
        Location { id: 71_000_002, name: "Lisbon store".into() },
        Location { id: 71_000_003, name: "Returns centre".into() },
    ];
    let mut products = Vec::with_capacity(spec.products);
    for i in 0..spec.products {
        products.push(generated_product(spec, i));
    }
    Shop {
        name: "Northwind Outfitters".into(),
        domain: "northwind-outfitters.myshopify.com".into(),
        currency: "EUR".into(),
        locations,
        products,
        orders: orders(),
    }
}

fn generated_product(spec: &CatalogSpec, i: usize) -> Product {
    let n = i + 1;
    let adjective = ADJECTIVES[i % ADJECTIVES.len()];
    let material = MATERIALS[(i / 3) % MATERIALS.len()];
    let (kind, product_type) = TYPES[(i / 7) % TYPES.len()];
    let title = format!("{adjective} {material} {kind} {n}");
    let id = 8_000_000_000 + n as u64;
    let wide = spec.wide_every > 0 && n.is_multiple_of(spec.wide_every);
    let (sizes, colours): (Vec<&str>, Vec<&str>) = if wide {
        (SIZES.to_vec(), COLOURS.to_vec())
    } else {
        let s = 2 + i % 3;
        let c = 1 + i % 2;
        (SIZES[2..2 + s].to_vec(), COLOURS[i % 5..i % 5 + c].to_vec())
    };
    let base_cents = 1_990 + (i as i64 * 370) % 18_000;
    let mut variants = Vec::new();
    for (ci, colour) in colours.iter().enumerate() {
        for (si, size) in sizes.iter().enumerate() {
            let v = variants.len() as u64;
            let vid = 45_000_000_000 + n as u64 * 100 + v;
            // Some merchants leave SKUs empty.
            let sku = if (n + v as usize).is_multiple_of(97) { None } else { Some(format!("NW-{n:05}-{}-{}", &colour[..3].to_ascii_uppercase(), size)) };
            let levels = (0..3)
                .map(|l| InventoryLevel {
                    location: l,
                    // Deterministic, with some sold-out and one oversold level.
                    available: if (n + si + ci + l).is_multiple_of(11) { if l == 2 { -1 } else { 0 } } else { ((n * 7 + si * 3 + ci * 5 + l) % 9) as i64 },
                    committed: (l as i64 + si as i64) % 2,
                })
                .collect();
            let on_sale = n.is_multiple_of(6);
            variants.push(Variant {
                id: vid,
                sku,
                title: format!("{size} / {colour}"),
                price: cents(base_cents + si as i64 * 100),
                compare_at_price: on_sale.then(|| cents(base_cents + si as i64 * 100 + 1_000)),
                selected_options: vec![("Size".into(), (*size).into()), ("Color".into(), (*colour).into())],
                inventory_item_id: 49_000_000_000 + n as u64 * 100 + v,
                levels,
            });
        }
    }
    let status = if spec.draft_every > 0 && n.is_multiple_of(spec.draft_every) {
        ProductStatus::Draft
    } else if spec.archived_every > 0 && n.is_multiple_of(spec.archived_every) {
        ProductStatus::Archived
    } else {
        ProductStatus::Active
    };
    let created = first_product_time() + Duration::minutes(i as i64);
    Product {
        id,
        handle: title.to_ascii_lowercase().replace(' ', "-"),
        description_html: format!(
            "<p>A {} {kind} in {} &amp; made to last.</p><ul><li>Fit: {}</li><li>Care: machine wash cold</li></ul>",
            adjective.to_lowercase(),
            material.to_lowercase(),
            if i.is_multiple_of(2) { "regular" } else { "relaxed" }
        ),
        title,
        vendor: VENDORS[i % VENDORS.len()].into(),
        product_type: product_type.into(),
        tags: vec![material.to_lowercase(), format!("season-{}", if i.is_multiple_of(2) { "ss25" } else { "aw25" })],
        status,
        created_at: created,
        updated_at: created + Duration::hours(1),
        options: vec![("Size".into(), sizes.iter().map(|s| (*s).into()).collect()), ("Color".into(), colours.iter().map(|c| (*c).into()).collect())],
        image_url: Some(format!("https://cdn.shopify.com/s/files/1/0000/0001/products/{id}.jpg")),
        variants,
    }
}

fn cents(amount: i64) -> String {
    format!("{}.{:02}", amount / 100, amount % 100)
}

fn orders() -> Vec<Order> {
    let at = |day: u32| Utc.with_ymd_and_hms(2026, 11, day, 10, 30, 0).single().expect("a valid date");
    vec![
        Order {
            id: 6_100_000_001,
            name: "#1001".into(),
            email: Some("mara.keller@example.com".into()),
            created_at: at(2),
            cancelled_at: None,
            financial_status: "PAID".into(),
            fulfillment_status: "FULFILLED".into(),
            total: "129.80".into(),
            line_items: vec![LineItem { sku: Some("NW-00001-BLA-S".into()), title: "Relaxed Linen Shirt 1".into(), quantity: 2, unit_price: "64.90".into() }],
            fulfillments: vec![Fulfillment {
                status: "SUCCESS".into(),
                created_at: at(3),
                tracking: vec![TrackingInfo {
                    company: Some("DHL Express".into()),
                    number: Some("JJD0099887766".into()),
                    url: Some("https://www.dhl.com/track?id=JJD0099887766".into()),
                }],
            }],
        },
        Order {
            id: 6_100_000_002,
            name: "#1002".into(),
            email: Some("li.wei@example.com".into()),
            created_at: at(10),
            cancelled_at: None,
            financial_status: "PAID".into(),
            fulfillment_status: "UNFULFILLED".into(),
            total: "49.00".into(),
            line_items: vec![LineItem { sku: None, title: "Gift wrapping".into(), quantity: 1, unit_price: "49.00".into() }],
            fulfillments: vec![],
        },
        Order {
            id: 6_100_000_003,
            // Another order whose name starts like #1001: a search for
            // `#1001` must not land on it.
            name: "#10011".into(),
            email: Some("someone.else@example.com".into()),
            created_at: at(12),
            cancelled_at: None,
            financial_status: "PAID".into(),
            fulfillment_status: "PARTIALLY_FULFILLED".into(),
            total: "19.90".into(),
            line_items: vec![],
            fulfillments: vec![],
        },
    ]
}
