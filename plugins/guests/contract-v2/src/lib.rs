//! A plugin built against contract 2.0.0, which this host does not speak.

wit_bindgen::generate!({ world: "connector", path: "wit" });

struct FromTheFuture;

impl exports::chatgw::connector::plugin::Guest for FromTheFuture {
    fn describe() -> String {
        "from the future".into()
    }
}

export!(FromTheFuture);
