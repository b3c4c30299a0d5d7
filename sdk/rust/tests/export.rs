//! A third party's view: implement `Connector` with nothing but this crate
//! and export it with `chatgw_sdk::export_connector!`. On the host target the
//! export compiles to ordinary symbols, which proves the macro's paths.

use chatgw_sdk::*;

struct Minimal;

impl Connector for Minimal {
    fn describe() -> Descriptor {
        Descriptor {
            id: "minimal".into(),
            version: "0.1.0".into(),
            capabilities: vec![],
            settings_schema: "{}".into(),
            webhook_signature: WebhookSignature::None,
        }
    }

    fn check_connection(_: String) -> Result<(), ConnectorError> {
        Ok(())
    }

    fn sync_products(
        _: String,
        cursor: Option<String>,
        _: Option<String>,
    ) -> Result<ProductPage, ConnectorError> {
        let page = page_number(cursor.as_deref())?;
        Ok(numbered_page(vec![], page, 50, Some(1)))
    }

    fn get_stock(_: String, _: Vec<String>) -> Result<Vec<StockLevel>, ConnectorError> {
        Ok(vec![])
    }

    fn get_order(_: String, order_ref: String) -> Result<Order, ConnectorError> {
        Err(ConnectorError::NotFound(order_ref))
    }

    fn parse_webhook(
        _: String,
        _: String,
        _: Vec<Header>,
        _: Vec<u8>,
    ) -> Result<Vec<WebhookEvent>, ConnectorError> {
        Ok(vec![])
    }

    fn list_tools(_: String) -> Vec<ToolSpec> {
        vec![]
    }

    fn call_tool(_: String, name: String, _: String) -> Result<String, ConnectorError> {
        Err(ConnectorError::NotFound(name))
    }
}

chatgw_sdk::export_connector!(Minimal);

#[test]
fn a_connector_exports_with_the_sdk_alone() {
    assert_eq!(<Minimal as Connector>::describe().id, "minimal");
    assert_eq!(
        <Minimal as Connector>::sync_products("{}".into(), None, None)
            .unwrap()
            .next_cursor,
        None
    );
}
