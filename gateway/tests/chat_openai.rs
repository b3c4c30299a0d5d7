//! A chat turn through the `openai` provider, against the scripted mock over
//! real HTTP: the model calls `get_stock`, the gateway runs it and feeds the
//! result back, the model's streamed answer reaches the shopper. Proves the
//! store routing, the prompt (language, cards, tools) and the model loop.

mod chat_support;
mod common;

use chat_support::*;
use mock_openai::{MockOpenAi, Reply, ToolCallScript};

#[tokio::test]
async fn a_turn_with_a_tool_call_through_an_openai_compatible_model() {
    let mock = MockOpenAi::start().await;
    mock.expect_api_key(Some("sk-test-secret"));
    mock.push(Reply::tool_calls(vec![ToolCallScript::new("call_1", "get_stock", ["{\"product_id\":", "\"p0001\",\"size\":\"M\"}"])]));
    mock.push(Reply::text(["Sí, la camisa Sitges ", "está disponible en talla M ", "por 59.00 €."]).with_usage(900, 20));

    let base = demo_on_mock_model(mock.base_url(), "CHATGW_TEST_OPENAI_KEY", |_| {}).await;

    let sse = chat(&base, "pk_demo", None, "¿Tenéis la camisa de lino Sitges en talla M?").await;
    assert_eq!(sse.text(), "Sí, la camisa Sitges está disponible en talla M por 59.00 €.");
    let tools: Vec<(&str, &str)> = sse.all("tool").iter().map(|t| (t["name"].as_str().unwrap_or(""), t["status"].as_str().unwrap_or(""))).collect();
    assert_eq!(tools, [("get_stock", "started"), ("get_stock", "ok")]);
    let done = sse.done();
    assert_eq!(done["model"], "gpt-test");
    assert_eq!(done["offline"], false);
    assert_eq!(done["language"], "es");

    let requests = mock.requests_to("/v1/chat/completions");
    assert_eq!(requests.len(), 2, "one call for the tool, one for the answer");
    let first = &requests[0].body;
    assert_eq!(first["model"], "gpt-test");
    let system = first["messages"][0]["content"].as_str().expect("system prompt");
    assert!(system.contains("Answer in Spanish (es)"), "{system}");
    assert!(system.contains("product_id: p0001"), "the cards are in the prompt");
    let tool_names: Vec<&str> = first["tools"].as_array().expect("tools").iter().filter_map(|t| t["function"]["name"].as_str()).collect();
    assert!(tool_names.contains(&"get_stock") && tool_names.contains(&"search_products"), "{tool_names:?}");
    // The second request carries the tool result the gateway computed.
    let second = &requests[1].body;
    let tool_message = second["messages"].as_array().expect("messages").iter().find(|m| m["role"] == "tool").expect("tool result sent back");
    let result: serde_json::Value = serde_json::from_str(tool_message["content"].as_str().expect("content")).expect("json");
    assert_eq!(result["product_id"], "p0001");
    assert!(result["variants"].as_array().is_some_and(|v| !v.is_empty()));
}

#[tokio::test]
async fn the_transcript_records_the_model_that_answered_after_a_fallback_and_its_cost() {
    use chatgw::storage::MessageRole;
    let mock = MockOpenAi::start().await;
    // The primary fails twice (one retry), the fallback answers.
    mock.push(Reply::server_error());
    mock.push(Reply::server_error());
    mock.push(Reply::text(["Happy to help you choose a linen shirt."]).with_usage(1_000, 50));
    let (base, storage) = demo_on_mock_model_with_storage(mock.base_url(), "CHATGW_TEST_OPENAI_KEY_COST", |store| {
        store.models.fallback = Some("gpt-fallback".into());
        store.models.prompt_cost_per_1k = 0.5;
        store.models.completion_cost_per_1k = 1.0;
        store.models.prices.insert("gpt-fallback".into(), chatgw::config::TokenPrice { prompt_per_1k: 2.0, completion_per_1k: 4.0 });
    })
    .await;

    let sse = chat(&base, "pk_demo", None, "do you sell linen shirts?").await;
    let done = sse.done();
    assert_eq!(done["model"], "gpt-fallback", "{done}");
    // 1,000 prompt tokens at 2.0 per 1k, 50 completion tokens at 4.0 per 1k.
    let expected = 2.0 + 0.2;
    assert!((done["cost"].as_f64().expect("a cost") - expected).abs() < 1e-9, "{done}");

    let messages = storage.list_messages("demo", &sse.session_id()).await.expect("transcript");
    let answer = messages.iter().find(|m| m.role == MessageRole::Assistant).expect("the answer is stored");
    assert_eq!(answer.model.as_deref(), Some("gpt-fallback"));
    assert_eq!((answer.prompt_tokens, answer.completion_tokens), (Some(1_000), Some(50)));
    assert!((answer.cost.expect("a stored cost") - expected).abs() < 1e-9);
}

/// A turn whose model fails still leaves the shopper message's language and
/// label in the transcript (they are written with the answer, and alone
/// when there is none).
#[tokio::test]
async fn a_turn_whose_model_fails_keeps_its_message_analysis() {
    let mock = MockOpenAi::start().await;
    // The model fails on the first try and on its one retry; no fallback.
    mock.push(Reply::server_error());
    mock.push(Reply::server_error());
    let (base, storage) = demo_on_mock_model_with_storage(mock.base_url(), "CHATGW_TEST_OPENAI_KEY_FAILS", |_| {}).await;

    let sse = chat(&base, "pk_demo", None, "¿Tenéis camisas de lino para una boda en la playa?").await;
    let error = sse.first("error").unwrap_or_else(|| panic!("no error event in {:?}", sse.events));
    assert_eq!(error["code"], "model_unavailable", "{error}");
    let messages = storage.list_messages("demo", &sse.session_id()).await.expect("transcript");
    assert_eq!(messages.len(), 1, "only the shopper's message: {messages:?}");
    assert_eq!(messages[0].role, chatgw::storage::MessageRole::User);
    assert_eq!(messages[0].language.as_deref(), Some("es"));
    assert_eq!(messages[0].label, Some(chatgw::classify::Label::Normal));
}
