//! Checks that serde cannot: formats, references between sections, and
//! uniqueness across store files. Every problem is reported, not just the
//! first, each naming its file and key.

use std::collections::HashMap;
use std::net::SocketAddr;

use super::{CatalogSource, ConfigError, EmbeddingProviderKind, GatewayConfig, HandoffConfig, LoadedConfig, ProviderKind, StoreLimits};

pub(super) fn validate(config: &LoadedConfig) -> Result<(), ConfigError> {
    let mut problems: Vec<ConfigError> = Vec::new();
    let g = &config.gateway;
    let gw = "chatgw.toml";

    if g.server.addr.parse::<SocketAddr>().is_err() {
        problems.push(ConfigError::invalid(gw, "server.addr", format!("`{}` is not an address like 127.0.0.1:8080", g.server.addr)));
    }
    if g.server.max_message_chars == 0 || g.server.max_body_bytes < 1024 {
        problems.push(ConfigError::invalid(gw, "server", "max_message_chars must be > 0 and max_body_bytes at least 1024"));
    }
    for (i, proxy) in g.server.trusted_proxies.iter().enumerate() {
        if let Err(why) = crate::ratelimit::Cidr::parse(proxy) {
            problems.push(ConfigError::invalid(gw, format!("server.trusted_proxies[{i}]"), why));
        }
    }
    if !(1..=16000).contains(&g.embedding.dimensions) {
        problems.push(ConfigError::invalid(gw, "embedding.dimensions", "must be between 1 and 16000"));
    }
    if g.embedding.provider == EmbeddingProviderKind::E5Small {
        if g.embedding.dimensions != 384 {
            problems.push(ConfigError::invalid(gw, "embedding.dimensions", "`e5-small` makes 384-dimensional vectors: set dimensions = 384"));
        }
        if !(16..=512).contains(&g.embedding.max_tokens) {
            problems.push(ConfigError::invalid(gw, "embedding.max_tokens", "must be between 16 and 512 (the model's longest input)"));
        }
    }
    if !matches!(g.log.format.as_str(), "json" | "pretty") {
        problems.push(ConfigError::invalid(gw, "log.format", "must be `json` or `pretty`"));
    }
    for (name, provider) in &g.providers {
        if provider.kind == ProviderKind::Openai && provider.base_url.as_deref().is_none_or(|u| !u.starts_with("http")) {
            problems.push(ConfigError::invalid(gw, format!("providers.{name}.base_url"), "an `openai` provider needs base_url = \"https://...\""));
        }
    }

    let mut ids: HashMap<&str, &str> = HashMap::new();
    let mut keys: HashMap<&str, &str> = HashMap::new();
    for (store, source) in config.stores.iter().zip(&config.store_sources) {
        let src = source.as_str();
        if store.id.is_empty() || store.id.len() > 64 || !store.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            problems.push(ConfigError::invalid(src, "id", format!("`{}` must be 1-64 characters of a-z, 0-9 and -", store.id)));
        }
        if let Some(other) = ids.insert(&store.id, src) {
            problems.push(ConfigError::invalid(src, "id", format!("`{}` is also the id of the store in {other}", store.id)));
        }
        if store.public_key.len() < 6 || store.public_key.chars().any(char::is_whitespace) {
            problems.push(ConfigError::invalid(src, "public_key", "must be at least 6 characters without spaces (e.g. pk_live_...)"));
        }
        if let Some(other) = keys.insert(&store.public_key, src) {
            problems.push(ConfigError::invalid(src, "public_key", format!("is also the key of the store in {other}: keys must be unique")));
        }
        if store.languages.is_empty() {
            problems.push(ConfigError::invalid(src, "languages", "list at least one language, e.g. [\"en\"]"));
        }
        for lang in &store.languages {
            if crate::lang::Language::from_code(lang).is_none() {
                problems.push(ConfigError::invalid(
                    src,
                    "languages",
                    format!("`{lang}` is not a supported ISO 639-1 code (supported: {})", crate::lang::Language::supported_codes().join(", ")),
                ));
            }
        }
        for origin in &store.allowed_origins {
            if !is_origin(origin) {
                problems.push(ConfigError::invalid(
                    src,
                    "allowed_origins",
                    format!("`{origin}` is not an origin like https://shop.example (scheme and host, no path)"),
                ));
            }
        }
        let provider = store.models.provider.as_str();
        if provider != "offline" && !g.providers.contains_key(provider) {
            problems.push(ConfigError::invalid(
                src,
                "models.provider",
                format!("`{provider}` is not `offline` or a provider in the gateway's [providers] section"),
            ));
        }
        if !(1..=50).contains(&store.retrieval.top_k) || store.retrieval.candidates < store.retrieval.top_k {
            problems.push(ConfigError::invalid(src, "retrieval", "top_k must be 1-50 and candidates at least top_k"));
        }
        check_limits(src, &store.limits, &mut problems);
        check_handoff(src, &store.handoff, &mut problems);
        if let Some(shipping) = &store.shipping {
            check_shipping(src, shipping, &mut problems);
        }
        check_widget(src, &store.widget, &mut problems);
        match &store.catalog {
            CatalogSource::Demo => {}
            CatalogSource::File { path } => {
                if !std::path::Path::new(path).is_file() {
                    problems.push(ConfigError::invalid(
                        src,
                        "catalog.path",
                        format!("`{path}` is not a readable file (paths are relative to the working folder)"),
                    ));
                }
            }
            CatalogSource::Connector(connector) => check_connector(g, src, connector, &mut problems),
        }
    }

    match problems.len() {
        0 => Ok(()),
        1 => Err(problems.remove(0)),
        n => Err(ConfigError::Many(n, problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))),
    }
}

/// Names of environment variables must be names; a helpdesk URL must be
/// https (plain http only for loopback, for local helpdesks and tests).
fn check_handoff(src: &str, handoff: &HandoffConfig, problems: &mut Vec<ConfigError>) {
    let env_name =
        |name: &str| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && !name.starts_with(|c: char| c.is_ascii_digit());
    if !handoff.agent_token_env.is_empty() && !env_name(&handoff.agent_token_env) {
        problems.push(ConfigError::invalid(src, "handoff.agent_token_env", "must name an environment variable, e.g. SHOP_AGENT_TOKEN"));
    }
    if let Some(helpdesk) = &handoff.helpdesk {
        match reqwest::Url::parse(&helpdesk.url) {
            Ok(url) if url.scheme() == "https" => {}
            Ok(url) if url.scheme() == "http" && url.host_str().is_some_and(is_loopback_host) => {}
            _ => problems.push(ConfigError::invalid(
                src,
                "handoff.helpdesk.url",
                format!("`{}` is not an https:// URL (plain http is allowed only for localhost)", helpdesk.url),
            )),
        }
        if !env_name(&helpdesk.secret_env) {
            problems.push(ConfigError::invalid(src, "handoff.helpdesk.secret_env", "must name the environment variable that holds the signing secret"));
        }
    }
    if let Some(hours) = &handoff.hours
        && let Err(why) = crate::handoff::hours::BusinessHours::parse(hours)
    {
        problems.push(ConfigError::invalid(src, "handoff.hours", why));
    }
}

/// Longest widget greeting, in characters: a first message, not a page.
const MAX_GREETING_CHARS: usize = 500;

/// What the widget shows must be something a browser can draw and link:
/// a hex colour, greetings in the gateway's languages, a web address.
fn check_widget(src: &str, widget: &super::WidgetConfig, problems: &mut Vec<ConfigError>) {
    let hex = widget.color.strip_prefix('#').unwrap_or("");
    if !matches!(hex.len(), 3 | 6) || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        problems.push(ConfigError::invalid(src, "widget.color", format!("`{}` is not a colour like \"#a03f2a\" or \"#a32\"", widget.color)));
    }
    for (language, greeting) in &widget.greeting {
        if crate::lang::Language::from_code(language).is_none() {
            problems.push(ConfigError::invalid(
                src,
                format!("widget.greeting.{language}"),
                format!("`{language}` is not a supported language code (supported: {})", crate::lang::Language::supported_codes().join(", ")),
            ));
        }
        let chars = greeting.trim().chars().count();
        if chars == 0 || chars > MAX_GREETING_CHARS {
            problems.push(ConfigError::invalid(src, format!("widget.greeting.{language}"), format!("must be 1-{MAX_GREETING_CHARS} characters")));
        }
    }
    if !widget.privacy_url.is_empty() && reqwest::Url::parse(&widget.privacy_url).map_or(true, |url| !matches!(url.scheme(), "https" | "http")) {
        problems.push(ConfigError::invalid(
            src,
            "widget.privacy_url",
            format!("`{}` is not a web address like https://shop.example/privacy (or leave it empty)", widget.privacy_url),
        ));
    }
}

/// `localhost`, `127.0.0.0/8` or `::1`. The URL parser gives an IPv6 host
/// bracketed (`[::1]`), so the brackets go before the address is read.
fn is_loopback_host(host: &str) -> bool {
    let address = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    host.eq_ignore_ascii_case("localhost") || address.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod loopback_tests {
    #[test]
    fn loopback_hosts_as_the_url_parser_gives_them() {
        for url in ["http://localhost:9000/h", "http://127.0.0.1/h", "http://[::1]:8080/h", "http://LOCALHOST/h"] {
            let host = reqwest::Url::parse(url).unwrap();
            assert!(super::is_loopback_host(host.host_str().unwrap()), "{url}");
        }
        for url in ["http://helpdesk.example/h", "http://10.0.0.5/h", "http://[fe80::1]/h", "http://127.0.0.1.nip.io/h"] {
            let host = reqwest::Url::parse(url).unwrap();
            assert!(!super::is_loopback_host(host.host_str().unwrap()), "{url}");
        }
    }
}

/// Every limit must let something through: a zero would shut the store's
/// chat, which is what removing its key is for.
fn check_limits(src: &str, limits: &StoreLimits, problems: &mut Vec<ConfigError>) {
    let rates = [
        ("chat_per_ip", limits.chat_per_ip),
        ("chat_per_session", limits.chat_per_session),
        ("chat_per_store", limits.chat_per_store),
        ("transcript_per_ip", limits.transcript_per_ip),
        ("webhooks_per_store", limits.webhooks_per_store),
    ];
    for (name, rate) in rates {
        if rate.per_minute == 0 || rate.burst == 0 {
            problems.push(ConfigError::invalid(src, format!("limits.{name}"), "per_minute and burst must be at least 1, e.g. { per_minute = 30, burst = 10 }"));
        }
    }
    if limits.turns_in_flight == 0 {
        problems.push(ConfigError::invalid(src, "limits.turns_in_flight", "must be at least 1"));
    }
    // The plugin host's capacity for calls at once, shared by every store.
    let host = chatgw_plugins::EngineOptions::default().max_concurrent_calls;
    if !(1..=host).contains(&limits.plugin_calls_in_flight) {
        problems.push(ConfigError::invalid(
            src,
            "limits.plugin_calls_in_flight",
            format!("must be 1-{host} (the plugin host runs {host} calls at once for all stores)"),
        ));
    }
}

/// A shipping table the assistant can quote: zones with names, country
/// codes, amounts that are money and day spans that are spans.
fn check_shipping(src: &str, shipping: &super::ShippingConfig, problems: &mut Vec<ConfigError>) {
    let mut problem = |key: String, message: String| problems.push(ConfigError::invalid(src, key, message));
    if shipping.zones.is_empty() {
        problem(
            "shipping.zones".into(),
            "list at least one zone, e.g. [[shipping.zones]] name = \"Spain\", countries = [\"ES\"], cost = 4.95, delivery_days = { min = 1, max = 3 }".into(),
        );
    }
    let span_problem = |span: &super::DaySpan| {
        (span.min > span.max || span.max > 90).then(|| format!("min ({}) must be at most max ({}), and max at most 90 days", span.min, span.max))
    };
    if let Some(why) = shipping.dispatch_days.as_ref().and_then(span_problem) {
        problem("shipping.dispatch_days".into(), why);
    }
    let mut names: Vec<&str> = Vec::new();
    for (i, zone) in shipping.zones.iter().enumerate() {
        let key = |field: &str| format!("shipping.zones[{i}].{field}");
        if zone.name.trim().is_empty() {
            problem(key("name"), "give the zone a name shoppers recognise, e.g. \"Spain (mainland)\"".into());
        } else if names.contains(&zone.name.trim()) {
            problem(key("name"), format!("`{}` names another zone too; zone names must be unique", zone.name));
        }
        names.push(zone.name.trim());
        for country in &zone.countries {
            if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
                problem(key("countries"), format!("`{country}` is not an ISO 3166-1 alpha-2 code like \"ES\" (two capital letters)"));
            }
        }
        if !zone.cost.is_finite() || zone.cost < 0.0 {
            problem(key("cost"), format!("{} is not an amount: use 0 or more, e.g. 4.95 (0 for always free)", zone.cost));
        }
        if let Some(free_over) = zone.free_over
            && (!free_over.is_finite() || free_over <= 0.0)
        {
            problem(key("free_over"), format!("{free_over} is not an order amount: use more than 0, e.g. 50, or leave it out"));
        }
        if let Some(why) = span_problem(&zone.delivery_days) {
            problem(key("delivery_days"), why);
        }
    }
}

/// `scheme://host[:port]` with no path: what a browser sends as `Origin`.
pub fn is_origin(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else { return false };
    matches!(scheme, "http" | "https") && !rest.is_empty() && !rest.contains('/') && !rest.contains(char::is_whitespace)
}

fn check_connector(g: &GatewayConfig, src: &str, connector: &super::ConnectorSource, problems: &mut Vec<ConfigError>) {
    match g.plugin_manifest(&connector.plugin) {
        Err(why) => problems.push(ConfigError::invalid(src, "catalog.plugin", why)),
        Ok(path) if !path.is_file() => problems.push(ConfigError::invalid(
            "chatgw.toml",
            format!("plugins.{}", connector.plugin),
            format!("`{}` is not a readable connector.toml (paths are relative to the working folder)", path.display()),
        )),
        Ok(_) => {}
    }
    if let Some(http) = &connector.http {
        for (i, host) in http.allowed_hosts.iter().enumerate() {
            if !is_host_pattern(host) {
                problems.push(ConfigError::invalid(
                    src,
                    format!("catalog.http.allowed_hosts[{i}]"),
                    format!("`{host}` is not a host name like shop.example or *.myshopify.com"),
                ));
            }
        }
        for (i, host) in http.private_hosts.iter().enumerate() {
            let (name, port) = host.rsplit_once(':').map_or((host.as_str(), None), |(h, p)| (h, Some(p)));
            if name.is_empty() || port.is_some_and(|p| p.parse::<u16>().is_err()) || name.contains(['/', ' ']) {
                problems.push(ConfigError::invalid(src, format!("catalog.http.private_hosts[{i}]"), format!("`{host}` is not `host` or `host:port`")));
            }
        }
        for (i, credential) in http.credentials.iter().enumerate() {
            check_credential(src, &format!("catalog.http.credentials[{i}]"), http, credential, problems);
        }
    }
    if let Some(label) = &connector.sql {
        match g.databases.get(label) {
            None => problems.push(ConfigError::invalid(src, "catalog.sql", format!("`{label}` is not in the gateway's [databases]"))),
            Some(db) if super::secret_from_env(&db.url_env).is_none() => problems.push(ConfigError::invalid(
                "chatgw.toml",
                format!("databases.{label}.url_env"),
                format!("environment variable `{}` is not set", db.url_env),
            )),
            Some(_) => {}
        }
    }
    if let Some(webhook) = &connector.webhook
        && super::secret_from_env(&webhook.secret_env).is_none()
    {
        problems.push(ConfigError::invalid(src, "catalog.webhook.secret_env", format!("environment variable `{}` is not set", webhook.secret_env)));
    }
    if let Some(header) = connector.webhook.as_ref().and_then(|w| w.delivery_id_header.as_deref())
        && (header.trim().is_empty() || header.contains([':', ' ', '\n']))
    {
        problems.push(ConfigError::invalid(src, "catalog.webhook.delivery_id_header", format!("`{header}` is not a header name")));
    }
    if connector.max_pages_per_sync == 0 {
        problems.push(ConfigError::invalid(src, "catalog.max_pages_per_sync", "must be at least 1 (the default is 10000)"));
    }
    if connector.max_webhook_events == 0 {
        problems.push(ConfigError::invalid(src, "catalog.max_webhook_events", "must be at least 1 (the default is 250)"));
    }
}

/// One credential: an origin the store's plugin may reach (plain http only
/// to a private host), and exactly the fields its kind uses, each set.
fn check_credential(src: &str, key: &str, http: &super::HttpGrantConfig, credential: &super::CredentialConfig, problems: &mut Vec<ConfigError>) {
    let mut problem = |field: &str, message: String| problems.push(ConfigError::invalid(src, format!("{key}.{field}"), message));
    match chatgw_plugins::Origin::parse(&credential.host) {
        Err(why) => problem("host", why),
        Ok(origin) => {
            let private = http.private_hosts.iter().any(|entry| {
                let (name, port) = entry.rsplit_once(':').map_or((entry.as_str(), None), |(h, p)| (h, p.parse::<u16>().ok()));
                chatgw_plugins::AllowedHost::private(name, port).matches(&origin.host, origin.port)
            });
            let public = http.allowed_hosts.iter().any(|pattern| chatgw_plugins::AllowedHost::public(pattern).matches_host(&origin.host));
            if origin.scheme == "http" && !private {
                problem(
                    "host",
                    format!(
                        "`{}` would send the credential over plain http; use https://{}, or list the host in private_hosts if it is the store's own server on a private network",
                        credential.host, origin.host
                    ),
                );
            } else if !private && !public {
                problem("host", format!("`{}` is not in allowed_hosts or private_hosts, so the plugin could never use this credential", origin.host));
            }
        }
    }
    let is_header_name = |name: &str| !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    let (used, unused): (Vec<(&str, &String)>, Vec<(&str, &String)>) = match credential.kind {
        super::CredentialKind::Header => {
            if !is_header_name(&credential.header) {
                problem("header", format!("`{}` is not a header name (e.g. X-Shopify-Access-Token or Authorization)", credential.header));
            }
            (vec![("value_env", &credential.value_env)], vec![("username_env", &credential.username_env), ("password_env", &credential.password_env)])
        }
        super::CredentialKind::Basic => (
            vec![("username_env", &credential.username_env), ("password_env", &credential.password_env)],
            vec![("header", &credential.header), ("value_env", &credential.value_env), ("prefix", &credential.prefix)],
        ),
    };
    for (field, env) in used {
        if env.is_empty() {
            problem(field, format!("a `{}` credential needs {field}, the environment variable holding it", kind_name(credential.kind)));
        } else if super::secret_from_env(env).is_none() {
            problem(field, format!("environment variable `{env}` is not set"));
        }
    }
    for (field, value) in unused {
        if !value.is_empty() {
            problem(field, format!("a `{}` credential does not use {field}; remove it", kind_name(credential.kind)));
        }
    }
}

fn kind_name(kind: super::CredentialKind) -> &'static str {
    match kind {
        super::CredentialKind::Header => "header",
        super::CredentialKind::Basic => "basic",
    }
}

/// `shop.example` or `*.shop.example`: ASCII letters, digits, dots and dashes
/// (internationalised names in their punycode form).
fn is_host_pattern(host: &str) -> bool {
    let name = host.strip_prefix("*.").unwrap_or(host);
    !name.is_empty() && !name.starts_with(['.', '-']) && !name.ends_with('.') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}
