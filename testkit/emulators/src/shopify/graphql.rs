//! The Admin GraphQL subset the emulator answers: a typed schema table (so a
//! field Shopify does not have is an error, as on the real API), the
//! calculated query cost Shopify throttles on, and an executor over the
//! emulated [`Shop`] and its bulk operations ([`super::bulk`]), which also
//! writes a bulk query's JSONL file.
//!
//! Cost, per shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits:
//! scalars and enums 0, objects 1, connections 2 plus `first` times the cost
//! of one node; a single query may not request more than 1,000 points.

use std::collections::HashMap;

use base64::Engine;
use graphql_parser::query::{Definition, Document, Field, OperationDefinition, Selection, SelectionSet, TypeCondition, Value as GqlValue};
use serde_json::{Map, Value, json};

use super::bulk::{BulkOp, RunOutcome, UserError};
use super::catalog::{Fulfillment, InventoryLevel, LineItem, Location, Order, Product, Shop, TrackingInfo, Variant};
use super::search::{self, Comparator, Term};

/// Largest `first`/`last` on any connection.
pub const MAX_PAGE: i64 = 250;
/// Shopify stops paging at 25,000 objects.
const MAX_OFFSET: usize = 25_000;

/// A GraphQL error as Shopify returns it in `errors[]`.
#[derive(Debug, Clone)]
pub struct GqlError {
    pub message: String,
    pub code: Option<&'static str>,
    pub extra: Map<String, Value>,
}

impl GqlError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self { message: message.into(), code: None, extra: Map::new() }
    }

    pub(crate) fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub fn to_json(&self) -> Value {
        let mut extensions = self.extra.clone();
        if let Some(code) = self.code {
            extensions.insert("code".into(), json!(code));
        }
        json!({"message": self.message, "extensions": extensions})
    }
}

/// What a field returns.
#[derive(Debug, Clone, Copy)]
enum Ty {
    Scalar,
    Object(&'static str),
    /// A plain list of objects (`selectedOptions`, `fulfillments`).
    List(&'static str),
    /// A Relay connection of nodes of this type.
    Connection(&'static str),
}

/// The schema subset: `(type, field) -> what it returns`.
fn field_type(parent: &str, field: &str) -> Option<Ty> {
    use Ty::*;
    if let Some(node) = parent.strip_suffix("Connection") {
        return match field {
            "edges" => Some(List(edge_type(node))),
            "nodes" => Some(List(static_name(node))),
            "pageInfo" => Some(Object("PageInfo")),
            _ => None,
        };
    }
    if let Some(node) = parent.strip_suffix("Edge") {
        return match field {
            "cursor" => Some(Scalar),
            "node" => Some(Object(static_name(node))),
            _ => None,
        };
    }
    Some(match (parent, field) {
        ("QueryRoot", "shop") => Object("Shop"),
        ("QueryRoot", "products") => Connection("Product"),
        ("QueryRoot", "product") => Object("Product"),
        ("QueryRoot", "productVariants") => Connection("ProductVariant"),
        ("QueryRoot", "inventoryItem") => Object("InventoryItem"),
        ("QueryRoot", "orders") => Connection("Order"),
        ("QueryRoot", "order") => Object("Order"),
        ("QueryRoot", "locations") => Connection("Location"),
        ("QueryRoot", "currentBulkOperation") => Object("BulkOperation"),
        ("QueryRoot", "node") => Object("Node"),
        ("Node", "id") => Scalar,
        ("Mutation", "bulkOperationRunQuery") => Object("BulkOperationRunQueryPayload"),
        ("BulkOperationRunQueryPayload", "bulkOperation") => Object("BulkOperation"),
        ("BulkOperationRunQueryPayload", "userErrors") => List("BulkOperationUserError"),
        ("BulkOperationUserError", "field" | "message" | "code") => Scalar,
        (
            "BulkOperation",
            "id" | "status" | "errorCode" | "createdAt" | "completedAt" | "objectCount" | "rootObjectCount" | "fileSize" | "url" | "partialDataUrl"
            | "query" | "type",
        ) => Scalar,
        ("Shop", "name" | "currencyCode" | "myshopifyDomain") => Scalar,
        (
            "Product",
            "id" | "title" | "handle" | "descriptionHtml" | "vendor" | "productType" | "tags" | "status" | "createdAt" | "updatedAt" | "totalInventory",
        ) => Scalar,
        ("Product", "options") => List("ProductOption"),
        ("Product", "featuredImage") => Object("Image"),
        ("Product", "variants") => Connection("ProductVariant"),
        ("ProductOption", "name" | "values" | "position") => Scalar,
        ("Image", "url" | "altText") => Scalar,
        ("ProductVariant", "id" | "sku" | "title" | "price" | "compareAtPrice" | "inventoryQuantity" | "displayName") => Scalar,
        ("ProductVariant", "selectedOptions") => List("SelectedOption"),
        ("ProductVariant", "inventoryItem") => Object("InventoryItem"),
        ("ProductVariant", "product") => Object("Product"),
        ("SelectedOption", "name" | "value") => Scalar,
        ("InventoryItem", "id" | "sku" | "tracked") => Scalar,
        ("InventoryItem", "inventoryLevels") => Connection("InventoryLevel"),
        ("InventoryItem", "variant") => Object("ProductVariant"),
        ("InventoryLevel", "id") => Scalar,
        ("InventoryLevel", "location") => Object("Location"),
        ("InventoryLevel", "quantities") => List("InventoryQuantity"),
        ("InventoryQuantity", "name" | "quantity") => Scalar,
        ("Location", "id" | "name" | "isActive") => Scalar,
        ("Order", "id" | "name" | "email" | "createdAt" | "cancelledAt" | "displayFinancialStatus" | "displayFulfillmentStatus" | "currencyCode") => Scalar,
        ("Order", "totalPriceSet") => Object("MoneyBag"),
        ("Order", "lineItems") => Connection("LineItem"),
        ("Order", "fulfillments") => List("Fulfillment"),
        ("MoneyBag", "shopMoney" | "presentmentMoney") => Object("MoneyV2"),
        ("MoneyV2", "amount" | "currencyCode") => Scalar,
        ("LineItem", "sku" | "title" | "name" | "quantity") => Scalar,
        ("LineItem", "originalUnitPriceSet") => Object("MoneyBag"),
        ("Fulfillment", "status" | "createdAt" | "displayStatus") => Scalar,
        ("Fulfillment", "trackingInfo") => List("FulfillmentTrackingInfo"),
        ("FulfillmentTrackingInfo", "company" | "number" | "url") => Scalar,
        ("PageInfo", "hasNextPage" | "hasPreviousPage" | "startCursor" | "endCursor") => Scalar,
        _ => return None,
    })
}

const NODE_TYPES: [&str; 15] = [
    "Shop",
    "Product",
    "ProductOption",
    "Image",
    "ProductVariant",
    "SelectedOption",
    "InventoryItem",
    "InventoryLevel",
    "InventoryQuantity",
    "Location",
    "Order",
    "MoneyBag",
    "MoneyV2",
    "LineItem",
    "Fulfillment",
];

fn static_name(name: &str) -> &'static str {
    NODE_TYPES.iter().find(|n| **n == name).copied().unwrap_or("FulfillmentTrackingInfo")
}

fn edge_type(node: &str) -> &'static str {
    match node {
        "Product" => "ProductEdge",
        "ProductVariant" => "ProductVariantEdge",
        "InventoryLevel" => "InventoryLevelEdge",
        "Order" => "OrderEdge",
        "Location" => "LocationEdge",
        _ => "LineItemEdge",
    }
}

fn connection_type(node: &str) -> &'static str {
    match node {
        "Product" => "ProductConnection",
        "ProductVariant" => "ProductVariantConnection",
        "InventoryLevel" => "InventoryLevelConnection",
        "Order" => "OrderConnection",
        "Location" => "LocationConnection",
        _ => "LineItemConnection",
    }
}

/// A parsed request: the selection of its one operation, its fragments
/// and its variables.
pub struct Request<'q> {
    /// `QueryRoot` or `Mutation`.
    root: &'static str,
    selection: SelectionSet<'q, String>,
    fragments: HashMap<String, SelectionSet<'q, String>>,
    variables: Map<String, Value>,
}

impl<'q> Request<'q> {
    pub fn parse(document: &'q str, operation_name: Option<&str>, variables: Map<String, Value>) -> Result<Self, GqlError> {
        let doc: Document<'q, String> = graphql_parser::parse_query(document).map_err(|e| GqlError::new(format!("Parse error: {e}")))?;
        let mut fragments = HashMap::new();
        let mut operations = Vec::new();
        for definition in doc.definitions {
            match definition {
                Definition::Fragment(f) => {
                    fragments.insert(f.name, f.selection_set);
                }
                Definition::Operation(OperationDefinition::SelectionSet(s)) => operations.push((None, "QueryRoot", s)),
                Definition::Operation(OperationDefinition::Query(q)) => operations.push((q.name, "QueryRoot", q.selection_set)),
                Definition::Operation(OperationDefinition::Mutation(m)) => operations.push((m.name, "Mutation", m.selection_set)),
                Definition::Operation(OperationDefinition::Subscription(_)) => return Err(GqlError::new("Subscriptions are not served over HTTP")),
            }
        }
        let (root, selection) = match operation_name {
            Some(name) => operations.into_iter().find(|(n, _, _)| n.as_deref() == Some(name)).map(|(_, root, s)| (root, s)),
            None if operations.len() == 1 => operations.pop().map(|(_, root, s)| (root, s)),
            None => None,
        }
        .ok_or_else(|| GqlError::new("An operation name is required when the document has several operations, and it must name one of them"))?;
        Ok(Self { root, selection, fragments, variables })
    }

    pub fn is_mutation(&self) -> bool {
        self.root == "Mutation"
    }

    /// The one argument of a top-level field, as sent (variables resolved).
    pub fn root_argument(&self, field: &str, argument: &str) -> Result<Option<Value>, GqlError> {
        let mut fields = Vec::new();
        self.fields(self.root, &self.selection, &mut fields)?;
        match fields.into_iter().find(|f| f.name == field) {
            Some(f) => Ok(self.args(f)?.remove(argument)),
            None => Ok(None),
        }
    }

    /// The names of the query's top-level fields.
    pub fn root_fields(&self) -> Vec<String> {
        let mut fields = Vec::new();
        match self.fields(self.root, &self.selection, &mut fields) {
            Ok(()) => fields.iter().map(|f| f.name.clone()).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The fields of a selection set on an object of type `on`, with
    /// fragments spread in (an inline fragment on another type is left out).
    fn fields<'s>(&'s self, on: &str, set: &'s SelectionSet<'q, String>, out: &mut Vec<&'s Field<'q, String>>) -> Result<(), GqlError> {
        for item in &set.items {
            match item {
                Selection::Field(f) => out.push(f),
                Selection::InlineFragment(f) => match &f.type_condition {
                    Some(TypeCondition::On(t)) if t != on => {}
                    _ => self.fields(on, &f.selection_set, out)?,
                },
                Selection::FragmentSpread(s) => {
                    let fragment =
                        self.fragments.get(&s.fragment_name).ok_or_else(|| GqlError::new(format!("Fragment {} was used, but not defined", s.fragment_name)))?;
                    self.fields(on, fragment, out)?;
                }
            }
        }
        Ok(())
    }

    /// The selections of inline fragments on a type other than `on` (the
    /// concrete types of an interface such as `Node`).
    fn typed_fragments<'s>(&'s self, on: &str, set: &'s SelectionSet<'q, String>) -> Vec<(&'s str, &'s SelectionSet<'q, String>)> {
        set.items
            .iter()
            .filter_map(|item| match item {
                Selection::InlineFragment(f) => match &f.type_condition {
                    Some(TypeCondition::On(t)) if t != on => Some((t.as_str(), &f.selection_set)),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// The node selection of a connection field (`edges { node { … } }` or
    /// `nodes { … }`).
    fn node_selection<'s>(&'s self, connection: &str, field: &'s Field<'q, String>) -> Result<&'s SelectionSet<'q, String>, GqlError> {
        let mut fields = Vec::new();
        self.fields(connection, &field.selection_set, &mut fields)?;
        for f in fields {
            match f.name.as_str() {
                "nodes" => return Ok(&f.selection_set),
                "edges" => {
                    let mut inner = Vec::new();
                    self.fields("Edge", &f.selection_set, &mut inner)?;
                    if let Some(node) = inner.into_iter().find(|n| n.name == "node") {
                        return Ok(&node.selection_set);
                    }
                }
                _ => {}
            }
        }
        Err(GqlError::new(format!("The connection '{}' selects no nodes", field.name)))
    }

    /// Checks a bulk query as `bulkOperationRunQuery` does: one top-level
    /// connection, at most five connections, nested at most two deep, a
    /// nested connection's parent selecting `id`. The message is the
    /// user error's.
    pub fn check_bulk(&self) -> Result<(), String> {
        if self.is_mutation() {
            return Err("Invalid bulk query: bulkOperationRunQuery runs queries; mutations go through bulkOperationRunMutation".into());
        }
        let mut fields = Vec::new();
        self.fields(self.root, &self.selection, &mut fields).map_err(|e| e.message)?;
        let [root] = fields.as_slice() else { return Err("Invalid bulk query: a bulk query has exactly one top-level field".into()) };
        if !matches!(field_type(self.root, &root.name), Some(Ty::Connection(_))) {
            return Err("Bulk queries must contain at least one connection.".into());
        }
        let mut connections = 0;
        self.check_bulk_set(self.root, &self.selection, 0, false, &mut connections)?;
        if connections > 5 {
            return Err("Bulk queries cannot contain more than 5 connections.".into());
        }
        Ok(())
    }

    fn check_bulk_set(&self, parent: &str, set: &SelectionSet<'q, String>, depth: u32, in_object: bool, connections: &mut u32) -> Result<(), String> {
        let mut fields = Vec::new();
        self.fields(parent, set, &mut fields).map_err(|e| e.message)?;
        let selects_id = fields.iter().any(|f| f.name == "id");
        for field in &fields {
            if field.name == "__typename" {
                continue;
            }
            let ty = field_type(parent, &field.name).ok_or_else(|| format!("Field '{}' doesn't exist on type '{parent}'", field.name))?;
            match ty {
                Ty::Scalar => {}
                Ty::Object(t) | Ty::List(t) => self.check_bulk_set(t, &field.selection_set, depth, true, connections)?,
                Ty::Connection(node) => {
                    if in_object {
                        return Err(format!("The emulator writes nested connections only on a connection's nodes, not inside '{parent}' ({})", field.name));
                    }
                    *connections += 1;
                    if depth >= 2 {
                        return Err("Bulk queries cannot contain connections with a nesting depth greater than 2.".into());
                    }
                    if depth >= 1 && !selects_id {
                        return Err(format!(
                            "The parent 'node' field for a nested connection must select the 'id' field. Connection fields without 'id': {}.",
                            field.name
                        ));
                    }
                    let nodes = self.node_selection(connection_type(node), field).map_err(|e| e.message)?;
                    self.check_bulk_set(node, nodes, depth + 1, false, connections)?;
                }
            }
        }
        Ok(())
    }

    fn value(&self, value: &GqlValue<'q, String>) -> Result<Value, GqlError> {
        Ok(match value {
            GqlValue::Variable(name) => self.variables.get(name).cloned().unwrap_or(Value::Null),
            GqlValue::Int(n) => json!(n.as_i64()),
            GqlValue::Float(f) => json!(f),
            GqlValue::String(s) => json!(s),
            GqlValue::Boolean(b) => json!(b),
            GqlValue::Null => Value::Null,
            GqlValue::Enum(e) => json!(e),
            GqlValue::List(items) => Value::Array(items.iter().map(|v| self.value(v)).collect::<Result<_, _>>()?),
            GqlValue::Object(map) => Value::Object(map.iter().map(|(k, v)| Ok((k.clone(), self.value(v)?))).collect::<Result<_, GqlError>>()?),
        })
    }

    /// A field's arguments. Names starting with `__` are reserved and
    /// dropped (the executor marks bulk reads with one).
    fn args(&self, field: &Field<'q, String>) -> Result<Map<String, Value>, GqlError> {
        field.arguments.iter().filter(|(name, _)| !name.starts_with("__")).map(|(name, value)| Ok((name.clone(), self.value(value)?))).collect()
    }

    /// Validates the query against the schema and returns its requested
    /// cost.
    pub fn requested_cost(&self) -> Result<u64, GqlError> {
        self.selection_cost(self.root, &self.selection)
    }

    fn selection_cost(&self, parent: &str, set: &SelectionSet<'q, String>) -> Result<u64, GqlError> {
        let mut fields = Vec::new();
        self.fields(parent, set, &mut fields)?;
        // An interface costs the most of its possible selections.
        let mut cost = 0;
        for (on, fragment) in self.typed_fragments(parent, set) {
            cost = cost.max(self.selection_cost(on, fragment)?);
        }
        for field in fields {
            if field.name == "__typename" {
                continue;
            }
            let ty = field_type(parent, &field.name).ok_or_else(|| {
                GqlError::new(format!("Field '{}' doesn't exist on type '{parent}'", field.name))
                    .code("undefinedField")
                    .with("typeName", parent)
                    .with("fieldName", &field.name)
            })?;
            cost += match ty {
                // shopify.dev rate limits: a mutation costs 10.
                _ if parent == "Mutation" => {
                    self.selection_cost(field_type_name(ty), &field.selection_set)?;
                    MUTATION_COST
                }
                Ty::Scalar => {
                    if !field.selection_set.items.is_empty() {
                        return Err(GqlError::new(format!("Selections can't be made on scalars (field '{}' returns a scalar)", field.name)));
                    }
                    0
                }
                Ty::Object(t) | Ty::List(t) => 1 + self.selection_cost(t, &field.selection_set)?,
                Ty::Connection(node) => {
                    let args = self.args(field)?;
                    let size = page_size(&args)?;
                    2 + size as u64 * self.node_cost(node, &field.selection_set)?
                }
            };
        }
        Ok(cost)
    }

    /// The cost of one node of a connection: its `edges { node }` or
    /// `nodes` selection, whichever is larger.
    fn node_cost(&self, node: &'static str, set: &SelectionSet<'q, String>) -> Result<u64, GqlError> {
        let connection = connection_type(node);
        let mut fields = Vec::new();
        self.fields(connection, set, &mut fields)?;
        let mut cost = 0;
        for field in fields {
            let one = match field.name.as_str() {
                "nodes" => 1 + self.selection_cost(node, &field.selection_set)?,
                "edges" => self.selection_cost(edge_type(node), &field.selection_set)?,
                "pageInfo" | "__typename" => {
                    self.selection_cost("PageInfo", &field.selection_set)?;
                    0
                }
                other => return Err(GqlError::new(format!("Field '{other}' doesn't exist on type '{connection}'")).code("undefinedField")),
            };
            cost = cost.max(one);
        }
        Ok(cost.max(1))
    }
}

/// What a mutation costs, whatever it selects.
pub const MUTATION_COST: u64 = 10;

fn field_type_name(ty: Ty) -> &'static str {
    match ty {
        Ty::Scalar => "",
        Ty::Object(t) | Ty::List(t) | Ty::Connection(t) => t,
    }
}

impl GqlError {
    fn with(mut self, key: &str, value: &str) -> Self {
        self.extra.insert(key.into(), json!(value));
        self
    }
}

/// `first` or `last`, checked as Shopify checks them.
fn page_size(args: &Map<String, Value>) -> Result<i64, GqlError> {
    let first = args.get("first").and_then(Value::as_i64);
    let last = args.get("last").and_then(Value::as_i64);
    match (first, last) {
        (None, None) => Err(GqlError::new("you must provide one of first or last")),
        (Some(n), _) | (None, Some(n)) if n > MAX_PAGE => Err(GqlError::new(format!("first cannot exceed {MAX_PAGE}")).code("BAD_REQUEST")),
        (Some(n), _) | (None, Some(n)) if n < 0 => Err(GqlError::new("first must be a non-negative integer")),
        (Some(n), _) | (None, Some(n)) => Ok(n),
    }
}

/// A resolved object.
#[derive(Clone)]
enum Obj<'s> {
    Query,
    Mutation,
    RunPayload(&'s RunOutcome),
    BulkUserError(&'s UserError),
    BulkOperation(&'s BulkOp),
    Shop,
    Product(&'s Product),
    ProductOption(&'s (String, Vec<String>)),
    Image(&'s str),
    Variant(&'s Product, &'s Variant),
    SelectedOption(&'s (String, String)),
    InventoryItem(&'s Product, &'s Variant),
    InventoryLevel(&'s Variant, &'s InventoryLevel),
    Quantity(String, i64),
    Location(&'s Location),
    Order(&'s Order),
    MoneyBag(&'s str),
    Money(&'s str),
    LineItem(&'s LineItem),
    Fulfillment(&'s Fulfillment),
    Tracking(&'s TrackingInfo),
    Connection(Page<'s>),
    Edge(String, Box<Obj<'s>>),
    PageInfo { has_next: bool, has_previous: bool, start: Option<String>, end: Option<String> },
}

impl Obj<'_> {
    /// The type of an object behind the `Node` interface.
    fn node_type(&self) -> &'static str {
        match self {
            Obj::BulkOperation(_) => "BulkOperation",
            Obj::Product(_) => "Product",
            _ => "Node",
        }
    }
}

/// The argument the executor adds to a connection it reads whole for a
/// bulk query (no `first`, no 25,000-object cap).
const BULK_ARG: &str = "__bulk";

#[derive(Clone)]
struct Page<'s> {
    items: Vec<(String, Obj<'s>)>,
    has_next: bool,
    has_previous: bool,
}

enum Out<'s> {
    Value(Value),
    Object(Obj<'s>),
    List(Vec<Obj<'s>>),
}

pub fn gid(kind: &str, id: u64) -> String {
    format!("gid://shopify/{kind}/{id}")
}

fn parse_gid(kind: &str, value: &str) -> Option<u64> {
    value.strip_prefix("gid://shopify/")?.strip_prefix(kind)?.strip_prefix('/')?.parse().ok()
}

/// Opaque cursors, like Shopify's: base64 of `{"last_id", "last_value"}`.
fn cursor(id: u64, value: &Value) -> String {
    base64::engine::general_purpose::STANDARD.encode(json!({"last_id": id, "last_value": value}).to_string())
}

fn decode_cursor(cursor: &str) -> Result<(u64, Value), GqlError> {
    let bad = || GqlError::new(format!("Invalid cursor for current pagination sort: {cursor}")).code("BAD_REQUEST");
    let bytes = base64::engine::general_purpose::STANDARD.decode(cursor).map_err(|_| bad())?;
    let value: Value = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    Ok((value["last_id"].as_u64().ok_or_else(bad)?, value["last_value"].clone()))
}

/// Executes a validated request. Returns `data` and the actual cost.
pub struct Executor<'s, 'r, 'q> {
    shop: &'s Shop,
    request: &'r Request<'q>,
    /// The app's bulk operations, oldest first, as of `now`.
    bulk: &'s [BulkOp],
    /// What this request's `bulkOperationRunQuery` did.
    run: Option<&'s RunOutcome>,
    now: std::time::Instant,
    /// Leave connections out (a bulk query's JSONL lines).
    flat: bool,
    pub actual_cost: u64,
}

impl<'s, 'r, 'q> Executor<'s, 'r, 'q> {
    pub fn new(shop: &'s Shop, request: &'r Request<'q>) -> Self {
        Self { shop, request, bulk: &[], run: None, now: std::time::Instant::now(), flat: false, actual_cost: 0 }
    }

    /// With the app's bulk operations (and what a `bulkOperationRunQuery`
    /// in this request did).
    pub fn with_bulk(mut self, bulk: &'s [BulkOp], run: Option<&'s RunOutcome>) -> Self {
        self.bulk = bulk;
        self.run = run;
        self
    }

    pub fn run(&mut self) -> Result<Value, GqlError> {
        let set = &self.request.selection;
        let root = if self.request.is_mutation() { Obj::Mutation } else { Obj::Query };
        self.select(&root, self.request.root, set).map(Value::Object)
    }

    /// A bulk query's JSONL file (checked with [`Request::check_bulk`]):
    /// a line per node of the top-level connection, and a line per node of
    /// a nested connection with `__parentId`, right below its parent when
    /// `group`, after all the lines of the level above otherwise. Returns
    /// the file, the objects written and the top-level ones.
    pub fn jsonl(&mut self, group: bool) -> Result<(Vec<u8>, u64, u64), GqlError> {
        let request = self.request;
        let mut fields = Vec::new();
        request.fields(request.root, &request.selection, &mut fields)?;
        let [root] = fields.as_slice() else { return Err(GqlError::new("a bulk query has exactly one top-level field")) };
        let Some(Ty::Connection(node)) = field_type(request.root, &root.name) else {
            return Err(GqlError::new("Bulk queries must contain at least one connection."));
        };
        let set = request.node_selection(connection_type(node), root)?;
        let roots = self.bulk_nodes(&Obj::Query, root)?;
        let mut lines = Vec::new();
        let mut deferred = Vec::new();
        for obj in &roots {
            self.bulk_lines(obj, node, set, None, group, &mut lines, &mut deferred)?;
        }
        while !deferred.is_empty() {
            for (parent, obj, node, set) in std::mem::take(&mut deferred) {
                self.bulk_lines(&obj, node, set, Some(&parent), group, &mut lines, &mut deferred)?;
            }
        }
        let mut file = Vec::new();
        for line in &lines {
            serde_json::to_writer(&mut file, line).map_err(|e| GqlError::new(format!("internal emulator error: {e}")))?;
            file.push(b'\n');
        }
        Ok((file, lines.len() as u64, roots.len() as u64))
    }

    /// Every node of a connection field of `obj`, unpaged.
    fn bulk_nodes(&mut self, obj: &Obj<'s>, field: &Field<'q, String>) -> Result<Vec<Obj<'s>>, GqlError> {
        let mut args = self.request.args(field)?;
        args.insert(BULK_ARG.into(), json!(true));
        match self.resolve(obj, &field.name, &args)? {
            Out::Object(Obj::Connection(page)) => Ok(page.items.into_iter().map(|(_, node)| node).collect()),
            _ => Err(GqlError::new(format!("internal emulator error: '{}' is not a connection", field.name))),
        }
    }

    /// `obj`'s line (and its children's, or theirs deferred).
    #[allow(clippy::too_many_arguments)]
    fn bulk_lines(
        &mut self,
        obj: &Obj<'s>,
        type_name: &'static str,
        set: &'r SelectionSet<'q, String>,
        parent: Option<&str>,
        group: bool,
        lines: &mut Vec<Map<String, Value>>,
        deferred: &mut Vec<(String, Obj<'s>, &'static str, &'r SelectionSet<'q, String>)>,
    ) -> Result<(), GqlError> {
        let request = self.request;
        self.flat = true;
        let line = self.select(obj, type_name, set);
        self.flat = false;
        let mut line = line?;
        let id = line.get("id").and_then(Value::as_str).map(str::to_owned);
        if let Some(parent) = parent {
            line.insert("__parentId".into(), json!(parent));
        }
        lines.push(line);
        let mut fields = Vec::new();
        request.fields(type_name, set, &mut fields)?;
        for field in fields {
            let Some(Ty::Connection(node)) = field_type(type_name, &field.name) else { continue };
            let id = id.clone().ok_or_else(|| GqlError::new("The parent 'node' field for a nested connection must select the 'id' field."))?;
            let child_set = request.node_selection(connection_type(node), field)?;
            for child in self.bulk_nodes(obj, field)? {
                if group {
                    self.bulk_lines(&child, node, child_set, Some(&id), group, lines, deferred)?;
                } else {
                    deferred.push((id.clone(), child, node, child_set));
                }
            }
        }
        Ok(())
    }

    fn select(&mut self, obj: &Obj<'s>, type_name: &str, set: &SelectionSet<'q, String>) -> Result<Map<String, Value>, GqlError> {
        let mut fields = Vec::new();
        self.request.fields(type_name, set, &mut fields)?;
        let mut out = Map::new();
        for field in fields {
            let key = field.alias.clone().unwrap_or_else(|| field.name.clone());
            if field.name == "__typename" {
                out.insert(key, json!(type_name));
                continue;
            }
            let ty = field_type(type_name, &field.name).ok_or_else(|| GqlError::new(format!("Field '{}' doesn't exist on type '{type_name}'", field.name)))?;
            if self.flat && matches!(ty, Ty::Connection(_)) {
                continue;
            }
            let args = self.request.args(field)?;
            let value = match (self.resolve(obj, &field.name, &args)?, ty) {
                (Out::Value(v), _) => v,
                (Out::Object(o), Ty::Object(t)) => {
                    self.actual_cost += 1;
                    // An interface field (`node`) selects on the object's own type.
                    let t = if t == "Node" { o.node_type() } else { t };
                    Value::Object(self.select(&o, t, &field.selection_set)?)
                }
                (Out::Object(o), Ty::Connection(node)) => {
                    self.actual_cost += 2;
                    Value::Object(self.select(&o, connection_type(node), &field.selection_set)?)
                }
                (Out::List(items), Ty::List(t)) => {
                    let node_like = !t.ends_with("Edge");
                    let mut values = Vec::with_capacity(items.len());
                    for item in items {
                        if node_like {
                            self.actual_cost += 1;
                        }
                        values.push(Value::Object(self.select(&item, t, &field.selection_set)?));
                    }
                    Value::Array(values)
                }
                _ => return Err(GqlError::new(format!("internal emulator error: field {type_name}.{} resolved to the wrong kind", field.name))),
            };
            out.insert(key, value);
        }
        Ok(out)
    }

    fn resolve(&mut self, obj: &Obj<'s>, field: &str, args: &Map<String, Value>) -> Result<Out<'s>, GqlError> {
        let shop = self.shop;
        let v = |value: Value| Ok(Out::Value(value));
        let opt = |value: Option<&str>| Ok(Out::Value(value.map_or(Value::Null, |s| json!(s))));
        match obj {
            Obj::Mutation => match field {
                "bulkOperationRunQuery" => {
                    let run = self.run.ok_or_else(|| GqlError::new("internal emulator error: a bulk mutation without its outcome"))?;
                    Ok(Out::Object(Obj::RunPayload(run)))
                }
                _ => unreachable_field(field),
            },
            Obj::RunPayload(run) => match field {
                "bulkOperation" => Ok(run.op.and_then(|id| self.bulk.iter().find(|op| op.id == id)).map_or(Out::Value(Value::Null), |op| Out::Object(Obj::BulkOperation(op)))),
                "userErrors" => Ok(Out::List(run.errors.iter().map(Obj::BulkUserError).collect())),
                _ => unreachable_field(field),
            },
            Obj::BulkUserError(e) => match field {
                "field" => v(json!(e.field)),
                "message" => v(json!(e.message)),
                "code" => v(json!(e.code)),
                _ => unreachable_field(field),
            },
            Obj::BulkOperation(op) => match op.field(field, self.now) {
                Some(value) => v(value),
                None => unreachable_field(field),
            },
            Obj::Query => match field {
                "currentBulkOperation" => {
                    // `type` defaults to QUERY; the emulator runs bulk queries only.
                    let wanted = args.get("type").and_then(Value::as_str).unwrap_or("QUERY");
                    let op = if wanted == "QUERY" { self.bulk.last() } else { None };
                    Ok(op.map_or(Out::Value(Value::Null), |op| Out::Object(Obj::BulkOperation(op))))
                }
                "node" => {
                    let id = args.get("id").and_then(Value::as_str).unwrap_or("");
                    let found = if let Some(n) = parse_gid("BulkOperation", id) {
                        self.bulk.iter().find(|op| op.id == n).map(Obj::BulkOperation)
                    } else {
                        parse_gid("Product", id).and_then(|n| shop.product(n)).map(Obj::Product)
                    };
                    Ok(found.map_or(Out::Value(Value::Null), Out::Object))
                }
                "shop" => Ok(Out::Object(Obj::Shop)),
                "products" => self.products(args),
                "product" => {
                    let id = args.get("id").and_then(Value::as_str).and_then(|id| parse_gid("Product", id));
                    Ok(match id.and_then(|id| shop.product(id)) {
                        Some(p) => Out::Object(Obj::Product(p)),
                        None => Out::Value(Value::Null),
                    })
                }
                "productVariants" => self.product_variants(args),
                "inventoryItem" => {
                    let id = args.get("id").and_then(Value::as_str).and_then(|id| parse_gid("InventoryItem", id));
                    Ok(match id.and_then(|id| shop.variant_by_inventory_item(id)) {
                        Some((p, variant)) => Out::Object(Obj::InventoryItem(p, variant)),
                        None => Out::Value(Value::Null),
                    })
                }
                "orders" => self.orders(args),
                "order" => {
                    let id = args.get("id").and_then(Value::as_str).and_then(|id| parse_gid("Order", id));
                    Ok(match id.and_then(|id| shop.orders.iter().find(|o| o.id == id)) {
                        Some(o) => Out::Object(Obj::Order(o)),
                        None => Out::Value(Value::Null),
                    })
                }
                "locations" => {
                    let items = shop.locations.iter().map(|l| (l.id, json!(l.id), Obj::Location(l))).collect();
                    paginate(items, args)
                }
                _ => unreachable_field(field),
            },
            Obj::Shop => match field {
                "name" => v(json!(shop.name)),
                "currencyCode" => v(json!(shop.currency)),
                "myshopifyDomain" => v(json!(shop.domain)),
                _ => unreachable_field(field),
            },
            Obj::Product(p) => match field {
                "id" => v(json!(gid("Product", p.id))),
                "title" => v(json!(p.title)),
                "handle" => v(json!(p.handle)),
                "descriptionHtml" => v(json!(p.description_html)),
                "vendor" => v(json!(p.vendor)),
                "productType" => v(json!(p.product_type)),
                "tags" => v(json!(p.tags)),
                "status" => v(json!(p.status.graphql())),
                "createdAt" => v(json!(rfc3339(p.created_at))),
                "updatedAt" => v(json!(rfc3339(p.updated_at))),
                "totalInventory" => v(json!(p.variants.iter().map(Variant::inventory_quantity).sum::<i64>())),
                "options" => Ok(Out::List(p.options.iter().map(Obj::ProductOption).collect())),
                "featuredImage" => Ok(p.image_url.as_deref().map_or(Out::Value(Value::Null), |url| Out::Object(Obj::Image(url)))),
                "variants" => {
                    let items = p.variants.iter().map(|variant| (variant.id, json!(variant.id), Obj::Variant(p, variant))).collect();
                    paginate(items, args)
                }
                _ => unreachable_field(field),
            },
            Obj::ProductOption((name, values)) => match field {
                "name" => v(json!(name)),
                "values" => v(json!(values)),
                "position" => v(json!(1)),
                _ => unreachable_field(field),
            },
            Obj::Image(url) => match field {
                "url" => v(json!(url)),
                "altText" => v(Value::Null),
                _ => unreachable_field(field),
            },
            Obj::Variant(p, variant) => match field {
                "id" => v(json!(gid("ProductVariant", variant.id))),
                "sku" => opt(variant.sku.as_deref()),
                "title" => v(json!(variant.title)),
                "displayName" => v(json!(format!("{} - {}", p.title, variant.title))),
                // `Money` scalar: a decimal string without currency
                // (shopify.dev/docs/api/admin-graphql/latest/scalars/Money).
                "price" => v(json!(variant.price)),
                "compareAtPrice" => opt(variant.compare_at_price.as_deref()),
                "inventoryQuantity" => v(json!(variant.inventory_quantity())),
                "selectedOptions" => Ok(Out::List(variant.selected_options.iter().map(Obj::SelectedOption).collect())),
                "inventoryItem" => Ok(Out::Object(Obj::InventoryItem(p, variant))),
                "product" => Ok(Out::Object(Obj::Product(p))),
                _ => unreachable_field(field),
            },
            Obj::SelectedOption((name, value)) => match field {
                "name" => v(json!(name)),
                "value" => v(json!(value)),
                _ => unreachable_field(field),
            },
            Obj::InventoryItem(p, variant) => match field {
                "id" => v(json!(gid("InventoryItem", variant.inventory_item_id))),
                "sku" => opt(variant.sku.as_deref()),
                "tracked" => v(json!(true)),
                "variant" => Ok(Out::Object(Obj::Variant(p, variant))),
                "inventoryLevels" => {
                    let items = variant
                        .levels
                        .iter()
                        .map(|level| {
                            let location = shop.locations[level.location].id;
                            (location, json!(location), Obj::InventoryLevel(variant, level))
                        })
                        .collect();
                    paginate(items, args)
                }
                _ => unreachable_field(field),
            },
            Obj::InventoryLevel(variant, level) => match field {
                "id" => v(json!(format!("gid://shopify/InventoryLevel/{}?inventory_item_id={}", shop.locations[level.location].id, variant.inventory_item_id))),
                "location" => Ok(Out::Object(Obj::Location(&shop.locations[level.location]))),
                "quantities" => {
                    // `names` is required (InventoryLevel.quantities(names: [String!]!)).
                    let names = args
                        .get("names")
                        .and_then(Value::as_array)
                        .ok_or_else(|| GqlError::new("Field 'quantities' is missing required arguments: names").code("missingRequiredArguments"))?;
                    let mut out = Vec::new();
                    for name in names.iter().filter_map(Value::as_str) {
                        let quantity = match name {
                            "available" => level.available,
                            "committed" => level.committed,
                            "on_hand" => level.available + level.committed,
                            "incoming" | "reserved" | "damaged" | "safety_stock" | "quality_control" => 0,
                            other => return Err(GqlError::new(format!("The quantity name '{other}' is not valid")).code("INVALID_NAME")),
                        };
                        out.push(Obj::Quantity(name.to_owned(), quantity));
                    }
                    Ok(Out::List(out))
                }
                _ => unreachable_field(field),
            },
            Obj::Quantity(name, quantity) => match field {
                "name" => v(json!(name)),
                "quantity" => v(json!(quantity)),
                _ => unreachable_field(field),
            },
            Obj::Location(l) => match field {
                "id" => v(json!(gid("Location", l.id))),
                "name" => v(json!(l.name)),
                "isActive" => v(json!(true)),
                _ => unreachable_field(field),
            },
            Obj::Order(o) => match field {
                "id" => v(json!(gid("Order", o.id))),
                "name" => v(json!(o.name)),
                "email" => opt(o.email.as_deref()),
                "createdAt" => v(json!(rfc3339(o.created_at))),
                "cancelledAt" => v(o.cancelled_at.map_or(Value::Null, |t| json!(rfc3339(t)))),
                "displayFinancialStatus" => v(json!(o.financial_status)),
                "displayFulfillmentStatus" => v(json!(o.fulfillment_status)),
                "currencyCode" => v(json!(shop.currency)),
                "totalPriceSet" => Ok(Out::Object(Obj::MoneyBag(&o.total))),
                "lineItems" => {
                    let items = o.line_items.iter().enumerate().map(|(i, item)| (i as u64, json!(i), Obj::LineItem(item))).collect();
                    paginate(items, args)
                }
                "fulfillments" => Ok(Out::List(o.fulfillments.iter().map(Obj::Fulfillment).collect())),
                _ => unreachable_field(field),
            },
            Obj::MoneyBag(amount) => match field {
                "shopMoney" | "presentmentMoney" => Ok(Out::Object(Obj::Money(amount))),
                _ => unreachable_field(field),
            },
            // MoneyV2.amount is a `Decimal` string.
            Obj::Money(amount) => match field {
                "amount" => v(json!(amount)),
                "currencyCode" => v(json!(shop.currency)),
                _ => unreachable_field(field),
            },
            Obj::LineItem(item) => match field {
                "sku" => opt(item.sku.as_deref()),
                "title" | "name" => v(json!(item.title)),
                "quantity" => v(json!(item.quantity)),
                "originalUnitPriceSet" => Ok(Out::Object(Obj::MoneyBag(&item.unit_price))),
                _ => unreachable_field(field),
            },
            Obj::Fulfillment(f) => match field {
                "status" => v(json!(f.status)),
                "displayStatus" => v(json!(if f.status == "SUCCESS" { "FULFILLED" } else { f.status.as_str() })),
                "createdAt" => v(json!(rfc3339(f.created_at))),
                "trackingInfo" => Ok(Out::List(f.tracking.iter().map(Obj::Tracking).collect())),
                _ => unreachable_field(field),
            },
            Obj::Tracking(t) => match field {
                "company" => opt(t.company.as_deref()),
                "number" => opt(t.number.as_deref()),
                "url" => opt(t.url.as_deref()),
                _ => unreachable_field(field),
            },
            Obj::Connection(page) => match field {
                "edges" => Ok(Out::List(page.items.iter().map(|(c, o)| Obj::Edge(c.clone(), Box::new(o.clone()))).collect())),
                "nodes" => Ok(Out::List(page.items.iter().map(|(_, o)| o.clone()).collect())),
                "pageInfo" => Ok(Out::Object(Obj::PageInfo {
                    has_next: page.has_next,
                    has_previous: page.has_previous,
                    start: page.items.first().map(|(c, _)| c.clone()),
                    end: page.items.last().map(|(c, _)| c.clone()),
                })),
                _ => unreachable_field(field),
            },
            Obj::Edge(c, node) => match field {
                "cursor" => v(json!(c)),
                "node" => Ok(Out::Object((**node).clone())),
                _ => unreachable_field(field),
            },
            Obj::PageInfo { has_next, has_previous, start, end } => match field {
                "hasNextPage" => v(json!(has_next)),
                "hasPreviousPage" => v(json!(has_previous)),
                "startCursor" => v(json!(start)),
                "endCursor" => v(json!(end)),
                _ => unreachable_field(field),
            },
        }
    }

    /// `products(first, after, query, sortKey, reverse)`.
    fn products(&self, args: &Map<String, Value>) -> Result<Out<'s>, GqlError> {
        let search = search::parse(args.get("query").and_then(Value::as_str).unwrap_or(""));
        let sort_key = args.get("sortKey").and_then(Value::as_str).unwrap_or("ID");
        let mut items: Vec<(u64, Value, Obj<'s>)> = Vec::new();
        for p in &self.shop.products {
            if !search.matches(|t| product_matches(p, t)) {
                continue;
            }
            let key = match sort_key {
                "ID" => json!(p.id),
                "UPDATED_AT" => json!(rfc3339(p.updated_at)),
                "TITLE" => json!(p.title),
                "CREATED_AT" => json!(rfc3339(p.created_at)),
                other => {
                    return Err(
                        GqlError::new(format!("Argument 'sortKey' on Field 'products' has an invalid value ({other})")).code("argumentLiteralsIncompatible")
                    );
                }
            };
            items.push((p.id, key, Obj::Product(p)));
        }
        items.sort_by(|a, b| compare_keys(&a.1, &b.1).then(a.0.cmp(&b.0)));
        if args.get("reverse").and_then(Value::as_bool) == Some(true) {
            items.reverse();
        }
        paginate(items, args)
    }

    /// `productVariants(first, after, query: "sku:...")`.
    fn product_variants(&self, args: &Map<String, Value>) -> Result<Out<'s>, GqlError> {
        let search = search::parse(args.get("query").and_then(Value::as_str).unwrap_or(""));
        let mut items = Vec::new();
        for p in &self.shop.products {
            for variant in &p.variants {
                let matches = search.matches(|t| match t.field.as_str() {
                    "sku" => variant.sku.as_deref() == Some(t.value.as_str()),
                    "product_id" => t.value.parse() == Ok(p.id),
                    "" => variant.title.to_lowercase().contains(&t.value.to_lowercase()),
                    _ => false,
                });
                if matches {
                    items.push((variant.id, json!(variant.id), Obj::Variant(p, variant)));
                }
            }
        }
        paginate(items, args)
    }

    /// `orders(first, query: "name:#1001")`. Without `read_all_orders`
    /// Shopify shows 60 days; the emulator shows all.
    fn orders(&self, args: &Map<String, Value>) -> Result<Out<'s>, GqlError> {
        let search = search::parse(args.get("query").and_then(Value::as_str).unwrap_or(""));
        let items = self
            .shop
            .orders
            .iter()
            .filter(|o| {
                search.matches(|t| match t.field.as_str() {
                    // Shopify's name search is a prefix match, with or
                    // without the `#`.
                    "name" => {
                        let want = t.value.trim_start_matches('#').to_lowercase();
                        o.name.trim_start_matches('#').to_lowercase().starts_with(&want)
                    }
                    "email" => o.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(&t.value)),
                    _ => false,
                })
            })
            .map(|o| (o.id, json!(o.id), Obj::Order(o)))
            .collect();
        paginate(items, args)
    }
}

fn unreachable_field<T>(field: &str) -> Result<T, GqlError> {
    Err(GqlError::new(format!("internal emulator error: the schema lists `{field}` but nothing resolves it")))
}

pub fn rfc3339(t: chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn compare_keys(a: &Value, b: &Value) -> std::cmp::Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_u64().cmp(&y.as_u64()),
        _ => a.as_str().cmp(&b.as_str()),
    }
}

fn product_matches(p: &Product, term: &Term) -> bool {
    match term.field.as_str() {
        "updated_at" | "created_at" => {
            let at = if term.field == "updated_at" { p.updated_at } else { p.created_at };
            let Ok(bound) = chrono::DateTime::parse_from_rfc3339(&term.value) else { return false };
            let bound = bound.with_timezone(&chrono::Utc);
            match term.comparator {
                Comparator::Equals => at == bound,
                Comparator::Greater => at > bound,
                Comparator::GreaterOrEqual => at >= bound,
                Comparator::Less => at < bound,
                Comparator::LessOrEqual => at <= bound,
            }
        }
        "status" => term.value.split(',').any(|s| s.trim().eq_ignore_ascii_case(p.status.rest())),
        "id" => term.value.parse() == Ok(p.id),
        "sku" => p.variants.iter().any(|v| v.sku.as_deref() == Some(term.value.as_str())),
        "title" | "" => p.title.to_lowercase().contains(&term.value.to_lowercase()),
        "product_type" => p.product_type.eq_ignore_ascii_case(&term.value),
        "vendor" => p.vendor.eq_ignore_ascii_case(&term.value),
        _ => false,
    }
}

/// Relay paging over sorted items: `first`/`after` (and `last`/`before`),
/// cursors that stay valid while the items change, 25,000 objects at most.
fn paginate<'s>(items: Vec<(u64, Value, Obj<'s>)>, args: &Map<String, Value>) -> Result<Out<'s>, GqlError> {
    let bulk = args.contains_key(BULK_ARG);
    let size = if bulk { usize::MAX } else { page_size(args)? as usize };
    let position = |c: &str| -> Result<(u64, Value), GqlError> { decode_cursor(c) };
    let after = args.get("after").and_then(Value::as_str).map(position).transpose()?;
    let before = args.get("before").and_then(Value::as_str).map(position).transpose()?;
    // A cursor names the last item's sort value and id: the page starts
    // after that point even if the item itself is gone or has moved.
    let reverse = args.get("reverse").and_then(Value::as_bool) == Some(true);
    let beyond = |(id, key): &(u64, Value), item: &(u64, Value, Obj<'s>)| {
        let order = compare_keys(&item.1, key).then(item.0.cmp(id));
        if reverse { order.is_lt() } else { order.is_gt() }
    };
    let total = items.len();
    let mut window: Vec<(u64, Value, Obj<'s>)> = items.into_iter().filter(|item| after.as_ref().is_none_or(|a| beyond(a, item))).collect();
    let offset = total - window.len();
    let had_before = window.len();
    if let Some(b) = &before {
        window.retain(|item| !beyond(b, item) && (item.0 != b.0));
    }
    let has_previous = after.is_some();
    let (taken, has_next) = if args.get("first").and_then(Value::as_i64).is_some() {
        let has_next = window.len() > size;
        window.truncate(size);
        (window, has_next)
    } else {
        let skip = window.len().saturating_sub(size);
        let has_next = before.is_some() || had_before > window.len();
        (window.split_off(skip), has_next)
    };
    if !bulk && offset + taken.len() > MAX_OFFSET {
        return Err(GqlError::new("Pagination beyond 25,000 objects is not supported; add filters").code("BAD_REQUEST"));
    }
    let items = taken.into_iter().map(|(id, key, obj)| (cursor(id, &key), obj)).collect();
    Ok(Out::Object(Obj::Connection(Page { items, has_next, has_previous })))
}
