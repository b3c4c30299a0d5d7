//! Webhooks as Shopify sends them (shopify.dev/docs/apps/build/webhooks):
//! a REST-shaped JSON body, `X-Shopify-Hmac-Sha256` = base64 of
//! HMAC-SHA256(app secret, raw body), and the delivery headers
//! (`X-Shopify-Topic`, `-Shop-Domain`, `-API-Version`, `-Webhook-Id` unique
//! per delivery, `-Event-Id` shared by every delivery of one merchant
//! action, `-Triggered-At`).

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::catalog::{Order, Product, Shop};
use super::graphql::{gid, rfc3339};

/// One webhook: what Shopify would POST to the app's endpoint.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub topic: String,
    pub body: Vec<u8>,
    pub shop_domain: String,
    pub api_version: String,
    /// The same for every delivery of one merchant action.
    pub event_id: String,
    /// Unique per delivery; a retry of the same event gets a new one.
    pub webhook_id: String,
    pub triggered_at: String,
}

/// base64(HMAC-SHA256(secret, body)), the `X-Shopify-Hmac-Sha256` value.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn unique_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    format!("{:08x}-{:04x}-4000-8000-{:012x}", (nanos & 0xffff_ffff) as u32, n & 0xffff, nanos as u64 ^ n)
}

impl Webhook {
    pub fn new(shop: &Shop, topic: &str, body: &Value) -> Self {
        Self {
            topic: topic.into(),
            body: serde_json::to_vec(body).expect("a JSON value serialises"),
            shop_domain: shop.domain.clone(),
            api_version: "2025-07".into(),
            event_id: unique_id(),
            webhook_id: unique_id(),
            triggered_at: rfc3339(chrono::Utc::now()),
        }
    }

    /// Shopify retrying the same event: same body and event id, new
    /// delivery id.
    pub fn redelivery(&self) -> Self {
        Self { webhook_id: unique_id(), ..self.clone() }
    }

    /// The headers Shopify sends, signed with `secret`.
    pub fn headers(&self, secret: &str) -> Vec<(String, String)> {
        let mut headers = self.unsigned_headers();
        headers.push(("X-Shopify-Hmac-Sha256".into(), sign(secret, &self.body)));
        headers
    }

    /// The headers without a signature.
    pub fn unsigned_headers(&self) -> Vec<(String, String)> {
        vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Shopify-Topic".into(), self.topic.clone()),
            ("X-Shopify-Shop-Domain".into(), self.shop_domain.clone()),
            ("X-Shopify-API-Version".into(), self.api_version.clone()),
            ("X-Shopify-Webhook-Id".into(), self.webhook_id.clone()),
            ("X-Shopify-Event-Id".into(), self.event_id.clone()),
            ("X-Shopify-Triggered-At".into(), self.triggered_at.clone()),
        ]
    }

    /// POSTs the webhook to `url` with `headers` (see [`Self::headers`]).
    pub async fn post(&self, client: &reqwest::Client, url: &str, headers: &[(String, String)], body: &[u8]) -> reqwest::Response {
        let mut request = client.post(url).body(body.to_vec());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send().await.expect("the gateway answers the webhook")
    }

    /// Delivers it as Shopify would, signed with `secret`.
    pub async fn deliver(&self, client: &reqwest::Client, url: &str, secret: &str) -> reqwest::Response {
        self.post(client, url, &self.headers(secret), &self.body).await
    }
}

fn option_value(variant: &super::catalog::Variant, index: usize) -> Value {
    variant.selected_options.get(index).map_or(Value::Null, |(_, value)| json!(value))
}

/// The REST product resource (`products/create`, `products/update`).
pub fn product_body(product: &Product) -> Value {
    json!({
        "id": product.id,
        "admin_graphql_api_id": gid("Product", product.id),
        "title": product.title,
        "body_html": product.description_html,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "handle": product.handle,
        "created_at": rfc3339(product.created_at),
        "updated_at": rfc3339(product.updated_at),
        "published_scope": "web",
        // REST tags are one comma-separated string.
        "tags": product.tags.join(", "),
        "status": product.status.rest(),
        "variants": product.variants.iter().enumerate().map(|(i, v)| json!({
            "id": v.id,
            "admin_graphql_api_id": gid("ProductVariant", v.id),
            "product_id": product.id,
            "title": v.title,
            "price": v.price,
            "compare_at_price": v.compare_at_price,
            "sku": v.sku.clone().unwrap_or_default(),
            "position": i + 1,
            "inventory_policy": "deny",
            "option1": option_value(v, 0),
            "option2": option_value(v, 1),
            "option3": option_value(v, 2),
            "inventory_item_id": v.inventory_item_id,
            "inventory_quantity": v.inventory_quantity(),
        })).collect::<Vec<_>>(),
        "options": product.options.iter().enumerate().map(|(i, (name, values))| json!({
            "product_id": product.id, "name": name, "position": i + 1, "values": values,
        })).collect::<Vec<_>>(),
        "images": product.image_url.iter().map(|src| json!({"src": src})).collect::<Vec<_>>(),
        "image": product.image_url.as_ref().map(|src| json!({"src": src})),
    })
}

/// `products/delete`: only the id.
pub fn product_delete_body(product_id: u64) -> Value {
    json!({ "id": product_id })
}

/// `inventory_levels/update`: one item at one location.
pub fn inventory_level_body(inventory_item_id: u64, location_id: u64, available: i64) -> Value {
    json!({
        "inventory_item_id": inventory_item_id,
        "location_id": location_id,
        "available": available,
        "updated_at": rfc3339(chrono::Utc::now()),
        "admin_graphql_api_id": format!("gid://shopify/InventoryLevel/{location_id}?inventory_item_id={inventory_item_id}"),
    })
}

/// `orders/updated`: the REST order (it carries the customer's email).
pub fn order_body(order: &Order) -> Value {
    json!({
        "id": order.id,
        "admin_graphql_api_id": gid("Order", order.id),
        "name": order.name,
        "email": order.email,
        "financial_status": order.financial_status.to_lowercase(),
        "fulfillment_status": if order.fulfillment_status == "FULFILLED" { json!("fulfilled") } else { Value::Null },
        "created_at": rfc3339(order.created_at),
        "total_price": order.total,
    })
}
