//! Grounding enforced while streaming, over HTTP, with the scripted mock
//! model playing a model that does the wrong thing: an availability claim
//! with no `get_stock` never reaches the shopper (the gateway regenerates
//! with the tool forced); a price that differs from the tool's is replaced;
//! an assistant-mode slip is regenerated away.

mod chat_support;
mod common;

use chat_support::*;
use mock_openai::{MockOpenAi, Reply, ToolCallScript};

async fn gateway(mock: &MockOpenAi, key_env: &str) -> String {
    demo_on_mock_model(mock.base_url(), key_env, |_| {}).await
}

fn stock_call() -> Reply {
    Reply::tool_calls(vec![ToolCallScript::new("call_1", "get_stock", ["{\"product_id\":\"p0001\",\"size\":\"M\"}"])])
}

#[tokio::test]
async fn an_in_stock_claim_without_get_stock_never_reaches_the_shopper() {
    let mock = MockOpenAi::start().await;
    // The model claims stock straight away, without the tool.
    mock.push(Reply::text(["Yes! The Sitges linen shirt ", "is in stock in size M. ", "Anything else?"]));
    // Regenerated with get_stock forced: it calls the tool, then answers.
    mock.push(stock_call());
    mock.push(Reply::text(["I checked the Sitges Linen Shirt: ", "it is available in size M."]));
    let base = gateway(&mock, "CHATGW_TEST_GROUNDING_KEY_1").await;

    let sse = chat(&base, "pk_demo", None, "Do you have the Sitges linen shirt in M?").await;
    let text = sse.text();
    assert!(!text.contains("Yes! The Sitges linen shirt is in stock"), "the unbacked sentence was sent: {text}");
    assert!(text.contains("available in size M"), "{text}");
    let tools: Vec<&str> = sse.all("tool").iter().filter_map(|t| t["status"].as_str()).collect();
    assert_eq!(tools, ["started", "ok"], "the answer is backed by a get_stock event");
    assert!(sse.position("tool").expect("tool event") < sse.position("token").expect("token event"), "no token before the tool: {:?}", sse.names());

    let requests = mock.requests_to("/v1/chat/completions");
    assert_eq!(requests.len(), 3, "draft, regeneration with the tool forced, answer");
    assert_eq!(requests[1].body["tool_choice"]["function"]["name"], "get_stock", "{}", requests[1].body["tool_choice"]);
    let instruction = requests[1].body["messages"].as_array().unwrap().iter().rev().find(|m| m["role"] == "system").expect("firmer instruction");
    assert!(instruction["content"].as_str().unwrap().contains("no tool result"), "{instruction}");

    // The transcript holds what the shopper saw, nothing else.
    let transcript: serde_json::Value = reqwest::Client::new()
        .get(format!("{base}/v1/sessions/{}/messages", sse.session_id()))
        .header("X-Store-Key", "pk_demo")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(transcript["messages"][1]["text"], text.as_str());
}

#[tokio::test]
async fn a_price_different_from_the_tools_is_not_sent() {
    let mock = MockOpenAi::start().await;
    // The tool is called, but the model states the wrong price, twice.
    mock.push(stock_call());
    mock.push(Reply::text(["The Sitges Linen Shirt is in stock in M ", "for 19.99 €."]));
    mock.push(stock_call());
    mock.push(Reply::text(["The Sitges Linen Shirt costs 19.99 €."]));
    let base = gateway(&mock, "CHATGW_TEST_GROUNDING_KEY_2").await;

    let sse = chat(&base, "pk_demo", None, "How much is the Sitges linen shirt in M?").await;
    let text = sse.text();
    assert!(!text.contains("19.99"), "the wrong price reached the shopper: {text}");
    assert!(!text.trim().is_empty(), "the shopper gets a safe sentence instead");
}

#[tokio::test]
async fn an_assistant_mode_slip_is_regenerated_away() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::text(["As an AI language model, I cannot try clothes on. ", "Linen is breathable."]));
    mock.push(Reply::text(["Linen is light and breathable, ", "ideal for summer."]));
    let base = gateway(&mock, "CHATGW_TEST_GROUNDING_KEY_3").await;

    let sse = chat(&base, "pk_demo", None, "Is linen good for summer?").await;
    let text = sse.text();
    assert!(!text.to_lowercase().contains("language model"), "{text}");
    assert!(text.contains("ideal for summer"), "{text}");
    assert_eq!(mock.requests_to("/v1/chat/completions").len(), 2);
}

#[tokio::test]
async fn a_classifier_model_can_raise_a_label_the_offline_classifier_missed() {
    let mock = MockOpenAi::start().await;
    // The store's cheap model labels the message first.
    mock.push(Reply::text([r#"{"label": "urgent", "reason": "chargeback"}"#]));
    let base = demo_on_mock_model(mock.base_url(), "CHATGW_TEST_GROUNDING_KEY_4", |store| store.models.classifier = "gpt-cheap".into()).await;

    let sse = chat(&base, "pk_demo", None, "my card company will be hearing about this purchase").await;
    let handoff = sse.first("handoff").expect("handed off on the model's label");
    assert_eq!(handoff["label"], "urgent");
    assert_eq!(handoff["reason"], "chargeback");
    let requests = mock.requests_to("/v1/chat/completions");
    assert_eq!(requests.len(), 1, "only the classifier call: a handed-off turn asks the chat model nothing");
    assert_eq!(requests[0].body["model"], "gpt-cheap");
}
