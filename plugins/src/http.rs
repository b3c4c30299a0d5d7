//! Outgoing HTTP on a plugin's behalf. Every hop (the first request and each
//! redirect) is checked against the store's allow-list; names are resolved by
//! a resolver that refuses private, loopback and link-local addresses unless
//! that host is explicitly allowed to be private; credentials are added here,
//! so the plugin never holds them; response bodies are capped.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{Url, header};

use crate::grants::{AllowedHost, HttpGrant};

/// A request as the plugin asked for it (contract-independent).
#[derive(Debug, Clone)]
pub struct OutgoingRequest {
    pub method: reqwest::Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct IncomingResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpFailure {
    /// A policy refusal: the host records it and fails the call.
    Denied(String),
    InvalidRequest(String),
    Timeout,
    TooLarge(u64),
    Transport(String),
}

/// Headers a plugin may not set: hop-by-hop, or ones the host owns.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "connection",
    "content-length",
    "transfer-encoding",
    "upgrade",
    "proxy-authorization",
    "te",
    "trailer",
    "keep-alive",
];

/// The HTTP capability of one store's connector: policy plus a client whose
/// resolver enforces the address rules.
pub struct HttpGate {
    grant: HttpGrant,
    client: reqwest::Client,
}

impl std::fmt::Debug for HttpGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpGate")
            .field("grant", &self.grant)
            .finish()
    }
}

#[derive(Debug)]
struct ForbiddenAddress(String);

impl std::fmt::Display for ForbiddenAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ForbiddenAddress {}

/// Resolves names and drops the answer if any address is not public, unless
/// the host is allow-listed as private. Checking every address (not just the
/// first) defeats a name that mixes a public and a private answer.
struct GuardedResolver {
    allowed: Arc<Vec<AllowedHost>>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allow_private = self
            .allowed
            .iter()
            .any(|a| a.allow_private && a.matches_host(&host));
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private && let Some(bad) = addrs.iter().find(|a| !is_public(a.ip())) {
                return Err(Box::new(ForbiddenAddress(format!(
                    "{host} resolves to non-public address {}",
                    bad.ip()
                )))
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// True for addresses on the public internet. Loopback, private (RFC 1918,
/// ULA), link-local (incl. cloud metadata at 169.254.169.254), CGNAT,
/// unspecified, multicast, documentation and benchmarking ranges are not.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let seg0 = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg0 & 0xfe00) == 0xfc00 // unique local
                || (seg0 & 0xffc0) == 0xfe80 // link-local
                || (seg0 == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
                || v6.segments()[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible
                && v6 != Ipv6Addr::UNSPECIFIED
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

impl HttpGate {
    pub fn new(grant: HttpGrant) -> Result<Self, String> {
        let resolver = GuardedResolver {
            allowed: Arc::new(grant.allowed_hosts.clone()),
        };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .user_agent("chatgw-connector/1")
            .build()
            .map_err(|e| format!("cannot build HTTP client: {e}"))?;
        Ok(HttpGate { grant, client })
    }

    /// Checks one hop against the allow-list and the address rules for IP
    /// literals (names are checked by the resolver at connect time).
    fn check_url(&self, url: &Url) -> Result<(), HttpFailure> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HttpFailure::Denied(format!(
                "scheme `{}` is not allowed",
                url.scheme()
            )));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(HttpFailure::InvalidRequest(
                "credentials in the URL are not allowed".into(),
            ));
        }
        let host = url
            .host_str()
            .ok_or_else(|| HttpFailure::InvalidRequest(format!("URL `{url}` has no host")))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let port = url.port_or_known_default().unwrap_or(0);
        let rule = self
            .grant
            .allowed_hosts
            .iter()
            .find(|a| a.matches(&host, port))
            .ok_or_else(|| {
                HttpFailure::Denied(format!(
                    "host `{host}:{port}` is not allow-listed for this store"
                ))
            })?;
        if let Ok(ip) = host.parse::<IpAddr>()
            && !rule.allow_private
            && !is_public(ip)
        {
            return Err(HttpFailure::Denied(format!(
                "address {ip} is private, loopback or link-local and not explicitly allowed"
            )));
        }
        Ok(())
    }

    fn credentials_for(&self, url: &Url) -> impl Iterator<Item = &crate::grants::Credential> {
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        self.grant.credentials.iter().filter(move |c| {
            AllowedHost {
                host: c.host.to_ascii_lowercase(),
                port: None,
                allow_private: false,
            }
            .matches_host(&host)
        })
    }

    /// Sends the request, following redirects by hand so each hop is checked.
    pub async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpFailure> {
        let mut url = Url::parse(&request.url)
            .map_err(|e| HttpFailure::InvalidRequest(format!("bad URL `{}`: {e}", request.url)))?;
        let timeout = request.timeout.map_or(self.grant.request_timeout, |t| {
            t.min(self.grant.request_timeout)
        });
        let mut method = request.method;
        let mut body = request.body;
        let credential_names: Vec<String> = self
            .grant
            .credentials
            .iter()
            .map(|c| c.header.to_ascii_lowercase())
            .collect();
        let mut hops = 0u8;
        loop {
            self.check_url(&url)?;
            let mut builder = self
                .client
                .request(method.clone(), url.clone())
                .timeout(timeout);
            for (name, value) in &request.headers {
                let lower = name.to_ascii_lowercase();
                if RESERVED_HEADERS.contains(&lower.as_str()) || credential_names.contains(&lower) {
                    continue;
                }
                builder = builder.header(name.as_str(), value.as_str());
            }
            for credential in self.credentials_for(&url) {
                builder = builder.header(credential.header.as_str(), credential.value.expose());
            }
            if let Some(bytes) = &body {
                builder = builder.body(bytes.clone());
            }
            let response = builder.send().await.map_err(classify)?;
            let status = response.status();
            if status.is_redirection()
                && let Some(location) = response.headers().get(header::LOCATION)
            {
                hops += 1;
                if hops > self.grant.max_redirects {
                    return Err(HttpFailure::Denied(format!(
                        "more than {} redirects",
                        self.grant.max_redirects
                    )));
                }
                let location = location
                    .to_str()
                    .map_err(|_| HttpFailure::Transport("redirect Location is not text".into()))?;
                let next = url.join(location).map_err(|e| {
                    HttpFailure::Transport(format!("bad redirect `{location}`: {e}"))
                })?;
                self.check_url(&next).map_err(|e| match e {
                    HttpFailure::Denied(why) => {
                        HttpFailure::Denied(format!("redirect refused: {why}"))
                    }
                    other => other,
                })?;
                if status == reqwest::StatusCode::SEE_OTHER
                    || (matches!(status.as_u16(), 301 | 302) && method == reqwest::Method::POST)
                {
                    method = reqwest::Method::GET;
                    body = None;
                }
                url = next;
                continue;
            }
            return self.read(response).await;
        }
    }

    async fn read(&self, mut response: reqwest::Response) -> Result<IncomingResponse, HttpFailure> {
        let cap = self.grant.max_response_bytes;
        if let Some(len) = response.content_length()
            && len > cap
        {
            return Err(HttpFailure::TooLarge(cap));
        }
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter(|(name, _)| *name != header::SET_COOKIE)
            .map(|(name, value)| {
                (
                    name.to_string(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(HttpFailure::TooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(IncomingResponse {
            status,
            headers,
            body,
        })
    }
}

fn classify(error: reqwest::Error) -> HttpFailure {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    while let Some(e) = source {
        if let Some(forbidden) = e.downcast_ref::<ForbiddenAddress>() {
            return HttpFailure::Denied(forbidden.0.clone());
        }
        source = e.source();
    }
    if error.is_timeout() {
        HttpFailure::Timeout
    } else {
        // Without the URL: it is the plugin's own and adds nothing.
        HttpFailure::Transport(error.without_url().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_metadata_ranges_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} must not be public");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} is public");
        }
    }

    #[test]
    fn wildcard_hosts_match_subdomains_only() {
        let rule = AllowedHost::public("*.myshopify.com");
        assert!(rule.matches("demo.myshopify.com", 443));
        assert!(!rule.matches("myshopify.com", 443));
        assert!(!rule.matches("evilmyshopify.com", 443));
    }
}
