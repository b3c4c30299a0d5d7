//! The `openai` chat provider and embedder against `mock-openai` over real
//! HTTP: streaming, tool calls, request mapping, retries, fallback,
//! timeouts, broken streams, auth errors and embedding batches.
//!
//! No test measures elapsed time: Retry-After is proven by the mock, which
//! answers 429 again to any request that comes too early.

use std::time::Duration;

use chatgw::embed::openai::{OpenAiEmbedder, OpenAiEmbedderSettings};
use chatgw::embed::{EmbedError, Embedder};
use chatgw::llm::openai::{OpenAiChatModel, OpenAiSettings};
use chatgw::llm::{ChatMessage, ChatModel, ChatRequest, FinishReason, LlmError, ModelEvent, ModelStream, ToolCall, ToolChoice, ToolDef, Usage};
use futures::StreamExt;
use mock_openai::{CHAT_PATH, EMBEDDINGS_PATH, MockOpenAi, Reply, ToolCallScript};
use serde_json::{Value, json};

const KEY: &str = "sk-test-0123456789abcdef";

fn settings(mock: &MockOpenAi) -> OpenAiSettings {
    OpenAiSettings {
        base_url: mock.base_url(),
        api_key: Some(KEY.into()),
        model: "gpt-primary".to_owned(),
        fallback_model: None,
        timeout: Duration::from_secs(5),
        max_retries: 2,
        backoff_base: Duration::from_millis(10),
        max_backoff: Duration::from_secs(3),
    }
}

fn model(settings: OpenAiSettings) -> OpenAiChatModel {
    OpenAiChatModel::new(settings).expect("valid settings")
}

fn ask(text: &str) -> ChatRequest {
    ChatRequest { messages: vec![ChatMessage::user(text)], ..ChatRequest::default() }
}

/// Every item of the stream. The guard only turns a hang into a failure; no
/// test depends on how long anything takes.
async fn collect(stream: ModelStream) -> Vec<Result<ModelEvent, LlmError>> {
    tokio::time::timeout(Duration::from_secs(30), stream.collect::<Vec<_>>()).await.expect("the stream must end, not hang")
}

async fn answer(model: &OpenAiChatModel, request: ChatRequest) -> Vec<ModelEvent> {
    let stream = model.stream(request).await.expect("the stream opens");
    collect(stream).await.into_iter().map(|item| item.expect("no error item")).collect()
}

/// The error `stream` returns before any event.
async fn open_error(model: &OpenAiChatModel, request: ChatRequest) -> LlmError {
    match model.stream(request).await {
        Ok(_) => panic!("expected the stream to fail before its first event"),
        Err(error) => error,
    }
}

fn text_of(events: &[ModelEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            ModelEvent::TextDelta(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

fn models_seen(mock: &MockOpenAi) -> Vec<String> {
    mock.requests_to(CHAT_PATH).iter().map(|r| r.model().unwrap_or_default().to_owned()).collect()
}

#[tokio::test]
async fn streamed_text_arrives_in_order_with_usage_and_finish() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::text(["Hel", "lo", " wor", "ld"]).with_usage(11, 4));
    let events = answer(&model(settings(&mock)), ask("hi")).await;
    assert_eq!(
        events,
        vec![
            ModelEvent::Model("gpt-primary".into()),
            ModelEvent::TextDelta("Hel".into()),
            ModelEvent::TextDelta("lo".into()),
            ModelEvent::TextDelta(" wor".into()),
            ModelEvent::TextDelta("ld".into()),
            ModelEvent::Usage(Usage { prompt_tokens: 11, completion_tokens: 4 }),
            ModelEvent::Finished { reason: FinishReason::Stop },
        ]
    );
    let requests = mock.requests_to(CHAT_PATH);
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
    assert_eq!(sent.body["model"], "gpt-primary");
    assert_eq!(sent.body["stream"], true);
    assert_eq!(sent.body["stream_options"]["include_usage"], true);
}

#[tokio::test]
async fn parallel_tool_calls_come_out_complete() {
    let mock = MockOpenAi::start().await;
    mock.push(
        Reply::tool_calls(vec![
            ToolCallScript::new("call_search", "search_products", [r#"{"query": "#, r#""red "#, r#"shoes", "limit": 3}"#]),
            ToolCallScript::new("call_cart", "add_to_cart", [r#"{"product_id""#, r#": "p-42", "#, r#""qty": 2}"#]),
        ])
        .interleaved(),
    );
    let events = answer(&model(settings(&mock)), ask("find red shoes and add p-42")).await;
    let calls: Vec<&ToolCall> = events
        .iter()
        .filter_map(|e| match e {
            ModelEvent::ToolCall(call) => Some(call),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].id, "call_search");
    assert_eq!(calls[0].name, "search_products");
    let args: Value = serde_json::from_str(&calls[0].arguments).expect("complete JSON");
    assert_eq!(args, json!({"query": "red shoes", "limit": 3}));
    assert_eq!(calls[1].id, "call_cart");
    assert_eq!(calls[1].name, "add_to_cart");
    let args: Value = serde_json::from_str(&calls[1].arguments).expect("complete JSON");
    assert_eq!(args, json!({"product_id": "p-42", "qty": 2}));
    assert_eq!(text_of(&events), "");
    assert_eq!(events.last(), Some(&ModelEvent::Finished { reason: FinishReason::ToolCalls }));
}

#[tokio::test]
async fn request_carries_messages_tools_and_tool_choice() {
    let mock = MockOpenAi::start().await;
    let search_schema = json!({
        "type": "object",
        "properties": {"query": {"type": "string"}},
        "required": ["query"],
    });
    let mut assistant = ChatMessage::assistant("");
    assistant.tool_calls = vec![ToolCall { id: "call_1".into(), name: "search_products".into(), arguments: r#"{"query":"mug"}"#.into() }];
    let request = ChatRequest {
        model: "gpt-override".into(),
        messages: vec![
            ChatMessage::system("You are the shop assistant."),
            ChatMessage::user("Any mugs?"),
            assistant,
            ChatMessage::tool_result("call_1", r#"[{"id":"m1","title":"Blue mug"}]"#),
        ],
        tools: vec![
            ToolDef { name: "search_products".into(), description: "Search the catalog".into(), parameters: search_schema.clone() },
            ToolDef { name: "get_stock".into(), description: "Stock of a product".into(), parameters: json!({"type": "object"}) },
        ],
        tool_choice: ToolChoice::Function("search_products".into()),
        temperature: Some(0.25),
        max_tokens: Some(300),
        grounding: None,
    };
    answer(&model(settings(&mock)), request).await;

    let body = &mock.requests_to(CHAT_PATH)[0].body;
    assert_eq!(body["model"], "gpt-override", "the request's model overrides the settings");
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": "You are the shop assistant."},
            {"role": "user", "content": "Any mugs?"},
            {"role": "assistant", "tool_calls": [{
                "type": "function",
                "id": "call_1",
                "function": {"name": "search_products", "arguments": "{\"query\":\"mug\"}"},
            }]},
            {"role": "tool", "content": "[{\"id\":\"m1\",\"title\":\"Blue mug\"}]", "tool_call_id": "call_1"},
        ])
    );
    assert_eq!(
        body["tools"][0],
        json!({"type": "function", "function": {
            "name": "search_products",
            "description": "Search the catalog",
            "parameters": search_schema,
        }})
    );
    assert_eq!(body["tools"][1]["function"]["name"], "get_stock");
    assert_eq!(body["tool_choice"], json!({"type": "function", "function": {"name": "search_products"}}));
    assert_eq!(body["temperature"], 0.25);
    // Not OpenAI's own host, so the widely supported `max_tokens`.
    assert_eq!(body["max_tokens"], 300);
}

#[tokio::test]
async fn tool_choice_modes_map_to_openai_strings() {
    let mock = MockOpenAi::start().await;
    let chat = model(settings(&mock));
    let tool = ToolDef { name: "t".into(), description: String::new(), parameters: json!({"type": "object"}) };
    for choice in [ToolChoice::Auto, ToolChoice::None, ToolChoice::Required] {
        let request = ChatRequest { tools: vec![tool.clone()], tool_choice: choice, ..ask("x") };
        answer(&chat, request).await;
    }
    answer(&chat, ask("no tools")).await;
    let bodies: Vec<Value> = mock.requests_to(CHAT_PATH).into_iter().map(|r| r.body).collect();
    assert_eq!(bodies[0]["tool_choice"], "auto");
    assert_eq!(bodies[1]["tool_choice"], "none");
    assert_eq!(bodies[2]["tool_choice"], "required");
    assert!(bodies[0]["tools"][0]["function"].get("description").is_none(), "empty descriptions are left out");
    assert!(bodies[3].get("tools").is_none() && bodies[3].get("tool_choice").is_none());
}

#[tokio::test]
async fn rate_limit_with_retry_after_is_honoured() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::rate_limited(1));
    mock.push(Reply::text(["after the wait"]));
    // One retry only, and a 10 ms backoff: retrying before Retry-After
    // would meet the mock's 429 again and fail.
    let chat = model(OpenAiSettings { max_retries: 1, ..settings(&mock) });
    let events = answer(&chat, ask("hi")).await;
    assert_eq!(text_of(&events), "after the wait");
    assert_eq!(mock.requests_to(CHAT_PATH).len(), 2, "no request inside the Retry-After window");
}

#[tokio::test]
async fn retry_after_as_http_date_is_honoured() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::rate_limited_http_date(1));
    mock.push(Reply::text(["dated"]));
    let chat = model(OpenAiSettings { max_retries: 1, ..settings(&mock) });
    let events = answer(&chat, ask("hi")).await;
    assert_eq!(text_of(&events), "dated");
    assert_eq!(mock.requests_to(CHAT_PATH).len(), 2);
}

#[tokio::test]
async fn server_error_then_success() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::server_error());
    mock.push(Reply::text(["recovered"]));
    let events = answer(&model(settings(&mock)), ask("hi")).await;
    assert_eq!(text_of(&events), "recovered");
    assert_eq!(mock.requests_to(CHAT_PATH).len(), 2);
}

#[tokio::test]
async fn exhausted_retries_give_a_clear_error() {
    let mock = MockOpenAi::start().await;
    for _ in 0..3 {
        mock.push(Reply::server_error());
    }
    let error = open_error(&model(settings(&mock)), ask("hi")).await;
    match &error {
        LlmError::Upstream { status: 500, message } => {
            assert!(message.contains("server had an error"), "{message}");
            assert!(message.contains("gpt-primary"), "{message}");
        }
        other => panic!("expected Upstream 500, got {other:?}"),
    }
    assert_eq!(mock.requests_to(CHAT_PATH).len(), 3, "first attempt + max_retries");

    // Rate limits that never clear end as RateLimited, with the last wait.
    let mock = MockOpenAi::start().await;
    mock.push(Reply::rate_limited(0));
    mock.push(Reply::rate_limited(0));
    let chat = model(OpenAiSettings { max_retries: 1, ..settings(&mock) });
    let error = open_error(&chat, ask("hi")).await;
    assert!(matches!(error, LlmError::RateLimited { retry_after_s: Some(0) }), "{error:?}");
}

#[tokio::test]
async fn client_errors_are_not_retried_and_skip_the_fallback() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::error(400, "invalid_request_error", "messages must not be empty"));
    let chat = model(OpenAiSettings { fallback_model: Some("gpt-fallback".into()), ..settings(&mock) });
    let error = open_error(&chat, ask("hi")).await;
    assert!(matches!(&error, LlmError::Upstream { status: 400, message } if message.contains("must not be empty")));
    assert_eq!(models_seen(&mock), ["gpt-primary"]);
}

#[tokio::test]
async fn fallback_model_answers_when_the_primary_keeps_failing() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::server_error());
    mock.push(Reply::server_error());
    mock.push(Reply::text(["from the fallback"]));
    let chat = model(OpenAiSettings { fallback_model: Some("gpt-fallback".into()), max_retries: 1, ..settings(&mock) });
    let events = answer(&chat, ask("hi")).await;
    assert_eq!(text_of(&events), "from the fallback");
    assert_eq!(events.first(), Some(&ModelEvent::Model("gpt-fallback".into())), "the stream names the model that answered");
    assert_eq!(models_seen(&mock), ["gpt-primary", "gpt-primary", "gpt-fallback"]);
}

#[tokio::test]
async fn slow_first_byte_times_out() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::delayed(Duration::from_secs(60), Reply::text(["too late"])));
    let chat = model(OpenAiSettings { timeout: Duration::from_millis(300), ..settings(&mock) });
    let error = open_error(&chat, ask("hi")).await;
    match error {
        LlmError::Timeout { model, timeout_ms } => {
            assert_eq!(model, "gpt-primary");
            assert_eq!(timeout_ms, 300);
        }
        other => panic!("expected Timeout, got {other:?}"),
    }
    assert_eq!(mock.requests_to(CHAT_PATH).len(), 1, "timeouts are not retried on the same model");
}

#[tokio::test]
async fn timeout_moves_on_to_the_fallback_model() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::delayed(Duration::from_secs(60), Reply::text(["too late"])));
    mock.push(Reply::text(["quick fallback"]));
    let chat = model(OpenAiSettings { timeout: Duration::from_millis(300), fallback_model: Some("gpt-fallback".into()), ..settings(&mock) });
    let events = answer(&chat, ask("hi")).await;
    assert_eq!(text_of(&events), "quick fallback");
    assert_eq!(models_seen(&mock), ["gpt-primary", "gpt-fallback"]);
}

#[tokio::test]
async fn stalled_stream_ends_with_a_timeout_item() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::text(["never", "sent"]).with_chunk_delay(Duration::from_secs(60)));
    let chat = model(OpenAiSettings { timeout: Duration::from_millis(300), ..settings(&mock) });
    let stream = chat.stream(ask("hi")).await.expect("the stream starts");
    let items = collect(stream).await;
    assert_eq!(items.len(), 2, "the answering model, then the timeout: {items:?}");
    assert!(matches!(&items[0], Ok(ModelEvent::Model(m)) if m == "gpt-primary"), "{items:?}");
    assert!(matches!(&items[1], Err(LlmError::Timeout { timeout_ms: 300, .. })), "{items:?}");
}

#[tokio::test]
async fn broken_stream_gives_an_error_item() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::broken_stream(["par", "tial"]));
    let stream = model(settings(&mock)).stream(ask("hi")).await.expect("the stream starts");
    let items = collect(stream).await;
    let (last, delivered) = items.split_last().expect("some items");
    let delivered: Vec<ModelEvent> = delivered.iter().map(|i| i.as_ref().expect("events before the break").clone()).collect();
    assert_eq!(delivered, vec![ModelEvent::Model("gpt-primary".into()), ModelEvent::TextDelta("par".into()), ModelEvent::TextDelta("tial".into())]);
    assert!(matches!(last, Err(LlmError::Connection(_))), "{last:?}");
    assert_eq!(mock.requests_to(CHAT_PATH).len(), 1, "a started stream is not retried");
}

#[tokio::test]
async fn wrong_api_key_is_a_401_without_the_key() {
    let mock = MockOpenAi::start().await;
    mock.expect_api_key(Some("sk-the-right-one-000000"));
    let error = open_error(&model(settings(&mock)), ask("hi")).await;
    match &error {
        LlmError::Upstream { status: 401, message } => {
            assert!(message.contains("Incorrect API key"), "{message}");
            assert!(!message.contains(KEY), "{message}");
        }
        other => panic!("expected Upstream 401, got {other:?}"),
    }
    assert!(!format!("{error} {error:?}").contains(KEY));
    assert_eq!(mock.requests_to(CHAT_PATH).len(), 1, "401 is not retried");
}

fn embed_settings(mock: &MockOpenAi, batch_size: usize) -> OpenAiEmbedderSettings {
    OpenAiEmbedderSettings {
        base_url: mock.base_url(),
        api_key: Some(KEY.to_owned()),
        model: "text-embedding-3-small".to_owned(),
        dimensions: Some(8),
        batch_size,
        timeout: Duration::from_secs(5),
        max_retries: 2,
    }
}

fn texts(items: &[&str]) -> Vec<String> {
    items.iter().map(|t| (*t).to_owned()).collect()
}

#[tokio::test]
async fn embeddings_are_batched_normalised_and_in_order() {
    let mock = MockOpenAi::start().await;
    let embedder = OpenAiEmbedder::new(embed_settings(&mock, 2)).expect("valid settings");
    assert_eq!(embedder.model_id(), "openai:text-embedding-3-small:8");
    let inputs = texts(&["red shoes", "blue mug", "red shoes", "tea", "lamp"]);
    let vectors = embedder.embed(&inputs).await.expect("embeddings");

    let requests = mock.requests_to(EMBEDDINGS_PATH);
    assert_eq!(requests.len(), 3, "5 inputs in batches of 2");
    let batches: Vec<Value> = requests.iter().map(|r| r.body["input"].clone()).collect();
    assert_eq!(batches, [json!(["red shoes", "blue mug"]), json!(["red shoes", "tea"]), json!(["lamp"])]);
    assert!(requests.iter().all(|r| r.body["dimensions"] == 8 && r.body["model"] == "text-embedding-3-small"));

    assert_eq!(vectors.len(), 5);
    for vector in &vectors {
        assert_eq!(vector.len(), 8);
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "unit length, got {norm}");
    }
    assert_eq!(vectors[0], vectors[2], "same text, same vector, across batches");
    assert_ne!(vectors[0], vectors[1]);
}

#[tokio::test]
async fn embeddings_check_dimensions_and_count() {
    let mock = MockOpenAi::start().await;
    let embedder = OpenAiEmbedder::new(embed_settings(&mock, 8)).expect("valid settings");
    mock.push(Reply::embeddings(vec![vec![0.5; 3], vec![0.5; 3]]));
    let error = embedder.embed(&texts(&["a", "b"])).await.expect_err("wrong size");
    assert!(matches!(error, EmbedError::Dimensions { expected: 8, got: 3 }), "{error:?}");

    mock.push(Reply::embeddings(vec![vec![0.5; 8]]));
    let error = embedder.embed(&texts(&["a", "b"])).await.expect_err("one vector short");
    assert!(matches!(error, EmbedError::CountMismatch { expected: 2, got: 1 }), "{error:?}");
}

#[tokio::test]
async fn embeddings_retry_and_keep_the_key_out_of_errors() {
    let mock = MockOpenAi::start().await;
    let embedder = OpenAiEmbedder::new(embed_settings(&mock, 8)).expect("valid settings");
    mock.push(Reply::server_error());
    let vectors = embedder.embed(&texts(&["a"])).await.expect("retried");
    assert_eq!(vectors.len(), 1);
    assert_eq!(mock.requests_to(EMBEDDINGS_PATH).len(), 2);

    mock.expect_api_key(Some("sk-the-right-one-000000"));
    let error = embedder.embed(&texts(&["a"])).await.expect_err("unauthorised");
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("401") && !shown.contains(KEY), "{shown}");
}
