//! Abuse limits of the public chat API, over real TCP: a flood from one
//! address or against one store gets 429s with `Retry-After` while another
//! store's shoppers still get answers; turns in flight are capped per store;
//! a refused message is not stored; forwarding headers count only behind
//! trusted proxies; limits are shared by gateways through Redis and fall
//! back to memory when Redis is down. Also: random session ids and a
//! `/readyz` without error text.

mod chat_support;
mod common;

use std::net::IpAddr;
use std::sync::Arc;

use async_trait::async_trait;
use chat_support::*;
use chatgw::App;
use chatgw::app::Services;
use chatgw::config::{GatewayConfig, Rate, StoreConfig};
use chatgw::embed::LocalEmbedder;
use chatgw::llm::offline::OfflineModel;
use chatgw::llm::{ChatModel, ChatRequest, LlmError, ModelStream};
use chatgw::ratelimit::{RateLimiter, RedisLimiter};
use chatgw::storage::Storage;
use futures::future::join_all;
use serde_json::Value;

/// A gateway over SQLite and memory sessions with these stores and models.
async fn gateway(config: GatewayConfig, stores: Vec<(StoreConfig, Arc<dyn ChatModel>)>, shared: Option<Arc<dyn RateLimiter>>) -> App {
    gateway_on(common::sqlite().await, config, stores, shared).await
}

async fn gateway_on(
    storage: Arc<dyn Storage>,
    config: GatewayConfig,
    stores: Vec<(StoreConfig, Arc<dyn ChatModel>)>,
    shared: Option<Arc<dyn RateLimiter>>,
) -> App {
    let services = Services { storage, sessions: memory_sessions(), embedder: Arc::new(LocalEmbedder::default()) };
    App::with_rate_limiter(config, services, stores, shared).await.expect("gateway builds")
}

fn offline(store: StoreConfig) -> (StoreConfig, Arc<dyn ChatModel>) {
    (store, Arc::new(OfflineModel))
}

fn rate(per_minute: u32, burst: u32) -> Rate {
    Rate { per_minute, burst }
}

/// An HTTP client whose connections come from `ip` (any 127.x.y.z works on
/// Linux loopback), so the gateway sees distinct shoppers.
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(ip.parse::<IpAddr>().expect("ip")).build().expect("client")
}

/// What one `POST /v1/chat` answered.
#[derive(Debug)]
struct Answer {
    status: u16,
    retry_after: Option<u64>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn sse(&self) -> Sse {
        assert_eq!(self.status, 200, "{self:?}");
        parse_sse(&self.body)
    }

    /// A 429 in the documented shape; returns its scope.
    fn assert_rate_limited(&self) -> String {
        assert_eq!(self.status, 429, "{self:?}");
        let retry_after = self.retry_after.expect("429 carries Retry-After in whole seconds");
        assert!(retry_after >= 1, "{self:?}");
        let error = &self.json()["error"];
        assert_eq!(error["code"], "rate_limited", "{self:?}");
        assert_eq!(error["retry_after_s"], retry_after, "body and header agree: {self:?}");
        assert!(error["message"].as_str().is_some_and(|m| m.contains(&retry_after.to_string())), "{self:?}");
        error["scope"].as_str().expect("scope").to_owned()
    }
}

async fn post(client: &reqwest::Client, base: &str, key: &str, session: Option<&str>, message: &str, forwarded_for: Option<&str>) -> Answer {
    let mut request = client.post(format!("{base}/v1/chat")).header("X-Store-Key", key).json(&serde_json::json!({ "session_id": session, "message": message }));
    if let Some(xff) = forwarded_for {
        request = request.header("X-Forwarded-For", xff);
    }
    let response = request.send().await.expect("chat request");
    let status = response.status().as_u16();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    Answer { status, retry_after, body: response.text().await.expect("body") }
}

/// A shopper of the other store, from its own address: three turns of one
/// conversation, each answered to the end.
async fn other_store_shopper_is_answered(base: &str, ip: &str) {
    let client = client_from(ip);
    let first = post(&client, base, "pk_peak_test", None, "a tent for camping", None).await.sse();
    first.done();
    let session = first.session_id();
    for message in ["is it light?", "and running shoes?"] {
        post(&client, base, "pk_peak_test", Some(&session), message, None).await.sse().done();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_is_refused_while_another_store_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut demo = demo_store();
    // One token a minute after a burst of 3: the refill cannot matter here.
    demo.limits.chat_per_ip = rate(1, 3);
    let base = serve(gateway(gateway_config(), vec![offline(demo), offline(other_store(dir.path()))], None).await).await;

    let flooder = client_from("127.0.0.1");
    let flood = join_all((0..30).map(|i| {
        let (flooder, base) = (flooder.clone(), base.clone());
        async move { post(&flooder, &base, "pk_demo", None, &format!("linen shirt {i}"), None).await }
    }));
    let (answers, ()) = tokio::join!(flood, other_store_shopper_is_answered(&base, "127.0.0.2"));

    let answered: Vec<&Answer> = answers.iter().filter(|a| a.status == 200).collect();
    assert!((1..=4).contains(&answered.len()), "the burst (3) gets through, no more: {} answered", answered.len());
    for answer in &answered {
        answer.sse().done();
    }
    let refused: Vec<&Answer> = answers.iter().filter(|a| a.status != 200).collect();
    assert_eq!(refused.len(), 30 - answered.len());
    for answer in refused {
        assert_eq!(answer.assert_rate_limited(), "ip");
    }
    // The same address still reaches the other store: limits are per store.
    other_store_shopper_is_answered(&base, "127.0.0.1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_many_addresses_hits_the_store_limit_and_another_store_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut demo = demo_store();
    demo.limits.chat_per_store = rate(1, 5);
    let base = serve(gateway(gateway_config(), vec![offline(demo), offline(other_store(dir.path()))], None).await).await;

    let flood = join_all((10..30).map(|i| {
        let base = base.clone();
        async move {
            let client = client_from(&format!("127.0.0.{i}"));
            vec![post(&client, &base, "pk_demo", None, "warm coat", None).await, post(&client, &base, "pk_demo", None, "wool scarf", None).await]
        }
    }));
    let (answers, ()) = tokio::join!(flood, other_store_shopper_is_answered(&base, "127.0.0.2"));
    let answers: Vec<Answer> = answers.into_iter().flatten().collect();
    let answered = answers.iter().filter(|a| a.status == 200).count();
    assert!((1..=6).contains(&answered), "the store's burst (5) gets through, no more: {answered} answered");
    for answer in answers.iter().filter(|a| a.status != 200) {
        assert_eq!(answer.assert_rate_limited(), "store");
    }
}

/// A model that answers only once the gate opens: turns stay in flight as
/// long as the test wants, with no timing involved.
struct GatedModel {
    open: tokio::sync::watch::Receiver<bool>,
}

#[async_trait]
impl ChatModel for GatedModel {
    fn provider(&self) -> &'static str {
        "offline"
    }

    fn is_offline(&self) -> bool {
        true
    }

    async fn stream(&self, request: ChatRequest) -> Result<ModelStream, LlmError> {
        let mut open = self.open.clone();
        let _ = open.wait_for(|open| *open).await;
        OfflineModel.stream(request).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_at_its_cap_of_turns_in_flight_refuses_and_another_store_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (gate, open) = tokio::sync::watch::channel(false);
    let mut demo = demo_store();
    demo.limits.turns_in_flight = 2;
    let stores: Vec<(StoreConfig, Arc<dyn ChatModel>)> = vec![(demo, Arc::new(GatedModel { open })), offline(other_store(dir.path()))];
    let base = serve(gateway(gateway_config(), stores, None).await).await;

    // Two turns held at the model: the store's cap.
    let mut held = Vec::new();
    for ip in ["127.0.0.3", "127.0.0.4"] {
        let response = client_from(ip)
            .post(format!("{base}/v1/chat"))
            .header("X-Store-Key", "pk_demo")
            .json(&serde_json::json!({ "message": "linen shirt" }))
            .send()
            .await
            .expect("chat");
        assert_eq!(response.status(), 200);
        held.push(response);
    }
    let refused = post(&client_from("127.0.0.5"), &base, "pk_demo", None, "warm coat", None).await;
    assert_eq!(refused.assert_rate_limited(), "store");
    other_store_shopper_is_answered(&base, "127.0.0.6").await;

    gate.send(true).expect("gate");
    for response in held {
        parse_sse(&response.text().await.expect("body")).done();
    }
    // The slots are free again once those turns ended.
    post(&client_from("127.0.0.5"), &base, "pk_demo", None, "warm coat", None).await.sse().done();
}

#[tokio::test]
async fn a_refused_message_is_not_stored() {
    let mut demo = demo_store();
    demo.limits.chat_per_session = rate(1, 2);
    let base = serve(gateway(gateway_config(), vec![offline(demo)], None).await).await;
    let client = client_from("127.0.0.7");

    // The first message opens the session; the session's own bucket counts
    // the messages that name it.
    let first = post(&client, &base, "pk_demo", None, "linen shirt", None).await.sse();
    let session = first.session_id();
    for message in ["in blue?", "size M?"] {
        post(&client, &base, "pk_demo", Some(&session), message, None).await.sse().done();
    }
    let refused = post(&client, &base, "pk_demo", Some(&session), "REFUSED MESSAGE", None).await;
    assert_eq!(refused.assert_rate_limited(), "session");

    let transcript: Value = client
        .get(format!("{base}/v1/sessions/{session}/messages"))
        .header("X-Store-Key", "pk_demo")
        .send()
        .await
        .expect("transcript")
        .json()
        .await
        .expect("json");
    let user: Vec<&str> =
        transcript["messages"].as_array().expect("messages").iter().filter(|m| m["role"] == "user").filter_map(|m| m["text"].as_str()).collect();
    assert_eq!(user, ["linen shirt", "in blue?", "size M?"], "the refused message was never stored");
    // Another session from the same address is not held back.
    post(&client, &base, "pk_demo", None, "warm coat", None).await.sse().done();
}

#[tokio::test]
async fn transcript_reads_are_limited_per_address() {
    let mut demo = demo_store();
    demo.limits.transcript_per_ip = rate(1, 2);
    let base = serve(gateway(gateway_config(), vec![offline(demo)], None).await).await;
    let client = client_from("127.0.0.8");
    let session = post(&client, &base, "pk_demo", None, "linen shirt", None).await.sse().session_id();
    let read = |client: reqwest::Client| {
        let url = format!("{base}/v1/sessions/{session}/messages");
        async move {
            let response = client.get(url).header("X-Store-Key", "pk_demo").send().await.expect("transcript");
            let status = response.status().as_u16();
            let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
            Answer { status, retry_after, body: response.text().await.expect("body") }
        }
    };
    assert_eq!(read(client.clone()).await.status, 200);
    assert_eq!(read(client.clone()).await.status, 200);
    assert_eq!(read(client.clone()).await.assert_rate_limited(), "ip");
    assert_eq!(read(client_from("127.0.0.9")).await.status, 200, "another address has its own bucket");
}

#[tokio::test]
async fn forwarded_addresses_count_only_behind_trusted_proxies() {
    let mut demo = demo_store();
    demo.limits.chat_per_ip = rate(1, 1);
    let mut behind_proxy = gateway_config();
    behind_proxy.server.trusted_proxies = vec!["127.0.0.0/8".into()];
    let base = serve(gateway(behind_proxy, vec![offline(demo.clone())], None).await).await;
    let proxy = client_from("127.0.0.10");
    let ask = |xff: &'static str| {
        let (proxy, base) = (proxy.clone(), base.clone());
        async move { post(&proxy, &base, "pk_demo", None, "linen shirt", Some(xff)).await }
    };
    ask("198.51.100.1").await.sse().done();
    assert_eq!(ask("198.51.100.1").await.assert_rate_limited(), "ip");
    ask("198.51.100.2").await.sse().done();
    // A client that writes its own X-Forwarded-For is still counted by the
    // address our proxy saw (the right-most one it appended).
    assert_eq!(ask("203.0.113.77, 198.51.100.2").await.assert_rate_limited(), "ip");
    // IPv6 clients count by their /64.
    ask("2001:db8:1:2::1").await.sse().done();
    assert_eq!(ask("2001:db8:1:2:ffff::9").await.assert_rate_limited(), "ip");

    // Without trusted proxies the header is ignored: rotating it gains nothing.
    let direct = serve(gateway(gateway_config(), vec![offline(demo)], None).await).await;
    let client = client_from("127.0.0.11");
    post(&client, &direct, "pk_demo", None, "linen shirt", Some("198.51.100.3")).await.sse().done();
    assert_eq!(post(&client, &direct, "pk_demo", None, "linen shirt", Some("198.51.100.4")).await.assert_rate_limited(), "ip");
}

async fn redis_or_fail(url: &str) -> redis::aio::MultiplexedConnection {
    let connect = async { redis::Client::open(url)?.get_multiplexed_async_connection().await };
    match connect.await {
        Ok(conn) => conn,
        Err(e) => panic!("Redis at {url} cannot be reached ({e}); start it with `bash scripts/setup-services.sh` or set TEST_REDIS_URL"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_gateways_share_their_limits_through_redis() {
    let url = common::redis_url();
    let mut conn = redis_or_fail(&url).await;
    let prefix = common::unique_prefix();
    let mut demo = demo_store();
    demo.limits.chat_per_ip = rate(1, 3);
    let storage: Arc<dyn Storage> = common::sqlite().await;
    let mut bases = Vec::new();
    for _ in 0..2 {
        let limiter: Arc<dyn RateLimiter> = Arc::new(RedisLimiter::new(&url, &prefix).expect("redis url"));
        bases.push(serve(gateway_on(storage.clone(), gateway_config(), vec![offline(demo.clone())], Some(limiter)).await).await);
    }
    let client = client_from("127.0.0.12");
    let mut answers = Vec::new();
    for i in 0..8 {
        answers.push(post(&client, &bases[i % 2], "pk_demo", None, "linen shirt", None).await);
    }
    let answered = answers.iter().filter(|a| a.status == 200).count();
    // Counted apart, each gateway would let 3 through (6 in all).
    assert!((3..=4).contains(&answered), "one shared burst of 3: {answered} answered");
    for answer in answers.iter().filter(|a| a.status != 200) {
        assert_eq!(answer.assert_rate_limited(), "ip");
    }
    // The buckets are keys under the gateway's prefix, and they expire.
    let keys: Vec<String> = redis::cmd("KEYS").arg(format!("{prefix}:rl:*")).query_async(&mut conn).await.expect("keys");
    assert!(keys.iter().any(|k| k.contains("chat-ip:127.0.0.12")), "{keys:?}");
    for key in &keys {
        let ttl: i64 = redis::cmd("PTTL").arg(key).query_async(&mut conn).await.expect("pttl");
        assert!(ttl > 0, "{key} has no expiry");
        let _: () = redis::cmd("DEL").arg(key).query_async(&mut conn).await.expect("del");
    }
}

#[tokio::test]
async fn with_redis_down_chat_goes_on_under_memory_limits() {
    // Nothing listens on port 1.
    let limiter: Arc<dyn RateLimiter> = Arc::new(RedisLimiter::new("redis://127.0.0.1:1", &common::unique_prefix()).expect("redis url"));
    let mut demo = demo_store();
    demo.limits.chat_per_ip = rate(1, 2);
    let app = gateway(gateway_config(), vec![offline(demo)], Some(limiter)).await;
    assert_eq!(app.rate_limits().backend(), "redis");
    let base = serve(app).await;
    let client = client_from("127.0.0.13");
    post(&client, &base, "pk_demo", None, "linen shirt", None).await.sse().done();
    post(&client, &base, "pk_demo", None, "warm coat", None).await.sse().done();
    assert_eq!(post(&client, &base, "pk_demo", None, "wool scarf", None).await.assert_rate_limited(), "ip");
}

#[tokio::test]
async fn new_session_ids_are_random_uuids() {
    let base = serve(gateway(gateway_config(), vec![offline(demo_store())], None).await).await;
    let client = client_from("127.0.0.14");
    let mut seen = std::collections::HashSet::new();
    for _ in 0..3 {
        let id = post(&client, &base, "pk_demo", None, "linen shirt", None).await.sse().session_id();
        let uuid = uuid::Uuid::parse_str(&id).expect("a UUID");
        // Version 4: 122 random bits, no timestamp to narrow a guess.
        assert_eq!(uuid.get_version_num(), 4, "{id}");
        assert!(seen.insert(id));
    }
}

#[tokio::test]
async fn readiness_says_what_is_down_without_error_text() {
    let pg = common::postgres().await;
    let base = serve(gateway_on(pg.dyn_storage(), gateway_config(), vec![offline(demo_store())], None).await).await;
    let ready = reqwest::get(format!("{base}/readyz")).await.expect("readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<Value>().await.expect("json"), serde_json::json!({ "status": "ready", "checks": { "database": "ok", "sessions": "ok" } }));

    pg.storage().pool().close().await;
    let down = reqwest::get(format!("{base}/readyz")).await.expect("readyz");
    assert_eq!(down.status(), 503);
    let body: Value = down.json().await.expect("json");
    assert_eq!(body, serde_json::json!({ "status": "unavailable", "checks": { "database": "down", "sessions": "ok" } }), "no error text: {body}");
}

/// A store file with this `[limits]` section.
fn store_file(limits: &str) -> String {
    format!("id = \"shop\"\nname = \"Shop\"\nlanguages = [\"en\"]\npublic_key = \"pk_shop_123\"\n[catalog]\nkind = \"demo\"\n[limits]\n{limits}\n")
}

#[test]
fn limits_that_let_nothing_through_and_bad_proxy_ranges_are_config_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stores = dir.path().join("stores");
    std::fs::create_dir(&stores).expect("mkdir");
    let gateway = dir.path().join("chatgw.toml");
    std::fs::write(stores.join("shop.toml"), store_file("chat_per_ip = { per_minute = 0, burst = 5 }\nplugin_calls_in_flight = 500")).expect("write store");
    std::fs::write(&gateway, "[server]\ntrusted_proxies = [\"10.0.0.0/33\"]\n").expect("write gateway");
    let error = chatgw::config::load(Some(&gateway), Some(&stores)).expect_err("invalid").to_string();
    for needle in ["limits.chat_per_ip", "limits.plugin_calls_in_flight", "server.trusted_proxies[0]", "shop.toml"] {
        assert!(error.contains(needle), "`{needle}` missing from: {error}");
    }

    // And the keys parse as documented.
    std::fs::write(stores.join("shop.toml"), store_file("chat_per_ip = { per_minute = 20, burst = 10 }\nturns_in_flight = 8")).expect("write store");
    std::fs::write(&gateway, "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"2001:db8::/32\", \"192.0.2.1\"]\n").expect("write gateway");
    let loaded = chatgw::config::load(Some(&gateway), Some(&stores)).expect("valid");
    assert_eq!(loaded.stores[0].limits.chat_per_ip, rate(20, 10));
    assert_eq!(loaded.stores[0].limits.turns_in_flight, 8);
}
