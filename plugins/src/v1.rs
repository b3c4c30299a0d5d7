//! Boundary for contract `chatgw:connector@1.x`: the generated bindings, the
//! host side of the 1.x imports, and conversions from 1.x types into the
//! version-independent [`crate::contract`] types. A 2.x contract gets a
//! sibling module; nothing outside this module names a 1.x type.

use std::time::Duration;

use wasmtime::component::{HasSelf, InstancePre, Linker};
use wasmtime::{Engine, Store};

use crate::contract as c;
use crate::grants::{Capability as Cap, SqlFailure, SqlValue as PlainSqlValue};
use crate::http::{HttpFailure, OutgoingRequest};
use crate::state::{HostState, LOG_LINE_BYTES, LOG_LINES_PER_CALL, escape_plugin_text};

// Imports are trappable: a capability violation ends the call there and
// then, rather than returning an error the plugin could loop on.
wasmtime::component::bindgen!({
    path: "../sdk/wit",
    world: "connector",
    imports: { default: async | trappable },
    exports: { default: async },
});

use chatgw::connector::{clock, host_http, host_sql, log, types};

/// The linker every 1.x plugin is instantiated with: the chatgw imports plus
/// the harmless part of WASI that language runtimes expect (stdio, clocks,
/// random, an empty environment, exit, "not a terminal"). Filesystem and sockets are not
/// linked, so a component importing them cannot be instantiated. Every
/// interface the import check in `host` accepts is linked here (a test
/// holds the two lists together).
pub(crate) fn linker(engine: &Engine) -> wasmtime::Result<Linker<HostState>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_proxy_interfaces_async(&mut linker)?;
    // Rust's `HashMap` seeds its hasher from insecure-seed; other runtimes
    // use insecure for their own hashing.
    use wasmtime_wasi::WasiView as _;
    use wasmtime_wasi::p2::bindings::random;
    random::insecure::add_to_linker::<HostState, wasmtime_wasi::random::WasiRandom>(&mut linker, |state| state.ctx().ctx.random())?;
    random::insecure_seed::add_to_linker::<HostState, wasmtime_wasi::random::WasiRandom>(&mut linker, |state| state.ctx().ctx.random())?;
    use wasmtime_wasi::cli::{WasiCli, WasiCliView};
    use wasmtime_wasi::p2::bindings::cli;
    cli::environment::add_to_linker::<HostState, WasiCli>(&mut linker, HostState::cli)?;
    cli::exit::add_to_linker::<HostState, WasiCli>(&mut linker, HostState::cli)?;
    // Rust's std asks whether stdio is a terminal; the answer is always no.
    cli::terminal_input::add_to_linker::<HostState, WasiCli>(&mut linker, HostState::cli)?;
    cli::terminal_output::add_to_linker::<HostState, WasiCli>(&mut linker, HostState::cli)?;
    cli::terminal_stdin::add_to_linker::<HostState, WasiCli>(&mut linker, HostState::cli)?;
    cli::terminal_stdout::add_to_linker::<HostState, WasiCli>(&mut linker, HostState::cli)?;
    cli::terminal_stderr::add_to_linker::<HostState, WasiCli>(&mut linker, HostState::cli)?;
    Connector::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |state| state)?;
    Ok(linker)
}

pub(crate) type Pre = ConnectorPre<HostState>;

pub(crate) fn pre(instance_pre: InstancePre<HostState>) -> wasmtime::Result<Pre> {
    ConnectorPre::new(instance_pre)
}

/// One export call, in version-independent terms.
#[derive(Debug, Clone)]
pub(crate) enum ExportCall {
    Describe,
    CheckConnection { settings: String },
    SyncProducts { settings: String, cursor: Option<String>, since: Option<String> },
    GetStock { settings: String, skus: Vec<String> },
    GetOrder { settings: String, order_ref: String },
    ParseWebhook { settings: String, topic: String, headers: Vec<c::Header>, body: Vec<u8> },
    ListTools { settings: String },
    CallTool { settings: String, name: String, arguments: String },
}

/// What an export returned, in version-independent terms.
#[derive(Debug, Clone)]
pub(crate) enum Reply {
    Describe(c::Descriptor),
    Unit(Result<(), c::ConnectorError>),
    ProductPage(Result<c::ProductPage, c::ConnectorError>),
    Stock(Result<Vec<c::StockLevel>, c::ConnectorError>),
    Order(Result<c::Order, c::ConnectorError>),
    Webhook(Result<Vec<c::WebhookEvent>, c::ConnectorError>),
    Tools(Vec<c::ToolSpec>),
    ToolResult(Result<String, c::ConnectorError>),
}

impl c::WireSize for Reply {
    fn wire_size(&self) -> u64 {
        match self {
            Reply::Describe(d) => d.wire_size(),
            Reply::Unit(r) => r.wire_size(),
            Reply::ProductPage(r) => r.wire_size(),
            Reply::Stock(r) => r.wire_size(),
            Reply::Order(r) => r.wire_size(),
            Reply::Webhook(r) => r.wire_size(),
            Reply::Tools(t) => t.wire_size(),
            Reply::ToolResult(r) => r.wire_size(),
        }
    }
}

pub(crate) async fn run(pre: &Pre, store: &mut Store<HostState>, call: ExportCall) -> wasmtime::Result<Reply> {
    let connector = pre.instantiate_async(&mut *store).await?;
    let plugin = connector.chatgw_connector_plugin();
    let store = &mut *store;
    Ok(match call {
        ExportCall::Describe => Reply::Describe(plugin.call_describe(store).await?.into()),
        ExportCall::CheckConnection { settings } => Reply::Unit(plugin.call_check_connection(store, &settings).await?.map_err(Into::into)),
        ExportCall::SyncProducts { settings, cursor, since } => {
            Reply::ProductPage(plugin.call_sync_products(store, &settings, cursor.as_deref(), since.as_deref()).await?.map(Into::into).map_err(Into::into))
        }
        ExportCall::GetStock { settings, skus } => {
            Reply::Stock(plugin.call_get_stock(store, &settings, &skus).await?.map(|levels| levels.into_iter().map(Into::into).collect()).map_err(Into::into))
        }
        ExportCall::GetOrder { settings, order_ref } => {
            Reply::Order(plugin.call_get_order(store, &settings, &order_ref).await?.map(Into::into).map_err(Into::into))
        }
        ExportCall::ParseWebhook { settings, topic, headers, body } => {
            let headers: Vec<types::Header> = headers.into_iter().map(|h| types::Header { name: h.name, value: h.value }).collect();
            Reply::Webhook(
                plugin
                    .call_parse_webhook(store, &settings, &topic, &headers, &body)
                    .await?
                    .map(|events| events.into_iter().map(Into::into).collect())
                    .map_err(Into::into),
            )
        }
        ExportCall::ListTools { settings } => Reply::Tools(plugin.call_list_tools(store, &settings).await?.into_iter().map(Into::into).collect()),
        ExportCall::CallTool { settings, name, arguments } => {
            Reply::ToolResult(plugin.call_call_tool(store, &settings, &name, &arguments).await?.map_err(Into::into))
        }
    })
}

// ---- host side of the imports -------------------------------------------

impl types::Host for HostState {}

impl HostState {
    /// A use of a capability this store did not grant ends the call. The
    /// linker defines every chatgw import so that one compiled plugin serves
    /// all stores; the per-store check happens here and at bind time.
    fn missing(&mut self, capability: Cap) -> wasmtime::Error {
        let why = format!("plugin `{}` called `{}` but this store did not grant the {capability:?} capability", self.plugin_id, capability.interface());
        self.deny(why)
    }
}

impl host_http::Host for HostState {
    async fn send(&mut self, request: host_http::Request) -> wasmtime::Result<Result<host_http::Response, host_http::HttpError>> {
        let Some(gate) = self.grants.http.clone() else {
            return Err(self.missing(Cap::Http));
        };
        let body_bytes = request.body.as_ref().map_or(0, |b| b.len() as u64);
        let size = body_bytes + request.url.len() as u64 + request.headers.iter().map(|h| (h.name.len() + h.value.len() + 4) as u64).sum::<u64>();
        if let Err(why) = self.http.spend(body_bytes, size) {
            let why = format!("plugin `{}` sent {why}", self.plugin_id);
            return Err(self.deny(why));
        }
        let outgoing = OutgoingRequest {
            method: match request.method {
                host_http::Method::Get => reqwest::Method::GET,
                host_http::Method::Post => reqwest::Method::POST,
                host_http::Method::Put => reqwest::Method::PUT,
                host_http::Method::Patch => reqwest::Method::PATCH,
                host_http::Method::Delete => reqwest::Method::DELETE,
                host_http::Method::Head => reqwest::Method::HEAD,
            },
            url: request.url,
            headers: request.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            body: request.body,
            timeout: request.timeout_ms.map(|ms| Duration::from_millis(u64::from(ms))),
        };
        Ok(match gate.send(outgoing).await {
            Ok(response) => Ok(host_http::Response {
                status: response.status,
                headers: response.headers.into_iter().map(|(name, value)| types::Header { name, value }).collect(),
                body: response.body,
            }),
            // Logged once, by the host, when the call ends.
            Err(HttpFailure::Denied(why)) => return Err(self.deny(format!("HTTP request refused: {why}"))),
            Err(HttpFailure::InvalidRequest(why)) => Err(host_http::HttpError::InvalidRequest(why)),
            Err(HttpFailure::Timeout) => Err(host_http::HttpError::Timeout),
            Err(HttpFailure::TooLarge(cap)) => Err(host_http::HttpError::TooLarge(cap)),
            Err(HttpFailure::Transport(why)) => Err(host_http::HttpError::Transport(why)),
        })
    }
}

impl host_sql::Host for HostState {
    async fn query(&mut self, statement: String, params: Vec<host_sql::SqlValue>) -> wasmtime::Result<Result<host_sql::Rows, host_sql::SqlError>> {
        let Some(sql) = self.grants.sql.clone() else {
            return Err(self.missing(Cap::Sql));
        };
        let params = params
            .into_iter()
            .map(|p| match p {
                host_sql::SqlValue::Null => PlainSqlValue::Null,
                host_sql::SqlValue::Boolean(b) => PlainSqlValue::Boolean(b),
                host_sql::SqlValue::Integer(i) => PlainSqlValue::Integer(i),
                host_sql::SqlValue::Double(d) => PlainSqlValue::Double(d),
                host_sql::SqlValue::Text(t) => PlainSqlValue::Text(t),
                host_sql::SqlValue::Blob(b) => PlainSqlValue::Blob(b),
            })
            .collect();
        Ok(match sql.query(&statement, params).await {
            Ok(rows) => Ok(host_sql::Rows {
                columns: rows.columns,
                rows: rows
                    .rows
                    .into_iter()
                    .map(|row| {
                        row.into_iter()
                            .map(|v| match v {
                                PlainSqlValue::Null => host_sql::SqlValue::Null,
                                PlainSqlValue::Boolean(b) => host_sql::SqlValue::Boolean(b),
                                PlainSqlValue::Integer(i) => host_sql::SqlValue::Integer(i),
                                PlainSqlValue::Double(d) => host_sql::SqlValue::Double(d),
                                PlainSqlValue::Text(t) => host_sql::SqlValue::Text(t),
                                PlainSqlValue::Blob(b) => host_sql::SqlValue::Blob(b),
                            })
                            .collect()
                    })
                    .collect(),
                truncated: rows.truncated,
            }),
            Err(SqlFailure::Denied(why)) => return Err(self.deny(format!("SQL refused: {why}"))),
            Err(SqlFailure::InvalidQuery(why)) => Err(host_sql::SqlError::InvalidQuery(why)),
            Err(SqlFailure::Database(why)) => Err(host_sql::SqlError::Database(why)),
            Err(SqlFailure::Timeout) => Err(host_sql::SqlError::Timeout),
        })
    }
}

impl log::Host for HostState {
    /// Plugin lines go to the `plugin` log target with the plugin's id as a
    /// field, escaped so they cannot pass for gateway lines, and capped in
    /// length and number (the host notes how many it dropped).
    async fn write(&mut self, level: log::Level, message: String) -> wasmtime::Result<()> {
        if !self.grants.log {
            return Err(self.missing(Cap::Log));
        }
        self.log_lines = self.log_lines.saturating_add(1);
        if self.log_lines > LOG_LINES_PER_CALL {
            return Ok(());
        }
        let line = escape_plugin_text(&message, LOG_LINE_BYTES);
        let plugin = &*self.plugin_id;
        match level {
            log::Level::Trace => tracing::trace!(target: "plugin", plugin, "{line}"),
            log::Level::Debug => tracing::debug!(target: "plugin", plugin, "{line}"),
            log::Level::Info => tracing::info!(target: "plugin", plugin, "{line}"),
            log::Level::Warn => tracing::warn!(target: "plugin", plugin, "{line}"),
            log::Level::Error => tracing::error!(target: "plugin", plugin, "{line}"),
        }
        Ok(())
    }
}

impl clock::Host for HostState {
    async fn now_unix_ms(&mut self) -> wasmtime::Result<u64> {
        if !self.grants.clock {
            return Err(self.missing(Cap::Clock));
        }
        Ok(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64))
    }
}

// ---- 1.x types into contract types --------------------------------------

/// A plugin's error messages reach logs and operators: escaped like its
/// log lines, and capped.
impl From<types::ConnectorError> for c::ConnectorError {
    fn from(e: types::ConnectorError) -> Self {
        let safe = |m: String| escape_plugin_text(&m, LOG_LINE_BYTES);
        match e {
            types::ConnectorError::Auth(m) => c::ConnectorError::Auth(safe(m)),
            types::ConnectorError::NotFound(m) => c::ConnectorError::NotFound(safe(m)),
            types::ConnectorError::RateLimited(s) => c::ConnectorError::RateLimited(s),
            types::ConnectorError::Upstream(m) => c::ConnectorError::Upstream(safe(m)),
            types::ConnectorError::InvalidSettings(m) => c::ConnectorError::InvalidSettings(safe(m)),
        }
    }
}

impl From<types::Capability> for Cap {
    fn from(cap: types::Capability) -> Self {
        match cap {
            types::Capability::Http => Cap::Http,
            types::Capability::Sql => Cap::Sql,
            types::Capability::Log => Cap::Log,
            types::Capability::Clock => Cap::Clock,
        }
    }
}

impl From<types::Descriptor> for c::Descriptor {
    fn from(d: types::Descriptor) -> Self {
        c::Descriptor {
            id: d.id,
            version: d.version,
            capabilities: d.capabilities.into_iter().map(Into::into).collect(),
            settings_schema: d.settings_schema,
            webhook_signature: match d.webhook_signature {
                types::WebhookSignature::None => c::WebhookSignature::None,
                types::WebhookSignature::HmacSha256Base64(header) => c::WebhookSignature::HmacSha256Base64 { header },
                types::WebhookSignature::HmacSha256Hex(header) => c::WebhookSignature::HmacSha256Hex { header },
            },
        }
    }
}

impl From<types::Money> for c::Money {
    fn from(m: types::Money) -> Self {
        c::Money { amount_minor: m.amount_minor, currency: m.currency }
    }
}

impl From<types::ProductVariant> for c::ProductVariant {
    fn from(v: types::ProductVariant) -> Self {
        c::ProductVariant {
            external_id: v.external_id,
            sku: v.sku,
            title: v.title,
            price: v.price.map(Into::into),
            compare_at_price: v.compare_at_price.map(Into::into),
            options: v.options.into_iter().map(|o| c::VariantOption { name: o.name, value: o.value }).collect(),
            available: v.available,
        }
    }
}

impl From<types::Product> for c::Product {
    fn from(p: types::Product) -> Self {
        c::Product {
            external_id: p.external_id,
            title: p.title,
            description: p.description,
            url: p.url,
            image_urls: p.image_urls,
            vendor: p.vendor,
            product_type: p.product_type,
            tags: p.tags,
            status: p.status,
            updated_at: p.updated_at,
            variants: p.variants.into_iter().map(Into::into).collect(),
            attributes_json: p.attributes_json,
        }
    }
}

impl From<types::ProductPage> for c::ProductPage {
    fn from(p: types::ProductPage) -> Self {
        c::ProductPage { products: p.products.into_iter().map(Into::into).collect(), next_cursor: p.next_cursor }
    }
}

impl From<types::StockLevel> for c::StockLevel {
    fn from(s: types::StockLevel) -> Self {
        c::StockLevel { sku: s.sku, location: s.location, available: s.available }
    }
}

impl From<types::Order> for c::Order {
    fn from(o: types::Order) -> Self {
        c::Order {
            order_ref: o.order_ref,
            status: o.status,
            customer_email: o.customer_email,
            created_at: o.created_at,
            items: o.items.into_iter().map(|i| c::OrderItem { sku: i.sku, title: i.title, quantity: i.quantity, price: i.price.map(Into::into) }).collect(),
            fulfilments: o
                .fulfilments
                .into_iter()
                .map(|f| c::Fulfilment {
                    status: f.status,
                    tracking: f.tracking.into_iter().map(|t| c::Tracking { carrier: t.carrier, number: t.number, url: t.url }).collect(),
                    shipped_at: f.shipped_at,
                })
                .collect(),
            total: o.total.map(Into::into),
        }
    }
}

impl From<types::WebhookEvent> for c::WebhookEvent {
    fn from(e: types::WebhookEvent) -> Self {
        match e {
            types::WebhookEvent::ProductUpserted(p) => c::WebhookEvent::ProductUpserted(Box::new(p.into())),
            types::WebhookEvent::ProductDeleted(external_id) => c::WebhookEvent::ProductDeleted { external_id },
            types::WebhookEvent::StockChanged(levels) => c::WebhookEvent::StockChanged(levels.into_iter().map(Into::into).collect()),
            types::WebhookEvent::OrderUpdated(order_ref) => c::WebhookEvent::OrderUpdated { order_ref },
        }
    }
}

impl From<types::ToolSpec> for c::ToolSpec {
    fn from(t: types::ToolSpec) -> Self {
        c::ToolSpec { name: t.name, description: t.description, parameters_schema: t.parameters_schema }
    }
}
