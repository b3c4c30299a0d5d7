//! A chatgw connector for the Lookbook store API (a fictional fashion
//! platform), written the way a third party would: with `chatgw-sdk` only.
//!
//! Lookbook API v2, as this connector uses it (the gateway adds the
//! `Authorization: Bearer …` API key to every request):
//!
//! - `GET /v2/shop`: the shop, for `check-connection`.
//! - `GET /v2/products?page=N&per_page=M[&updated_after=T]`: page-number
//!   pagination, `{"data": [...], "meta": {"page", "total_pages"}}`.
//! - `GET /v2/variants/{sku}/stock`: stock of one variant per location.
//! - `GET /v2/orders/{reference}`: an order with the customer's email.
//! - `GET /v2/size-guides/{category}`: size charts, behind the `size_guide`
//!   tool.
//! - Webhooks signed with HMAC-SHA256 (base64) in `X-Lookbook-Hmac-Sha256`.

use chatgw_sdk::*;
use serde::Deserialize;

const DEFAULT_PAGE_SIZE: u32 = 50;
const MAX_PAGE_SIZE: u32 = 100;

/// Store settings. No secrets: the API key is a host-held credential.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// API root, e.g. `https://api.lookbook.example`.
    api_base: String,
    /// Storefront root for product links, e.g. `https://shop.lookbook.example`.
    storefront_url: Option<String>,
    /// Products per page (1 to 100).
    page_size: Option<u32>,
}

impl Settings {
    fn parse(json: &str) -> Result<Settings, ConnectorError> {
        let s: Settings = settings(json)?;
        if !s.api_base.starts_with("https://") && !s.api_base.starts_with("http://") {
            return Err(ConnectorError::InvalidSettings(format!(
                "api_base `{}` must be an http(s) URL such as https://api.lookbook.example",
                s.api_base
            )));
        }
        if let Some(size) = s.page_size
            && !(1..=MAX_PAGE_SIZE).contains(&size)
        {
            return Err(ConnectorError::InvalidSettings(format!(
                "page_size {size} is out of range: Lookbook serves 1 to {MAX_PAGE_SIZE} products per page"
            )));
        }
        Ok(s)
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v2{path}", self.api_base.trim_end_matches('/'))
    }

    fn page_size(&self) -> u32 {
        self.page_size.unwrap_or(DEFAULT_PAGE_SIZE)
    }
}

// ---- Lookbook's JSON -------------------------------------------------------

#[derive(Deserialize)]
struct Price {
    /// Decimal string, e.g. "129.00".
    amount: String,
    currency: String,
}

impl Price {
    fn money(&self) -> Result<Money, ConnectorError> {
        money(&self.amount, &self.currency)
    }
}

#[derive(Deserialize)]
struct Listing {
    data: Vec<LbProduct>,
    meta: ListingMeta,
}

#[derive(Deserialize)]
struct ListingMeta {
    total_pages: u32,
}

#[derive(Deserialize)]
struct LbProduct {
    id: String,
    handle: String,
    name: String,
    #[serde(default)]
    description_html: String,
    brand: Option<String>,
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    /// "published", "draft" or "archived".
    state: String,
    updated_at: Option<String>,
    #[serde(default)]
    images: Vec<LbImage>,
    price: Price,
    sale_price: Option<Price>,
    material: Option<String>,
    #[serde(default)]
    variants: Vec<LbVariant>,
}

#[derive(Deserialize)]
struct LbImage {
    src: String,
}

#[derive(Deserialize)]
struct LbVariant {
    id: String,
    sku: String,
    size: Option<String>,
    colour: Option<String>,
    /// A variant-specific price; otherwise the product's.
    price: Option<Price>,
}

#[derive(Deserialize)]
struct LbStock {
    sku: String,
    locations: Vec<LbLocationStock>,
}

#[derive(Deserialize)]
struct LbLocationStock {
    name: String,
    available: i64,
}

#[derive(Deserialize)]
struct LbOrder {
    reference: String,
    state: String,
    placed_at: Option<String>,
    customer: LbCustomer,
    lines: Vec<LbLine>,
    total: Price,
    #[serde(default)]
    shipments: Vec<LbShipment>,
}

#[derive(Deserialize)]
struct LbCustomer {
    email: String,
}

#[derive(Deserialize)]
struct LbLine {
    sku: Option<String>,
    name: String,
    quantity: u32,
    unit_price: Price,
}

#[derive(Deserialize)]
struct LbShipment {
    state: String,
    carrier: Option<String>,
    tracking_code: Option<String>,
    tracking_url: Option<String>,
    shipped_at: Option<String>,
}

#[derive(Deserialize)]
struct LbSizeGuide {
    category: String,
    unit: String,
    sizes: Vec<LbSize>,
}

/// One size's body measurement ranges, `[min, max]`.
#[derive(Deserialize, serde::Serialize)]
struct LbSize {
    size: String,
    bust: Option<[f64; 2]>,
    waist: Option<[f64; 2]>,
    hips: Option<[f64; 2]>,
}

// ---- conversions -------------------------------------------------------------

/// Lookbook's HTML descriptions as plain text: tags dropped, entities for
/// the usual characters decoded, whitespace collapsed.
fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn product(item: LbProduct, s: &Settings) -> Result<Product, ConnectorError> {
    // On sale: the sale price is the price and the list price the
    // compare-at price.
    let (price, compare_at) = match &item.sale_price {
        Some(sale) => (sale.money()?, Some(item.price.money()?)),
        None => (item.price.money()?, None),
    };
    let variants = item
        .variants
        .iter()
        .map(|v| {
            let mut options = Vec::new();
            if let Some(colour) = &v.colour {
                options.push(VariantOption {
                    name: "Colour".into(),
                    value: colour.clone(),
                });
            }
            if let Some(size) = &v.size {
                options.push(VariantOption {
                    name: "Size".into(),
                    value: size.clone(),
                });
            }
            let title = options
                .iter()
                .map(|o| o.value.as_str())
                .collect::<Vec<_>>()
                .join(" / ");
            Ok(ProductVariant {
                external_id: v.id.clone(),
                sku: Some(v.sku.clone()),
                title: if title.is_empty() {
                    item.name.clone()
                } else {
                    title
                },
                price: Some(match &v.price {
                    Some(own) => own.money()?,
                    None => price.clone(),
                }),
                compare_at_price: compare_at.clone(),
                options,
                // Stock is per variant and location: see get-stock.
                available: None,
            })
        })
        .collect::<Result<Vec<_>, ConnectorError>>()?;
    let attributes = serde_json::json!({
        "handle": item.handle,
        "material": item.material,
    });
    Ok(Product {
        external_id: item.id,
        url: s
            .storefront_url
            .as_ref()
            .map(|root| format!("{}/products/{}", root.trim_end_matches('/'), item.handle)),
        title: item.name,
        description: plain_text(&item.description_html),
        image_urls: item.images.into_iter().map(|i| i.src).collect(),
        vendor: item.brand,
        product_type: item.category,
        tags: item.tags,
        status: match item.state.as_str() {
            "published" => "active".into(),
            other => other.into(),
        },
        updated_at: item.updated_at,
        variants,
        attributes_json: Some(attributes.to_string()),
    })
}

fn stock_levels(stock: LbStock) -> Vec<StockLevel> {
    let total = stock.locations.iter().map(|l| l.available.max(0)).sum();
    let mut levels: Vec<StockLevel> = stock
        .locations
        .into_iter()
        .map(|l| StockLevel {
            sku: stock.sku.clone(),
            location: Some(l.name),
            available: l.available,
        })
        .collect();
    levels.push(StockLevel {
        sku: stock.sku,
        location: None,
        available: total,
    });
    levels
}

/// `#lb-10042` and `LB-10042` are the same order.
fn normalise_reference(order_ref: &str) -> String {
    order_ref
        .trim()
        .trim_start_matches('#')
        .to_ascii_uppercase()
}

// ---- the size_guide tool -------------------------------------------------------

const SIZE_GUIDE_SCHEMA: &str = r#"{
  "type": "object",
  "required": ["category"],
  "properties": {
    "category": {"type": "string", "description": "Product category, e.g. dresses, trousers, knitwear"},
    "bust_cm": {"type": "number"},
    "waist_cm": {"type": "number"},
    "hips_cm": {"type": "number"}
  },
  "additionalProperties": false
}"#;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SizeGuideArgs {
    category: String,
    bust_cm: Option<f64>,
    waist_cm: Option<f64>,
    hips_cm: Option<f64>,
}

/// The smallest size whose upper bound fits every given measurement.
fn recommend<'a>(sizes: &'a [LbSize], args: &SizeGuideArgs) -> Option<&'a str> {
    type Range = fn(&LbSize) -> Option<[f64; 2]>;
    let wanted: [(Option<f64>, Range); 3] = [
        (args.bust_cm, |s| s.bust),
        (args.waist_cm, |s| s.waist),
        (args.hips_cm, |s| s.hips),
    ];
    if wanted.iter().all(|(value, _)| value.is_none()) {
        return None;
    }
    sizes
        .iter()
        .find(|size| {
            wanted
                .iter()
                .all(|(value, range)| match (value, range(size)) {
                    (None, _) => true,
                    (Some(v), Some([_, max])) => *v <= max,
                    (Some(_), None) => false,
                })
        })
        .map(|size| size.size.as_str())
}

fn size_guide(s: &Settings, arguments: &str) -> Result<String, ConnectorError> {
    let args: SizeGuideArgs = serde_json::from_str(arguments)
        .map_err(|e| ConnectorError::InvalidSettings(format!("size_guide arguments: {e}")))?;
    let category = args.category.trim().to_ascii_lowercase();
    let url = s.url(&format!("/size-guides/{}", encode_component(&category)));
    let guide: LbSizeGuide = get_json(&url, &[]).map_err(|e| match e {
        ConnectorError::NotFound(_) => {
            ConnectorError::NotFound(format!("no size guide for category `{category}`"))
        }
        other => other,
    })?;
    let recommended = recommend(&guide.sizes, &args);
    let measured = args.bust_cm.is_some() || args.waist_cm.is_some() || args.hips_cm.is_some();
    let note = match (recommended, measured) {
        (Some(_), _) => "the smallest size that fits every measurement given",
        (None, true) => "the measurements are larger than every size in this guide",
        (None, false) => "give bust_cm, waist_cm or hips_cm for a recommendation",
    };
    let answer = serde_json::json!({
        "category": guide.category,
        "unit": guide.unit,
        "sizes": guide.sizes,
        "recommended_size": recommended,
        "note": note,
    });
    Ok(answer.to_string())
}

// ---- the connector -------------------------------------------------------------

struct Lookbook;

impl Connector for Lookbook {
    fn describe() -> Descriptor {
        Descriptor {
            id: "lookbook".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: vec![Capability::Http, Capability::Log],
            settings_schema: serde_json::json!({
                "type": "object",
                "required": ["api_base"],
                "properties": {
                    "api_base": {"type": "string", "format": "uri"},
                    "storefront_url": {"type": "string", "format": "uri"},
                    "page_size": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}
                },
                "additionalProperties": false
            })
            .to_string(),
            webhook_signature: WebhookSignature::HmacSha256Base64("X-Lookbook-Hmac-Sha256".into()),
        }
    }

    fn check_connection(settings_json: String) -> Result<(), ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        get_json::<serde::de::IgnoredAny>(&s.url("/shop"), &[]).map(|_| ())
    }

    fn sync_products(
        settings_json: String,
        cursor: Option<String>,
        since: Option<String>,
    ) -> Result<ProductPage, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        let page = page_number(cursor.as_deref())?;
        let (page_text, size_text) = (page.to_string(), s.page_size().to_string());
        let mut query = vec![
            ("page", page_text.as_str()),
            ("per_page", size_text.as_str()),
        ];
        if let Some(since) = since.as_deref() {
            query.push(("updated_after", since));
        }
        let listing: Listing =
            get_json(&s.url(&format!("/products?{}", query_string(&query))), &[])?;
        let fetched = listing.data.len();
        let products = listing
            .data
            .into_iter()
            .map(|item| product(item, &s))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProductPage {
            products,
            next_cursor: next_page_cursor(
                page,
                fetched,
                s.page_size() as usize,
                Some(listing.meta.total_pages),
            ),
        })
    }

    fn get_stock(
        settings_json: String,
        skus: Vec<String>,
    ) -> Result<Vec<StockLevel>, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        let mut levels = Vec::new();
        for sku in skus {
            let url = s.url(&format!("/variants/{}/stock", encode_component(&sku)));
            match get_json::<LbStock>(&url, &[]) {
                Ok(stock) => levels.extend(stock_levels(stock)),
                // One unknown SKU must not hide the others' stock.
                Err(ConnectorError::NotFound(_)) => {
                    log::write(
                        log::Level::Warn,
                        &format!("Lookbook does not know SKU {sku}"),
                    );
                }
                Err(other) => return Err(other),
            }
        }
        Ok(levels)
    }

    fn get_order(settings_json: String, order_ref: String) -> Result<Order, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        let reference = normalise_reference(&order_ref);
        let url = s.url(&format!("/orders/{}", encode_component(&reference)));
        let order: LbOrder = get_json(&url, &[]).map_err(|e| match e {
            ConnectorError::NotFound(_) => ConnectorError::NotFound(format!("order {reference}")),
            other => other,
        })?;
        let items = order
            .lines
            .into_iter()
            .map(|line| {
                Ok(OrderItem {
                    sku: line.sku,
                    title: line.name,
                    quantity: line.quantity,
                    price: Some(line.unit_price.money()?),
                })
            })
            .collect::<Result<Vec<_>, ConnectorError>>()?;
        Ok(Order {
            order_ref: order.reference,
            status: order.state,
            customer_email: order.customer.email,
            created_at: order.placed_at,
            items,
            fulfilments: order
                .shipments
                .into_iter()
                .map(|shipment| Fulfilment {
                    status: shipment.state,
                    tracking: vec![Tracking {
                        carrier: shipment.carrier,
                        number: shipment.tracking_code,
                        url: shipment.tracking_url,
                    }],
                    shipped_at: shipment.shipped_at,
                })
                .collect(),
            total: Some(order.total.money()?),
        })
    }

    /// Called after the gateway has checked `X-Lookbook-Hmac-Sha256`.
    fn parse_webhook(
        settings_json: String,
        topic: String,
        _headers: Vec<Header>,
        body: Vec<u8>,
    ) -> Result<Vec<WebhookEvent>, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        // A deletion body is `{"id": ...}` and nothing else. Signatures
        // cover the body, not the URL's topic: a whole product body posted
        // to the delete route must be refused, not read as a deletion of
        // its `id`.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Deleted {
            id: String,
        }
        #[derive(Deserialize)]
        struct OrderRef {
            reference: String,
        }
        Ok(match topic.as_str() {
            "product.updated" | "product.created" => {
                vec![WebhookEvent::ProductUpserted(product(
                    serde_json::from_slice(&body)?,
                    &s,
                )?)]
            }
            "product.deleted" => {
                let deleted: Deleted = serde_json::from_slice(&body).map_err(|e| {
                    ConnectorError::Upstream(format!(
                        "a `product.deleted` body carries only the product's `id` ({e}); was a body of another topic sent here?"
                    ))
                })?;
                vec![WebhookEvent::ProductDeleted(deleted.id)]
            }
            "inventory.updated" => {
                vec![WebhookEvent::StockChanged(stock_levels(
                    serde_json::from_slice(&body)?,
                ))]
            }
            "order.updated" => {
                let order: OrderRef = serde_json::from_slice(&body)?;
                vec![WebhookEvent::OrderUpdated(order.reference)]
            }
            _ => vec![],
        })
    }

    fn list_tools(_settings_json: String) -> Vec<ToolSpec> {
        vec![ToolSpec {
            name: "size_guide".into(),
            description: "Lookbook's size chart for a category (dresses, trousers, knitwear…), \
                          with a recommended size when the shopper gives body measurements in cm."
                .into(),
            parameters_schema: SIZE_GUIDE_SCHEMA.into(),
        }]
    }

    fn call_tool(
        settings_json: String,
        name: String,
        arguments: String,
    ) -> Result<String, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        match name.as_str() {
            "size_guide" => size_guide(&s, &arguments),
            other => Err(ConnectorError::NotFound(format!(
                "tool `{other}`; this connector offers size_guide"
            ))),
        }
    }
}

chatgw_sdk::export_connector!(Lookbook);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_become_plain_text() {
        assert_eq!(
            plain_text("<p>Washed linen &amp; a tie waist.</p>\n<ul><li>Midi length</li></ul>"),
            "Washed linen & a tie waist. Midi length"
        );
    }

    #[test]
    fn references_are_normalised() {
        assert_eq!(normalise_reference(" #lb-10042 "), "LB-10042");
    }

    #[test]
    fn the_smallest_fitting_size_is_recommended() {
        let sizes = vec![
            LbSize {
                size: "S".into(),
                bust: Some([82.0, 86.0]),
                waist: Some([64.0, 68.0]),
                hips: None,
            },
            LbSize {
                size: "M".into(),
                bust: Some([86.0, 90.0]),
                waist: Some([68.0, 72.0]),
                hips: None,
            },
        ];
        let args = |bust, waist| SizeGuideArgs {
            category: "dresses".into(),
            bust_cm: bust,
            waist_cm: waist,
            hips_cm: None,
        };
        assert_eq!(recommend(&sizes, &args(Some(85.0), Some(70.0))), Some("M"));
        assert_eq!(recommend(&sizes, &args(Some(84.0), None)), Some("S"));
        assert_eq!(recommend(&sizes, &args(Some(95.0), None)), None);
        assert_eq!(recommend(&sizes, &args(None, None)), None);
    }
}
