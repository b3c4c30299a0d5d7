// The exports of a connector that has nothing to say, for test guests whose
// point is elsewhere (their `describe`). `include!`d, then expanded inside
// `impl Guest for ...` next to the guest's own `describe`.
macro_rules! minimal_exports {
    () => {
        fn check_connection(_settings: String) -> Result<(), ConnectorError> {
            Ok(())
        }

        fn sync_products(
            _settings: String,
            _cursor: Option<String>,
            _since: Option<String>,
        ) -> Result<ProductPage, ConnectorError> {
            Ok(ProductPage { products: vec![], next_cursor: None })
        }

        fn get_stock(_settings: String, _skus: Vec<String>) -> Result<Vec<StockLevel>, ConnectorError> {
            Ok(vec![])
        }

        fn get_order(_settings: String, order_ref: String) -> Result<Order, ConnectorError> {
            Err(ConnectorError::NotFound(order_ref))
        }

        fn parse_webhook(
            _settings: String,
            _topic: String,
            _headers: Vec<Header>,
            _body: Vec<u8>,
        ) -> Result<Vec<WebhookEvent>, ConnectorError> {
            Ok(vec![])
        }

        fn list_tools(_settings: String) -> Vec<ToolSpec> {
            vec![]
        }
    };
}
