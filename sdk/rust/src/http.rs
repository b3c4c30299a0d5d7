//! Typed JSON over the host's HTTP capability. The host adds credentials,
//! checks the allow-list and caps sizes; these helpers build the request,
//! map HTTP statuses to [`ConnectorError`] and decode the body.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{ConnectorError, Header, Method, Request, Response, host_http};

/// Bytes of an error response's body quoted in the error message.
const BODY_EXCERPT: usize = 300;

/// A decoded JSON body with the status and headers it came with, for APIs
/// that page through headers (`Link`, `X-WP-TotalPages`).
#[derive(Debug, Clone)]
pub struct JsonResponse<T> {
    pub value: T,
    pub status: u16,
    pub headers: Vec<Header>,
}

impl<T> JsonResponse<T> {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// The first header with this name (case-insensitive).
pub fn header<'a>(headers: &'a [Header], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// `GET` a JSON document.
pub fn get_json<T: DeserializeOwned>(
    url: &str,
    headers: &[(&str, &str)],
) -> Result<T, ConnectorError> {
    get_json_response(url, headers).map(|response| response.value)
}

/// `GET` a JSON document and keep the response headers (for pagination).
pub fn get_json_response<T: DeserializeOwned>(
    url: &str,
    headers: &[(&str, &str)],
) -> Result<JsonResponse<T>, ConnectorError> {
    json_request(Method::Get, url, headers, None::<&()>)
}

/// `POST` a JSON body and decode the JSON answer (GraphQL endpoints, search
/// APIs).
pub fn post_json<T: DeserializeOwned, B: Serialize + ?Sized>(
    url: &str,
    headers: &[(&str, &str)],
    body: &B,
) -> Result<T, ConnectorError> {
    json_request(Method::Post, url, headers, Some(body)).map(|response| response.value)
}

/// Any JSON request through the host. Credentials are added by the host; do
/// not put secrets in settings or headers.
pub fn json_request<T: DeserializeOwned, B: Serialize + ?Sized>(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&B>,
) -> Result<JsonResponse<T>, ConnectorError> {
    let request = build_json_request(method, url, headers, body)?;
    let response = host_http::send(&request)?;
    decode_json(method, url, response)
}

/// The request [`json_request`] sends: `accept: application/json`, and for a
/// body, the body as JSON with its content type.
pub fn build_json_request<B: Serialize + ?Sized>(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&B>,
) -> Result<Request, ConnectorError> {
    let mut all_headers: Vec<Header> = headers
        .iter()
        .map(|(name, value)| Header {
            name: (*name).into(),
            value: (*value).into(),
        })
        .collect();
    if header(&all_headers, "accept").is_none() {
        all_headers.push(Header {
            name: "accept".into(),
            value: "application/json".into(),
        });
    }
    let body = match body {
        Some(body) => {
            if header(&all_headers, "content-type").is_none() {
                all_headers.push(Header {
                    name: "content-type".into(),
                    value: "application/json".into(),
                });
            }
            Some(serde_json::to_vec(body).map_err(|e| {
                ConnectorError::Upstream(format!("cannot encode the request body as JSON: {e}"))
            })?)
        }
        None => None,
    };
    Ok(Request {
        method,
        url: url.into(),
        headers: all_headers,
        body,
        timeout_ms: None,
    })
}

/// Maps the status of `response` (to `method url`) to an error, or decodes
/// its JSON body.
pub fn decode_json<T: DeserializeOwned>(
    method: Method,
    url: &str,
    response: Response,
) -> Result<JsonResponse<T>, ConnectorError> {
    let what = format!("{} {url}", method_name(method));
    if let Some(error) = status_error_for(&what, &response) {
        return Err(error);
    }
    // An empty body (204, or a bodyless 200) decodes as JSON `null`, so
    // `()` and `Option<_>` targets work.
    let body: &[u8] = if response.body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        &response.body
    };
    let value = serde_json::from_slice(body).map_err(|e| {
        ConnectorError::Upstream(format!(
            "{what} answered JSON we cannot read: {e}; body starts with: {}",
            excerpt(&response.body)
        ))
    })?;
    Ok(JsonResponse {
        value,
        status: response.status,
        headers: response.headers,
    })
}

/// Maps an HTTP status to the contract's error, or `None` for 2xx:
/// 401/403 → `auth`, 404 → `not-found`, 429 → `rate-limited` (with
/// `Retry-After` seconds), anything else → `upstream`.
pub fn status_error(response: &Response) -> Option<ConnectorError> {
    status_error_for("the request", response)
}

fn status_error_for(what: &str, response: &Response) -> Option<ConnectorError> {
    let status = response.status;
    match status {
        200..=299 => None,
        401 | 403 => Some(ConnectorError::Auth(format!(
            "{what} answered {status}: check the API credentials and their permissions in the \
             store's connector configuration ({})",
            excerpt(&response.body)
        ))),
        404 => Some(ConnectorError::NotFound(format!("{what} answered 404"))),
        429 => Some(ConnectorError::RateLimited(retry_after(&response.headers))),
        _ => Some(ConnectorError::Upstream(format!(
            "{what} answered {status}: {}",
            excerpt(&response.body)
        ))),
    }
}

/// `Retry-After` in seconds. The HTTP-date form yields `None`.
pub fn retry_after(headers: &[Header]) -> Option<u32> {
    header(headers, "retry-after").and_then(|value| value.trim().parse().ok())
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
        Method::Head => "HEAD",
    }
}

/// The start of a body, as text, for error messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(BODY_EXCERPT)]);
    let text = text.trim();
    if text.is_empty() {
        "empty body".into()
    } else if body.len() > BODY_EXCERPT {
        format!("{text}…")
    } else {
        text.into()
    }
}

/// Percent-encodes one path segment or query value: everything but
/// `A-Z a-z 0-9 - . _ ~`. Order references like `#1001` need it.
pub fn encode_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `a=1&b=x%20y` from pairs, each name and value percent-encoded.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{}={}", encode_component(name), encode_component(value)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Response {
        Response {
            status,
            headers: headers
                .iter()
                .map(|(n, v)| Header {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn decode(
        status: u16,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<JsonResponse<serde_json::Value>, ConnectorError> {
        decode_json(
            Method::Get,
            "https://shop.example/api/x",
            response(status, headers, body),
        )
    }

    #[test]
    fn statuses_map_to_connector_errors() {
        for status in [401, 403] {
            let error = decode(status, &[], r#"{"error":"bad key"}"#).unwrap_err();
            assert!(
                matches!(&error, ConnectorError::Auth(m)
                    if m.contains("GET https://shop.example/api/x") && m.contains("bad key")),
                "{error:?}"
            );
        }
        assert!(matches!(
            decode(404, &[], "").unwrap_err(),
            ConnectorError::NotFound(m) if m.contains("404")
        ));
        assert_eq!(
            decode(429, &[("Retry-After", "7")], "").unwrap_err(),
            ConnectorError::RateLimited(Some(7))
        );
        assert_eq!(
            decode(429, &[("retry-after", "Wed, 21 Oct 2015 07:28:00 GMT")], "").unwrap_err(),
            ConnectorError::RateLimited(None)
        );
        for status in [500, 502, 503, 400, 422] {
            let error = decode(status, &[], "down for maintenance").unwrap_err();
            assert!(
                matches!(&error, ConnectorError::Upstream(m)
                    if m.contains(&status.to_string()) && m.contains("down for maintenance")),
                "{error:?}"
            );
        }
        assert_eq!(status_error(&response(204, &[], "")), None);
    }

    #[test]
    fn success_decodes_the_body_and_keeps_headers() {
        let ok = decode(200, &[("X-WP-TotalPages", "4")], r#"{"a":1}"#).unwrap();
        assert_eq!(ok.value["a"], 1);
        assert_eq!(ok.header("x-wp-totalpages"), Some("4"));
        assert_eq!(decode(204, &[], "").unwrap().value, serde_json::Value::Null);
        let error = decode(200, &[], "<html>").unwrap_err();
        assert!(
            matches!(&error, ConnectorError::Upstream(m) if m.contains("cannot read") && m.contains("<html>")),
            "{error:?}"
        );
    }

    #[test]
    fn json_requests_carry_accept_and_content_type() {
        let get = build_json_request(
            Method::Get,
            "https://x/a",
            &[("x-api-version", "2")],
            None::<&()>,
        )
        .unwrap();
        assert_eq!(header(&get.headers, "accept"), Some("application/json"));
        assert_eq!(header(&get.headers, "x-api-version"), Some("2"));
        assert_eq!(header(&get.headers, "content-type"), None);
        assert!(get.body.is_none());

        let post = build_json_request(
            Method::Post,
            "https://x/graphql",
            &[("Accept", "application/graphql-response+json")],
            Some(&serde_json::json!({"query": "{ shop { name } }"})),
        )
        .unwrap();
        assert_eq!(
            header(&post.headers, "accept"),
            Some("application/graphql-response+json")
        );
        assert_eq!(
            header(&post.headers, "content-type"),
            Some("application/json")
        );
        assert_eq!(
            post.body.as_deref(),
            Some(br#"{"query":"{ shop { name } }"}"#.as_slice())
        );
    }

    #[test]
    fn components_and_queries_are_percent_encoded() {
        assert_eq!(encode_component("#1001"), "%231001");
        assert_eq!(encode_component("a b/ü"), "a%20b%2F%C3%BC");
        assert_eq!(encode_component("LB-10042_x.~"), "LB-10042_x.~");
        assert_eq!(
            query_string(&[
                ("page", "2"),
                ("updated_since", "2026-01-01T00:00:00+01:00")
            ]),
            "page=2&updated_since=2026-01-01T00%3A00%3A00%2B01%3A00"
        );
    }
}
