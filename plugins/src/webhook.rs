//! Webhook signatures. The host checks them on the raw body, before the
//! plugin parses a byte, per the scheme the plugin declares in `describe()`
//! and with the secret the store configured (which the plugin never sees).
//! Comparison is constant-time (`Mac::verify_slice`).
//!
//! A secret and a scheme must come together: a store that configured a
//! secret for a connector declaring no scheme is refused rather than
//! silently accepting unsigned webhooks, and a scheme without a secret
//! cannot be checked. Only `none` without a secret lets webhooks through
//! unsigned; the gateway then has to protect the webhook URL some other way.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::PluginError;
use crate::contract::{Header, WebhookSignature};
use crate::grants::Secret;

/// Bytes in an HMAC-SHA256 tag.
const TAG_LEN: usize = 32;

/// Checks a webhook against the declared scheme and the store's secret.
/// Header names compare case-insensitively. Fails with
/// [`PluginError::BadSignature`] when the sender's signature is missing,
/// ill-formed or wrong, and [`PluginError::WebhookConfig`] when the secret
/// and the scheme do not fit together.
pub fn verify(scheme: &WebhookSignature, secret: Option<&Secret>, headers: &[Header], body: &[u8]) -> Result<(), PluginError> {
    let (header, encoding) = match scheme {
        WebhookSignature::None => {
            return match secret {
                None => Ok(()),
                Some(_) => Err(PluginError::WebhookConfig(
                    "this store has a webhook secret, but the connector declares no signature \
                     scheme, so nothing could be checked against it; remove the secret to \
                     accept unsigned webhooks from this connector, or use a connector that \
                     declares how the store signs them"
                        .into(),
                )),
            };
        }
        WebhookSignature::HmacSha256Base64 { header } => (header, Encoding::Base64),
        WebhookSignature::HmacSha256Hex { header } => (header, Encoding::Hex),
    };
    let secret = match secret {
        Some(secret) if !secret.expose().is_empty() => secret,
        Some(_) => {
            return Err(PluginError::WebhookConfig("the store's webhook secret is empty".into()));
        }
        None => {
            return Err(PluginError::WebhookConfig(format!(
                "the connector expects webhooks signed with HMAC-SHA256 in `{header}`, but this \
                 store has no webhook secret; configure the secret the store signs with"
            )));
        }
    };

    let mut values = headers.iter().filter(|h| h.name.eq_ignore_ascii_case(header)).map(|h| h.value.trim());
    let value = match (values.next(), values.next()) {
        (None, _) => {
            return Err(PluginError::BadSignature(format!("the `{header}` header is missing")));
        }
        (Some(_), Some(_)) => {
            return Err(PluginError::BadSignature(format!("the `{header}` header appears more than once")));
        }
        (Some(""), None) => {
            return Err(PluginError::BadSignature(format!("the `{header}` header is empty")));
        }
        (Some(value), None) => value,
    };
    let tag = match encoding {
        Encoding::Base64 => {
            base64::engine::general_purpose::STANDARD.decode(value).map_err(|e| PluginError::BadSignature(format!("`{header}` is not valid base64: {e}")))?
        }
        Encoding::Hex => hex::decode(value).map_err(|e| PluginError::BadSignature(format!("`{header}` is not valid hex: {e}")))?,
    };
    if tag.len() != TAG_LEN {
        return Err(PluginError::BadSignature(format!("`{header}` holds {} bytes, but an HMAC-SHA256 signature has {TAG_LEN}", tag.len())));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    mac.verify_slice(&tag).map_err(|_| {
        PluginError::BadSignature(format!(
            "`{header}` does not match the body (a wrong secret, or the body was changed after \
             it was signed)"
        ))
    })
}

enum Encoding {
    Base64,
    Hex,
}
