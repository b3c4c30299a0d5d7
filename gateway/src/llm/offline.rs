//! The offline model: a deterministic responder for the embedded demo and
//! for testing the whole pipeline without an API key. It reads the turn's
//! grounding (retrieved cards) and tool results, calls `get_stock` when the
//! shopper asks about availability, size or price, and writes a short
//! grounded answer in the reply language (English, Spanish or Russian; other
//! languages get English). Every answer is marked offline in its metadata.

use std::sync::Arc;

use async_trait::async_trait;
use futures::StreamExt;
use serde_json::{Value, json};

use super::{ChatModel, ChatRequest, FinishReason, LlmError, ModelEvent, ModelStream, Role, ToolCall, TurnGrounding, Usage};
use crate::catalog::Product;
use crate::catalog::card::estimate_tokens;
use crate::classify::fold;
use crate::search::RetrievedCard;

#[derive(Debug, Default, Clone, Copy)]
pub struct OfflineModel;

#[async_trait]
impl ChatModel for OfflineModel {
    fn provider(&self) -> &'static str {
        "offline"
    }

    fn is_offline(&self) -> bool {
        true
    }

    async fn stream(&self, request: ChatRequest) -> Result<ModelStream, LlmError> {
        let reply = respond(&request);
        let prompt_tokens = request.messages.iter().map(|m| estimate_tokens(&m.content)).sum::<usize>() as u32;
        let mut events: Vec<Result<ModelEvent, LlmError>> = Vec::new();
        let finish = match reply {
            Reply::Text(text) => {
                let completion_tokens = estimate_tokens(&text) as u32;
                // Stream word by word, as a real model would.
                let mut chunk = String::new();
                for piece in text.split_inclusive(' ') {
                    chunk.push_str(piece);
                    if chunk.len() >= 12 {
                        events.push(Ok(ModelEvent::TextDelta(std::mem::take(&mut chunk))));
                    }
                }
                if !chunk.is_empty() {
                    events.push(Ok(ModelEvent::TextDelta(chunk)));
                }
                events.push(Ok(ModelEvent::Usage(Usage { prompt_tokens, completion_tokens })));
                FinishReason::Stop
            }
            Reply::Call(call) => {
                events.push(Ok(ModelEvent::ToolCall(call)));
                events.push(Ok(ModelEvent::Usage(Usage { prompt_tokens, completion_tokens: 12 })));
                FinishReason::ToolCalls
            }
        };
        events.push(Ok(ModelEvent::Finished { reason: finish }));
        Ok(futures::stream::iter(events).boxed())
    }
}

enum Reply {
    Text(String),
    Call(ToolCall),
}

/// What the shopper wants from this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    Greeting,
    Stock,
    Order,
    Browse,
}

fn respond(request: &ChatRequest) -> Reply {
    let grounding = request.grounding.clone().unwrap_or_else(|| Arc::new(TurnGrounding::default()));
    let lang = Phrases::for_language(&grounding.reply_language);
    let Some(last_user) = request.messages.iter().rposition(|m| m.role == Role::User) else {
        return Reply::Text(lang.greeting.to_owned());
    };
    let message = &request.messages[last_user].content;
    let tool_results: Vec<(String, Value)> = request.messages[last_user + 1..]
        .iter()
        .filter(|m| m.role == Role::Tool)
        .filter_map(|m| {
            let call = request.messages[last_user + 1..].iter().flat_map(|a| a.tool_calls.iter()).find(|c| Some(&c.id) == m.tool_call_id.as_ref())?;
            Some((call.name.clone(), serde_json::from_str(&m.content).unwrap_or(Value::Null)))
        })
        .collect();

    let folded = fold(message);
    let intent = intent_of(&folded);
    let size = requested_size(message);
    let can_check_stock = request.tools.iter().any(|t| t.name == "get_stock");

    if let Some((_, result)) = tool_results.iter().rev().find(|(name, _)| name == "get_stock") {
        return Reply::Text(stock_answer(&lang, &grounding, result));
    }

    match intent {
        Intent::Greeting => Reply::Text(lang.greeting.to_owned()),
        Intent::Order => Reply::Text(lang.order_needs_human.to_owned()),
        Intent::Stock if can_check_stock => match target_product(&grounding, &folded) {
            Some(product) => {
                let mut args = json!({ "product_id": product.id });
                if let Some(size) = &size {
                    args["size"] = json!(size);
                }
                Reply::Call(ToolCall { id: format!("call_offline_{}", product.id), name: "get_stock".into(), arguments: args.to_string() })
            }
            None => Reply::Text(lang.which_product.to_owned()),
        },
        Intent::Stock | Intent::Browse => Reply::Text(browse_answer(&lang, &grounding)),
    }
}

fn intent_of(folded: &str) -> Intent {
    let words: Vec<&str> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |stems: &[&str]| stems.iter().any(|s| if s.contains(' ') { folded.contains(s) } else { words.iter().any(|w| w.starts_with(s)) });
    if has(&["order", "pedido", "заказ", "commande", "bestellung", "ordine", "encomenda", "tracking", "seguimiento"]) {
        return Intent::Order;
    }
    if has(&[
        "stock",
        "available",
        "availab",
        "in size",
        "do you have",
        "have it",
        "have this",
        "how much",
        "price",
        "cost",
        "sold out",
        "left in",
        "teneis",
        "tienen",
        "tienes",
        "hay ",
        "disponib",
        "talla",
        "precio",
        "cuanto",
        "cuesta",
        "queda",
        "agotad",
        "есть",
        "наличи",
        "размер",
        "цена",
        "стоит",
        "сколько",
        "осталось",
        "taille",
        "prix",
        "disponible",
        "grosse",
        "preis",
        "verfugbar",
        "taglia",
        "prezzo",
        "tamanho",
        "preco",
    ]) {
        return Intent::Stock;
    }
    let greeting_words = ["hi", "hello", "hey", "hola", "buenas", "привет", "здравствуйте", "bonjour", "hallo", "ciao", "ola", "thanks", "gracias", "спасибо"];
    if !words.is_empty() && words.len() <= 3 && words.iter().all(|w| greeting_words.contains(w) || w.len() <= 2) {
        return Intent::Greeting;
    }
    Intent::Browse
}

/// A clothing or shoe size named in the message (`M`, `XL`, `38`, `32L`).
fn requested_size(message: &str) -> Option<String> {
    const LETTER_SIZES: [&str; 9] = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "3XL"];
    let tokens: Vec<&str> = message.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let folded_tokens: Vec<String> = tokens.iter().map(|t| fold(t)).collect();
    let markers = ["size", "talla", "размер", "размера", "размере", "taille", "grosse", "taglia", "tamanho", "talla:"];
    for (i, t) in tokens.iter().enumerate() {
        let upper = t.to_uppercase();
        let after_marker = i > 0 && markers.contains(&folded_tokens[i - 1].as_str());
        if LETTER_SIZES.contains(&upper.as_str()) && (after_marker || upper.len() >= 2 || t.chars().all(char::is_uppercase)) {
            // A lone lower-case "s"/"m"/"l" is a word, not a size, unless a marker precedes it.
            if upper.len() == 1 && !after_marker && !t.chars().all(char::is_uppercase) {
                continue;
            }
            return Some(upper);
        }
        if after_marker && t.chars().all(|c| c.is_ascii_digit()) && t.len() <= 2 {
            return Some((*t).to_owned());
        }
    }
    None
}

/// The product the message is about: one whose title words it names, else
/// the one the conversation was just about, else the best retrieved card.
fn target_product<'a>(grounding: &'a TurnGrounding, folded_message: &str) -> Option<&'a Product> {
    let message_words: Vec<&str> = folded_message.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2).collect();
    let overlap = |p: &Product| -> usize {
        let mut titles = vec![fold(&p.title)];
        titles.extend(p.translations.values().filter_map(|t| t.title.as_deref()).map(fold));
        titles.iter().map(|t| t.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2 && message_words.contains(w)).count()).max().unwrap_or(0)
    };
    let best = grounding.cards.iter().map(|c| (&c.product, overlap(&c.product))).max_by_key(|(_, score)| *score);
    if let Some((product, score)) = best
        && score >= 2
    {
        return Some(product);
    }
    for id in &grounding.recent_product_ids {
        if let Some(card) = grounding.cards.iter().find(|c| &c.product.id == id) {
            return Some(&card.product);
        }
    }
    best.map(|(p, _)| p).or_else(|| grounding.cards.first().map(|c| &c.product))
}

fn attribute<'a>(product: &'a Product, key: &str, language: &str) -> Option<&'a str> {
    product.translations.get(language).and_then(|t| t.attributes.get(key)).or_else(|| product.attributes.get(key)).map(String::as_str).filter(|v| !v.is_empty())
}

fn describe(card: &RetrievedCard, language: &str) -> String {
    let p = &card.product;
    let details: Vec<&str> = ["material", "color", "fit"].iter().filter_map(|k| attribute(p, k, language)).collect();
    if details.is_empty() { p.title_in(language).to_owned() } else { format!("{} — {}", p.title_in(language), details.join(", ")) }
}

fn browse_answer(lang: &Phrases, grounding: &TurnGrounding) -> String {
    let code = grounding.reply_language.as_str();
    let cards: Vec<&RetrievedCard> = grounding.cards.iter().take(3).collect();
    if cards.is_empty() {
        return lang.nothing_found.to_owned();
    }
    let mut text = String::from(if cards.len() == 1 { lang.one_match } else { lang.some_matches });
    for card in &cards {
        text.push_str("\n- ");
        text.push_str(&describe(card, code));
    }
    text.push_str("\n\n");
    text.push_str(lang.offer_stock_check);
    text
}

fn money(amount: &str, currency: &str, code: &str) -> String {
    let symbol = match currency {
        "EUR" => "€",
        "USD" => "$",
        "GBP" => "£",
        other => other,
    };
    if code == "en" && symbol.len() <= 2 { format!("{symbol}{amount}") } else { format!("{amount} {symbol}") }
}

fn stock_answer(lang: &Phrases, grounding: &TurnGrounding, result: &Value) -> String {
    let code = grounding.reply_language.as_str();
    if result.get("error").is_some() || result.is_null() {
        return lang.stock_unavailable.to_owned();
    }
    let product_id = result.get("product_id").and_then(Value::as_str).unwrap_or_default();
    let title = grounding
        .cards
        .iter()
        .find(|c| c.product.id == product_id)
        .map(|c| c.product.title_in(code).to_owned())
        .or_else(|| result.get("title").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    let currency = result.get("currency").and_then(Value::as_str).unwrap_or("EUR");
    let size = result.pointer("/requested/size").and_then(Value::as_str);
    let variants = result.get("variants").and_then(Value::as_array).cloned().unwrap_or_default();
    let in_stock: Vec<String> =
        result.get("sizes_in_stock").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect()).unwrap_or_default();
    let available: Vec<&Value> = variants.iter().filter(|v| v.get("available").and_then(Value::as_bool) == Some(true)).collect();

    match size {
        Some(size) if variants.is_empty() => {
            let mut text = (lang.no_such_size)(&title, size);
            if !in_stock.is_empty() {
                text.push(' ');
                text.push_str(&(lang.sizes_in_stock)(&in_stock.join(", ")));
            }
            text
        }
        Some(size) if available.is_empty() => {
            let mut text = (lang.sold_out_in_size)(&title, size);
            if !in_stock.is_empty() {
                text.push(' ');
                text.push_str(&(lang.sizes_in_stock)(&in_stock.join(", ")));
            }
            text
        }
        Some(size) => {
            let v = available[0];
            let quantity = v.get("quantity").and_then(Value::as_i64).unwrap_or(0);
            let price = v.get("price").and_then(Value::as_str).map(|p| money(p, currency, code)).unwrap_or_default();
            (lang.in_stock_in_size)(&title, size, quantity, &price)
        }
        None if available.is_empty() => (lang.sold_out)(&title),
        None => {
            let price = available
                .iter()
                .filter_map(|v| v.get("price").and_then(Value::as_str))
                .min_by(|a, b| a.parse::<f64>().unwrap_or(f64::MAX).total_cmp(&b.parse::<f64>().unwrap_or(f64::MAX)))
                .map(|p| money(p, currency, code))
                .unwrap_or_default();
            (lang.in_stock_sizes)(&title, &in_stock.join(", "), &price)
        }
    }
}

/// Everything the offline model says, in one language.
struct Phrases {
    greeting: &'static str,
    order_needs_human: &'static str,
    which_product: &'static str,
    nothing_found: &'static str,
    one_match: &'static str,
    some_matches: &'static str,
    offer_stock_check: &'static str,
    stock_unavailable: &'static str,
    no_such_size: fn(&str, &str) -> String,
    sold_out_in_size: fn(&str, &str) -> String,
    sizes_in_stock: fn(&str) -> String,
    in_stock_in_size: fn(&str, &str, i64, &str) -> String,
    sold_out: fn(&str) -> String,
    in_stock_sizes: fn(&str, &str, &str) -> String,
}

impl Phrases {
    fn for_language(code: &str) -> Phrases {
        match code {
            "es" => SPANISH,
            "ru" => RUSSIAN,
            _ => ENGLISH,
        }
    }
}

const ENGLISH: Phrases = Phrases {
    greeting: "Hi! I can help you find products in our shop, check sizes and stock, or put you in touch with a person. What are you looking for?",
    order_needs_human: "I can't look up orders here yet. A member of our team can: tap \"Talk to a person\" and share your order number and the email you used.",
    which_product: "Which product do you mean? Tell me its name or describe it and I'll check.",
    nothing_found: "I couldn't find anything in our catalogue that matches. Could you tell me more, for example the type of item, colour or material?",
    one_match: "This one from our catalogue fits what you describe:",
    some_matches: "Here are some options from our catalogue that fit what you describe:",
    offer_stock_check: "Would you like me to check stock in your size for any of them?",
    stock_unavailable: "I couldn't check stock for that right now. Please try again in a moment, or ask a person from our team.",
    no_such_size: |t, s| format!("The {t} doesn't come in size {s}."),
    sold_out_in_size: |t, s| format!("Sorry, the {t} in size {s} is sold out right now."),
    sizes_in_stock: |sizes| format!("Sizes in stock now: {sizes}."),
    in_stock_in_size: |t, s, q, p| {
        if q <= 3 { format!("Yes, the {t} is in stock in size {s}: only {q} left, at {p}.") } else { format!("Yes, the {t} is in stock in size {s}, at {p}.") }
    },
    sold_out: |t| format!("Sorry, the {t} is sold out in every size right now."),
    in_stock_sizes: |t, sizes, p| format!("The {t} is in stock in sizes {sizes}, from {p}."),
};

const SPANISH: Phrases = Phrases {
    greeting: "¡Hola! Puedo ayudarte a encontrar productos de nuestra tienda, comprobar tallas y stock, o ponerte en contacto con una persona. ¿Qué buscas?",
    order_needs_human: "Todavía no puedo consultar pedidos desde aquí. Nuestro equipo sí: pulsa \"Hablar con una persona\" e indica tu número de pedido y el email que usaste.",
    which_product: "¿A qué producto te refieres? Dime su nombre o descríbelo y lo compruebo.",
    nothing_found: "No he encontrado nada en nuestro catálogo que encaje. ¿Me das más detalles, como el tipo de prenda, el color o el material?",
    one_match: "Este producto de nuestro catálogo encaja con lo que buscas:",
    some_matches: "Estas opciones de nuestro catálogo encajan con lo que buscas:",
    offer_stock_check: "¿Quieres que compruebe si hay stock en tu talla de alguna de ellas?",
    stock_unavailable: "Ahora mismo no he podido comprobar el stock. Inténtalo de nuevo en un momento o pregunta a una persona de nuestro equipo.",
    no_such_size: |t, s| format!("{t} no se fabrica en talla {s}."),
    sold_out_in_size: |t, s| format!("Lo siento, ahora mismo no queda stock de {t} en talla {s}."),
    sizes_in_stock: |sizes| format!("Tallas disponibles ahora: {sizes}."),
    in_stock_in_size: |t, s, q, p| {
        if q <= 3 { format!("Sí, tenemos {t} en talla {s}: solo quedan {q}, a {p}.") } else { format!("Sí, tenemos {t} en talla {s}, a {p}.") }
    },
    sold_out: |t| format!("Lo siento, ahora mismo no queda stock de {t} en ninguna talla."),
    in_stock_sizes: |t, sizes, p| format!("Tenemos {t} en las tallas {sizes}, desde {p}."),
};

const RUSSIAN: Phrases = Phrases {
    greeting: "Здравствуйте! Я помогу найти товары в нашем магазине, проверить размеры и наличие или связаться с сотрудником. Что вы ищете?",
    order_needs_human: "Я пока не могу проверять заказы здесь. Наши сотрудники могут: нажмите «Связаться с человеком» и укажите номер заказа и email.",
    which_product: "Какой товар вы имеете в виду? Напишите название или опишите его, и я проверю.",
    nothing_found: "Я не нашёл в каталоге ничего подходящего. Уточните, пожалуйста: тип вещи, цвет или материал?",
    one_match: "Вот что из нашего каталога подходит под ваше описание:",
    some_matches: "Вот несколько вариантов из нашего каталога, которые подходят под ваше описание:",
    offer_stock_check: "Проверить наличие вашего размера для какого-нибудь из них?",
    stock_unavailable: "Сейчас не удалось проверить наличие. Попробуйте чуть позже или обратитесь к сотруднику.",
    no_such_size: |t, s| format!("«{t}» не выпускается в размере {s}."),
    sold_out_in_size: |t, s| format!("К сожалению, «{t}» в размере {s} сейчас нет в наличии."),
    sizes_in_stock: |sizes| format!("Сейчас в наличии размеры: {sizes}."),
    in_stock_in_size: |t, s, q, p| {
        if q <= 3 {
            format!("Да, «{t}» есть в размере {s}: осталось всего {q} шт., цена {p}.")
        } else {
            format!("Да, «{t}» есть в наличии в размере {s}, цена {p}.")
        }
    },
    sold_out: |t| format!("К сожалению, «{t}» сейчас нет в наличии ни в одном размере."),
    in_stock_sizes: |t, sizes, p| format!("«{t}» есть в наличии в размерах {sizes}, цена от {p}."),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_found_only_where_meant() {
        assert_eq!(requested_size("¿Tenéis la camisa en talla M?"), Some("M".into()));
        assert_eq!(requested_size("do you have it in size m"), Some("M".into()));
        assert_eq!(requested_size("Is the XL in stock?"), Some("XL".into()));
        assert_eq!(requested_size("boots in size 38"), Some("38".into()));
        assert_eq!(requested_size("I'm looking for a shirt"), None);
        assert_eq!(requested_size("у вас есть эта jacket в size M?"), Some("M".into()));
    }

    #[test]
    fn intents() {
        assert_eq!(intent_of(&fold("linen shirt for a summer wedding")), Intent::Browse);
        assert_eq!(intent_of(&fold("¿Tenéis la camisa en talla M?")), Intent::Stock);
        assert_eq!(intent_of(&fold("Hola")), Intent::Greeting);
        assert_eq!(intent_of(&fold("where is my order #1001")), Intent::Order);
        assert_eq!(intent_of(&fold("Сколько стоит эта куртка?")), Intent::Stock);
    }
}
