//! Webhook signatures are checked by the host on the raw body before a
//! plugin sees anything. The `webhook-connector` guest signs like Shopify
//! (base64 in `X-Shopify-Hmac-Sha256`) and traps on topic `explode`: a
//! signature error for that topic proves the plugin never ran.

mod support;

use base64::Engine;
use chatgw_plugins::{
    ConnectorHandle, Header, HttpGrant, PluginError, PluginErrorKind, PluginHost, PluginSlot, Secret, StoreGrants, WebhookEvent, WebhookSignature, webhook,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use support::*;

const SHOPIFY_SECRET: &str = "shpss_0123456789abcdef";
const SHOPIFY_HEADER: &str = "X-Shopify-Hmac-Sha256";
const BODY: &[u8] = br#"{"id":788032119674292922}"#;

fn hmac(secret: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn header(name: &str, value: &str) -> Header {
    Header { name: name.into(), value: value.into() }
}

/// Headers as Shopify sends them, the signature in `name`.
fn shopify_headers(name: &str, signature: &str) -> Vec<Header> {
    vec![header("Content-Type", "application/json"), header("X-Shopify-Topic", "products/delete"), header(name, signature)]
}

async fn shopify_connector() -> ConnectorHandle {
    let host = PluginHost::new(engine());
    let slot = PluginSlot::new(load(&host, "webhook-connector", "test-webhook", &[]).await);
    connector(&slot, StoreGrants::default(), quick_limits())
}

fn secret(value: &str) -> Secret {
    Secret::new(value)
}

fn bad_signature(result: Result<Vec<WebhookEvent>, PluginError>, expect: &str) {
    match result {
        Err(error) => {
            assert_eq!(error.kind(), PluginErrorKind::BadSignature, "{error}");
            assert!(error.to_string().contains(expect), "{error}");
        }
        Ok(events) => panic!("accepted: {events:?}"),
    }
}

#[tokio::test]
async fn a_shopify_style_base64_signature_is_accepted() {
    let connector = shopify_connector().await;
    let signature = base64(&hmac(SHOPIFY_SECRET, BODY));
    // Header names compare case-insensitively (HTTP/2 lowercases them).
    for name in [SHOPIFY_HEADER, "x-shopify-hmac-sha256"] {
        let events = connector
            .handle_webhook("{}", "products/delete", shopify_headers(name, &signature), BODY.to_vec(), Some(&secret(SHOPIFY_SECRET)))
            .await
            .expect("a good signature");
        assert_eq!(events, vec![WebhookEvent::ProductDeleted { external_id: "788032119674292922".into() }]);
    }
}

#[tokio::test]
async fn a_verified_webhook_reaches_the_plugin_even_for_the_trap_topic() {
    // The control for the tests below: with a good signature, topic
    // `explode` does run the plugin, and it traps.
    let connector = shopify_connector().await;
    let signature = base64(&hmac(SHOPIFY_SECRET, BODY));
    let error =
        connector.handle_webhook("{}", "explode", shopify_headers(SHOPIFY_HEADER, &signature), BODY.to_vec(), Some(&secret(SHOPIFY_SECRET))).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::Trap, "{error}");
}

#[tokio::test]
async fn a_tampered_body_is_rejected_before_the_plugin_runs() {
    let connector = shopify_connector().await;
    let signature = base64(&hmac(SHOPIFY_SECRET, BODY));
    let tampered = br#"{"id":788032119674292923}"#.to_vec();
    bad_signature(
        connector.handle_webhook("{}", "explode", shopify_headers(SHOPIFY_HEADER, &signature), tampered, Some(&secret(SHOPIFY_SECRET))).await,
        "does not match the body",
    );
}

#[tokio::test]
async fn a_signature_made_with_another_secret_is_rejected() {
    let connector = shopify_connector().await;
    let signature = base64(&hmac("shpss_someone_else", BODY));
    bad_signature(
        connector.handle_webhook("{}", "explode", shopify_headers(SHOPIFY_HEADER, &signature), BODY.to_vec(), Some(&secret(SHOPIFY_SECRET))).await,
        "does not match the body",
    );
}

#[tokio::test]
async fn a_missing_or_repeated_signature_header_is_rejected() {
    let connector = shopify_connector().await;
    let headers = vec![header("X-Shopify-Topic", "products/delete")];
    bad_signature(
        connector.handle_webhook("{}", "explode", headers, BODY.to_vec(), Some(&secret(SHOPIFY_SECRET))).await,
        "`X-Shopify-Hmac-Sha256` header is missing",
    );

    let good = base64(&hmac(SHOPIFY_SECRET, BODY));
    let mut headers = shopify_headers(SHOPIFY_HEADER, &good);
    headers.push(header("x-shopify-hmac-sha256", "AAAA"));
    bad_signature(connector.handle_webhook("{}", "explode", headers, BODY.to_vec(), Some(&secret(SHOPIFY_SECRET))).await, "appears more than once");
}

#[tokio::test]
async fn garbage_or_short_base64_is_rejected() {
    let connector = shopify_connector().await;
    for (value, expect) in [
        ("not base64 at all!", "not valid base64"),
        ("", "header is empty"),
        // Valid base64 of 16 bytes: the right shape for MD5, not SHA-256.
        (&*base64(&[7u8; 16]), "holds 16 bytes"),
        // The right bytes in the wrong encoding.
        (&*hex::encode(hmac(SHOPIFY_SECRET, BODY)), "holds 48 bytes"),
    ] {
        bad_signature(
            connector.handle_webhook("{}", "explode", shopify_headers(SHOPIFY_HEADER, value), BODY.to_vec(), Some(&secret(SHOPIFY_SECRET))).await,
            expect,
        );
    }
}

/// The good connector declares hex HMAC-SHA256 in `X-Test-Signature`.
async fn hex_connector() -> ConnectorHandle {
    let host = PluginHost::new(engine());
    let slot = good_plugin(&host).await;
    let grants = StoreGrants { http: Some(HttpGrant::default()), log: true, clock: true, ..StoreGrants::default() };
    connector(&slot, grants, quick_limits())
}

#[tokio::test]
async fn the_hex_variant_accepts_a_good_signature_and_rejects_bad_ones() {
    let connector = hex_connector().await;
    let body = br#"{"id":"p9"}"#;
    let tag = hmac("wc-secret", body);
    for signature in [hex::encode(&tag), hex::encode_upper(&tag)] {
        let events = connector
            .handle_webhook("{}", "products/delete", vec![header("x-test-signature", &signature)], body.to_vec(), Some(&secret("wc-secret")))
            .await
            .expect("a good hex signature");
        assert_eq!(events, vec![WebhookEvent::ProductDeleted { external_id: "p9".into() }]);
    }
    let good = hex::encode(&tag);
    for (headers, body, expect) in [
        (vec![header("X-Test-Signature", &good)], br#"{"id":"p8"}"#.to_vec(), "does not match the body"),
        (vec![header("X-Test-Signature", "zz")], body.to_vec(), "not valid hex"),
        (vec![header("X-Test-Signature", &base64(&tag))], body.to_vec(), "not valid hex"),
        (vec![], body.to_vec(), "`X-Test-Signature` header is missing"),
    ] {
        bad_signature(connector.handle_webhook("{}", "products/delete", headers, body, Some(&secret("wc-secret"))).await, expect);
    }
}

#[tokio::test]
async fn a_secret_and_a_scheme_must_come_together() {
    // Scheme `none` with a secret: refused, since nothing would check it.
    let host = PluginHost::new(engine());
    let unsigned = connector(&hostile_plugin(&host).await, StoreGrants { http: Some(HttpGrant::default()), ..StoreGrants::default() }, quick_limits());
    let error = unsigned.handle_webhook("{}", "x", vec![], BODY.to_vec(), Some(&secret("s"))).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::WebhookConfig, "{error}");
    assert!(error.to_string().contains("declares no signature scheme"), "{error}");
    // Scheme `none` without a secret: unsigned webhooks go through.
    assert_eq!(unsigned.handle_webhook("{}", "x", vec![], BODY.to_vec(), None).await.expect("unsigned by design"), vec![]);

    // A signing scheme without a secret cannot be checked.
    let error = shopify_connector().await.handle_webhook("{}", "explode", shopify_headers(SHOPIFY_HEADER, "AAAA"), BODY.to_vec(), None).await.unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::WebhookConfig, "{error}");
    assert!(error.to_string().contains(SHOPIFY_HEADER), "{error}");
}

#[test]
fn verification_matches_the_rfc_4231_test_vector() {
    // RFC 4231, test case 2: key "Jefe".
    let body = b"what do ya want for nothing?";
    let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    let key = secret("Jefe");
    let hex_scheme = WebhookSignature::HmacSha256Hex { header: "X-Sig".into() };
    webhook::verify(&hex_scheme, Some(&key), &[header("x-sig", expected)], body).expect("the RFC's hex tag");
    let base64_scheme = WebhookSignature::HmacSha256Base64 { header: "X-Sig".into() };
    let tag = base64(&hex::decode(expected).unwrap());
    webhook::verify(&base64_scheme, Some(&key), &[header("X-SIG", &tag)], body).expect("the RFC's tag in base64");
    let error = webhook::verify(&hex_scheme, Some(&key), &[header("x-sig", expected)], b"what do ya want for nothing!").unwrap_err();
    assert_eq!(error.kind(), PluginErrorKind::BadSignature);
}
