//! WooCommerce products and variations as REST v3 (and the webhooks, which
//! carry the same resource) give them, into the contract's product. A
//! product synced and the same product from a webhook make the same card.

use chatgw_sdk::{ConnectorError, Money, Product, ProductVariant, VariantOption, money};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value, json};

use crate::settings::Settings;
use crate::time::gmt_to_rfc3339;

/// `null` where WooCommerce usually sends a string or a list.
fn or_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize, Default, Clone)]
pub struct Term {
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
}

#[derive(Deserialize, Clone)]
pub struct Image {
    #[serde(default, deserialize_with = "or_default")]
    pub src: String,
}

/// A product attribute (`options`) or a variation's (`option`).
#[derive(Deserialize, Clone)]
pub struct Attribute {
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    #[serde(default, deserialize_with = "or_default")]
    pub options: Vec<String>,
    #[serde(default)]
    pub option: Option<String>,
    #[serde(default = "yes")]
    pub visible: bool,
}

fn yes() -> bool {
    true
}

/// Stock as a product or variation reports it.
#[derive(Deserialize, Clone, Default)]
pub struct Stock {
    /// `true`, `false`, or `"parent"` on a variation whose parent counts.
    #[serde(default)]
    pub manage_stock: Value,
    /// A number when counted, else `null`.
    #[serde(default)]
    pub stock_quantity: Value,
    /// `instock`, `outofstock` or `onbackorder`.
    #[serde(default, deserialize_with = "or_default")]
    pub stock_status: String,
}

impl Stock {
    /// Units a shopper can order: the count when WooCommerce keeps one,
    /// else what the status says (`uncounted` units for in stock or on
    /// backorder, none when out of stock).
    pub fn available(&self, uncounted: i64) -> Option<i64> {
        let counted = matches!(&self.manage_stock, Value::Bool(true)) || self.manage_stock.as_str() == Some("parent");
        let quantity = self.stock_quantity.as_i64().or_else(|| self.stock_quantity.as_f64().map(|q| q.floor() as i64));
        let status = self.stock_status.trim();
        match (counted, quantity) {
            // Backorders go on below zero: orderable, count unknown.
            (true, Some(q)) if q <= 0 && status == "onbackorder" => Some(uncounted),
            (true, Some(q)) => Some(q),
            _ => match status {
                "instock" | "onbackorder" => Some(uncounted),
                "outofstock" => Some(0),
                _ => None,
            },
        }
    }
}

/// What a product or a variation sells: its SKU, prices (decimal strings,
/// empty when unset) and stock.
#[derive(Deserialize, Clone, Default)]
pub struct Offer {
    #[serde(default, deserialize_with = "or_default")]
    pub sku: String,
    #[serde(default, deserialize_with = "or_default")]
    pub price: String,
    #[serde(default, deserialize_with = "or_default")]
    pub regular_price: String,
    #[serde(flatten)]
    pub stock: Stock,
}

/// A product, or a variation (`type` "variation") as `/products/{id}` and
/// the `/products?sku=` search give it.
#[derive(Deserialize, Clone)]
pub struct WcProduct {
    pub id: u64,
    #[serde(default)]
    pub parent_id: u64,
    #[serde(default, deserialize_with = "or_default")]
    pub name: String,
    #[serde(default, deserialize_with = "or_default")]
    pub slug: String,
    #[serde(default)]
    pub permalink: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "or_default")]
    pub kind: String,
    #[serde(default, deserialize_with = "or_default")]
    pub status: String,
    #[serde(default, deserialize_with = "or_default")]
    pub catalog_visibility: String,
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
    #[serde(default, deserialize_with = "or_default")]
    pub description: String,
    #[serde(default, deserialize_with = "or_default")]
    pub short_description: String,
    #[serde(flatten)]
    pub offer: Offer,
    #[serde(default, deserialize_with = "or_default")]
    pub categories: Vec<Term>,
    #[serde(default, deserialize_with = "or_default")]
    pub tags: Vec<Term>,
    /// WooCommerce Brands (core since 9.6).
    #[serde(default, deserialize_with = "or_default")]
    pub brands: Vec<Term>,
    #[serde(default, deserialize_with = "or_default")]
    pub images: Vec<Image>,
    #[serde(default, deserialize_with = "or_default")]
    pub attributes: Vec<Attribute>,
    /// Variation ids of a variable product.
    #[serde(default, deserialize_with = "or_default")]
    pub variations: Vec<u64>,
}

impl WcProduct {
    pub fn is_variable(&self) -> bool {
        self.kind == "variable"
    }

    pub fn is_variation(&self) -> bool {
        self.kind == "variation" || (self.parent_id != 0 && self.kind.is_empty())
    }
}

/// One item of `/products/{id}/variations`.
#[derive(Deserialize, Clone)]
pub struct WcVariation {
    pub id: u64,
    #[serde(default, deserialize_with = "or_default")]
    pub status: String,
    #[serde(flatten)]
    pub offer: Offer,
    #[serde(default, deserialize_with = "or_default")]
    pub attributes: Vec<Attribute>,
    #[serde(default)]
    pub image: Option<Image>,
}

// ---- text ----------------------------------------------------------------------

/// The character an HTML entity stands for (the named ones WordPress
/// writes, and numeric ones such as `&#8217;` from wptexturize).
fn entity(name: &str) -> Option<char> {
    const NAMED: &[(&str, char)] =
        &[("amp", '&'), ("lt", '<'), ("gt", '>'), ("quot", '"'), ("apos", '\''), ("nbsp", ' '), ("ndash", '–'), ("mdash", '—'), ("hellip", '…'), ("euro", '€')];
    if let Some((_, c)) = NAMED.iter().find(|(n, _)| *n == name) {
        return Some(*c);
    }
    let digits = name.strip_prefix('#')?;
    let code = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    char::from_u32(code)
}

/// HTML (WordPress's `description`) as one line of text.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut chars = html.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '<' => {
                out.push(' ');
                for (_, c) in chars.by_ref() {
                    if c == '>' {
                        break;
                    }
                }
            }
            '&' => {
                let rest = &html[at + 1..];
                match rest.find(';').filter(|&end| end <= 8).and_then(|end| entity(&rest[..end]).map(|c| (c, end))) {
                    Some((decoded, end)) => {
                        out.push(decoded);
                        for _ in 0..=end {
                            chars.next();
                        }
                    }
                    None => out.push('&'),
                }
            }
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The gateway's stock tool asks for `size` and `color`; shops name these
/// options in their own language.
const OPTION_NAMES: &[(&str, &[&str])] = &[
    ("size", &["size", "talla", "größe", "grösse", "groesse", "taille", "taglia", "tamanho", "maat", "rozmiar", "storlek", "размер"]),
    ("color", &["color", "colour", "farbe", "couleur", "colore", "cor", "kleur", "kolor", "färg", "цвет"]),
    ("material", &["material", "fabric", "stoff", "matière", "tejido", "tessuto", "materiale"]),
];

/// An option's name as the gateway reads it: WooCommerce's global
/// attributes come as `pa_size` in some payloads and as their label in
/// others.
pub fn option_name(name: &str) -> String {
    let trimmed = name.trim();
    let bare = trimmed.strip_prefix("pa_").unwrap_or(trimmed).to_lowercase();
    OPTION_NAMES.iter().find(|(_, aliases)| aliases.contains(&bare.as_str())).map_or_else(|| trimmed.to_owned(), |(canonical, _)| (*canonical).to_owned())
}

// ---- into the contract -----------------------------------------------------------

/// A decimal price string, or none when empty.
fn price(amount: &str, currency: &str) -> Result<Option<Money>, ConnectorError> {
    let amount = amount.trim();
    if amount.is_empty() { Ok(None) } else { money(amount, currency).map(Some) }
}

/// The price and, on sale, the regular price it is reduced from.
fn prices(current: &str, regular: &str, currency: &str) -> Result<(Option<Money>, Option<Money>), ConnectorError> {
    let now = price(current, currency)?;
    let before = price(regular, currency)?.filter(|r| now.as_ref().is_some_and(|p| r.amount_minor > p.amount_minor));
    Ok((now.or(price(regular, currency)?), before))
}

/// WordPress statuses as the gateway reads them: only `publish` is for
/// sale; a product hidden from the catalog is not offered either.
fn status(product: &WcProduct) -> String {
    match product.status.trim() {
        "publish" if product.catalog_visibility == "hidden" => "hidden".into(),
        "publish" => "active".into(),
        status @ ("private" | "pending" | "trash") => status.into(),
        _ => "draft".into(),
    }
}

fn sku(own: &str) -> Option<String> {
    Some(own.trim().to_owned()).filter(|s| !s.is_empty())
}

/// One variant selling `offer`; `sku` is the offer's SKU when it is the
/// variant's own.
fn variant(
    external_id: u64,
    offer: &Offer,
    sku: Option<String>,
    title: String,
    options: Vec<VariantOption>,
    s: &Settings,
    currency: &str,
) -> Result<ProductVariant, ConnectorError> {
    let (price, compare_at_price) = prices(&offer.price, &offer.regular_price, currency)?;
    Ok(ProductVariant {
        external_id: external_id.to_string(),
        sku,
        title,
        price,
        compare_at_price,
        options,
        available: offer.stock.available(s.uncounted_available()),
    })
}

fn variant_of_variation(v: &WcVariation, parent: &WcProduct, s: &Settings, currency: &str) -> Result<ProductVariant, ConnectorError> {
    let options: Vec<VariantOption> = v
        .attributes
        .iter()
        .filter_map(|a| Some(VariantOption { name: option_name(&a.name), value: a.option.clone().filter(|o| !o.trim().is_empty())? }))
        .collect();
    let title = if options.is_empty() { parent.name.clone() } else { options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(" / ") };
    // A variation without a SKU of its own shows its parent's: that names
    // the product, not this variation.
    let own_sku = sku(&v.offer.sku).filter(|own| Some(own) != sku(&parent.offer.sku).as_ref());
    variant(v.id, &v.offer, own_sku, title, options, s, currency)
}

/// Into the contract's product; a variable product's `variations` are the
/// ones read from `/products/{id}/variations` (disabled ones are left out).
pub fn product(p: WcProduct, variations: Vec<WcVariation>, s: &Settings, currency: &str) -> Result<Product, ConnectorError> {
    let mut images: Vec<String> = p.images.iter().map(|i| i.src.clone()).filter(|src| !src.is_empty()).collect();
    let variants = if p.is_variable() {
        let mut variants = Vec::with_capacity(variations.len());
        for v in variations.iter().filter(|v| v.status.is_empty() || v.status == "publish") {
            if let Some(src) = v.image.as_ref().map(|i| i.src.clone()).filter(|src| !src.is_empty() && !images.contains(src)) {
                images.push(src);
            }
            variants.push(variant_of_variation(v, &p, s, currency)?);
        }
        variants
    } else {
        // A simple, external or grouped product is its own single variant.
        vec![variant(p.id, &p.offer, sku(&p.offer.sku), p.name.clone(), Vec::new(), s, currency)?]
    };
    let mut attributes = Map::new();
    attributes.insert("slug".into(), json!(p.slug));
    for a in p.attributes.iter().filter(|a| a.visible && !a.options.is_empty()) {
        attributes.insert(option_name(&a.name), json!(a.options));
    }
    let categories: Vec<&str> = p.categories.iter().map(|c| c.name.as_str()).filter(|n| !n.is_empty() && *n != "Uncategorized").collect();
    if categories.len() > 1 {
        attributes.insert("categories".into(), json!(categories));
    }
    let description = [plain_text(&p.short_description), plain_text(&p.description)];
    let description = if description[1].contains(&description[0]) { description[1].clone() } else { description.join(" ").trim().to_owned() };
    Ok(Product {
        external_id: p.id.to_string(),
        title: p.name.clone(),
        description,
        url: p.permalink.clone().filter(|u| !u.is_empty()),
        image_urls: images,
        vendor: p.brands.first().map(|b| b.name.clone()).filter(|b| !b.is_empty()),
        product_type: categories.first().map(|c| (*c).to_owned()),
        tags: p.tags.iter().map(|t| t.name.clone()).filter(|t| !t.is_empty()).collect(),
        status: status(&p),
        updated_at: p.date_modified_gmt.as_deref().and_then(gmt_to_rfc3339),
        variants,
        attributes_json: Some(Value::Object(attributes).to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::parse(r#"{"base_url": "https://shop.example", "uncounted_stock_available": 3}"#).unwrap()
    }

    fn variable() -> WcProduct {
        serde_json::from_value(json!({
            "id": 40, "name": "Linen Shirt", "slug": "linen-shirt", "permalink": "https://shop.example/product/linen-shirt/",
            "type": "variable", "status": "publish", "catalog_visibility": "visible", "date_modified_gmt": "2025-03-01T09:00:00",
            "description": "<p>Airy linen&nbsp;&amp; cool.</p>", "short_description": "<p>Airy linen</p>", "sku": "LS",
            "price": "59.00", "regular_price": "", "sale_price": "", "manage_stock": false, "stock_quantity": null, "stock_status": "instock",
            "categories": [{"id": 9, "name": "Shirts", "slug": "shirts"}], "tags": [{"id": 1, "name": "linen"}],
            "images": [{"id": 5, "src": "https://shop.example/a.jpg"}],
            "attributes": [{"id": 1, "name": "Größe", "position": 0, "visible": true, "variation": true, "options": ["S", "M"]}],
            "variations": [41, 42, 43], "meta_data": []
        }))
        .unwrap()
    }

    fn variation(id: u64, sku: &str, size: &str, stock: Value) -> WcVariation {
        let mut v = json!({"id": id, "status": "publish", "sku": sku, "price": "49.00", "regular_price": "59.00", "sale_price": "49.00",
            "attributes": [{"id": 1, "name": "Größe", "option": size}], "image": {"src": "https://shop.example/b.jpg"}});
        v.as_object_mut().unwrap().extend(stock.as_object().unwrap().clone());
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn a_variable_product_has_its_variations_as_variants() {
        let variations = [
            variation(41, "LS-S", "S", json!({"manage_stock": true, "stock_quantity": 4, "stock_status": "instock"})),
            // No SKU of its own: WooCommerce shows the parent's.
            variation(42, "LS", "M", json!({"manage_stock": "parent", "stock_quantity": -2, "stock_status": "onbackorder"})),
            // Disabled.
            variation(43, "LS-L", "L", json!({"manage_stock": false, "stock_quantity": null, "stock_status": "outofstock", "status": "private"})),
        ];
        let p = product(variable(), variations.to_vec(), &settings(), "EUR").unwrap();
        assert_eq!(p.status, "active");
        assert_eq!(p.updated_at.as_deref(), Some("2025-03-01T09:00:00Z"));
        assert_eq!(p.description, "Airy linen & cool.");
        assert_eq!(p.product_type.as_deref(), Some("Shirts"));
        assert_eq!(p.image_urls, vec!["https://shop.example/a.jpg", "https://shop.example/b.jpg"]);
        assert_eq!(p.variants.len(), 2, "the disabled variation is left out");
        let [small, medium] = [&p.variants[0], &p.variants[1]];
        assert_eq!((small.sku.as_deref(), small.available, small.title.as_str()), (Some("LS-S"), Some(4), "S"));
        assert_eq!(small.options, vec![VariantOption { name: "size".into(), value: "S".into() }]);
        assert_eq!(small.price.as_ref().unwrap().amount_minor, 4900);
        assert_eq!(small.compare_at_price.as_ref().unwrap().amount_minor, 5900);
        assert_eq!(medium.sku, None, "the parent's SKU is not the variation's");
        assert_eq!(medium.available, Some(3), "on backorder: orderable, count unknown");
        let attributes: Value = serde_json::from_str(p.attributes_json.as_deref().unwrap()).unwrap();
        assert_eq!(attributes["size"], json!(["S", "M"]));
    }

    #[test]
    fn statuses_other_than_publish_are_not_for_sale() {
        for (wc, ours) in [("draft", "draft"), ("pending", "pending"), ("private", "private"), ("future", "draft"), ("publish", "active")] {
            let mut p = variable();
            p.status = wc.into();
            assert_eq!(status(&p), ours);
        }
        let mut hidden = variable();
        hidden.catalog_visibility = "hidden".into();
        assert_eq!(status(&hidden), "hidden");
    }

    #[test]
    fn a_simple_product_is_one_variant() {
        let simple: WcProduct = serde_json::from_value(json!({
            "id": 7, "name": "Tote", "type": "simple", "status": "publish", "sku": " TB-1 ", "price": "", "regular_price": "",
            "manage_stock": false, "stock_quantity": null, "stock_status": "instock", "description": null, "images": null
        }))
        .unwrap();
        let p = product(simple, vec![], &settings(), "JPY").unwrap();
        assert_eq!(p.variants.len(), 1);
        assert_eq!((p.variants[0].sku.as_deref(), p.variants[0].price.as_ref(), p.variants[0].available), (Some("TB-1"), None, Some(3)));
    }

    #[test]
    fn html_and_option_names() {
        assert_eq!(plain_text("<p>It&#8217;s &lt;soft&gt;</p>\n<ul><li>a &unknown; b</li></ul>"), "It’s <soft> a &unknown; b");
        assert_eq!(option_name("pa_color"), "color");
        assert_eq!(option_name(" Talla "), "size");
        assert_eq!(option_name("Length"), "Length");
    }
}
