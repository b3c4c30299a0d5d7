//! The `{{name}}` connector for chatgw. It reads a JSON store API (the shapes
//! below are an example: change them to your store's) and answers the
//! gateway in the contract's types. The gateway adds the API credentials to
//! every request, so this code never sees a secret.

use std::collections::BTreeMap;

use chatgw_sdk::*;
use serde::Deserialize;

/// Products asked for per page.
const PER_PAGE: u32 = 50;

/// The store's settings, as JSON (no secrets here).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    /// The API root, e.g. `https://api.store.example`.
    base_url: String,
    /// ISO 4217 currency of the prices the API sends.
    #[serde(default = "default_currency")]
    currency: String,
}

fn default_currency() -> String {
    "EUR".into()
}

impl Settings {
    fn parse(json: &str) -> Result<Settings, ConnectorError> {
        let settings: Settings = settings(json)?;
        if !settings.base_url.starts_with("https://") && !settings.base_url.starts_with("http://") {
            return Err(ConnectorError::InvalidSettings(format!(
                "base_url `{}` must start with https://",
                settings.base_url
            )));
        }
        Ok(settings)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url.trim_end_matches('/'))
    }
}

#[derive(Deserialize)]
struct ApiProduct {
    id: String,
    title: String,
    #[serde(default)]
    description: String,
    url: Option<String>,
    #[serde(default)]
    images: Vec<String>,
    brand: Option<String>,
    category: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    status: String,
    updated_at: Option<String>,
    #[serde(default)]
    variants: Vec<ApiVariant>,
}

#[derive(Deserialize)]
struct ApiVariant {
    id: String,
    sku: Option<String>,
    title: String,
    price: String,
    #[serde(default)]
    options: BTreeMap<String, String>,
    stock: Option<i64>,
}

#[derive(Deserialize)]
struct ApiStock {
    sku: String,
    available: i64,
}

#[derive(Deserialize)]
struct ApiOrder {
    number: String,
    status: String,
    email: String,
    created_at: Option<String>,
    items: Vec<ApiItem>,
    total: String,
    #[serde(default)]
    shipments: Vec<ApiShipment>,
}

#[derive(Deserialize)]
struct ApiItem {
    sku: Option<String>,
    title: String,
    quantity: u32,
    price: String,
}

#[derive(Deserialize)]
struct ApiShipment {
    status: String,
    carrier: Option<String>,
    tracking_number: Option<String>,
    tracking_url: Option<String>,
    shipped_at: Option<String>,
}

fn product(item: ApiProduct, currency: &str) -> Result<Product, ConnectorError> {
    let variants = item
        .variants
        .into_iter()
        .map(|v| {
            Ok(ProductVariant {
                external_id: v.id,
                sku: v.sku,
                title: v.title,
                price: Some(money(&v.price, currency)?),
                compare_at_price: None,
                options: v
                    .options
                    .into_iter()
                    .map(|(name, value)| VariantOption { name, value })
                    .collect(),
                available: v.stock,
            })
        })
        .collect::<Result<_, ConnectorError>>()?;
    Ok(Product {
        external_id: item.id,
        title: item.title,
        description: item.description,
        url: item.url,
        image_urls: item.images,
        vendor: item.brand,
        product_type: item.category,
        tags: item.tags,
        status: item.status,
        updated_at: item.updated_at,
        variants,
        attributes_json: None,
    })
}

struct {{type_name}};

impl Connector for {{type_name}} {
    fn describe() -> Descriptor {
        Descriptor {
            id: "{{name}}".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            capabilities: vec![Capability::Http, Capability::Log],
            settings_schema: serde_json::json!({
                "type": "object",
                "required": ["base_url"],
                "properties": {
                    "base_url": { "type": "string", "format": "uri" },
                    "currency": { "type": "string", "minLength": 3, "maxLength": 3 }
                },
                "additionalProperties": false
            })
            .to_string(),
            webhook_signature: WebhookSignature::HmacSha256Hex("X-Store-Signature".into()),
        }
    }

    fn check_connection(settings_json: String) -> Result<(), ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        get_json::<serde::de::IgnoredAny>(&s.url("/v1/shop"), &[]).map(|_| ())
    }

    fn sync_products(
        settings_json: String,
        cursor: Option<String>,
        since: Option<String>,
    ) -> Result<ProductPage, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        let page = page_number(cursor.as_deref())?;
        let (page_text, per_page) = (page.to_string(), PER_PAGE.to_string());
        let mut query = vec![
            ("page", page_text.as_str()),
            ("per_page", per_page.as_str()),
        ];
        if let Some(since) = since.as_deref() {
            query.push(("updated_since", since));
        }
        let url = s.url(&format!("/v1/products?{}", query_string(&query)));
        let response = get_json_response::<Vec<ApiProduct>>(&url, &[])?;
        let total_pages = response
            .header("x-total-pages")
            .and_then(|v| v.trim().parse().ok());
        let fetched = response.value.len();
        let products = response
            .value
            .into_iter()
            .map(|item| product(item, &s.currency))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProductPage {
            products,
            next_cursor: next_page_cursor(page, fetched, PER_PAGE as usize, total_pages),
        })
    }

    fn get_stock(
        settings_json: String,
        skus: Vec<String>,
    ) -> Result<Vec<StockLevel>, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        let mut levels = Vec::new();
        for sku in skus {
            match get_json::<ApiStock>(
                &s.url(&format!("/v1/stock/{}", encode_component(&sku))),
                &[],
            ) {
                Ok(stock) => levels.push(StockLevel {
                    sku: stock.sku,
                    location: None,
                    available: stock.available,
                }),
                // An unknown SKU is left out rather than failing the others.
                Err(ConnectorError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(levels)
    }

    fn get_order(settings_json: String, order_ref: String) -> Result<Order, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        let number = order_ref.trim().trim_start_matches('#');
        let url = s.url(&format!("/v1/orders/{}", encode_component(number)));
        let order: ApiOrder = get_json(&url, &[]).map_err(|e| match e {
            ConnectorError::NotFound(_) => ConnectorError::NotFound(format!("order {order_ref}")),
            other => other,
        })?;
        let items = order
            .items
            .into_iter()
            .map(|i| {
                Ok(OrderItem {
                    sku: i.sku,
                    title: i.title,
                    quantity: i.quantity,
                    price: Some(money(&i.price, &s.currency)?),
                })
            })
            .collect::<Result<_, ConnectorError>>()?;
        Ok(Order {
            order_ref: format!("#{}", order.number),
            status: order.status,
            customer_email: order.email,
            created_at: order.created_at,
            items,
            fulfilments: order
                .shipments
                .into_iter()
                .map(|sh| Fulfilment {
                    status: sh.status,
                    tracking: vec![Tracking {
                        carrier: sh.carrier,
                        number: sh.tracking_number,
                        url: sh.tracking_url,
                    }],
                    shipped_at: sh.shipped_at,
                })
                .collect(),
            total: Some(money(&order.total, &s.currency)?),
        })
    }

    /// Called after the gateway has checked the `X-Store-Signature` header.
    fn parse_webhook(
        settings_json: String,
        topic: String,
        _headers: Vec<Header>,
        body: Vec<u8>,
    ) -> Result<Vec<WebhookEvent>, ConnectorError> {
        let s = Settings::parse(&settings_json)?;
        match topic.as_str() {
            "product.updated" => {
                let item: ApiProduct = serde_json::from_slice(&body)?;
                Ok(vec![WebhookEvent::ProductUpserted(product(
                    item,
                    &s.currency,
                )?)])
            }
            "product.deleted" => {
                #[derive(Deserialize)]
                struct Deleted {
                    id: String,
                }
                let deleted: Deleted = serde_json::from_slice(&body)?;
                Ok(vec![WebhookEvent::ProductDeleted(deleted.id)])
            }
            // Topics this connector does not use are acknowledged and ignored.
            _ => Ok(vec![]),
        }
    }

    /// Store-specific tools the assistant may call; see the lookbook example
    /// in the chatgw repository for one.
    fn list_tools(_settings_json: String) -> Vec<ToolSpec> {
        vec![]
    }

    fn call_tool(
        _settings_json: String,
        name: String,
        _arguments: String,
    ) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(format!("tool `{name}`")))
    }
}

chatgw_sdk::export_connector!({{type_name}});
