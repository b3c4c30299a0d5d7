//! Shopify's products as the GraphQL Admin API and the REST-shaped webhook
//! bodies give them, both read into one [`ShopProduct`] so a product synced
//! and the same product from a webhook make the same card (and the same
//! content hash: no second embedding).

use chatgw_sdk::{ConnectorError, Product, ProductVariant, VariantOption, money};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::settings::Settings;

/// One product, whichever API it came from.
pub struct ShopProduct {
    /// `gid://shopify/Product/…`.
    pub id: String,
    pub title: String,
    pub handle: String,
    pub description_html: String,
    pub vendor: String,
    pub product_type: String,
    pub tags: Vec<String>,
    /// Lowercase: active, draft, archived, unlisted.
    pub status: String,
    pub updated_at: Option<String>,
    pub options: Vec<(String, Vec<String>)>,
    pub image_url: Option<String>,
    pub variants: Vec<ShopVariant>,
}

pub struct ShopVariant {
    pub id: String,
    pub sku: Option<String>,
    pub title: String,
    /// Decimal strings (the `Money` scalar; REST's price).
    pub price: Option<String>,
    pub compare_at_price: Option<String>,
    pub options: Vec<(String, String)>,
    pub inventory_quantity: Option<i64>,
}

// ---- GraphQL shapes ------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

#[derive(Deserialize)]
pub struct Connection<T> {
    #[serde(rename = "pageInfo")]
    pub page_info: PageInfo,
    pub nodes: Vec<T>,
}

#[derive(Deserialize)]
pub struct NameValues {
    name: String,
    #[serde(default)]
    values: Vec<String>,
}

#[derive(Deserialize)]
pub struct NameValue {
    name: String,
    value: String,
}

#[derive(Deserialize)]
pub struct Image {
    url: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GqlVariant {
    id: String,
    sku: Option<String>,
    title: String,
    price: Option<String>,
    compare_at_price: Option<String>,
    inventory_quantity: Option<i64>,
    #[serde(default)]
    selected_options: Vec<NameValue>,
}

/// A product's own fields: what a `products` page gives with its first
/// variants, and what one line of a bulk operation's JSONL gives (its
/// variants are lines of their own there).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProductFields {
    pub id: String,
    title: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    description_html: String,
    #[serde(default)]
    vendor: String,
    #[serde(default)]
    product_type: String,
    #[serde(default)]
    tags: Vec<String>,
    status: String,
    updated_at: Option<String>,
    #[serde(default)]
    options: Vec<NameValues>,
    featured_image: Option<Image>,
}

#[derive(Deserialize)]
pub struct GqlProduct {
    #[serde(flatten)]
    pub fields: ProductFields,
    pub variants: Connection<GqlVariant>,
}

impl From<GqlVariant> for ShopVariant {
    fn from(v: GqlVariant) -> Self {
        ShopVariant {
            id: v.id,
            sku: v.sku,
            title: v.title,
            price: v.price,
            compare_at_price: v.compare_at_price,
            options: v.selected_options.into_iter().map(|o| (o.name, o.value)).collect(),
            inventory_quantity: v.inventory_quantity,
        }
    }
}

impl GqlProduct {
    /// Into the common form, with the variants fetched so far plus `more`.
    pub fn into_product(self, more: Vec<GqlVariant>) -> ShopProduct {
        self.fields.into_product(self.variants.nodes.into_iter().chain(more).collect())
    }
}

impl ProductFields {
    /// Into the common form, with all its variants.
    pub fn into_product(self, variants: Vec<GqlVariant>) -> ShopProduct {
        ShopProduct {
            id: self.id,
            title: self.title,
            handle: self.handle,
            description_html: self.description_html,
            vendor: self.vendor,
            product_type: self.product_type,
            tags: self.tags,
            status: self.status.to_ascii_lowercase(),
            updated_at: self.updated_at,
            options: self.options.into_iter().map(|o| (o.name, o.values)).collect(),
            image_url: self.featured_image.map(|i| i.url),
            variants: variants.into_iter().map(ShopVariant::from).collect(),
        }
    }
}

// ---- REST (webhook) shapes -----------------------------------------------------

#[derive(Deserialize)]
struct RestOption {
    name: String,
    #[serde(default)]
    values: Vec<String>,
}

#[derive(Deserialize)]
struct RestVariant {
    id: u64,
    sku: Option<String>,
    #[serde(default)]
    title: String,
    price: Option<String>,
    compare_at_price: Option<String>,
    option1: Option<String>,
    option2: Option<String>,
    option3: Option<String>,
    inventory_quantity: Option<i64>,
}

#[derive(Deserialize)]
struct RestImage {
    src: String,
}

#[derive(Deserialize)]
pub struct RestProduct {
    id: u64,
    title: String,
    body_html: Option<String>,
    vendor: Option<String>,
    product_type: Option<String>,
    #[serde(default)]
    handle: String,
    updated_at: Option<String>,
    status: String,
    /// One comma-separated string in REST.
    tags: Option<String>,
    #[serde(default)]
    variants: Vec<RestVariant>,
    #[serde(default)]
    options: Vec<RestOption>,
    image: Option<RestImage>,
}

impl RestProduct {
    pub fn into_product(self) -> ShopProduct {
        let names: Vec<String> = self.options.iter().map(|o| o.name.clone()).collect();
        let variants = self
            .variants
            .into_iter()
            .map(|v| {
                let options =
                    [v.option1, v.option2, v.option3].into_iter().enumerate().filter_map(|(i, value)| Some((names.get(i)?.clone(), value?))).collect();
                ShopVariant {
                    id: format!("gid://shopify/ProductVariant/{}", v.id),
                    sku: v.sku,
                    title: v.title,
                    price: v.price,
                    compare_at_price: v.compare_at_price,
                    options,
                    inventory_quantity: v.inventory_quantity,
                }
            })
            .collect();
        ShopProduct {
            id: format!("gid://shopify/Product/{}", self.id),
            title: self.title,
            handle: self.handle,
            description_html: self.body_html.unwrap_or_default(),
            vendor: self.vendor.unwrap_or_default(),
            product_type: self.product_type.unwrap_or_default(),
            tags: self.tags.unwrap_or_default().split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect(),
            status: self.status.to_ascii_lowercase(),
            updated_at: self.updated_at,
            options: self.options.into_iter().map(|o| (o.name, o.values)).collect(),
            image_url: self.image.map(|i| i.src),
            variants,
        }
    }
}

// ---- into the contract ---------------------------------------------------------

/// HTML to plain text: tags become spaces, entities are decoded
/// (named and numeric), runs of whitespace collapse.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                text.push(' ');
                rest = rest.find('>').map_or("", move |end| &rest[end + 1..]);
            }
            '&' => {
                let entity_end = rest.find(';').filter(|&end| end <= 10);
                match entity_end.and_then(|end| decode_entity(&rest[1..end]).map(|ch| (ch, end))) {
                    Some((ch, end)) => {
                        text.push(ch);
                        rest = &rest[end + 1..];
                    }
                    None => {
                        text.push('&');
                        rest = &rest[1..];
                    }
                }
            }
            _ => {
                text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn decode_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                name.strip_prefix('#')?.parse().ok()?
            };
            char::from_u32(code)?
        }
    })
}

/// The attribute key the gateway reads specially for an option name, in
/// the languages shops commonly name their options in.
fn attribute_key(option: &str) -> String {
    let lower = option.trim().to_lowercase();
    match lower.as_str() {
        "color" | "colour" | "farbe" | "couleur" | "colore" | "cor" | "kleur" | "kolor" | "цвет" | "колір" => "colour".into(),
        "size" | "talla" | "größe" | "grösse" | "groesse" | "taille" | "taglia" | "tamanho" | "maat" | "rozmiar" | "размер" | "розмір" => {
            "sizes".into()
        }
        "material" | "fabric" | "stoff" | "matière" | "tejido" | "tessuto" | "materiale" | "материал" => "material".into(),
        _ => lower,
    }
}

/// A variant option's name as the gateway's stock tool reads it (`size`,
/// `color`, `material`); other names are kept as the shop wrote them.
fn option_key(option: &str) -> String {
    match attribute_key(option).as_str() {
        "colour" => "color".into(),
        "sizes" => "size".into(),
        "material" => "material".into(),
        _ => option.trim().to_owned(),
    }
}

/// Shopify's placeholder for a product without options.
fn is_default_option(name: &str, value: &str) -> bool {
    name == "Title" && value == "Default Title"
}

/// Into the contract's product. `currency` is the shop's.
pub fn product(item: ShopProduct, s: &Settings, currency: &str) -> Result<Product, ConnectorError> {
    let mut attributes = Map::new();
    attributes.insert("handle".into(), json!(item.handle));
    for (name, values) in &item.options {
        if values.len() == 1 && is_default_option(name, &values[0]) {
            continue;
        }
        attributes.insert(attribute_key(name), json!(values));
    }
    let variants = item
        .variants
        .into_iter()
        .map(|v| {
            let price = v.price.as_deref().map(|p| money(p, currency)).transpose()?;
            let compare_at = v.compare_at_price.as_deref().filter(|p| !p.trim().is_empty()).map(|p| money(p, currency)).transpose()?;
            // A compare-at price at or below the price is not a reduction.
            let compare_at = compare_at.filter(|c| price.as_ref().is_none_or(|p| c.amount_minor > p.amount_minor));
            let options: Vec<VariantOption> = v
                .options
                .into_iter()
                .filter(|(n, value)| !is_default_option(n, value))
                .map(|(name, value)| VariantOption { name: option_key(&name), value })
                .collect();
            Ok(ProductVariant {
                external_id: v.id,
                sku: v.sku.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
                title: if v.title.is_empty() || v.title == "Default Title" { item.title.clone() } else { v.title },
                price,
                compare_at_price: compare_at,
                options,
                available: v.inventory_quantity,
            })
        })
        .collect::<Result<Vec<_>, ConnectorError>>()?;
    Ok(Product {
        external_id: item.id,
        url: s.product_url(&item.handle),
        description: plain_text(&item.description_html),
        title: item.title,
        image_urls: item.image_url.into_iter().collect(),
        vendor: Some(item.vendor).filter(|v| !v.trim().is_empty()),
        product_type: Some(item.product_type).filter(|t| !t.trim().is_empty()),
        tags: item.tags,
        status: item.status,
        updated_at: item.updated_at,
        variants,
        attributes_json: Some(Value::Object(attributes).to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_text() {
        assert_eq!(
            plain_text("<p>Linen &amp; cotton&nbsp;blend</p><ul><li>Fit: relaxed</li></ul>&#233;t&#xE9; &unknown; a < b"),
            "Linen & cotton blend Fit: relaxed été &unknown; a"
        );
    }

    #[test]
    fn option_names_in_other_languages_reach_the_card() {
        assert_eq!(attribute_key("Farbe"), "colour");
        assert_eq!(attribute_key(" Talla "), "sizes");
        assert_eq!(attribute_key("Length"), "length");
        assert_eq!(option_key("Farbe"), "color");
        assert_eq!(option_key("Length"), "Length");
    }

    fn settings() -> Settings {
        Settings::parse(r#"{"shop": "acme"}"#).unwrap()
    }

    #[test]
    fn a_webhook_body_and_a_synced_product_make_the_same_product() {
        let rest: RestProduct = serde_json::from_value(json!({
            "id": 7, "title": "Tee", "body_html": "<b>Soft</b>", "vendor": "Acme", "product_type": "Shirts",
            "handle": "tee", "updated_at": "2026-01-01T00:00:00Z", "status": "active", "tags": "summer, cotton",
            "options": [{"name": "Size", "values": ["S"]}],
            "variants": [{"id": 9, "sku": "", "title": "S", "price": "10.00", "compare_at_price": "10.00", "option1": "S", "option2": null, "option3": null, "inventory_quantity": 3}],
            "image": {"src": "https://cdn/x.jpg"}
        }))
        .unwrap();
        let gql: GqlProduct = serde_json::from_value(json!({
            "id": "gid://shopify/Product/7", "title": "Tee", "handle": "tee", "descriptionHtml": "<b>Soft</b>", "vendor": "Acme",
            "productType": "Shirts", "tags": ["summer", "cotton"], "status": "ACTIVE", "updatedAt": "2026-01-01T00:00:00Z",
            "options": [{"name": "Size", "values": ["S"]}], "featuredImage": {"url": "https://cdn/x.jpg"},
            "variants": {"pageInfo": {"hasNextPage": false, "endCursor": null}, "nodes": [
                {"id": "gid://shopify/ProductVariant/9", "sku": null, "title": "S", "price": "10.00", "compareAtPrice": "10.00",
                 "inventoryQuantity": 3, "selectedOptions": [{"name": "Size", "value": "S"}]}]}
        }))
        .unwrap();
        let a = product(rest.into_product(), &settings(), "EUR").unwrap();
        let b = product(gql.into_product(vec![]), &settings(), "EUR").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.variants[0].sku, None, "an empty SKU is no SKU");
        assert_eq!(a.variants[0].compare_at_price, None, "an equal compare-at price is no reduction");
        assert_eq!(a.description, "Soft");
    }
}
