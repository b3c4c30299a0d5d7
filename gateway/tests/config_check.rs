//! `chatgw config check`: valid files pass; a bad file is an error that
//! names the file and the key, with a non-zero exit.

use std::process::Command;

fn chatgw(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_chatgw"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("DATABASE_URL")
        .output()
        .expect("run chatgw");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

fn write(dir: &std::path::Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

const GOOD_STORE: &str = r#"
id = "shop"
name = "Shop"
languages = ["en"]
public_key = "pk_shop_123"
[catalog]
kind = "file"
path = "examples/demo-store/catalog.json"
"#;

#[test]
fn the_example_configuration_is_valid() {
    let (ok, out) = chatgw(&["config", "check", "--config", "examples/chatgw.toml"]);
    assert!(ok, "{out}");
    assert!(out.contains("lumen-thread"), "{out}");
}

#[test]
fn a_typo_names_the_file_and_the_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "shop.toml", &GOOD_STORE.replace("languages", "langauges"));
    let (ok, out) = chatgw(&["config", "check", "--stores", dir.path().to_str().expect("utf8")]);
    assert!(!ok, "a typo must fail: {out}");
    assert!(out.contains("shop.toml") && out.contains("langauges"), "{out}");
}

#[test]
fn semantic_problems_are_all_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.toml", GOOD_STORE);
    let bad = GOOD_STORE
        .replace("id = \"shop\"", "id = \"Shop Two\"")
        .replace("[\"en\"]", "[\"en\", \"xx\"]")
        .replace("[catalog]", "allowed_origins = [\"shop.example/path\"]\n[catalog]");
    write(dir.path(), "b.toml", &bad);
    let (ok, out) = chatgw(&["config", "check", "--stores", dir.path().to_str().expect("utf8")]);
    assert!(!ok);
    for needle in ["b.toml: id", "b.toml: public_key", "b.toml: languages", "`xx`", "b.toml: allowed_origins"] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
}

#[test]
fn a_bad_shipping_table_names_each_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let table = r#"
[shipping]
dispatch_days = { min = 3, max = 1 }
[[shipping.zones]]
name = "Spain"
countries = ["es"]
cost = -1
delivery_days = { min = 1, max = 3 }
[[shipping.zones]]
name = "Spain"
cost = 4.95
free_over = 0
delivery_days = { min = 5, max = 2 }
"#;
    write(dir.path(), "shop.toml", &format!("{GOOD_STORE}{table}"));
    let (ok, out) = chatgw(&["config", "check", "--stores", dir.path().to_str().expect("utf8")]);
    assert!(!ok, "a bad shipping table must fail: {out}");
    for needle in [
        "shipping.dispatch_days",
        "shipping.zones[0].countries",
        "`es`",
        "shipping.zones[0].cost",
        "shipping.zones[1].name",
        "shipping.zones[1].free_over",
        "shipping.zones[1].delivery_days",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    write(dir.path(), "shop.toml", &format!("{GOOD_STORE}\n[shipping]\nzones = []\n"));
    let (ok, out) = chatgw(&["config", "check", "--stores", dir.path().to_str().expect("utf8")]);
    assert!(!ok && out.contains("shipping.zones"), "{out}");
}

#[test]
fn a_bad_widget_section_names_each_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let widget = "\n[widget]\ncolor = \"teal\"\nposition = \"left\"\nprivacy_url = \"javascript:alert(1)\"\ngreeting.xx = \"Hi\"\ngreeting.en = \"\"\n";
    write(dir.path(), "shop.toml", &format!("{GOOD_STORE}{widget}"));
    let (ok, out) = chatgw(&["config", "check", "--stores", dir.path().to_str().expect("utf8")]);
    assert!(!ok, "a bad widget section must fail: {out}");
    for needle in ["shop.toml: widget.color", "shop.toml: widget.privacy_url", "shop.toml: widget.greeting.xx", "shop.toml: widget.greeting.en"] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    let fine = "\n[widget]\ncolor = \"#0b6e4f\"\nposition = \"left\"\nprivacy_url = \"https://shop.example/privacy\"\ngreeting.en = \"Hi!\"\n";
    write(dir.path(), "shop.toml", &format!("{GOOD_STORE}{fine}"));
    let (ok, out) = chatgw(&["config", "check", "--stores", dir.path().to_str().expect("utf8")]);
    assert!(ok, "a good widget section passes: {out}");
}

#[test]
fn environment_overrides_and_bad_values() {
    let (ok, out) = {
        let out = Command::new(env!("CARGO_BIN_EXE_chatgw"))
            .args(["config", "check", "--config", "examples/chatgw.toml"])
            .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .env("CHATGW__SERVER__ADDR", "not an address")
            .output()
            .expect("run");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    assert!(!ok);
    assert!(out.contains("server.addr"), "{out}");
}

#[test]
fn a_connector_store_names_each_missing_piece() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stores = dir.path().join("stores");
    std::fs::create_dir(&stores).expect("stores dir");
    write(dir.path(), "chatgw.toml", "[plugins]\nlookbook = \"no/such/connector.toml\"\n");
    write(
        &stores,
        "lookbook.toml",
        r#"
id = "lookbook"
name = "Lookbook"
languages = ["en"]
public_key = "pk_lookbook_1"
[catalog]
kind = "connector"
plugin = "lookbook"
settings = { api_base = "https://api.lookbook.example" }
sql = "shopdb"
[catalog.http]
allowed_hosts = ["api.lookbook.example", "not a host"]
credentials = [{ host = "api.lookbook.example", header = "Authorization", value_env = "CHATGW_TEST_UNSET_TOKEN", prefix = "Bearer " }]
[catalog.webhook]
secret_env = "CHATGW_TEST_UNSET_WEBHOOK"
"#,
    );
    let config = dir.path().join("chatgw.toml");
    let (ok, out) = chatgw(&["config", "check", "--config", config.to_str().expect("utf8"), "--stores", stores.to_str().expect("utf8")]);
    assert!(!ok, "{out}");
    for expected in [
        "plugins.lookbook",
        "catalog.http.allowed_hosts[1]",
        "catalog.http.credentials[0].value_env",
        "CHATGW_TEST_UNSET_TOKEN",
        "catalog.sql",
        "catalog.webhook.secret_env",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
    assert!(out.contains("lookbook.toml"), "{out}");
}

#[test]
fn credentials_are_bound_to_an_origin_and_plain_http_needs_a_private_host() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = GOOD_STORE.replace(
        "[catalog]\nkind = \"file\"\npath = \"examples/demo-store/catalog.json\"",
        r#"[catalog]
kind = "connector"
plugin = "lookbook"
[catalog.http]
allowed_hosts = ["api.lookbook.example"]
private_hosts = ["10.0.0.5:8080"]
credentials = [
  { host = "http://api.lookbook.example", header = "Authorization", value_env = "PATH" },
  { host = "https://api.lookbook.example/admin", header = "Authorization", value_env = "PATH" },
  { host = "other.example", header = "X-Key", value_env = "PATH" },
  { host = "api.lookbook.example", kind = "basic", username_env = "PATH", header = "X-Key" },
  { host = "http://10.0.0.5:8080", header = "X-Key", value_env = "PATH" },
]"#,
    );
    write(dir.path(), "chatgw.toml", "[plugins]\nlookbook = \"examples/plugins/lookbook-connector/Cargo.toml\"\n");
    let stores = dir.path().join("stores");
    std::fs::create_dir(&stores).expect("stores dir");
    write(&stores, "shop.toml", &store);
    let config = dir.path().join("chatgw.toml");
    let (ok, out) = chatgw(&["config", "check", "--config", config.to_str().expect("utf8"), "--stores", stores.to_str().expect("utf8")]);
    assert!(!ok, "{out}");
    for expected in [
        "shop.toml: catalog.http.credentials[0].host",
        "over plain http",
        "catalog.http.credentials[1].host",
        "without a path",
        "catalog.http.credentials[2].host",
        "not in allowed_hosts or private_hosts",
        "catalog.http.credentials[3].password_env",
        "catalog.http.credentials[3].header",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
    assert!(!out.contains("credentials[4]"), "a private host may use plain http:\n{out}");
}
