//! Handoff to a person, end to end over HTTP: a message that needs a person
//! opens a ticket and the assistant steps back (no products, one
//! acknowledgement); while the ticket is open the assistant stays silent and
//! the shopper's messages reach the agents live; an agent's reply reaches
//! the shopper's event stream (also across two gateways sharing Redis); the
//! assistant answers again once the ticket is resolved; the helpdesk
//! webhook receives signed tickets; agent tokens are per store.

mod chat_support;
mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use chat_support::*;
use chatgw::App;
use chatgw::app::Services;
use chatgw::config::{EscalatePolicy, HelpdeskConfig, StoreConfig};
use chatgw::embed::{Embedder, LocalEmbedder};
use chatgw::llm::ChatModel;
use chatgw::llm::offline::OfflineModel;
use chatgw::storage::Storage;
use futures::StreamExt;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::sync::mpsc;

const AGENT_TOKEN: &str = "agent-token-demo-7f3a";

/// Every test runs in its own process (nextest): setting variables at its
/// start races with nothing.
fn set_env(name: &str, value: &str) {
    unsafe { std::env::set_var(name, value) };
}

fn demo_with_agents(token_env: &str) -> StoreConfig {
    let mut store = demo_store();
    store.handoff.agent_token_env = token_env.into();
    store
}

async fn app_with(storage: Arc<dyn Storage>, stores: Vec<StoreConfig>, redis_env: Option<(&str, &str)>) -> App {
    let mut gateway = gateway_config();
    if let Some((variable, prefix)) = redis_env {
        gateway.redis.url_env = variable.into();
        gateway.redis.key_prefix = prefix.into();
    }
    let embedder: Arc<dyn Embedder> = Arc::new(LocalEmbedder::default());
    let stores = stores.into_iter().map(|s| (s, Arc::new(OfflineModel) as Arc<dyn ChatModel>)).collect();
    App::new(gateway, Services { storage, sessions: memory_sessions(), embedder }, stores).await.expect("gateway builds")
}

async fn gateway(token_env: &str) -> String {
    set_env(token_env, AGENT_TOKEN);
    serve(app_with(common::sqlite().await, vec![demo_with_agents(token_env)], None).await).await
}

/// An SSE stream held open, read event by event.
struct Live {
    events: mpsc::Receiver<(String, Value)>,
}

impl Live {
    async fn open(url: String, headers: &[(&str, &str)]) -> Self {
        let mut request = reqwest::Client::new().get(url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("stream request");
        assert_eq!(response.status(), 200, "stream refused: {:?}", response.text().await);
        let (tx, events) = mpsc::channel(64);
        tokio::spawn(async move {
            let mut body = response.bytes_stream();
            let mut buffer = String::new();
            while let Some(Ok(chunk)) = body.next().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    for event in parse_sse(&block).events {
                        if tx.send(event).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
        Self { events }
    }

    /// The next event called `name` (others are skipped), within 10 s.
    async fn next(&mut self, name: &str) -> Value {
        let wait = async {
            while let Some((event, data)) = self.events.recv().await {
                if event == name {
                    return data;
                }
            }
            panic!("the stream ended before a `{name}` event");
        };
        tokio::time::timeout(Duration::from_secs(10), wait).await.unwrap_or_else(|_| panic!("no `{name}` event within 10 s"))
    }

    /// No event called `name` arrives within `wait`.
    async fn none(&mut self, name: &str, wait: Duration) {
        let _ = tokio::time::timeout(wait, async {
            while let Some((event, data)) = self.events.recv().await {
                assert_ne!(event, name, "unexpected `{name}` event: {data}");
            }
        })
        .await;
    }
}

fn agent_headers() -> [(&'static str, &'static str); 1] {
    [("Authorization", "Bearer agent-token-demo-7f3a")]
}

async fn agent_get(base: &str, path: &str, token: &str) -> (u16, Value) {
    let response = reqwest::Client::new().get(format!("{base}{path}")).bearer_auth(token).send().await.expect("agent request");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

async fn agent_post(base: &str, path: &str, body: Value) -> (u16, Value) {
    let response = reqwest::Client::new().post(format!("{base}{path}")).bearer_auth(AGENT_TOKEN).json(&body).send().await.expect("agent request");
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_damaged_item_hands_off_and_the_bot_stays_silent_until_the_ticket_is_resolved() {
    let base = gateway("CHATGW_TEST_AGENT_TOKEN_A").await;

    // The shopper first browses, then reports a damaged item.
    let browse = chat(&base, "pk_demo", None, "I'm looking for a summer dress").await;
    let session = browse.session_id();
    let browsed = browse.product_ids();
    let damaged = chat(&base, "pk_demo", Some(&session), "I received a damaged dress and I want a refund").await;
    let handoff = damaged.first("handoff").expect("handoff event");
    assert_eq!(handoff["status"], "handed_off");
    assert_eq!(handoff["label"], "escalate");
    let ticket_id = handoff["ticket_id"].as_str().expect("ticket id").to_owned();
    assert!(damaged.first("products").is_none(), "no product recommendations to an unhappy shopper: {:?}", damaged.names());
    assert!(damaged.first("tool").is_none(), "no tool calls either: {:?}", damaged.names());
    assert_eq!(damaged.text(), handoff["message"].as_str().unwrap(), "one acknowledgement, nothing else");
    assert_eq!(damaged.done()["ticket_id"], ticket_id.as_str());

    // The agents see the ticket with the whole conversation and the products.
    let (status, queue) = agent_get(&base, "/v1/agent/tickets", AGENT_TOKEN).await;
    assert_eq!(status, 200, "{queue}");
    let listed = queue["tickets"].as_array().expect("tickets");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], ticket_id.as_str());
    let reason = listed[0]["reason"].as_str().unwrap();
    assert!(["damaged_item", "refund"].contains(&reason), "{reason}");
    assert_eq!(listed[0]["language"], "en");
    let (status, shown) = agent_get(&base, &format!("/v1/agent/tickets/{ticket_id}"), AGENT_TOKEN).await;
    assert_eq!(status, 200, "{shown}");
    let texts: Vec<&str> = shown["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), 4, "browse, answer, complaint, acknowledgement: {texts:?}");
    assert_eq!(texts[2], "I received a damaged dress and I want a refund");
    // The complaint's analysis was stored with the acknowledgement.
    assert_eq!((&shown["messages"][2]["language"], &shown["messages"][2]["label"]), (&json!("en"), &json!("escalate")), "{shown}");
    let products: Vec<&str> = shown["products"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert!(!browsed.is_empty() && browsed.iter().all(|id| products.contains(&id.as_str())), "{products:?} vs {browsed:?}");

    // While the ticket is open, the assistant says nothing and the agents
    // receive the shopper's message live.
    let mut agents = Live::open(format!("{base}/v1/agent/events"), &agent_headers()).await;
    agents.next("ready").await;
    let mut shopper = Live::open(format!("{base}/v1/sessions/{session}/events"), &[("X-Store-Key", "pk_demo")]).await;
    let ready = shopper.next("ready").await;
    assert_eq!(ready["ticket"]["id"], ticket_id.as_str());
    let waiting = chat(&base, "pk_demo", Some(&session), "Do you also have linen shirts?").await;
    assert_eq!(waiting.first("handoff").expect("handoff state")["status"], "waiting");
    assert!(waiting.text().is_empty(), "the bot improvised: {}", waiting.text());
    assert!(waiting.first("products").is_none(), "{:?}", waiting.names());
    let forwarded = agents.next("shopper_message").await;
    assert_eq!(forwarded["text"], "Do you also have linen shirts?");
    assert_eq!(forwarded["ticket_id"], ticket_id.as_str());

    // The agent replies: the shopper's stream carries it at once.
    let (status, replied) = agent_post(
        &base,
        &format!("/v1/agent/tickets/{ticket_id}/reply"),
        json!({"agent": "Marta", "text": "Sorry about that! I've sent you a return label."}),
    )
    .await;
    assert_eq!(status, 200, "{replied}");
    assert_eq!(replied["ticket"]["status"], "claimed", "replying claims the ticket");
    let claimed = shopper.next("ticket").await;
    assert_eq!(claimed["status"], "claimed");
    let reply = shopper.next("agent_message").await;
    assert_eq!(reply["text"], "Sorry about that! I've sent you a return label.");
    assert_eq!(reply["agent"], "Marta");
    // Another agent cannot take it over.
    let (status, refused) = agent_post(&base, &format!("/v1/agent/tickets/{ticket_id}/claim"), json!({"agent": "Joan"})).await;
    assert_eq!(status, 409, "{refused}");

    // Resolved: the assistant answers again.
    let (status, resolved) = agent_post(&base, &format!("/v1/agent/tickets/{ticket_id}/resolve"), json!({})).await;
    assert_eq!(status, 200, "{resolved}");
    assert_eq!(shopper.next("ticket").await["status"], "resolved");
    let again = chat(&base, "pk_demo", Some(&session), "Great, thanks. Now I need a light summer jacket").await;
    assert!(again.first("handoff").is_none(), "{:?}", again.names());
    assert!(!again.text().is_empty(), "the assistant answers after the ticket is resolved");
    assert_eq!(again.done()["ticket_id"], Value::Null);

    // The transcript keeps the agent's reply in order.
    let transcript: Value = reqwest::Client::new()
        .get(format!("{base}/v1/sessions/{session}/messages"))
        .header("X-Store-Key", "pk_demo")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let roles: Vec<&str> = transcript["messages"].as_array().unwrap().iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["user", "assistant", "user", "assistant", "user", "agent", "user", "assistant"]);
}

#[tokio::test]
async fn explicit_requests_for_a_person_hand_off_in_several_languages() {
    let base = gateway("CHATGW_TEST_AGENT_TOKEN_B").await;
    for (message, language) in [("I want to talk to a person", "en"), ("quiero hablar con una persona, por favor", "es")] {
        let turn = chat(&base, "pk_demo", None, message).await;
        let handoff = turn.first("handoff").unwrap_or_else(|| panic!("no handoff for {message:?}: {:?}", turn.names()));
        assert_eq!(handoff["status"], "handed_off", "{message}");
        assert_eq!(handoff["reason"], "asked_for_human", "{message}");
        assert_eq!(turn.done()["language"], language, "{message}");
        assert!(turn.first("products").is_none(), "{message}");
    }
}

#[tokio::test]
async fn the_talk_to_a_person_button_opens_one_ticket() {
    let base = gateway("CHATGW_TEST_AGENT_TOKEN_C").await;
    let first = chat(&base, "pk_demo", None, "¿Tenéis vestidos de lino?").await;
    let session = first.session_id();
    let press = || async {
        let response = reqwest::Client::new().post(format!("{base}/v1/sessions/{session}/handoff")).header("X-Store-Key", "pk_demo").send().await.unwrap();
        (response.status().as_u16(), response.json::<Value>().await.unwrap())
    };
    let (status, opened) = press().await;
    assert_eq!(status, 200, "{opened}");
    assert_eq!(opened["created"], true);
    assert_eq!(opened["ticket"]["language"], "es");
    assert_eq!(opened["ticket"]["reason"], "asked_for_human");
    assert!(opened["message"].as_str().unwrap().contains("persona"), "{opened}");
    let (_, again) = press().await;
    assert_eq!(again["created"], false, "pressing twice keeps one ticket");
    assert_eq!(again["ticket"]["id"], opened["ticket"]["id"]);
    let (_, queue) = agent_get(&base, "/v1/agent/tickets", AGENT_TOKEN).await;
    assert_eq!(queue["tickets"].as_array().unwrap().len(), 1);

    let response = reqwest::Client::new().post(format!("{base}/v1/sessions/no-such-session/handoff")).header("X-Store-Key", "pk_demo").send().await.unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn agent_tokens_open_their_own_store_only() {
    set_env("CHATGW_TEST_AGENT_TOKEN_D", AGENT_TOKEN);
    set_env("CHATGW_TEST_AGENT_TOKEN_PEAK", "peak-agents-only");
    let dir = tempfile::tempdir().expect("tempdir");
    let mut peak = other_store(dir.path());
    peak.handoff.agent_token_env = "CHATGW_TEST_AGENT_TOKEN_PEAK".into();
    let base = serve(app_with(common::sqlite().await, vec![demo_with_agents("CHATGW_TEST_AGENT_TOKEN_D"), peak], None).await).await;
    let damaged = chat(&base, "pk_demo", None, "The jacket arrived broken, I want my money back").await;
    let ticket = damaged.first("handoff").expect("handoff")["ticket_id"].as_str().expect("ticket").to_owned();

    let (status, body) = agent_get(&base, "/v1/agent/tickets", "").await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "agent_unauthorized");
    let (status, _) = agent_get(&base, "/v1/agent/tickets", "guessed-token").await;
    assert_eq!(status, 401);
    // The auth scheme is case-insensitive.
    let response =
        reqwest::Client::new().get(format!("{base}/v1/agent/tickets")).header("authorization", format!("bearer {AGENT_TOKEN}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let (status, peak_queue) = agent_get(&base, "/v1/agent/tickets", "peak-agents-only").await;
    assert_eq!(status, 200);
    assert!(peak_queue["tickets"].as_array().unwrap().is_empty(), "another store's agents see nothing of the demo's");
    let (status, _) = agent_get(&base, &format!("/v1/agent/tickets/{ticket}"), "peak-agents-only").await;
    assert_eq!(status, 404);
    let response = reqwest::Client::new().get(format!("{base}/v1/agent/events")).send().await.unwrap();
    assert_eq!(response.status(), 401);

    // Bad input gets a clear error.
    let (status, body) = agent_post(&base, &format!("/v1/agent/tickets/{ticket}/reply"), json!({"agent": "Marta", "text": "   "})).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("empty"), "{body}");
    let (status, body) = agent_post(&base, &format!("/v1/agent/tickets/{ticket}/claim"), json!({"agent": ""})).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn a_store_that_offers_a_person_keeps_answering_escalations() {
    set_env("CHATGW_TEST_AGENT_TOKEN_E", AGENT_TOKEN);
    let mut store = demo_with_agents("CHATGW_TEST_AGENT_TOKEN_E");
    store.handoff.escalate = EscalatePolicy::Offer;
    let base = serve(app_with(common::sqlite().await, vec![store], None).await).await;
    let turn = chat(&base, "pk_demo", None, "The linen shirt I bought arrived damaged").await;
    let handoff = turn.first("handoff").expect("offer");
    assert_eq!(handoff["status"], "offered");
    assert_eq!(handoff["ticket_id"], Value::Null);
    assert!(!turn.text().is_empty(), "the assistant answers while a person is offered");
    let (_, queue) = agent_get(&base, "/v1/agent/tickets", AGENT_TOKEN).await;
    assert!(queue["tickets"].as_array().unwrap().is_empty(), "an offer opens no ticket");

    // An urgent message still hands off at once.
    let urgent = chat(&base, "pk_demo", None, "I will file a chargeback with my bank").await;
    assert_eq!(urgent.first("handoff").expect("handoff")["status"], "handed_off");
}

#[tokio::test]
async fn an_agent_reply_given_on_one_gateway_reaches_a_shopper_connected_to_another() {
    let token_env = "CHATGW_TEST_AGENT_TOKEN_F";
    let redis_env = "CHATGW_TEST_HANDOFF_REDIS_URL";
    set_env(token_env, AGENT_TOKEN);
    set_env(redis_env, &common::redis_url());
    let prefix = format!("{}:", common::unique_prefix());
    // Two gateways on one database and one Redis, as two replicas.
    let storage: Arc<dyn Storage> = common::sqlite().await;
    let one = serve(app_with(storage.clone(), vec![demo_with_agents(token_env)], Some((redis_env, &prefix))).await).await;
    let two = serve(app_with(storage, vec![demo_with_agents(token_env)], Some((redis_env, &prefix))).await).await;

    let damaged = chat(&one, "pk_demo", None, "My order arrived damaged, I want a refund").await;
    let session = damaged.session_id();
    let ticket = damaged.first("handoff").expect("handoff")["ticket_id"].as_str().expect("ticket").to_owned();
    let mut shopper = Live::open(format!("{two}/v1/sessions/{session}/events"), &[("X-Store-Key", "pk_demo")]).await;
    assert_eq!(shopper.next("ready").await["ticket"]["id"], ticket.as_str());
    let mut agents_on_one = Live::open(format!("{one}/v1/agent/events"), &agent_headers()).await;
    agents_on_one.next("ready").await;

    let (status, body) = agent_post(&one, &format!("/v1/agent/tickets/{ticket}/reply"), json!({"agent": "Marta", "text": "Hi, Marta here."})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(shopper.next("agent_message").await["text"], "Hi, Marta here.");

    // And the other way: the shopper writes through gateway two; the agent
    // listening on gateway one sees it.
    chat(&two, "pk_demo", Some(&session), "Thanks! When will it arrive?").await;
    assert_eq!(agents_on_one.next("shopper_message").await["text"], "Thanks! When will it arrive?");
    shopper.none("agent_message", Duration::from_millis(300)).await;
}

/// A helpdesk that records what it receives.
async fn helpdesk() -> (String, Arc<Mutex<Vec<(HeaderMap, Bytes)>>>) {
    let received: Arc<Mutex<Vec<(HeaderMap, Bytes)>>> = Arc::default();
    let sink = received.clone();
    let failures = Arc::new(Mutex::new(1u32));
    let router = axum::Router::new().route(
        "/hooks/chatgw",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let sink = sink.clone();
            let failures = failures.clone();
            async move {
                // The first delivery fails: the gateway must retry.
                let mut left = failures.lock().unwrap();
                if *left > 0 {
                    *left -= 1;
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                sink.lock().unwrap().push((headers, body));
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{addr}/hooks/chatgw"), received)
}

#[tokio::test]
async fn the_helpdesk_webhook_receives_signed_tickets_and_messages_after_a_retry() {
    let secret = "helpdesk-signing-secret-91c2";
    set_env("CHATGW_TEST_HELPDESK_SECRET", secret);
    set_env("CHATGW_TEST_AGENT_TOKEN_G", AGENT_TOKEN);
    let (url, received) = helpdesk().await;
    let mut store = demo_with_agents("CHATGW_TEST_AGENT_TOKEN_G");
    store.handoff.helpdesk = Some(HelpdeskConfig { url, secret_env: "CHATGW_TEST_HELPDESK_SECRET".into() });
    let base = serve(app_with(common::sqlite().await, vec![store], None).await).await;

    let damaged = chat(&base, "pk_demo", None, "The dress came torn. I want a refund.").await;
    let session = damaged.session_id();
    chat(&base, "pk_demo", Some(&session), "Hello? Anyone there?").await;

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while received.lock().unwrap().len() < 2 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deliveries = received.lock().unwrap().clone();
    assert!(deliveries.len() >= 2, "deliveries: {}", deliveries.len());
    for (headers, body) in &deliveries {
        // Checked with an independent HMAC, as a helpdesk would.
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(headers["x-chatgw-signature"].to_str().unwrap(), expected);
    }
    let created: Value = serde_json::from_slice(&deliveries[0].1).unwrap();
    assert_eq!(created["event"], "conversation_created");
    assert_eq!(created["id"], session.as_str());
    assert_eq!(created["ticket"]["label"], "escalate");
    let messages = created["messages"].as_array().unwrap();
    assert_eq!(messages[0]["content"], "The dress came torn. I want a refund.");
    assert_eq!(messages[0]["message_type"], "incoming");
    let follow_up: Value = serde_json::from_slice(&deliveries[1].1).unwrap();
    assert_eq!(follow_up["event"], "message_created");
    assert_eq!(follow_up["content"], "Hello? Anyone there?");
}

#[tokio::test]
async fn after_hours_the_shopper_learns_when_people_answer_and_can_leave_an_email() {
    set_env("CHATGW_TEST_AGENT_TOKEN_HOURS", AGENT_TOKEN);
    let mut store = demo_with_agents("CHATGW_TEST_AGENT_TOKEN_HOURS");
    // Open one day only, and that day is always closed: it is never "now".
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Madrid);
    let tomorrow = today.date_naive() + chrono::Duration::days(1);
    let day = |d: chrono::NaiveDate| d.format("%a").to_string().to_lowercase();
    store.handoff.hours = Some(chatgw::config::HoursConfig {
        timezone: "Europe/Madrid".into(),
        open: vec![format!("{} 10:00-12:00", day(tomorrow))],
        closed_dates: vec![today.date_naive().format("%Y-%m-%d").to_string()],
    });
    let base = serve(app_with(common::sqlite().await, vec![store], None).await).await;

    let asked = chat(&base, "pk_demo", None, "Quiero hablar con una persona, por favor").await;
    let handoff = asked.first("handoff").expect("handoff event");
    assert_eq!(handoff["status"], "handed_off");
    let message = handoff["message"].as_str().expect("message");
    let weekday_es =
        ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"][chrono::Datelike::weekday(&tomorrow).num_days_from_monday() as usize];
    assert!(message.contains(&format!("{weekday_es} 10:00")) && message.contains("email"), "when, in Spanish, and an invitation: {message}");
    let opens_at = chrono::DateTime::parse_from_rfc3339(handoff["opens_at"].as_str().expect("opens_at")).expect("RFC 3339");
    assert_eq!(opens_at.with_timezone(&chrono_tz::Europe::Madrid).date_naive(), tomorrow);
    let ticket_id = handoff["ticket_id"].as_str().expect("ticket").to_owned();

    let left = chat(&base, "pk_demo", Some(&asked.session_id()), "vale, mi correo es Lucia.Marin@Example.com").await;
    let waiting = left.first("handoff").expect("handoff state");
    assert_eq!(waiting["status"], "waiting");
    assert!(waiting["message"].as_str().is_some_and(|m| m.contains("Lucia.Marin@example.com")), "{waiting}");
    assert!(left.text().is_empty(), "still no bot answer: {}", left.text());
    let (status, shown) = agent_get(&base, &format!("/v1/agent/tickets/{ticket_id}"), AGENT_TOKEN).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["ticket"]["contact_email"], "Lucia.Marin@example.com", "{shown}");
}
