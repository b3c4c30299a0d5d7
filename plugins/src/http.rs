//! Outgoing HTTP on a plugin's behalf. Every hop (the first request and each
//! redirect) is checked against the store's allow-list; names are resolved by
//! a resolver that refuses every special-purpose address ([`crate::address`])
//! unless that host is explicitly allowed to be private; credentials are
//! added here, bound to one origin, so the plugin never holds them and cannot
//! send them anywhere else; response bodies are capped.
//!
//! The policy ([`HttpGate`]) is separate from the wire ([`HttpTransport`]):
//! the gateway sends over the network, the local runner replays recorded
//! fixtures, and both go through the same checks first.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{Url, header};

use crate::address::{AddressClass, classify as classify_address};
use crate::grants::{AllowedHost, HttpGrant, Origin, Secret, normalize_host};

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
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
];

/// Plugin headers that authenticate to a site: kept while the request stays
/// on the origin the plugin asked for, dropped when a redirect leaves it (as
/// browsers and curl do), so a redirect cannot carry them to another host.
const ORIGIN_BOUND_HEADERS: &[&str] = &["authorization", "cookie", "cookie2", "x-api-key", "x-auth-token"];

/// One hop as the gate hands it to a transport: the URL has passed the
/// allow-list, reserved headers are gone, and the credentials for this host
/// are attached (their `Debug` form is redacted).
#[derive(Debug, Clone)]
pub struct TransportRequest {
    pub method: reqwest::Method,
    pub url: Url,
    /// Headers the plugin set.
    pub headers: Vec<(String, String)>,
    /// Headers the host adds for this host: send them, never log them.
    pub credentials: Vec<(String, Secret)>,
    pub body: Option<Vec<u8>>,
    pub timeout: Duration,
    /// Read at most this many body bytes; over it, fail with
    /// [`HttpFailure::TooLarge`].
    pub max_response_bytes: u64,
}

impl TransportRequest {
    /// The plugin's headers followed by the credentials, as sent on the wire.
    pub fn wire_headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .chain(self.credentials.iter().map(|(name, secret)| (name.as_str(), secret.expose())))
    }
}

/// Carries one hop to the store and brings back its response. It does not
/// follow redirects: the gate does, so that every hop is checked.
#[async_trait::async_trait]
pub trait HttpTransport: Send + Sync {
    async fn send(&self, request: TransportRequest) -> Result<IncomingResponse, HttpFailure>;
}

/// The HTTP capability of one store's connector: the policy, and the
/// transport that carries the requests it lets through.
pub struct HttpGate {
    grant: HttpGrant,
    transport: Arc<dyn HttpTransport>,
}

impl std::fmt::Debug for HttpGate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpGate").field("grant", &self.grant).finish()
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
        let allow_private = self.allowed.iter().any(|a| a.allow_private && a.matches_host(&normalize_host(&host)));
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private
                && let Some((bad, AddressClass::Special(range))) =
                    addrs.iter().map(|a| (a.ip(), classify_address(a.ip()))).find(|(_, class)| !class.is_public())
            {
                return Err(Box::new(ForbiddenAddress(format!("{host} resolves to {bad}, in {range}"))) as Box<dyn std::error::Error + Send + Sync>);
            }
            // reqwest connects to exactly these addresses: nothing resolves
            // the name again between this check and the connection.
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

impl HttpGate {
    /// A gate that sends over the network, resolving names with the
    /// address rules of `grant`.
    pub fn new(grant: HttpGrant) -> Result<Self, String> {
        let transport = NetworkTransport::new(&grant.allowed_hosts)?;
        HttpGate::with_transport(grant, Arc::new(transport))
    }

    /// A gate with another transport (the runner's fixture replay, a test
    /// double). The allow-list, credential and size rules still apply.
    /// Fails if a credential would go over plain HTTP to a host that is not
    /// explicitly allowed to be private: the gateway's configuration check
    /// says so too, and this holds for every other caller.
    pub fn with_transport(grant: HttpGrant, transport: Arc<dyn HttpTransport>) -> Result<Self, String> {
        for credential in &grant.credentials {
            let origin = &credential.origin;
            match origin.scheme.as_str() {
                "https" => {}
                "http" if grant.allowed_hosts.iter().any(|a| a.allow_private && a.matches(&origin.host, origin.port)) => {}
                "http" => {
                    return Err(format!(
                        "credential `{}` for {origin} would travel over plain http to a host that is not a private host of this store",
                        credential.header
                    ));
                }
                other => return Err(format!("credential `{}` for {origin}: scheme `{other}` is not https", credential.header)),
            }
        }
        Ok(HttpGate { grant, transport })
    }

    /// Checks one hop against the allow-list and the address rules for IP
    /// literals (names are checked by the resolver at connect time).
    fn check_url(&self, url: &Url) -> Result<(), HttpFailure> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(HttpFailure::Denied(format!("scheme `{}` is not allowed", url.scheme())));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(HttpFailure::InvalidRequest("credentials in the URL are not allowed".into()));
        }
        // The URL parser has already turned decimal, octal and hex IPv4
        // forms into dotted quads and international names into punycode.
        let host = normalize_host(url.host_str().ok_or_else(|| HttpFailure::InvalidRequest(format!("URL `{url}` has no host")))?);
        let port = url.port_or_known_default().unwrap_or(0);
        let rule = self
            .grant
            .allowed_hosts
            .iter()
            .find(|a| a.matches(&host, port))
            .ok_or_else(|| HttpFailure::Denied(format!("host `{host}:{port}` is not allow-listed for this store")))?;
        if let Ok(ip) = host.parse::<IpAddr>()
            && !rule.allow_private
            && let AddressClass::Special(range) = classify_address(ip)
        {
            return Err(HttpFailure::Denied(format!("address {ip} is in {range} and not explicitly allowed")));
        }
        Ok(())
    }

    /// The credentials bound to exactly this scheme, host and port.
    fn credentials_for(&self, origin: &Origin) -> Vec<(String, Secret)> {
        self.grant.credentials.iter().filter(|c| &c.origin == origin).map(|c| (c.header.clone(), c.value.clone())).collect()
    }

    /// Sends the request, following redirects by hand so each hop is checked.
    pub async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpFailure> {
        let mut url = Url::parse(&request.url).map_err(|e| HttpFailure::InvalidRequest(format!("bad URL `{}`: {e}", request.url)))?;
        let first = Origin::of(&url).ok_or_else(|| HttpFailure::InvalidRequest(format!("URL `{url}` has no host or port")))?;
        let timeout = request.timeout.map_or(self.grant.request_timeout, |t| t.min(self.grant.request_timeout));
        // A plugin may not set a header the host fills with a secret, for
        // any origin: it could otherwise shadow or mimic the credential.
        let credential_names: Vec<String> = self.grant.credentials.iter().map(|c| c.header.to_ascii_lowercase()).collect();
        let mut headers: Vec<(String, String)> = request
            .headers
            .into_iter()
            .filter(|(name, _)| {
                let lower = name.trim().to_ascii_lowercase();
                !RESERVED_HEADERS.contains(&lower.as_str()) && !credential_names.contains(&lower)
            })
            .collect();
        let mut method = request.method;
        let mut body = request.body;
        let mut hops = 0u8;
        // Credentials go only to the origin the plugin named, and only until
        // a redirect leaves it: a host that redirects elsewhere and back
        // does not get to pick where an authenticated request lands.
        let credentials = self.credentials_for(&first);
        let mut on_first_origin = true;
        loop {
            self.check_url(&url)?;
            let hop = TransportRequest {
                method: method.clone(),
                url: url.clone(),
                headers: headers.clone(),
                credentials: if on_first_origin { credentials.clone() } else { Vec::new() },
                body: body.clone(),
                timeout,
                max_response_bytes: self.grant.max_response_bytes,
            };
            let mut response = self.transport.send(hop).await?;
            let location = response.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case(header::LOCATION.as_str())).map(|(_, value)| value.clone());
            if (300..400).contains(&response.status)
                && let Some(location) = location
            {
                hops += 1;
                if hops > self.grant.max_redirects {
                    return Err(HttpFailure::Denied(format!("more than {} redirects", self.grant.max_redirects)));
                }
                let next = url.join(&location).map_err(|e| HttpFailure::Transport(format!("bad redirect `{location}`: {e}")))?;
                self.check_url(&next).map_err(|e| match e {
                    HttpFailure::Denied(why) => HttpFailure::Denied(format!("redirect refused: {why}")),
                    other => other,
                })?;
                if Origin::of(&next).as_ref() != Some(&first) {
                    on_first_origin = false;
                    headers.retain(|(name, _)| !ORIGIN_BOUND_HEADERS.contains(&name.trim().to_ascii_lowercase().as_str()));
                }
                if response.status == 303 || (matches!(response.status, 301 | 302) && method == reqwest::Method::POST) {
                    method = reqwest::Method::GET;
                    body = None;
                }
                url = next;
                continue;
            }
            // Enforced here too, whatever the transport did.
            if response.body.len() as u64 > self.grant.max_response_bytes {
                return Err(HttpFailure::TooLarge(self.grant.max_response_bytes));
            }
            response.headers.retain(|(name, _)| !name.eq_ignore_ascii_case(header::SET_COOKIE.as_str()));
            return Ok(response);
        }
    }
}

/// The gateway's transport: reqwest over the network, without proxies or
/// automatic redirects, with a resolver that enforces the address rules.
struct NetworkTransport {
    client: reqwest::Client,
}

impl NetworkTransport {
    fn new(allowed_hosts: &[AllowedHost]) -> Result<Self, String> {
        let resolver = GuardedResolver { allowed: Arc::new(allowed_hosts.to_vec()) };
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(resolver))
            .user_agent("chatgw-connector/1")
            .build()
            .map_err(|e| format!("cannot build HTTP client: {e}"))?;
        Ok(NetworkTransport { client })
    }
}

#[async_trait::async_trait]
impl HttpTransport for NetworkTransport {
    async fn send(&self, request: TransportRequest) -> Result<IncomingResponse, HttpFailure> {
        let mut builder = self.client.request(request.method.clone(), request.url.clone()).timeout(request.timeout);
        for (name, value) in request.wire_headers() {
            builder = builder.header(name, value);
        }
        if let Some(bytes) = &request.body {
            builder = builder.body(bytes.clone());
        }
        let mut response = builder.send().await.map_err(classify)?;
        let cap = request.max_response_bytes;
        if let Some(len) = response.content_length()
            && len > cap
        {
            return Err(HttpFailure::TooLarge(cap));
        }
        let status = response.status().as_u16();
        let headers = response.headers().iter().map(|(name, value)| (name.to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned())).collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() as u64 + chunk.len() as u64 > cap {
                return Err(HttpFailure::TooLarge(cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(IncomingResponse { status, headers, body })
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

    /// URL and wire headers of each hop that reached the transport.
    type Seen = Vec<(String, Vec<(String, String)>)>;

    /// Answers from a script and records what reached it.
    struct Scripted {
        answers: std::sync::Mutex<Vec<IncomingResponse>>,
        seen: std::sync::Mutex<Seen>,
    }

    impl Scripted {
        fn new(mut answers: Vec<IncomingResponse>) -> Arc<Self> {
            answers.reverse();
            Arc::new(Scripted { answers: std::sync::Mutex::new(answers), seen: std::sync::Mutex::new(Vec::new()) })
        }
    }

    #[async_trait::async_trait]
    impl HttpTransport for Scripted {
        async fn send(&self, request: TransportRequest) -> Result<IncomingResponse, HttpFailure> {
            let headers = request.wire_headers().map(|(n, v)| (n.to_string(), v.to_string())).collect();
            self.seen.lock().unwrap().push((request.url.to_string(), headers));
            self.answers.lock().unwrap().pop().ok_or_else(|| HttpFailure::Transport("script exhausted".into()))
        }
    }

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> IncomingResponse {
        IncomingResponse { status, headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(), body: body.as_bytes().to_vec() }
    }

    fn get(url: &str, headers: &[(&str, &str)]) -> OutgoingRequest {
        OutgoingRequest {
            method: reqwest::Method::GET,
            url: url.into(),
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: None,
            timeout: None,
        }
    }

    fn gate(transport: Arc<Scripted>) -> HttpGate {
        HttpGate::with_transport(
            HttpGrant {
                allowed_hosts: vec![AllowedHost::public("api.shop.example"), AllowedHost::public("cdn.shop.example")],
                credentials: vec![crate::grants::Credential::header(Origin::parse("api.shop.example").unwrap(), "Authorization", Secret::new("Bearer s3cret"))],
                max_response_bytes: 16,
                ..HttpGrant::default()
            },
            transport,
        )
        .unwrap()
    }

    #[tokio::test]
    async fn the_gate_checks_before_any_transport_and_adds_credentials_per_host() {
        let transport = Scripted::new(vec![
            answer(302, &[("Location", "https://cdn.shop.example/p.json")], ""),
            answer(200, &[("Set-Cookie", "a=b"), ("X-Total", "1")], "{}"),
        ]);
        let gate = gate(transport.clone());

        let refused = gate.send(get("https://evil.example/x", &[])).await;
        assert!(matches!(refused, Err(HttpFailure::Denied(why)) if why.contains("evil.example")));
        assert!(transport.seen.lock().unwrap().is_empty(), "refused before the transport");

        // The plugin's own Authorization and reserved headers are dropped; the
        // credential goes to its host only, not across the redirect.
        let response =
            gate.send(get("https://api.shop.example/p", &[("Authorization", "forged"), ("Host", "x"), ("Accept", "application/json")])).await.unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.headers, vec![("X-Total".to_string(), "1".to_string())]);
        let seen = transport.seen.lock().unwrap().clone();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[0].0, "https://api.shop.example/p");
        assert_eq!(seen[0].1, vec![("Accept".to_string(), "application/json".to_string()), ("authorization".to_string(), "Bearer s3cret".to_string())]);
        assert_eq!(seen[1].0, "https://cdn.shop.example/p.json");
        assert_eq!(seen[1].1, vec![("Accept".to_string(), "application/json".to_string())]);
    }

    #[tokio::test]
    async fn redirects_and_sizes_are_enforced_whatever_the_transport_does() {
        let transport = Scripted::new(vec![answer(301, &[("location", "http://169.254.169.254/latest/meta-data/")], "")]);
        let refused = gate(transport).send(get("https://api.shop.example/p", &[])).await;
        assert!(matches!(&refused, Err(HttpFailure::Denied(why)) if why.starts_with("redirect refused")), "{refused:?}");

        let transport = Scripted::new(vec![answer(200, &[], "more than sixteen bytes")]);
        let too_large = gate(transport).send(get("https://api.shop.example/p", &[])).await;
        assert_eq!(too_large.unwrap_err(), HttpFailure::TooLarge(16));
    }

    #[tokio::test]
    async fn a_credential_goes_to_its_exact_origin_and_never_after_leaving_it() {
        let transport = Scripted::new(vec![
            answer(200, &[], ""),
            answer(200, &[], ""),
            answer(200, &[], ""),
            answer(200, &[], ""),
            answer(302, &[("Location", "https://api.shop.example:8443/x")], ""),
            answer(302, &[("Location", "https://api.shop.example/back")], ""),
            answer(200, &[], ""),
        ]);
        let gate = gate(transport.clone());
        let leaked = |i: usize| transport.seen.lock().unwrap()[i].1.iter().any(|(_, v)| v.contains("s3cret"));
        // Same host, other port; same host, plain http; trailing dot and
        // upper case are the same origin.
        gate.send(get("https://api.shop.example:8443/p", &[])).await.unwrap();
        gate.send(get("http://api.shop.example/p", &[])).await.unwrap();
        gate.send(get("https://API.Shop.Example./p", &[])).await.unwrap();
        gate.send(get("https://api.shop.example:443/p", &[])).await.unwrap();
        assert!(!leaked(0) && !leaked(1), "another port or scheme gets no credential");
        assert!(leaked(2) && leaked(3), "the same origin, written differently, does");
        // A redirect to another port drops it, and so does coming back.
        gate.send(get("https://api.shop.example/start", &[("Cookie", "sid=1"), ("Accept", "*/*")])).await.unwrap();
        let seen = transport.seen.lock().unwrap().clone();
        assert!(leaked(4) && !leaked(5) && !leaked(6), "{seen:?}");
        assert!(seen[5].1.iter().all(|(n, _)| n != "Cookie"), "the plugin's cookie stays on its origin: {seen:?}");
        assert!(seen[5].1.iter().any(|(n, _)| n == "Accept"));
    }

    #[test]
    fn a_credential_over_plain_http_needs_an_explicitly_private_host() {
        let credential = |origin: &str| crate::grants::Credential::header(Origin::parse(origin).unwrap(), "X-Key", Secret::new("k"));
        let grant = |allowed_hosts| HttpGrant { allowed_hosts, credentials: vec![credential("http://127.0.0.1:8080")], ..HttpGrant::default() };
        let refused = HttpGate::with_transport(grant(vec![AllowedHost::public("127.0.0.1")]), Scripted::new(vec![])).unwrap_err();
        assert!(refused.contains("plain http") && refused.contains("http://127.0.0.1:8080"), "{refused}");
        let other_port = HttpGate::with_transport(grant(vec![AllowedHost::private("127.0.0.1", Some(9090))]), Scripted::new(vec![]));
        assert!(other_port.is_err());
        assert!(HttpGate::with_transport(grant(vec![AllowedHost::private("127.0.0.1", Some(8080))]), Scripted::new(vec![])).is_ok());
    }

    #[test]
    fn origins_parse_with_clear_errors() {
        let origin = Origin::parse("API.shop.example.").unwrap();
        assert_eq!(origin, Origin { scheme: "https".into(), host: "api.shop.example".into(), port: 443 });
        assert_eq!(Origin::parse("http://127.0.0.1:8080").unwrap().to_string(), "http://127.0.0.1:8080");
        assert_eq!(Origin::parse("https://[::1]:8443").unwrap().to_string(), "https://[::1]:8443");
        for (bad, why) in [
            ("https://user:pw@api.shop.example", "no user or password"),
            ("https://api.shop.example/admin", "without a path"),
            ("*.myshopify.com", "wildcard"),
            ("ftp://api.shop.example", "scheme"),
            ("https://", "not an origin"),
        ] {
            let error = Origin::parse(bad).unwrap_err();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }

    #[test]
    fn transport_requests_do_not_print_credentials() {
        let request = TransportRequest {
            method: reqwest::Method::GET,
            url: Url::parse("https://api.shop.example/").unwrap(),
            headers: vec![],
            credentials: vec![("authorization".into(), Secret::new("Bearer s3cret"))],
            body: None,
            timeout: Duration::from_secs(1),
            max_response_bytes: 1,
        };
        assert!(!format!("{request:?}").contains("s3cret"));
    }

    #[test]
    fn wildcard_hosts_match_subdomains_only() {
        let rule = AllowedHost::public("*.myshopify.com");
        assert!(rule.matches("demo.myshopify.com", 443));
        assert!(!rule.matches("myshopify.com", 443));
        assert!(!rule.matches("evilmyshopify.com", 443));
    }
}
