//! Product cards: the ~200-token text that describes what a product *is*,
//! the unit that gets embedded and full-text indexed. Stock and prices are
//! never part of a card; tools report those. Cards are cut predictably (a
//! fixed budget per part, cut at sentence then word boundaries) and
//! content-hashed so they are re-embedded only when their text changes.

use sha2::{Digest, Sha256};

use super::Product;

/// Rough token count used for budgets: OpenAI-style tokenizers average about
/// four characters per token on European-language product copy.
pub fn estimate_tokens(text: &str) -> usize {
    text.chars().count().div_ceil(4)
}

/// Budgets per part, in estimated tokens. Title and attributes are never cut.
const DESCRIPTION_BUDGET: usize = 80;
const REVIEW_BUDGET: usize = 18;
const MAX_REVIEWS: usize = 3;
const TRANSLATION_DESCRIPTION_BUDGET: usize = 40;

/// Text of one language inside a card, indexed with that language's stemmer.
#[derive(Debug, Clone, PartialEq)]
pub struct CardSegment {
    /// ISO 639-1 code, or `und` when unknown.
    pub language: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductCard {
    pub product_id: String,
    /// The whole card as embedded.
    pub text: String,
    /// Hex SHA-256 of `text`.
    pub content_hash: String,
    /// The same text split by language, for full-text indexing.
    pub segments: Vec<CardSegment>,
}

impl ProductCard {
    /// Builds the card of `product` for a store whose main catalog language
    /// is `primary_language`.
    pub fn build(product: &Product, primary_language: &str) -> Self {
        let segments = Self::segments(product, primary_language);
        let text = join_segments(&segments);
        let content_hash = hex::encode(Sha256::digest(text.as_bytes()));
        Self { product_id: product.id.clone(), text, content_hash, segments }
    }

    /// The card's text alone, without hashing: for prompts, where the hash
    /// is not needed.
    pub fn text(product: &Product, primary_language: &str) -> String {
        join_segments(&Self::segments(product, primary_language))
    }

    fn segments(product: &Product, primary_language: &str) -> Vec<CardSegment> {
        let mut primary = Vec::new();
        primary.push(product.title.trim().to_owned());
        let description = cut_to_budget(&plain_text(&product.description), DESCRIPTION_BUDGET);
        if !description.is_empty() {
            primary.push(description);
        }
        let attributes = attribute_line(product, None);
        if !attributes.is_empty() {
            primary.push(attributes);
        }

        let mut review_segments = Vec::new();
        for review in product.reviews.iter().filter(|r| !r.text.trim().is_empty()).take(MAX_REVIEWS) {
            let text = format!("Review: \"{}\"", cut_to_budget(review.text.trim(), REVIEW_BUDGET));
            let language = review.language.clone().unwrap_or_else(|| primary_language.to_owned());
            review_segments.push(CardSegment { language, text });
        }

        let mut segments = vec![CardSegment { language: primary_language.to_owned(), text: primary.join("\n") }];
        for (language, translation) in &product.translations {
            if language == primary_language {
                continue;
            }
            let mut lines = Vec::new();
            if let Some(title) = translation.title.as_deref().filter(|t| !t.trim().is_empty()) {
                lines.push(title.trim().to_owned());
            }
            if let Some(description) = translation.description.as_deref() {
                let cut = cut_to_budget(&plain_text(description), TRANSLATION_DESCRIPTION_BUDGET);
                if !cut.is_empty() {
                    lines.push(cut);
                }
            }
            let attributes = attribute_line(product, Some(language));
            if !attributes.is_empty() {
                lines.push(attributes);
            }
            if !lines.is_empty() {
                segments.push(CardSegment { language: language.clone(), text: lines.join("\n") });
            }
        }
        segments.extend(review_segments);
        segments
    }
}

fn join_segments(segments: &[CardSegment]) -> String {
    segments.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n")
}

/// "Colour: White. Sizes: XS-XL. Material: linen. Fit: relaxed." plus the
/// category and brand; in a translation, the translated values where given.
fn attribute_line(product: &Product, language: Option<&str>) -> String {
    let translated = language.and_then(|l| product.translations.get(l)).map(|t| &t.attributes);
    let value = |key: &str| -> Option<String> {
        translated.and_then(|a| a.get(key)).or_else(|| product.attributes.get(key)).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    };
    let labels: &[(&str, &str, &str)] =
        &[("color", "Colour", "Color"), ("size_range", "Sizes", "Tallas"), ("material", "Material", "Material"), ("fit", "Fit", "Corte")];
    let mut parts = Vec::new();
    for (key, en, es) in labels {
        if let Some(v) = value(key) {
            let label = if language == Some("es") { es } else { en };
            parts.push(format!("{label}: {v}."));
        }
    }
    if language.is_none() {
        // Other attributes the store gave (season, occasion...), sorted by key.
        for (key, v) in &product.attributes {
            if labels.iter().any(|(k, _, _)| k == key) || v.trim().is_empty() {
                continue;
            }
            parts.push(format!("{}: {}.", key.replace('_', " "), v.trim()));
        }
        if !product.category.trim().is_empty() {
            parts.push(format!("Category: {}.", product.category.trim()));
        }
        if !product.vendor.trim().is_empty() {
            parts.push(format!("Brand: {}.", product.vendor.trim()));
        }
        if !product.tags.is_empty() {
            parts.push(format!("Tags: {}.", product.tags.join(", ")));
        }
    }
    parts.join(" ")
}

/// Strips HTML tags and collapses white space (descriptions often arrive as
/// HTML from Shopify and WooCommerce).
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            _ => out.push(c),
        }
    }
    let out = out.replace("&nbsp;", " ").replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Keeps whole sentences while they fit `budget` tokens; if even the first
/// does not fit, keeps whole words of it and ends with an ellipsis.
pub fn cut_to_budget(text: &str, budget: usize) -> String {
    let text = text.trim();
    if estimate_tokens(text) <= budget {
        return text.to_owned();
    }
    let mut kept = String::new();
    for sentence in split_sentences(text) {
        let candidate = if kept.is_empty() { sentence.to_owned() } else { format!("{kept} {sentence}") };
        if estimate_tokens(&candidate) > budget {
            break;
        }
        kept = candidate;
    }
    if !kept.is_empty() {
        return kept;
    }
    let mut words = String::new();
    for word in text.split_whitespace() {
        let candidate = if words.is_empty() { word.to_owned() } else { format!("{words} {word}") };
        if estimate_tokens(&candidate) + 1 > budget {
            break;
        }
        words = candidate;
    }
    format!("{}…", words.trim_end_matches([',', ';', ':', '.']))
}

fn split_sentences(text: &str) -> Vec<&str> {
    let mut sentences = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (i, &(pos, c)) in chars.iter().enumerate() {
        let next_is_space = chars.get(i + 1).is_none_or(|(_, n)| n.is_whitespace());
        if matches!(c, '.' | '!' | '?' | '…') && next_is_space {
            let end = pos + c.len_utf8();
            let s = text[start..end].trim();
            if !s.is_empty() {
                sentences.push(s);
            }
            start = end;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        sentences.push(rest);
    }
    sentences
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::catalog::{Review, Translation, Variant};

    fn product() -> Product {
        Product {
            id: "p1".into(),
            handle: "breezy-linen-shirt".into(),
            title: "Breezy Linen Shirt".into(),
            description: "<p>A relaxed shirt in washed linen.</p> Cool on hot days. Ideal for summer weddings. ".repeat(6),
            category: "shirts".into(),
            vendor: "Costa".into(),
            tags: vec!["linen".into()],
            attributes: BTreeMap::from([("color".into(), "White".into()), ("material".into(), "100% linen".into())]),
            reviews: vec![Review { rating: 5, text: "Perfect for a beach wedding.".into(), language: Some("en".into()) }],
            translations: BTreeMap::from([(
                "es".into(),
                Translation {
                    title: Some("Camisa de lino Breezy".into()),
                    description: Some("Camisa holgada de lino lavado.".into()),
                    attributes: BTreeMap::from([("color".into(), "Blanco".into())]),
                },
            )]),
            url: None,
            image: None,
            updated_at: None,
            variants: vec![Variant {
                sku: "S1".into(),
                title: "M".into(),
                options: BTreeMap::new(),
                price: "59.00".into(),
                compare_at_price: None,
                inventory_quantity: Some(7),
            }],
        }
    }

    #[test]
    fn card_has_the_parts_within_budget_and_no_stock() {
        let card = ProductCard::build(&product(), "en");
        assert!(card.text.starts_with("Breezy Linen Shirt\n"));
        assert!(card.text.contains("Colour: White."));
        assert!(card.text.contains("Camisa de lino Breezy"));
        assert!(card.text.contains("Color: Blanco."));
        assert!(card.text.contains("Perfect for a beach wedding."));
        assert!(!card.text.contains('<'), "html stripped");
        assert!(!card.text.contains("59.00") && !card.text.contains('7'), "no price or stock in a card");
        assert!(estimate_tokens(&card.text) <= 260, "card is about 200 tokens: {}", estimate_tokens(&card.text));
        assert_eq!(card.segments[0].language, "en");
        assert_eq!(card.segments[1].language, "es");
    }

    #[test]
    fn hash_changes_only_with_text() {
        let a = ProductCard::build(&product(), "en");
        let mut p = product();
        p.variants[0].inventory_quantity = Some(0);
        p.variants[0].price = "10.00".into();
        assert_eq!(a.content_hash, ProductCard::build(&p, "en").content_hash, "stock and price do not touch the card");
        p.title = "Breezy Linen Shirt II".into();
        assert_ne!(a.content_hash, ProductCard::build(&p, "en").content_hash);
    }

    #[test]
    fn demo_cards_stay_near_the_budget() {
        let catalog = crate::catalog::sync::CatalogFile::parse(crate::demo::CATALOG_JSON, "demo").expect("demo catalog");
        let sizes: Vec<usize> = catalog.products.iter().map(|p| estimate_tokens(&ProductCard::build(p, "en").text)).collect();
        let mean = sizes.iter().sum::<usize>() / sizes.len();
        let max = sizes.iter().copied().max().unwrap_or(0);
        eprintln!("demo cards: {} cards, mean {mean} tokens, max {max}", sizes.len());
        assert!(max <= 300, "largest demo card {max} tokens");
        for p in catalog.products.iter().take(20) {
            assert_eq!(ProductCard::text(p, "en"), ProductCard::build(p, "en").text);
        }
    }

    #[test]
    fn cutting_is_predictable() {
        assert_eq!(cut_to_budget("One. Two two. Three three three.", 4), "One. Two two.");
        let long = "word ".repeat(100);
        let cut = cut_to_budget(&long, 10);
        assert!(cut.ends_with('…') && estimate_tokens(&cut) <= 10);
        assert_eq!(cut_to_budget("Short.", 10), "Short.");
    }
}
