//! Store files picked up by a running gateway without a restart: a new file
//! starts serving its store, a changed file replaces its store, a broken
//! file leaves the store's previous version serving, a removed file stops
//! its store. Checked over real HTTP, by the folder watcher and by SIGHUP.

mod chat_support;
mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chat_support::*;
use chatgw::App;

/// A store file over the catalog file `catalog`.
fn store_toml(id: &str, key: &str, origin: &str, catalog: &Path) -> String {
    format!(
        r#"id = "{id}"
name = "{id} outdoor"
languages = ["en"]
public_key = "{key}"
allowed_origins = ["{origin}"]
currency = "USD"

[catalog]
kind = "file"
path = "{}"
"#,
        catalog.display()
    )
}

struct Folder {
    _dir: tempfile::TempDir,
    stores: PathBuf,
    catalog: PathBuf,
}

impl Folder {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        // `other_store` writes its small catalog file into the folder.
        let catalog = match other_store(dir.path()).catalog {
            chatgw::config::CatalogSource::File { path } => PathBuf::from(path),
            other => panic!("a file catalog, not {other:?}"),
        };
        let stores = dir.path().join("stores");
        std::fs::create_dir(&stores).expect("stores folder");
        Self { _dir: dir, stores, catalog }
    }

    fn write(&self, id: &str, text: &str) {
        std::fs::write(self.stores.join(format!("{id}.toml")), text).expect("write store file");
    }

    fn store(&self, id: &str, key: &str, origin: &str) {
        self.write(id, &store_toml(id, key, origin, &self.catalog));
    }
}

/// A gateway serving the folder's stores, as `chatgw serve` starts one.
async fn gateway(folder: &Folder) -> (App, String) {
    let loaded = chatgw::config::load(None, Some(&folder.stores)).expect("store files load");
    let app = build_app(common::sqlite().await, memory_sessions(), loaded.stores.clone()).await;
    app.remember_store_files(&loaded.store_sources, &loaded.stores);
    let base = serve(app.clone()).await;
    (app, base)
}

/// The HTTP status of a chat message with this store key.
async fn chat_status(base: &str, key: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/v1/chat"))
        .header("X-Store-Key", key)
        .json(&serde_json::json!({ "message": "a tent for summer camping" }))
        .send()
        .await
        .expect("chat request")
        .status()
        .as_u16()
}

/// Whether a browser on `origin` may call the chat API (CORS preflight).
async fn origin_allowed(base: &str, origin: &str) -> bool {
    let response = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{base}/v1/chat"))
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .expect("preflight");
    response.headers().get("access-control-allow-origin").is_some_and(|v| v == origin)
}

/// Polls `check` for up to 20 s (the watcher looks every 200 ms).
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within 20 s");
}

#[tokio::test]
async fn added_changed_broken_and_removed_store_files_take_effect_without_a_restart() {
    let folder = Folder::new();
    folder.store("peak", "pk_peak", "https://peak.example");
    let (app, base) = gateway(&folder).await;
    assert_eq!(chat_status(&base, "pk_peak").await, 200);
    assert_eq!(chat_status(&base, "pk_ridge").await, 401, "no such store yet");

    folder.store("ridge", "pk_ridge", "https://ridge.example");
    let report = app.reload_store_folder(&folder.stores).await;
    assert_eq!(report.added, vec!["ridge".to_owned()], "{report:?}");
    assert!(report.changed.is_empty() && report.removed.is_empty(), "peak is unchanged: {report:?}");
    let answer = chat(&base, "pk_ridge", None, "a tent for summer camping").await;
    assert!(answer.product_ids().contains(&"h2".to_owned()), "the new store answers from its catalog: {:?}", answer.events);

    folder.store("ridge", "pk_ridge", "https://www.ridge.example");
    let report = app.reload_store_folder(&folder.stores).await;
    assert_eq!(report.changed, vec!["ridge".to_owned()], "{report:?}");
    assert!(origin_allowed(&base, "https://www.ridge.example").await, "the changed store's new origin is allowed");
    assert!(!origin_allowed(&base, "https://ridge.example").await, "its old origin no longer is");

    folder.write("ridge", "id = \"ridge\"\nname = \"Ridge\"\nlanguages = [\"en\"]\npublic_key = \"pk_ridge\"\n[catalog]\nkind = \"nonsense\"\n");
    let report = app.reload_store_folder(&folder.stores).await;
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(report.failed[0].0.ends_with("ridge.toml") && report.failed[0].1.contains("catalog"), "the failure names the file and the key: {report:?}");
    assert_eq!(chat_status(&base, "pk_ridge").await, 200, "a broken file leaves the store's previous version serving");
    assert!(origin_allowed(&base, "https://www.ridge.example").await);

    std::fs::remove_file(folder.stores.join("ridge.toml")).expect("remove");
    let report = app.reload_store_folder(&folder.stores).await;
    assert_eq!(report.removed, vec!["ridge".to_owned()], "{report:?}");
    assert_eq!(chat_status(&base, "pk_ridge").await, 401, "a removed store stops answering");
    assert_eq!(chat_status(&base, "pk_peak").await, 200);
}

#[tokio::test]
async fn two_files_with_one_store_key_reload_nothing() {
    let folder = Folder::new();
    folder.store("peak", "pk_peak", "https://peak.example");
    let (app, base) = gateway(&folder).await;
    folder.store("ridge", "pk_peak", "https://ridge.example");
    let report = app.reload_store_folder(&folder.stores).await;
    assert!(report.added.is_empty(), "{report:?}");
    assert!(report.failed.iter().any(|(_, why)| why.contains("pk_peak") || why.contains("public_key")), "the conflict is named: {report:?}");
    assert_eq!(chat_status(&base, "pk_peak").await, 200);
}

#[tokio::test]
async fn the_folder_watcher_and_sighup_pick_up_changes() {
    let folder = Folder::new();
    folder.store("peak", "pk_peak", "https://peak.example");
    let (app, base) = gateway(&folder).await;
    app.spawn_store_reloads(folder.stores.clone(), Duration::from_millis(200));

    folder.store("ridge", "pk_ridge", "https://ridge.example");
    eventually("the watcher serving a new store file", || async { chat_status(&base, "pk_ridge").await == 200 }).await;

    // A watcher with a long period reloads only on SIGHUP.
    let folder = Folder::new();
    folder.store("peak", "pk_peak", "https://peak.example");
    let (app, base) = gateway(&folder).await;
    app.spawn_store_reloads(folder.stores.clone(), Duration::from_secs(3600));
    folder.store("ridge", "pk_ridge", "https://ridge.example");
    let hup = std::process::Command::new("kill").args(["-HUP", &std::process::id().to_string()]).status().expect("kill -HUP");
    assert!(hup.success());
    eventually("SIGHUP serving a new store file", || async { chat_status(&base, "pk_ridge").await == 200 }).await;
}
