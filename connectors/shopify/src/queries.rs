//! The Admin GraphQL documents the connector sends, their requested cost
//! (Shopify's rules: scalars 0, objects 1, a connection 2 plus `first` times
//! one node; shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits),
//! and the call itself: errors in the body (HTTP 200) mapped to the
//! contract's errors, `THROTTLED` waited out as `throttleStatus` says.

use chatgw_sdk::{ConnectorError, Method, json_request};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::settings::Settings;

const VARIANT_FIELDS: &str = "id sku title price compareAtPrice inventoryQuantity selectedOptions { name value }";

/// One variant: the node (1) and `selectedOptions` (1).
const VARIANT_COST: u32 = 2;

/// A product with its first `variants` variants: the node (1), `options`
/// (1), `featuredImage` (1) and the variants connection.
pub const fn product_cost(variants: u32) -> u32 {
    3 + 2 + variants * VARIANT_COST
}

/// `shop { currencyCode }` (1) and the products connection (2).
pub const PRODUCTS_FIXED_COST: u32 = 3;

pub fn products_query() -> String {
    format!(
        "query Products($first: Int!, $after: String, $query: String, $sortKey: ProductSortKeys, $variants: Int!) {{
  shop {{ currencyCode }}
  products(first: $first, after: $after, query: $query, sortKey: $sortKey) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      id title handle descriptionHtml vendor productType tags status updatedAt
      options {{ name values }}
      featuredImage {{ url }}
      variants(first: $variants) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {VARIANT_FIELDS} }} }}
    }}
  }}
}}"
    )
}

/// The bulk query of a full sync: every product with every variant, no
/// paging arguments (a bulk query pages by itself). Shopify writes one
/// JSONL line per product, then one per variant with `__parentId`.
pub fn bulk_products_query() -> String {
    format!(
        "{{
  products {{
    edges {{
      node {{
        id title handle descriptionHtml vendor productType tags status updatedAt
        options {{ name values }}
        featuredImage {{ url }}
        variants {{ edges {{ node {{ {VARIANT_FIELDS} }} }} }}
      }}
    }}
  }}
}}"
    )
}

/// Starts a bulk query (a mutation: 10 points). `groupObjects: true` keeps
/// a product's variants right below it, which lets the file be read a
/// range at a time; 2026-01 made `false` the default.
pub const BULK_RUN_GROUPED: &str = "mutation BulkProducts($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: true) { bulkOperation { id status } userErrors { field message code } }
}";

/// The same for API versions before 2025-07, which group always and do not
/// know the argument.
pub const BULK_RUN: &str = "mutation BulkProducts($query: String!) {
  bulkOperationRunQuery(query: $query) { bulkOperation { id status } userErrors { field message code } }
}";

/// One bulk operation by id (`node` works on every version; `bulkOperation(id:)`
/// only from 2026-01).
pub const BULK_OPERATION_QUERY: &str = "query BulkOperation($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode createdAt objectCount url } }
}";

/// The app's most recent bulk query, whoever started it.
pub const CURRENT_BULK_QUERY: &str = "query CurrentBulkOperation {
  currentBulkOperation(type: QUERY) { id status errorCode createdAt query }
}";

/// The variants after the first page of one product (cost 3 + 250 x 2).
pub fn more_variants_query() -> String {
    format!(
        "query MoreVariants($id: ID!, $after: String) {{
  product(id: $id) {{
    variants(first: 250, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {VARIANT_FIELDS} }} }}
  }}
}}"
    )
}

/// Levels per variant in the stock query; more are paged per item.
pub const LEVELS_PER_ITEM: u32 = 20;
/// SKUs asked for in one stock query: each variant costs 1 (node) + 1
/// (inventoryItem) + 2 + 20 levels x 3 = 64; 12 of them stay under 1,000
/// with room for duplicate SKUs.
pub const SKUS_PER_QUERY: usize = 6;

const LEVEL_FIELDS: &str = "location { id name } quantities(names: [\"available\"]) { name quantity }";

pub fn stock_query() -> String {
    format!(
        "query Stock($first: Int!, $query: String!) {{
  productVariants(first: $first, query: $query) {{
    nodes {{
      id sku
      inventoryItem {{ id inventoryLevels(first: {LEVELS_PER_ITEM}) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LEVEL_FIELDS} }} }} }}
    }}
  }}
}}"
    )
}

/// One inventory item's levels, by id (webhooks, and levels past the first
/// page). Cost 1 + 1 + 2 + 250 x 3.
pub fn inventory_item_query() -> String {
    format!(
        "query InventoryItem($id: ID!, $after: String) {{
  inventoryItem(id: $id) {{
    id
    variant {{ id sku }}
    inventoryLevels(first: 250, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ {LEVEL_FIELDS} }} }}
  }}
}}"
    )
}

/// Orders whose name starts with the reference (Shopify's name search is a
/// prefix search); the exact one is picked by the caller.
pub const FIND_ORDER_QUERY: &str = "query FindOrder($query: String!) {
  orders(first: 50, query: $query) { nodes { id name } }
}";

pub const ORDER_QUERY: &str = "query Order($id: ID!) {
  order(id: $id) {
    name email createdAt cancelledAt displayFinancialStatus displayFulfillmentStatus
    totalPriceSet { shopMoney { amount currencyCode } }
    lineItems(first: 100) { nodes { sku title quantity originalUnitPriceSet { shopMoney { amount currencyCode } } } }
    fulfillments(first: 20) { status createdAt trackingInfo(first: 10) { company number url } }
  }
}";

pub const SHOP_QUERY: &str = "query Shop { shop { name currencyCode } }";

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Option<Value>,
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct Extensions {
    cost: Option<Cost>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cost {
    requested_query_cost: Option<f64>,
    throttle_status: Option<ThrottleStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThrottleStatus {
    currently_available: f64,
    restore_rate: f64,
}

/// Seconds until the bucket holds the requested cost again.
fn throttle_wait(cost: Option<&Cost>) -> Option<u32> {
    let cost = cost?;
    let status = cost.throttle_status.as_ref()?;
    if status.restore_rate <= 0.0 {
        return None;
    }
    let missing = (cost.requested_query_cost? - status.currently_available).max(0.0);
    Some(((missing / status.restore_rate).ceil() as u32).max(1))
}

/// The `errors` of a GraphQL answer as one error of the contract.
fn graphql_error(errors: &Value, cost: Option<&Cost>) -> ConnectorError {
    let list = match errors {
        Value::Array(list) => list.clone(),
        other => vec![json!({ "message": other })],
    };
    let code = |e: &Value| e["extensions"]["code"].as_str().unwrap_or("").to_owned();
    let messages = list
        .iter()
        .map(|e| match &e["message"] {
            Value::String(m) => m.lines().next().unwrap_or("").to_owned(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join("; ");
    if list.iter().any(|e| code(e) == "THROTTLED") {
        // shopify.dev/docs/api/usage/limits: a throttled call is HTTP 200
        // with a THROTTLED error; the bucket refills at `restoreRate`.
        return ConnectorError::RateLimited(throttle_wait(cost).or(Some(1)));
    }
    if list.iter().any(|e| code(e) == "ACCESS_DENIED") {
        return ConnectorError::Auth(format!(
            "Shopify refused the query: {messages}. Check the app's access scopes (read_products, read_inventory, read_orders)"
        ));
    }
    if list.iter().any(|e| code(e) == "MAX_COST_EXCEEDED") {
        return ConnectorError::Upstream(format!("{messages}. Lower `page_size` or `variants_per_product` in the store's connector settings"));
    }
    ConnectorError::Upstream(format!("Shopify answered GraphQL errors: {messages}"))
}

/// Runs one query. HTTP 404 means the shop does not serve this API version
/// (or is not a shop): a settings problem, never "no such product/order".
pub fn graphql<T: DeserializeOwned>(s: &Settings, query: &str, variables: Value) -> Result<T, ConnectorError> {
    let body = json!({ "query": query, "variables": variables });
    let url = s.graphql_url();
    let response = json_request::<Envelope<T>, _>(Method::Post, &url, &[], Some(&body)).map_err(|e| match e {
        ConnectorError::NotFound(_) => {
            ConnectorError::InvalidSettings(format!("{url} answered 404: check `shop` and that api_version {} is one Shopify still serves", s.api_version()))
        }
        other => other,
    })?;
    let envelope = response.value;
    let cost = envelope.extensions.as_ref().and_then(|e| e.cost.as_ref());
    if let Some(errors) = envelope.errors.as_ref().filter(|e| !e.is_null() && e.as_array().is_none_or(|a| !a.is_empty())) {
        return Err(graphql_error(errors, cost));
    }
    envelope.data.ok_or_else(|| ConnectorError::Upstream(format!("{url} answered without `data` or `errors`")))
}

/// A value for Shopify's search syntax, quoted: `"` and `\` escaped.
pub fn search_value(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttled_answers_wait_for_the_missing_points() {
        let body: Envelope<Value> = serde_json::from_value(json!({
            "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
            "extensions": {"cost": {"requestedQueryCost": 752, "actualQueryCost": null,
                "throttleStatus": {"maximumAvailable": 1000.0, "currentlyAvailable": 52.0, "restoreRate": 100.0}}}
        }))
        .unwrap();
        let error = graphql_error(body.errors.as_ref().unwrap(), body.extensions.as_ref().and_then(|e| e.cost.as_ref()));
        assert_eq!(error, ConnectorError::RateLimited(Some(7)));
    }

    #[test]
    fn other_errors_name_the_fix() {
        let cost = json!([{"message": "Query cost is 1302, which exceeds the single query max cost limit (1000).\n\nSee …", "extensions": {"code": "MAX_COST_EXCEEDED"}}]);
        assert!(matches!(graphql_error(&cost, None), ConnectorError::Upstream(m) if m.contains("page_size") && !m.contains('…')));
        let denied = json!([{"message": "Access denied for orders field.", "extensions": {"code": "ACCESS_DENIED"}}]);
        assert!(matches!(graphql_error(&denied, None), ConnectorError::Auth(m) if m.contains("read_orders")));
    }

    #[test]
    fn search_values_are_quoted() {
        assert_eq!(search_value(r#"NW "1" \ A"#), r#""NW \"1\" \\ A""#);
    }
}
