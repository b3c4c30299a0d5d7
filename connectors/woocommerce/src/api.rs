//! Requests to the WooCommerce REST API through the host, and what its
//! answers mean: WordPress's error bodies (`{"code", "message", "data"}`)
//! mapped to the contract's errors, a 429 or a 503 with a short
//! `Retry-After` waited out here (bounded per call) and a longer one handed
//! to the gateway as `rate-limited`, and header pagination
//! (`X-WP-TotalPages`) followed to the last page.

use std::cell::{Cell, RefCell};
use std::time::Duration;

use chatgw_sdk::{ConnectorError, JsonResponse, Method, Response, build_json_request, decode_json, host_http, retry_after, wp_total_pages};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::settings::Settings;

/// Longest `Retry-After` waited out inside one call; a longer one goes back
/// to the gateway, which waits between sync pages.
const MAX_INLINE_WAIT_S: u32 = 5;
/// Seconds one call may spend waiting in all (the host's call deadline is
/// 15 s by default).
const CALL_WAIT_BUDGET_S: u32 = 6;
/// The wait when a 429 or 503 names none.
const DEFAULT_WAIT_S: u32 = 2;
/// Pages of one listing read in one call (100 items each).
pub const MAX_PAGES_PER_LISTING: u32 = 50;

/// WordPress's error body.
#[derive(Deserialize, Default)]
struct WpError {
    #[serde(default)]
    code: String,
    #[serde(default)]
    message: String,
}

/// The API of one store, for one call.
pub struct Api<'s> {
    pub settings: &'s Settings,
    waited_s: Cell<u32>,
    currency: RefCell<Option<String>>,
}

impl<'s> Api<'s> {
    pub fn new(settings: &'s Settings) -> Self {
        Self { settings, waited_s: Cell::new(0), currency: RefCell::new(settings.currency.clone()) }
    }

    /// `GET` a route and decode its JSON, waiting out short rate limits.
    pub fn get<T: DeserializeOwned>(&self, route: &str, query: &[(&str, String)]) -> Result<JsonResponse<T>, ConnectorError> {
        let url = self.settings.url(route, query);
        loop {
            let request = build_json_request(Method::Get, &url, &[], None::<&()>)?;
            let response = host_http::send(&request)?;
            match response.status {
                429 | 503 => {
                    let after = retry_after(&response.headers);
                    // A 503 without Retry-After is an outage, not a limit.
                    if response.status == 503 && after.is_none() {
                        return Err(error_for(&url, &response));
                    }
                    let wait = after.unwrap_or(DEFAULT_WAIT_S).max(1);
                    if wait > MAX_INLINE_WAIT_S || self.waited_s.get() + wait > CALL_WAIT_BUDGET_S {
                        return Err(ConnectorError::RateLimited(Some(wait)));
                    }
                    self.waited_s.set(self.waited_s.get() + wait);
                    std::thread::sleep(Duration::from_secs(wait.into()));
                }
                200..=299 => return decode_json(Method::Get, &url, response),
                _ => return Err(error_for(&url, &response)),
            }
        }
    }

    /// Every page of a listing, `per_page` at a time, in id order.
    pub fn all_pages<T: DeserializeOwned>(&self, route: &str, filters: &[(&str, String)]) -> Result<Vec<T>, ConnectorError> {
        let per_page = self.settings.page_size();
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES_PER_LISTING {
            let mut query = vec![("per_page", per_page.to_string()), ("page", page.to_string()), ("orderby", "id".into()), ("order", "asc".into())];
            query.extend(filters.iter().cloned());
            let response: JsonResponse<Vec<T>> = self.get(route, &query)?;
            let fetched = response.value.len();
            items.extend(response.value);
            let last = match wp_total_pages(&response.headers) {
                Some(total) => page >= total,
                None => fetched < per_page as usize,
            };
            if last || fetched == 0 {
                return Ok(items);
            }
        }
        Err(ConnectorError::Upstream(format!("{route} has more than {MAX_PAGES_PER_LISTING} pages of {per_page}; that is more than one call reads")))
    }

    /// The shop's currency: from the settings, or asked once per call.
    pub fn currency(&self) -> Result<String, ConnectorError> {
        if let Some(code) = self.currency.borrow().clone() {
            return Ok(code);
        }
        #[derive(Deserialize)]
        struct Current {
            code: String,
        }
        let current: Current = self.get("data/currencies/current", &[])?.value;
        *self.currency.borrow_mut() = Some(current.code.clone());
        Ok(current.code)
    }
}

/// The contract's error for a failed answer, with WooCommerce's own code
/// and message, and for a refused key, what to check.
fn error_for(url: &str, response: &Response) -> ConnectorError {
    let wp: WpError = serde_json::from_slice(&response.body).unwrap_or_default();
    let said = if wp.code.is_empty() { String::new() } else { format!(" ({}: {})", wp.code, wp.message.trim()) };
    match response.status {
        401 | 403 => ConnectorError::Auth(format!(
            "WooCommerce refused the API key for GET {url} with {}{said}. Check the store's `catalog.http.credentials` entry of kind \
             \"basic\": `username_env` names the variable holding the consumer key (ck_…), `password_env` the one holding the consumer \
             secret (cs_…); the key needs Read permission (WooCommerce → Settings → Advanced → REST API). If the key is right, the web \
             server may drop the Authorization header (Apache without `CGIPassAuth on`)",
            response.status
        )),
        404 if wp.code == "rest_no_route" => ConnectorError::InvalidSettings(format!(
            "{url} has no such route{said}: check `base_url`, that WooCommerce is active and its REST API is v3, and set \
             `plain_permalinks` if the site uses plain permalinks"
        )),
        404 => ConnectorError::NotFound(format!("GET {url}{said}")),
        status => {
            let fallback = || String::from_utf8_lossy(&response.body[..response.body.len().min(200)]).trim().to_owned();
            let detail = if said.is_empty() { format!(": {}", fallback()) } else { said };
            ConnectorError::Upstream(format!("GET {url} answered {status}{detail}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatgw_sdk::Header;

    fn response(status: u16, body: &str) -> Response {
        Response { status, headers: vec![Header { name: "content-type".into(), value: "application/json".into() }], body: body.as_bytes().to_vec() }
    }

    #[test]
    fn a_refused_key_names_the_credential_settings() {
        let e = error_for(
            "https://x/wp-json/wc/v3/products",
            &response(401, r#"{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}"#),
        );
        assert!(
            matches!(&e, ConnectorError::Auth(m) if m.contains("username_env") && m.contains("consumer key") && m.contains("woocommerce_rest_cannot_view")),
            "{e:?}"
        );
    }

    #[test]
    fn wordpress_errors_keep_their_code() {
        let missing = error_for(
            "https://x/wp-json/wc/v3/orders/9",
            &response(404, r#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}"#),
        );
        assert!(matches!(missing, ConnectorError::NotFound(_)));
        let no_route = error_for("https://x/wp-json/wc/v3/products", &response(404, r#"{"code":"rest_no_route","message":"No route","data":{"status":404}}"#));
        assert!(matches!(no_route, ConnectorError::InvalidSettings(m) if m.contains("base_url")));
        let bad = error_for("https://x", &response(400, r#"{"code":"rest_invalid_param","message":"Invalid parameter(s): per_page","data":{"status":400}}"#));
        assert!(matches!(bad, ConnectorError::Upstream(m) if m.contains("per_page") && m.contains("400")));
        let html = error_for("https://x", &response(502, "<html>Bad gateway</html>"));
        assert!(matches!(html, ConnectorError::Upstream(m) if m.contains("Bad gateway")));
    }
}
