//! Webhooks as WooCommerce sends them (`WC_Webhook::deliver`): the REST v3
//! resource as the body, encoded as PHP's `json_encode` does (`\/` and
//! `\uXXXX` escapes), `X-WC-Webhook-Signature` = base64(HMAC-SHA256(secret,
//! body)), and `X-WC-Webhook-Source`, `-Topic`, `-Resource`, `-Event`,
//! `-ID` and `-Delivery-ID`. The delivery id is a hash of the webhook's id
//! and the current second, so two deliveries of one webhook within a second
//! share it. A `*.deleted` body is `{"id": N}`. Creating a webhook sends an
//! unsigned ping: form body `webhook_id=N`, none of those headers.

use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::catalog::Store;

/// The `User-Agent` WooCommerce's deliveries and pings carry.
pub const USER_AGENT: &str = "WooCommerce/9.4.0 Hookshot (WordPress/6.7.1)";

/// base64(HMAC-SHA256(secret, body)), the `X-WC-Webhook-Signature` value.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(body);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// JSON as PHP's `json_encode` writes it by default: slashes escaped,
/// everything outside ASCII as `\uXXXX` (UTF-16).
pub fn php_json(value: &Value) -> Vec<u8> {
    let text = serde_json::to_string(value).expect("a JSON value serialises");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '/' => out.push_str("\\/"),
            c if c.is_ascii() => out.push(c),
            c => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.into_bytes()
}

/// `wp_hash($webhook_id . $second)`: the same within one second.
pub fn delivery_id(webhook_id: u64, unix_second: i64) -> String {
    let digest = Sha256::digest(format!("{webhook_id}{unix_second}").as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// One delivery, as WooCommerce would POST it.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The webhook's id in WooCommerce (`X-WC-Webhook-ID`).
    pub webhook_id: u64,
    /// `product.updated`, `order.created`...
    pub topic: String,
    pub body: Vec<u8>,
    pub source: String,
    pub delivery_id: String,
}

impl Webhook {
    /// A delivery of `body` (a JSON value) now.
    pub fn new(store: &Store, webhook_id: u64, topic: &str, body: &Value) -> Self {
        Self {
            webhook_id,
            topic: topic.into(),
            body: php_json(body),
            source: store.home_url.clone(),
            delivery_id: delivery_id(webhook_id, chrono::Utc::now().timestamp()),
        }
    }

    /// The delivery WooCommerce makes for a product (or variation) event:
    /// the resource as `GET /products/{id}` gives it, `{"id"}` when deleted.
    pub fn product(store: &Store, webhook_id: u64, topic: &str, id: u64) -> Self {
        let body = if topic.ends_with(".deleted") {
            json!({ "id": id })
        } else if let Some(p) = store.product(id) {
            store.product_json(p)
        } else {
            let (parent, v) = store.variation(id).expect("a product or variation of the store");
            store.variation_as_product_json(parent, v)
        };
        Self::new(store, webhook_id, topic, &body)
    }

    /// An order event's delivery.
    pub fn order(store: &Store, webhook_id: u64, topic: &str, id: u64) -> Self {
        let body = if topic.ends_with(".deleted") { json!({ "id": id }) } else { store.order_json(store.order(id).expect("an order of the store")) };
        Self::new(store, webhook_id, topic, &body)
    }

    /// The same delivery as if sent in `unix_second` (its delivery id).
    pub fn at_second(mut self, unix_second: i64) -> Self {
        self.delivery_id = delivery_id(self.webhook_id, unix_second);
        self
    }

    /// The headers WooCommerce sends, signed with `secret`.
    pub fn headers(&self, secret: &str) -> Vec<(String, String)> {
        let mut headers = self.unsigned_headers();
        headers.push(("X-WC-Webhook-Signature".into(), sign(secret, &self.body)));
        headers
    }

    /// The headers without a signature.
    pub fn unsigned_headers(&self) -> Vec<(String, String)> {
        let (resource, event) = self.topic.split_once('.').unwrap_or((&self.topic, ""));
        vec![
            ("Content-Type".into(), "application/json".into()),
            ("User-Agent".into(), USER_AGENT.into()),
            ("X-WC-Webhook-Source".into(), self.source.clone()),
            ("X-WC-Webhook-Topic".into(), self.topic.clone()),
            ("X-WC-Webhook-Resource".into(), resource.into()),
            ("X-WC-Webhook-Event".into(), event.into()),
            ("X-WC-Webhook-ID".into(), self.webhook_id.to_string()),
            ("X-WC-Webhook-Delivery-ID".into(), self.delivery_id.clone()),
        ]
    }

    /// POSTs `body` to `url` with `headers`.
    pub async fn post(client: &reqwest::Client, url: &str, headers: &[(String, String)], body: &[u8]) -> reqwest::Response {
        let mut request = client.post(url).body(body.to_vec());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        request.send().await.expect("the receiver answers the webhook")
    }

    /// Delivers it as WooCommerce would, signed with `secret`.
    pub async fn deliver(&self, client: &reqwest::Client, url: &str, secret: &str) -> reqwest::Response {
        Self::post(client, url, &self.headers(secret), &self.body).await
    }
}

/// The ping WooCommerce sends to a new webhook's delivery URL
/// (`WC_Webhook::deliver_ping`): unsigned, a form body, no `X-WC-*`
/// headers. Anything but a 200 makes WooCommerce refuse to save the webhook.
pub fn ping(webhook_id: u64) -> (Vec<(String, String)>, Vec<u8>) {
    let headers = vec![("User-Agent".into(), USER_AGENT.into()), ("Content-Type".into(), "application/x-www-form-urlencoded".into())];
    (headers, format!("webhook_id={webhook_id}").into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_encoded_as_php_does() {
        let body = php_json(&json!({"permalink": "https://x.example/product/a/", "name": "Größe – 😀"}));
        assert_eq!(String::from_utf8(body).unwrap(), r#"{"name":"Gr\u00f6\u00dfe \u2013 \ud83d\ude00","permalink":"https:\/\/x.example\/product\/a\/"}"#);
    }

    #[test]
    fn deliveries_of_one_second_share_an_id() {
        assert_eq!(delivery_id(7, 1_700_000_000), delivery_id(7, 1_700_000_000));
        assert_ne!(delivery_id(7, 1_700_000_000), delivery_id(7, 1_700_000_001));
        assert_eq!(delivery_id(7, 1).len(), 32);
    }

    #[test]
    fn the_signature_is_base64_hmac_sha256_of_the_body() {
        // RFC 4231 test case 2.
        let expected = base64::engine::general_purpose::STANDARD.encode(hex_bytes("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
        assert_eq!(sign("Jefe", b"what do ya want for nothing?"), expected);
    }

    fn hex_bytes(hex: &str) -> Vec<u8> {
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect()
    }
}
