//! What the gateway checks on a webhook after the host has verified its
//! signature and the plugin has parsed it, before anything is applied:
//! the events fit the topic of the URL, there are not too many of them,
//! and the delivery was not applied already.
//!
//! A signature covers the body only, never the URL's topic or the
//! headers. So the topic decides which kinds of event a delivery may carry
//! (a "product updated" body posted to the delete route is refused), and
//! the delivery id only spares repeated work: what stops a replayed old
//! body from rolling a product back is the storage's ordering by
//! `updated_at` (see `storage::upsert_outcome`).

use chatgw_plugins::contract as c;
use sha2::{Digest, Sha256};

/// How long a delivery id is remembered. Platforms retry failed deliveries
/// for up to two days (Shopify 48 hours, WooCommerce less); a replay after
/// this is still harmless, only applied again.
pub const DELIVERY_RETENTION: chrono::TimeDelta = chrono::TimeDelta::hours(72);
/// Delivery-id headers of the platforms the gateway knows, looked for when
/// the store names none (`catalog.webhook.delivery_id_header`).
/// Shopify's `X-Shopify-Event-Id` comes first: it is the same for every
/// delivery of one merchant action (its retries included), while
/// `X-Shopify-Webhook-Id` changes with each delivery.
pub const KNOWN_DELIVERY_HEADERS: &[&str] = &["X-Shopify-Event-Id", "X-Shopify-Webhook-Id", "X-WC-Webhook-Delivery-ID"];
/// Longer delivery ids are stored as their SHA-256.
const MAX_DELIVERY_ID_CHARS: usize = 128;
/// Bytes of the body's SHA-256 in a delivery key.
const BODY_DIGEST_BYTES: usize = 16;

/// Why a verified delivery is refused. Nothing of it is applied.
#[derive(Debug, thiserror::Error)]
pub enum WebhookRefusal {
    #[error(
        "the topic `{topic}` may carry only {allowed}, but the connector found {found} in this body; a body signed for another topic is \
         not accepted here: send each event to its own topic's URL"
    )]
    TopicMismatch { topic: String, allowed: &'static str, found: &'static str },
    #[error(
        "this delivery carries {got} events (a stock change counts once per stock level); the store accepts at most {max} \
         (`catalog.max_webhook_events`), so none were applied: raise the limit or let the next sync bring the changes"
    )]
    TooManyEvents { got: usize, max: usize },
}

/// What a topic may change, read from the verbs and nouns of its name
/// (`products/delete`, `product.deleted`, `PRODUCTS_DELETE`,
/// `inventory_levels/update`...). Deletion words win over stock words, and
/// both over create/update words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicClass {
    /// `delete`, `destroy`, `remove`, `trash`: product deletions only.
    Delete,
    /// `inventory`, `stock`: stock changes only.
    Stock,
    /// `create`, `update`, `publish`, `restore`: product upserts (with
    /// their status: a product no longer for sale leaves the catalog) and
    /// stock changes.
    Upsert,
    /// Anything else: nothing in the catalog.
    Other,
}

impl TopicClass {
    pub fn of(topic: &str) -> Self {
        let topic = topic.to_ascii_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| topic.contains(w));
        if has(&["delete", "destroy", "remove", "trash"]) {
            TopicClass::Delete
        } else if has(&["inventory", "stock"]) {
            TopicClass::Stock
        } else if has(&["create", "update", "publish", "restore"]) {
            TopicClass::Upsert
        } else {
            TopicClass::Other
        }
    }

    /// Order updates change nothing stored (orders are read live), so every
    /// topic may carry them.
    fn allows(self, event: &c::WebhookEvent) -> bool {
        matches!(
            (self, event),
            (_, c::WebhookEvent::OrderUpdated { .. })
                | (TopicClass::Delete, c::WebhookEvent::ProductDeleted { .. })
                | (TopicClass::Stock | TopicClass::Upsert, c::WebhookEvent::StockChanged(_))
                | (TopicClass::Upsert, c::WebhookEvent::ProductUpserted(_))
        )
    }

    fn allowed(self) -> &'static str {
        match self {
            TopicClass::Delete => "product deletions and order updates",
            TopicClass::Stock => "stock changes and order updates",
            TopicClass::Upsert => "product upserts, stock changes and order updates",
            TopicClass::Other => "order updates",
        }
    }
}

fn event_kind(event: &c::WebhookEvent) -> &'static str {
    match event {
        c::WebhookEvent::ProductUpserted(_) => "a product upsert",
        c::WebhookEvent::ProductDeleted { .. } => "a product deletion",
        c::WebhookEvent::StockChanged(_) => "a stock change",
        c::WebhookEvent::OrderUpdated { .. } => "an order update",
    }
}

/// The events' weight against `catalog.max_webhook_events`.
fn weight(event: &c::WebhookEvent) -> usize {
    match event {
        c::WebhookEvent::StockChanged(levels) => levels.len().max(1),
        _ => 1,
    }
}

/// Refuses a delivery whose events do not fit its topic or exceed `max`.
pub fn check_events(topic: &str, events: &[c::WebhookEvent], max: usize) -> Result<(), WebhookRefusal> {
    let got: usize = events.iter().map(weight).sum();
    if got > max {
        return Err(WebhookRefusal::TooManyEvents { got, max });
    }
    let class = TopicClass::of(topic);
    match events.iter().find(|e| !class.allows(e)) {
        Some(event) => Err(WebhookRefusal::TopicMismatch { topic: topic.to_owned(), allowed: class.allowed(), found: event_kind(event) }),
        None => Ok(()),
    }
}

/// The key a delivery is remembered by: the topic, the platform's id and
/// the body's digest. The topic, so one merchant action that several topics
/// report (an event id shared by `products/update` and
/// `inventory_levels/update`) is applied once per topic, not once in all.
/// The body, because an id does not always name one delivery: WooCommerce's
/// `X-WC-Webhook-Delivery-ID` is a hash of the webhook's id and the current
/// second, so two products changed within a second arrive under one id (a
/// retry or replay of one delivery carries the same body, and still counts
/// once). Keys too long to keep as they are become their SHA-256.
pub fn delivery_key(topic: &str, headers: &[c::Header], configured: Option<&str>, body: &[u8]) -> Option<String> {
    let digest = hex::encode(&Sha256::digest(body)[..BODY_DIGEST_BYTES]);
    let key = format!("{topic}\n{}\n{digest}", delivery_id(headers, configured)?);
    if key.chars().count() > MAX_DELIVERY_ID_CHARS {
        return Some(format!("sha256:{}", hex::encode(Sha256::digest(key.as_bytes()))));
    }
    Some(key)
}

/// Whether a request is the ping WooCommerce sends when a webhook is
/// created or its URL changes (`WC_Webhook::deliver_ping`): an unsigned
/// form body `webhook_id=<n>` and nothing else. WooCommerce keeps the
/// webhook only if the ping is answered 200, and the ping asks nothing of
/// the store, so it is answered without a signature check, a plugin call
/// or any change. Any other body still needs its signature.
pub fn is_creation_ping(body: &[u8]) -> bool {
    let text = body.trim_ascii();
    text.strip_prefix(b"webhook_id=").is_some_and(|id| (1..=20).contains(&id.len()) && id.iter().all(u8::is_ascii_digit))
}

/// The platform's id of this delivery: from the header the store names, or
/// else from the first known platform header present.
pub fn delivery_id<'h>(headers: &'h [c::Header], configured: Option<&str>) -> Option<&'h str> {
    let names: Vec<&str> = match configured {
        Some(name) => vec![name],
        None => KNOWN_DELIVERY_HEADERS.to_vec(),
    };
    names.iter().find_map(|name| headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.trim()).filter(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upsert() -> c::WebhookEvent {
        c::WebhookEvent::ProductUpserted(Box::new(c::Product {
            external_id: "p1".into(),
            title: "Shirt".into(),
            description: String::new(),
            url: None,
            image_urls: vec![],
            vendor: None,
            product_type: None,
            tags: vec![],
            status: "active".into(),
            updated_at: None,
            variants: vec![],
            attributes_json: None,
        }))
    }

    fn delete() -> c::WebhookEvent {
        c::WebhookEvent::ProductDeleted { external_id: "p1".into() }
    }

    fn stock(levels: usize) -> c::WebhookEvent {
        c::WebhookEvent::StockChanged((0..levels).map(|i| c::StockLevel { sku: format!("S{i}"), location: None, available: 1 }).collect())
    }

    #[test]
    fn topics_of_the_platforms_fall_in_their_class() {
        for topic in ["products/delete", "product.deleted", "PRODUCTS_DELETE", "inventory_items/delete"] {
            assert_eq!(TopicClass::of(topic), TopicClass::Delete, "{topic}");
        }
        for topic in ["inventory_levels/update", "inventory.updated", "stock/changed"] {
            assert_eq!(TopicClass::of(topic), TopicClass::Stock, "{topic}");
        }
        for topic in ["products/update", "products/create", "product.updated", "product.restored", "PRODUCTS_UPDATE"] {
            assert_eq!(TopicClass::of(topic), TopicClass::Upsert, "{topic}");
        }
        assert_eq!(TopicClass::of("orders/paid"), TopicClass::Other);
    }

    #[test]
    fn events_must_fit_the_topic() {
        assert!(check_events("products/update", &[upsert(), stock(2)], 10).is_ok());
        assert!(check_events("products/delete", &[delete()], 10).is_ok());
        let swapped = check_events("products/delete", &[upsert()], 10).unwrap_err();
        assert!(swapped.to_string().contains("product upsert"), "{swapped}");
        assert!(matches!(check_events("products/update", &[delete()], 10), Err(WebhookRefusal::TopicMismatch { .. })));
        assert!(matches!(check_events("inventory.updated", &[upsert()], 10), Err(WebhookRefusal::TopicMismatch { .. })));
        assert!(matches!(check_events("orders/paid", &[stock(1)], 10), Err(WebhookRefusal::TopicMismatch { .. })));
        assert!(check_events("orders/paid", &[c::WebhookEvent::OrderUpdated { order_ref: "#1".into() }], 10).is_ok());
    }

    #[test]
    fn stock_levels_count_against_the_cap() {
        assert!(check_events("inventory.updated", &[stock(3)], 3).is_ok());
        let refused = check_events("inventory.updated", &[stock(2), stock(2)], 3).unwrap_err();
        assert!(matches!(refused, WebhookRefusal::TooManyEvents { got: 4, max: 3 }), "{refused}");
    }

    #[test]
    fn delivery_ids_come_from_the_named_or_a_known_header() {
        let h = |name: &str, value: &str| c::Header { name: name.into(), value: value.into() };
        let headers = [h("x-shopify-webhook-id", " abc "), h("X-Lookbook-Delivery", "lb-1")];
        assert_eq!(delivery_id(&headers, None), Some("abc"));
        assert_eq!(delivery_id(&headers, Some("x-lookbook-delivery")), Some("lb-1"));
        assert_eq!(delivery_id(&headers, Some("X-Other")), None);
        // Shopify's event id (same for every retry) wins over its per-delivery id.
        assert_eq!(delivery_id(&[h("X-Shopify-Webhook-Id", "w-2"), h("X-Shopify-Event-Id", "e-1")], None), Some("e-1"));
        let long = "x".repeat(500);
        assert!(delivery_key("order.updated", &[h("X-WC-Webhook-Delivery-ID", &long)], None, b"{}").unwrap().starts_with("sha256:"));
        let key = delivery_key("products/update", &headers, None, b"{\"id\":1}").unwrap();
        assert!(key.starts_with("products/update\nabc\n"), "{key}");
        assert_eq!(delivery_key("products/update", &headers, None, b"{\"id\":1}").unwrap(), key, "a replay has the same key");
        // WooCommerce: one delivery id for two products changed in the same second.
        assert_ne!(delivery_key("products/update", &headers, None, b"{\"id\":2}").unwrap(), key);
        assert_eq!(delivery_key("products/update", &[], None, b"{}"), None);
    }

    #[test]
    fn only_woocommerces_ping_body_is_a_ping() {
        assert!(is_creation_ping(b"webhook_id=42"));
        assert!(is_creation_ping(b" webhook_id=7\n"));
        for body in [&b"webhook_id="[..], b"webhook_id=4a", b"{\"webhook_id\":1}", b"webhook_id=1&x=2", b"", b"{\"id\":1}"] {
            assert!(!is_creation_ping(body), "{}", String::from_utf8_lossy(body));
        }
    }
}
