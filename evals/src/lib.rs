//! What the eval cases are written against besides the embedded demo store:
//! the shops the connector emulators serve for the connector-backed case
//! folders, and where the case folders and threshold files are. The harness
//! itself is the gateway's (`chatgw::eval`, `chatgw eval`).
//!
//! `evals/cases/woocommerce` is written against [`sierra_alta`], served by
//! the WooCommerce emulator (`testkit/emulators`) through the shipped
//! `woocommerce` connector: an outdoor-gear shop in Granada with boots,
//! jackets, tents and sleeping bags, nothing like the demo's fashion
//! catalog, and orders with billing emails, statuses and tracking.

use std::path::PathBuf;

use chatgw_emulators::woocommerce::catalog::{Attribute, LineItem};
use chatgw_emulators::woocommerce::{Order, Product, ProductType, Stock, Store, Variation};
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use serde_json::json;

/// `evals/<name>`: a case folder's parent, threshold files, reports.
pub fn evals_path(name: &str) -> PathBuf {
    chatgw::eval::evals_dir().join(name)
}

/// The id the connector-backed cases give the WooCommerce store.
pub const SIERRA_ALTA_ID: &str = "sierra-alta";

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, day, hour, 0, 0).single().expect("a valid date")
}

struct Simple<'a> {
    id: u64,
    name: &'a str,
    sku: &'a str,
    price: &'a str,
    stock: Stock,
    category: &'a str,
    description: &'a str,
}

fn simple(p: Simple<'_>) -> Product {
    Product {
        id: p.id,
        name: p.name.into(),
        slug: p.name.to_lowercase().replace(' ', "-"),
        kind: ProductType::Simple,
        status: "publish".into(),
        catalog_visibility: "visible".into(),
        description: format!("<p>{}</p>", p.description),
        short_description: String::new(),
        sku: p.sku.into(),
        regular_price: p.price.into(),
        sale_price: String::new(),
        stock: p.stock,
        categories: vec![p.category.into()],
        tags: vec![],
        images: vec![format!("https://sierra-alta.example/wp-content/uploads/{}.jpg", p.id)],
        attributes: vec![],
        variations: vec![],
        date_created: at(1, 9),
        date_modified: at(2, 9),
    }
}

/// A product sold in sizes (and colours): one variation per pair, with the
/// stock `stock(size, colour)` gives.
struct Sized<'a> {
    id: u64,
    name: &'a str,
    sku: &'a str,
    price: &'a str,
    category: &'a str,
    description: &'a str,
    sizes: &'a [&'a str],
    colours: &'a [&'a str],
    stock: &'a dyn Fn(&str, &str) -> i64,
}

fn sized(p: Sized<'_>) -> Product {
    let mut variations = Vec::new();
    for colour in p.colours {
        for size in p.sizes {
            let mut attributes = vec![("Size".to_owned(), (*size).to_owned())];
            let mut sku = format!("{}-{size}", p.sku);
            if p.colours.len() > 1 {
                attributes.push(("Color".to_owned(), (*colour).to_owned()));
                sku = format!("{}-{}-{size}", p.sku, colour[..3].to_ascii_uppercase());
            }
            variations.push(Variation {
                id: p.id * 100 + variations.len() as u64 + 1,
                sku,
                regular_price: p.price.into(),
                sale_price: String::new(),
                status: "publish".into(),
                stock: Stock::counted((p.stock)(size, colour)),
                attributes,
                image: None,
                date_modified: at(2, 9),
            });
        }
    }
    let mut attributes = vec![Attribute { name: "Size".into(), options: p.sizes.iter().map(|s| (*s).into()).collect(), variation: true, visible: true }];
    if p.colours.len() > 1 {
        attributes.push(Attribute { name: "Color".into(), options: p.colours.iter().map(|c| (*c).into()).collect(), variation: true, visible: true });
    }
    Product {
        kind: ProductType::Variable,
        regular_price: String::new(),
        stock: Stock::uncounted("instock"),
        attributes,
        variations,
        ..simple(Simple { id: p.id, name: p.name, sku: p.sku, price: "", stock: Stock::uncounted("instock"), category: p.category, description: p.description })
    }
}

fn order(id: u64, status: &str, email: &str, first_name: &str, day: u32, items: &[(&str, &str, u32, f64)]) -> Order {
    let created = at(day, 11);
    let total: f64 = items.iter().map(|(_, _, quantity, price)| f64::from(*quantity) * price).sum();
    Order {
        id,
        number: id.to_string(),
        status: status.into(),
        currency: "EUR".into(),
        total: format!("{total:.2}"),
        first_name: first_name.into(),
        last_name: "Test".into(),
        email: email.into(),
        postcode: "18009".into(),
        date_created: created,
        date_completed: (status == "completed").then(|| created + Duration::days(1)),
        date_modified: created + Duration::days(1),
        line_items: items
            .iter()
            .map(|(name, sku, quantity, price)| LineItem { name: (*name).into(), sku: (*sku).into(), quantity: *quantity, price: *price })
            .collect(),
        meta: vec![],
    }
}

/// Tracking as the WooCommerce Shipment Tracking plugin stores it.
fn tracked(mut order: Order, carrier: &str, number: &str, shipped: DateTime<Utc>) -> Order {
    order.meta.push((
        "_wc_shipment_tracking_items".into(),
        json!([{"tracking_provider": carrier, "custom_tracking_provider": "", "custom_tracking_link": "", "tracking_number": number,
                "date_shipped": shipped.timestamp().to_string(), "tracking_id": format!("t{}", order.id)}]),
    ));
    order
}

/// Sierra Alta, an outdoor-gear shop on WooCommerce: 16 products (10
/// simple, 6 sold in sizes), some out of stock or on backorder, and 6
/// orders. The ids, SKUs, stock and emails are what
/// `evals/cases/woocommerce` checks against.
pub fn sierra_alta() -> Store {
    let boots: &dyn Fn(&str, &str) -> i64 = &|size, _| match size {
        "42" | "46" => 0,
        "43" => 2,
        "44" => 5,
        _ => 3,
    };
    let jacket: &dyn Fn(&str, &str) -> i64 = &|size, colour| match (size, colour) {
        ("M", "Red") => 0,
        ("M", "Navy") => 4,
        ("XL", _) => 0,
        _ => 2,
    };
    let merino: &dyn Fn(&str, &str) -> i64 = &|size, _| if size == "S" { 0 } else { 6 };
    let fleece: &dyn Fn(&str, &str) -> i64 = &|size, colour| if colour == "Grey" && size == "L" { 0 } else { 3 };
    let trail: &dyn Fn(&str, &str) -> i64 = &|size, _| if size == "40" { 0 } else { 2 };
    let trousers: &dyn Fn(&str, &str) -> i64 = &|size, _| if size == "XS" { 0 } else { 4 };
    let products = vec![
        simple(Simple {
            id: 101,
            name: "Cumbre 45L Trekking Backpack",
            sku: "CUM-45",
            price: "139.00",
            stock: Stock::counted(6),
            category: "Backpacks",
            description: "45-litre trekking backpack for multi-day hikes: adjustable back system, rain cover included, hip-belt pockets, 1.6 kg.",
        }),
        simple(Simple {
            id: 102,
            name: "Brisa 20L Daypack",
            sku: "BRI-20",
            price: "59.00",
            stock: Stock::counted(0),
            category: "Backpacks",
            description: "Light 20-litre daypack for day hikes with a hydration sleeve and a ventilated mesh back, 540 g.",
        }),
        simple(Simple {
            id: 103,
            name: "Refugio 2 Tent",
            sku: "REF-2",
            price: "289.00",
            stock: Stock::counted(3),
            category: "Tents",
            description: "Two-person freestanding backpacking tent, double wall, two doors and two vestibules, 3000 mm flysheet, 2.1 kg.",
        }),
        simple(Simple {
            id: 104,
            name: "Vivac 1 Ultralight Tent",
            sku: "VIV-1",
            price: "349.00",
            stock: Stock::uncounted("onbackorder"),
            category: "Tents",
            description: "One-person ultralight trekking-pole tent, single wall, 890 g, for fast-and-light trips.",
        }),
        simple(Simple {
            id: 105,
            name: "Nevada -10 Down Sleeping Bag",
            sku: "NEV-10",
            price: "259.00",
            stock: Stock::counted(4),
            category: "Sleeping bags",
            description: "Winter down sleeping bag, 700 fill power: comfort -4 °C, limit -10 °C, 1.2 kg, compression sack included.",
        }),
        simple(Simple {
            id: 106,
            name: "Estrella +5 Summer Sleeping Bag",
            sku: "EST-5",
            price: "79.00",
            stock: Stock::counted(11),
            category: "Sleeping bags",
            description: "Synthetic summer sleeping bag for warm nights, comfort +9 °C, limit +5 °C, 780 g.",
        }),
        simple(Simple {
            id: 107,
            name: "Faro 400 Headlamp",
            sku: "FAR-400",
            price: "45.00",
            stock: Stock::counted(25),
            category: "Lighting",
            description: "400-lumen rechargeable headlamp with USB-C charging, red night light and IPX4 splash protection.",
        }),
        simple(Simple {
            id: 108,
            name: "Cresta Carbon Trekking Poles",
            sku: "CRE-CP",
            price: "89.00",
            stock: Stock::counted(8),
            category: "Trekking poles",
            description: "Pair of three-section carbon trekking poles with cork grips and flick locks, 420 g the pair.",
        }),
        simple(Simple {
            id: 109,
            name: "Manantial 1L Steel Bottle",
            sku: "MAN-1L",
            price: "25.00",
            stock: Stock::counted(40),
            category: "Hydration",
            description: "One-litre insulated stainless steel water bottle: cold for 24 hours, hot for 12.",
        }),
        simple(Simple {
            id: 110,
            name: "Ceniza Camping Stove",
            sku: "CEN-ST",
            price: "65.00",
            stock: Stock::counted(0),
            category: "Cooking",
            description: "Compact gas camping stove with piezo ignition, boils a litre of water in 3.5 minutes.",
        }),
        sized(Sized {
            id: 201,
            name: "Roca GTX Hiking Boots",
            sku: "ROC-GTX",
            price: "169.00",
            category: "Footwear",
            description: "Waterproof leather hiking boots with a Gore-Tex membrane and a Vibram sole, for rocky trails and trekking.",
            sizes: &["38", "39", "40", "41", "42", "43", "44", "45", "46"],
            colours: &["Brown"],
            stock: boots,
        }),
        sized(Sized {
            id: 202,
            name: "Aguacero Rain Jacket",
            sku: "AGU",
            price: "129.00",
            category: "Jackets",
            description: "Three-layer waterproof, breathable rain jacket (20,000 mm) with taped seams, pit zips and a helmet-compatible hood.",
            sizes: &["S", "M", "L", "XL"],
            colours: &["Red", "Navy"],
            stock: jacket,
        }),
        sized(Sized {
            id: 203,
            name: "Lana Merino Base Layer",
            sku: "LAN-MB",
            price: "65.00",
            category: "Base layers",
            description: "Long-sleeve merino wool base layer, 200 g/m², warm and odour resistant for cold hikes and ski touring.",
            sizes: &["S", "M", "L", "XL"],
            colours: &["Black"],
            stock: merino,
        }),
        sized(Sized {
            id: 204,
            name: "Pinar Fleece Jacket",
            sku: "PIN",
            price: "79.00",
            category: "Jackets",
            description: "Warm full-zip fleece jacket, a mid layer for cold mornings in the mountains.",
            sizes: &["S", "M", "L", "XL"],
            colours: &["Green", "Grey"],
            stock: fleece,
        }),
        sized(Sized {
            id: 205,
            name: "Sendero Trail Running Shoes",
            sku: "SEN-TR",
            price: "119.00",
            category: "Footwear",
            description: "Light trail running shoes with a grippy lugged sole and a rock plate, 6 mm drop.",
            sizes: &["38", "39", "40", "41", "42", "43", "44", "45"],
            colours: &["Blue"],
            stock: trail,
        }),
        sized(Sized {
            id: 206,
            name: "Cima Softshell Trousers",
            sku: "CIM-ST",
            price: "89.00",
            category: "Trousers",
            description: "Stretch softshell hiking trousers, water repellent and windproof, with zipped pockets.",
            sizes: &["XS", "S", "M", "L", "XL"],
            colours: &["Black"],
            stock: trousers,
        }),
    ];
    let orders = vec![
        tracked(
            order(5101, "completed", "lucia.fernandez@example.com", "Lucía", 12, &[("Roca GTX Hiking Boots - 43", "ROC-GTX-43", 1, 169.0)]),
            "Correos Express",
            "CX4471820015ES",
            at(13, 15),
        ),
        order(5102, "processing", "tom.baker@example.com", "Tom", 20, &[("Refugio 2 Tent", "REF-2", 1, 289.0), ("Faro 400 Headlamp", "FAR-400", 2, 45.0)]),
        order(5103, "on-hold", "claire.martin@example.com", "Claire", 21, &[("Nevada -10 Down Sleeping Bag", "NEV-10", 1, 259.0)]),
        order(5104, "cancelled", "jonas.weber@example.com", "Jonas", 18, &[("Aguacero Rain Jacket - M, Red", "AGU-RED-M", 1, 129.0)]),
        order(5105, "pending", "marta.puig@example.com", "Marta", 22, &[("Cresta Carbon Trekking Poles", "CRE-CP", 1, 89.0)]),
        tracked(
            order(5106, "completed", "olga.ivanova@example.com", "Olga", 15, &[("Lana Merino Base Layer - M", "LAN-MB-M", 2, 65.0)]),
            "SEUR",
            "SEUR99120034",
            at(16, 10),
        ),
    ];
    Store {
        name: "Sierra Alta".into(),
        home_url: "https://sierra-alta.example/".into(),
        currency: "EUR".into(),
        utc_offset: FixedOffset::east_opt(3600).expect("+01:00"),
        products,
        orders,
    }
}
