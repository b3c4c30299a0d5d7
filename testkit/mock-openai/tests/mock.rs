//! The mock's own behaviour, checked with a plain HTTP client.

use std::time::Duration;

use futures::StreamExt;

use mock_openai::{CHAT_PATH, EMBEDDINGS_PATH, MockOpenAi, Reply, ToolCallScript};
use serde_json::{Value, json};

fn chat_body(stream: bool) -> Value {
    json!({
        "model": "gpt-test",
        "messages": [{"role": "user", "content": "hello there"}],
        "stream": stream,
        "stream_options": if stream { json!({"include_usage": true}) } else { Value::Null },
    })
}

async fn post(mock: &MockOpenAi, path: &str, body: &Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}{}", mock.base_url(), path.trim_start_matches("/v1")))
        .bearer_auth("sk-test")
        .json(body)
        .send()
        .await
        .expect("request reaches the mock")
}

/// The JSON payloads of the `data:` lines, up to (not including) `[DONE]`,
/// and whether `[DONE]` came.
fn sse_events(text: &str) -> (Vec<Value>, bool) {
    let mut events = Vec::new();
    for line in text.lines() {
        let Some(data) = line.strip_prefix("data: ") else {
            continue;
        };
        if data == "[DONE]" {
            return (events, true);
        }
        events.push(serde_json::from_str(data).expect("each event is JSON"));
    }
    (events, false)
}

#[tokio::test]
async fn streams_text_then_stop_usage_and_done() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::text(["Hel", "lo"]).with_usage(7, 2));
    let response = post(&mock, CHAT_PATH, &chat_body(true)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let (events, done) = sse_events(&response.text().await.expect("body"));
    assert!(done);
    assert_eq!(events[0]["choices"][0]["delta"]["role"], "assistant");
    assert_eq!(events[1]["choices"][0]["delta"]["content"], "Hel");
    assert_eq!(events[2]["choices"][0]["delta"]["content"], "lo");
    assert_eq!(events[3]["choices"][0]["finish_reason"], "stop");
    assert_eq!(events[4]["choices"], json!([]));
    assert_eq!(events[4]["usage"]["prompt_tokens"], 7);
    assert_eq!(events[4]["usage"]["completion_tokens"], 2);
    assert!(events.iter().all(|e| e["object"] == "chat.completion.chunk" && e["model"] == "gpt-test"));
}

#[tokio::test]
async fn default_reply_is_text_and_non_streamed_requests_get_one_object() {
    let mock = MockOpenAi::start().await;
    let response = post(&mock, CHAT_PATH, &chat_body(false)).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(body["choices"][0]["message"]["content"], "Hello from mock-openai.");
    assert_eq!(body["choices"][0]["finish_reason"], "stop");
}

#[tokio::test]
async fn streams_parallel_tool_calls_split_over_chunks() {
    let mock = MockOpenAi::start().await;
    mock.push(
        Reply::tool_calls(vec![
            ToolCallScript::new("call_a", "search", [r#"{"q":"#, r#""shoes"}"#]),
            ToolCallScript::new("call_b", "cart", [r#"{"id":"#, "42}"]),
        ])
        .interleaved(),
    );
    let response = post(&mock, CHAT_PATH, &chat_body(true)).await;
    let (events, done) = sse_events(&response.text().await.expect("body"));
    assert!(done);
    let deltas: Vec<&Value> = events.iter().filter_map(|e| e["choices"][0]["delta"]["tool_calls"].get(0)).collect();
    assert_eq!(deltas.len(), 6);
    assert_eq!(deltas[0]["id"], "call_a");
    assert_eq!(deltas[0]["function"]["name"], "search");
    assert_eq!(deltas[1]["id"], "call_b");
    assert_eq!(deltas[1]["index"], 1);
    assert_eq!(deltas[2]["function"]["arguments"], r#"{"q":"#);
    let finish = events.iter().find(|e| !e["choices"][0]["finish_reason"].is_null()).expect("finish");
    assert_eq!(finish["choices"][0]["finish_reason"], "tool_calls");
}

#[tokio::test]
async fn enforces_retry_after_until_it_passes() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::rate_limited(1));
    mock.push(Reply::text(["ok"]));

    let first = post(&mock, CHAT_PATH, &chat_body(true)).await;
    assert_eq!(first.status(), 429);
    assert_eq!(first.headers()["retry-after"], "1");
    let body: Value = first.json().await.expect("json");
    assert_eq!(body["error"]["code"], "rate_limit_exceeded");

    // Too early: refused again, and the queued text is kept.
    let early = post(&mock, CHAT_PATH, &chat_body(true)).await;
    assert_eq!(early.status(), 429);
    assert_eq!(mock.pending(), 1);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let late = post(&mock, CHAT_PATH, &chat_body(true)).await;
    assert_eq!(late.status(), 200);
    assert_eq!(mock.pending(), 0);
    assert_eq!(mock.requests_to(CHAT_PATH).len(), 3);
}

#[tokio::test]
async fn retry_after_can_be_an_http_date() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::rate_limited_http_date(2));
    let response = post(&mock, CHAT_PATH, &chat_body(true)).await;
    assert_eq!(response.status(), 429);
    let date = response.headers()["retry-after"].to_str().expect("ascii").to_owned();
    assert!(date.ends_with(" GMT"), "{date}");
    assert!(chrono::DateTime::parse_from_rfc2822(&date).is_ok(), "{date}");
}

#[tokio::test]
async fn wrong_api_key_is_refused_openai_style() {
    let mock = MockOpenAi::start().await;
    mock.expect_api_key(Some("sk-right"));
    let response = post(&mock, CHAT_PATH, &chat_body(true)).await;
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_api_key");
    assert_eq!(mock.requests()[0].header("authorization"), Some("Bearer sk-test"));
}

#[tokio::test]
async fn errors_and_delays_are_scripted() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::server_error());
    mock.push(Reply::delayed(Duration::from_millis(50), Reply::text(["late"])));
    assert_eq!(post(&mock, CHAT_PATH, &chat_body(true)).await.status(), 500);
    let response = post(&mock, CHAT_PATH, &chat_body(true)).await;
    assert_eq!(response.status(), 200);
    let requests = mock.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].model(), Some("gpt-test"));
}

#[tokio::test]
async fn broken_stream_drops_the_connection() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::broken_stream(["par", "tial"]));
    let response = post(&mock, CHAT_PATH, &chat_body(true)).await;
    assert_eq!(response.status(), 200);
    let mut received = String::new();
    let mut body = response.bytes_stream();
    let mut broke = false;
    while let Some(piece) = body.next().await {
        match piece {
            Ok(bytes) => received.push_str(&String::from_utf8_lossy(&bytes)),
            Err(_) => broke = true,
        }
    }
    assert!(broke, "the body must end in a transport error");
    assert!(received.contains(r#""content":"tial""#), "chunks before the break arrive: {received}");
    assert!(!received.contains("[DONE]"));
}

#[tokio::test]
async fn embeddings_default_to_hashed_vectors_of_the_requested_size() {
    let mock = MockOpenAi::start().await;
    let body = json!({"model": "emb", "input": ["a", "b", "a"], "dimensions": 4});
    let response: Value = post(&mock, EMBEDDINGS_PATH, &body).await.json().await.expect("json");
    let data = response["data"].as_array().expect("data");
    assert_eq!(data.len(), 3);
    assert_eq!(data[0]["embedding"].as_array().expect("vector").len(), 4);
    assert_eq!(data[0]["embedding"], data[2]["embedding"]);
    assert_ne!(data[0]["embedding"], data[1]["embedding"]);

    let single = json!({"model": "emb", "input": "a"});
    let response: Value = post(&mock, EMBEDDINGS_PATH, &single).await.json().await.expect("json");
    assert_eq!(response["data"][0]["embedding"].as_array().expect("vector").len(), 8);
}

#[tokio::test]
async fn chat_replies_do_not_fit_embeddings() {
    let mock = MockOpenAi::start().await;
    mock.push(Reply::text(["x"]));
    let response = post(&mock, EMBEDDINGS_PATH, &json!({"model": "emb", "input": "a"})).await;
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.expect("json");
    assert!(body["error"]["message"].as_str().expect("message").contains("`text`"));
}
