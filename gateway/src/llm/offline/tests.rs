//! The offline model on the demo catalog, in each of its eight languages.

use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};

use super::*;
use crate::catalog::Product;
use crate::llm::{ChatMessage, ToolDef};
use crate::search::RetrievedCard;
use crate::tools::orders::{AttemptLimiter, DemoOrderSource, order_status_tool, verified_order_status};

const LANGUAGES: [&str; 8] = ["en", "es", "ru", "ca", "fr", "de", "it", "pt"];

fn catalog() -> &'static [Product] {
    static CATALOG: OnceLock<Vec<Product>> = OnceLock::new();
    CATALOG.get_or_init(|| crate::catalog::sync::CatalogFile::parse(crate::demo::CATALOG_JSON, "demo").expect("demo catalog").products)
}

/// Cards for these demo products, best first.
fn cards(ids: &[&str]) -> Vec<RetrievedCard> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let product = catalog().iter().find(|p| p.id == *id).unwrap_or_else(|| panic!("no demo product {id}")).clone();
            RetrievedCard::from_product(product, "en", 0.03 - i as f32 * 0.001)
        })
        .collect()
}

fn title(id: &str) -> &'static str {
    title_in(id, "en")
}

fn title_in(id: &str, language: &str) -> &'static str {
    catalog().iter().find(|p| p.id == id).expect("product").title_in(language)
}

fn tool(name: &str) -> ToolDef {
    match name {
        GET_ORDER_STATUS => order_status_tool(),
        GET_SHIPPING => ToolDef {
            name: GET_SHIPPING.into(),
            description: "Shipping cost and time to a destination".into(),
            parameters: json!({"type": "object", "properties": {"destination": {"type": "string"}}}),
        },
        _ => ToolDef { name: name.into(), description: String::new(), parameters: json!({"type": "object", "properties": {}}) },
    }
}

struct Setup {
    language: &'static str,
    cards: Vec<RetrievedCard>,
    recent: Vec<String>,
    tools: Vec<&'static str>,
}

impl Setup {
    fn new(language: &'static str, ids: &[&str]) -> Self {
        Self { language, cards: cards(ids), recent: Vec::new(), tools: vec![GET_STOCK, GET_ORDER_STATUS] }
    }

    fn request(&self, messages: Vec<ChatMessage>) -> ChatRequest {
        let mut all = vec![ChatMessage::system(
            "You are the shopping assistant.\n\nStore policies (you may quote these):\nFree shipping in Spain on orders over 50 €. Returns within 30 days of delivery, unworn and with tags.\n\nProduct cards:",
        )];
        all.extend(messages);
        ChatRequest {
            messages: all,
            tools: self.tools.iter().map(|t| tool(t)).collect(),
            grounding: Some(Arc::new(TurnGrounding {
                reply_language: self.language.into(),
                store_name: "Lumen & Thread".into(),
                cards: self.cards.clone(),
                recent_product_ids: self.recent.clone(),
            })),
            ..ChatRequest::default()
        }
    }

    fn ask(&self, message: &str) -> Reply {
        respond(&self.request(vec![ChatMessage::user(message)]))
    }

    fn lang(&self) -> &'static Phrases {
        Phrases::for_language(self.language)
    }
}

fn text(reply: Reply) -> String {
    match reply {
        Reply::Text(text) => text,
        Reply::Call(call) => panic!("expected text, got a call to {} {}", call.name, call.arguments),
    }
}

fn call(reply: Reply) -> (String, Value) {
    match reply {
        Reply::Call(call) => (call.name, serde_json::from_str(&call.arguments).expect("arguments")),
        Reply::Text(text) => panic!("expected a tool call, got: {text}"),
    }
}

/// The messages of a turn whose tool call has been answered.
fn with_result(user: &str, name: &str, arguments: Value, result: Value) -> Vec<ChatMessage> {
    let call = ToolCall { id: "call_1".into(), name: name.into(), arguments: arguments.to_string() };
    vec![
        ChatMessage::user(user),
        ChatMessage { role: Role::Assistant, content: String::new(), tool_calls: vec![call], tool_call_id: None },
        ChatMessage::tool_result("call_1", result.to_string()),
    ]
}

#[test]
fn every_language_has_its_own_sentences() {
    let greetings: Vec<&str> = LANGUAGES.iter().map(|l| Phrases::for_language(l).greeting).collect();
    for (i, g) in greetings.iter().enumerate() {
        assert_eq!(greetings.iter().filter(|o| *o == g).count(), 1, "{} shares its greeting", LANGUAGES[i]);
    }
    assert_eq!(Phrases::for_language("xx").greeting, Phrases::for_language("en").greeting);
}

#[test]
fn greetings_and_thanks_in_each_language() {
    let hellos = ["hiii 👋", "holaa buenas", "привет", "bon dia! 😊", "bonjour", "hallo", "ciao! una domanda", "olá"];
    let thanks = [
        "got it, thanks a lot!!",
        "mil gracias guapa 😘",
        "спасибо большое!",
        "moltes gracies",
        "merci beaucoup !! 🙏",
        "danke schon, super hilfreich",
        "grazie mille",
        "obrigada!! ajudou muito",
    ];
    for (i, language) in LANGUAGES.iter().enumerate() {
        let setup = Setup::new(language, &["p0001", "p0002"]);
        assert_eq!(text(setup.ask(hellos[i])), setup.lang().greeting, "{language}");
        assert_eq!(text(setup.ask(thanks[i])), setup.lang().thanks, "{language}");
    }
}

#[test]
fn browsing_lists_products_of_the_kind_asked_in_each_language() {
    let asks = [
        "linen shirt for a summer wedding",
        "busco una camisa de lino para una boda",
        "нужна льняная рубашка на свадьбу",
        "busco una camisa de lli per a un casament",
        "je cherche une chemise en lin pour un mariage",
        "ich suche ein Leinenhemd für eine Hochzeit",
        "cerco una camicia di lino per un matrimonio",
        "procuro uma camisa de linho para um casamento",
    ];
    for (i, language) in LANGUAGES.iter().enumerate() {
        let setup = Setup::new(language, &["p0003", "p0001", "p0002"]);
        let answer = text(setup.ask(asks[i]));
        assert!(answer.starts_with(setup.lang().some_matches), "{language}: {answer}");
        assert!(answer.contains(title_in("p0001", language)), "{language} names the shirt: {answer}");
        assert!(!answer.contains(title_in("p0003", language)), "{language}: the trousers are not a shirt: {answer}");
    }
}

#[test]
fn nothing_in_the_catalog_fits_is_said_plainly() {
    for language in LANGUAGES {
        let setup = Setup::new(language, &["p0001", "p0002", "p0003"]);
        assert_eq!(text(setup.ask("whats the weather like in barcelona rn")), setup.lang().nothing_found, "{language}");
        // Cards are shirts and trousers; a tent is none of them, boots neither.
        assert_eq!(text(setup.ask("do you have hiking boots in 42?")), setup.lang().nothing_found, "{language}");
    }
}

#[test]
fn this_jacket_without_a_referent_asks_which_one_in_each_language() {
    let asks = [
        "do you have this jacket in M?",
        "¿tenéis esta chaqueta en talla M?",
        "Hola, у вас есть эта jacket в size M?",
        "teniu aquesta jaqueta en talla M?",
        "vous avez cette veste en taille M ?",
        "habt ihr diese Jacke in Größe M?",
        "avete questa giacca in taglia M?",
        "tem esta jaqueta no tamanho M?",
    ];
    for (i, language) in LANGUAGES.iter().enumerate() {
        // Shirts first: the top card is not a jacket, and no jacket was named.
        let setup = Setup::new(language, &["p0001", "p0005", "p0009", "p0002"]);
        let answer = text(setup.ask(asks[i]));
        let which = (setup.lang().which_of)("");
        let lead = which.split(':').next().unwrap_or_default();
        assert!(answer.starts_with(lead), "{language} asks which one: {answer}");
        assert!(answer.contains(title_in("p0005", language)) && answer.contains(title_in("p0009", language)), "{language} offers the jackets shown: {answer}");
        assert!(!answer.contains(title_in("p0001", language)), "{language}: a shirt is not a jacket: {answer}");
        // No card is a jacket: nothing to choose from.
        let shirts = Setup::new(language, &["p0001", "p0002"]);
        assert_eq!(text(shirts.ask(asks[i])), shirts.lang().nothing_found, "{language}");
    }
    // "Is it in stock" with nothing before: which product?
    let setup = Setup::new("en", &["p0001", "p0005"]);
    assert_eq!(text(setup.ask("is it in stock")), setup.lang().which_product);
}

#[test]
fn stock_is_checked_for_the_product_named_in_each_language() {
    let asks = [
        ("do u have the sitges linen shirt in M??", "p0001", Some("M")),
        ("el plumas baqueira esta agotado?? lo necesito en S", "p0005", Some("S")),
        ("есть пуховик baqueira в размере M?", "p0005", Some("M")),
        ("teniu la camisa de lli sitges en talla M?", "p0001", Some("M")),
        ("c combien la doudoune baqueira", "p0005", None),
        ("habt ihr das sitges leinenhemd in grosse M?", "p0001", Some("M")),
        ("quanto costa il piumino baqueira", "p0005", None),
        ("qual o preco das botas montseny", "p0007", None),
    ];
    for (i, language) in LANGUAGES.iter().enumerate() {
        let setup = Setup::new(language, &["p0003", "p0001", "p0002", "p0005", "p0009", "p0007", "p0008"]);
        let (ask, product, size) = asks[i];
        let (name, arguments) = call(setup.ask(ask));
        assert_eq!(name, GET_STOCK, "{language}");
        assert_eq!(arguments["product_id"], product, "{language}: {ask}");
        assert_eq!(arguments.get("size").and_then(Value::as_str), size, "{language}: {ask}");
    }
}

#[test]
fn a_named_product_of_another_kind_is_not_picked() {
    let setup = Setup::new("en", &["p0001", "p0003"]);
    // Sitges makes a shirt and trousers here, no jacket.
    assert_eq!(text(setup.ask("do you have the sitges jacket in M?")), setup.lang().nothing_found);
    // "the linen shirt" when two linen shirts were shown: which one?
    let two = Setup::new("en", &["p0001", "p0002"]);
    let answer = text(two.ask("do you have the linen shirt in M?"));
    assert!(answer.contains(title("p0001")) && answer.contains(title("p0002")) && answer.starts_with("Which one"), "{answer}");
}

#[test]
fn a_follow_up_keeps_the_product_the_conversation_was_about() {
    let mut setup = Setup::new("en", &["p0001", "p0002", "p0010"]);
    setup.recent = vec!["p0001".into(), "p0002".into(), "p0010".into()];
    let history = vec![
        ChatMessage::user("Tell me about the Sitges linen shirt"),
        ChatMessage::assistant(product_list(setup.lang(), &[&catalog()[0]], "en")),
        ChatMessage::user("do you have it in size L?"),
    ];
    let (name, arguments) = call(respond(&setup.request(history)));
    assert_eq!((name.as_str(), arguments["product_id"].as_str(), arguments["size"].as_str()), (GET_STOCK, Some("p0001"), Some("L")));

    // After a list of several, "it" is ambiguous.
    let listed_cards = cards(&["p0001", "p0002", "p0010"]);
    let listed: Vec<&Product> = listed_cards.iter().map(|c| &*c.product).collect();
    let history = vec![
        ChatMessage::user("linen shirt for a beach wedding"),
        ChatMessage::assistant(product_list(setup.lang(), &listed, "en")),
        ChatMessage::user("do you have it in L?"),
    ];
    let answer = text(respond(&setup.request(history)));
    assert!(answer.starts_with("Which one") && answer.contains(title("p0002")), "{answer}");

    // ...until the shopper names one; "sitges" is the shirt, not the
    // Sitges trousers, in a conversation about shirts.
    setup.cards = cards(&["p0001", "p0002", "p0010", "p0003"]);
    let history = vec![
        ChatMessage::user("linen shirt for a beach wedding"),
        ChatMessage::assistant(product_list(setup.lang(), &listed, "en")),
        ChatMessage::user("the sitges one. do you have it in L"),
    ];
    let (_, arguments) = call(respond(&setup.request(history)));
    assert_eq!(arguments["product_id"], "p0001");
}

#[test]
fn stock_answers_come_from_the_tool_result_in_each_language() {
    let result = json!({
        "product_id": "p0001", "title": "Sitges Linen Shirt", "currency": "EUR", "requested": {"size": "M"},
        "variants": [{"sku": "LT-SHI-0001-WHT-M", "price": "59.00", "available": true, "quantity": 7}],
        "sizes_in_stock": ["S", "M", "L"],
    });
    for language in LANGUAGES {
        let setup = Setup::new(language, &["p0001"]);
        let messages = with_result("sitges linen shirt in M?", GET_STOCK, json!({"product_id": "p0001", "size": "M"}), result.clone());
        let answer = text(respond(&setup.request(messages)));
        assert_eq!(answer, (setup.lang().in_stock_in_size)(title_in("p0001", language), "M", 7, &answers_money(language)), "{language}");
        assert!(answer.contains("59.00"), "{language}: {answer}");
    }
}

fn answers_money(language: &str) -> String {
    if language == "en" { "€59.00".into() } else { "59.00 €".into() }
}

#[tokio::test]
async fn order_status_asks_for_the_email_then_looks_it_up_in_each_language() {
    let asks = [
        ("When will my order #1042 ship?", "my email is jordi.puig@example.com"),
        ("¿cuándo envían mi pedido #1042?", "mi correo es jordi.puig@example.com"),
        ("когда отправят мой заказ #1042?", "jordi.puig@example.com"),
        ("quan enviareu la meva comanda #1042?", "el meu correu és jordi.puig@example.com"),
        ("quand sera expédiée ma commande #1042 ?", "mon e-mail : jordi.puig@example.com"),
        ("wann wird meine Bestellung #1042 verschickt?", "meine E-Mail ist jordi.puig@example.com"),
        ("quando spedite il mio ordine #1042?", "la mia email è jordi.puig@example.com"),
        ("quando enviam a minha encomenda #1042?", "o meu email é jordi.puig@example.com"),
    ];
    let source = DemoOrderSource::default();
    for (i, language) in LANGUAGES.iter().enumerate() {
        let setup = Setup::new(language, &["p0001"]);
        let (question, email) = asks[i];
        assert_eq!(text(setup.ask(question)), (setup.lang().order_ask_email)("#1042"), "{language}");

        let conversation = vec![ChatMessage::user(question), ChatMessage::assistant((setup.lang().order_ask_email)("#1042")), ChatMessage::user(email)];
        let (name, arguments) = call(respond(&setup.request(conversation)));
        assert_eq!(name, GET_ORDER_STATUS);
        assert_eq!(arguments, json!({"order_ref": "#1042", "email": "jordi.puig@example.com"}), "{language}");

        let result = verified_order_status(&source, &AttemptLimiter::default(), "s", None, &arguments).await.expect("verified");
        let answer = text(respond(&setup.request(with_result(email, GET_ORDER_STATUS, arguments.clone(), result))));
        assert!(answer.starts_with(&(setup.lang().order_status)("#1042", setup.lang().status_shipped)), "{language}: {answer}");
        assert!(answer.contains("SEU2611248801042") && answer.contains("2026-11-24"), "{language}: {answer}");

        let refused = json!({"error": crate::tools::orders::NOT_FOUND_OR_NOT_MATCHING});
        let answer = text(respond(&setup.request(with_result(email, GET_ORDER_STATUS, arguments, refused))));
        assert_eq!(answer, setup.lang().order_not_matching, "{language}");
    }
}

#[test]
fn orders_without_a_number_or_without_the_tool() {
    let setup = Setup::new("en", &["p0001"]);
    assert_eq!(text(setup.ask("when will my order ship??")), setup.lang().order_ask_both);
    let answer = text(setup.ask("can you tell me the address on order 10234? its my sisters"));
    assert_eq!(answer, (setup.lang().order_ask_email)("10234"));
    let mut no_tool = Setup::new("es", &["p0001"]);
    no_tool.tools = vec![GET_STOCK];
    assert_eq!(text(no_tool.ask("cuando envian mi pedido #1042?")), no_tool.lang().order_no_tool);
}

#[test]
fn shipping_only_from_the_shipping_tool() {
    let asks = [
        "how much is shipping to Madrid",
        "cuanto son los gastos de envio? vivo en Valencia",
        "сколько стоит доставка в Испанию?",
        "quant triga l'enviament a Girona",
        "vous livrez en France ?",
        "wie lange dauert der Versand nach Deutschland?",
        "quanto costa la spedizione in Italia?",
        "quanto tempo demora o envio pra Portugal?",
    ];
    let places = ["Madrid", "Valencia", "Испанию", "Girona", "France", "Deutschland", "Italia", "Portugal"];
    for (i, language) in LANGUAGES.iter().enumerate() {
        let setup = Setup::new(language, &["p0001"]);
        assert_eq!(text(setup.ask(asks[i])), setup.lang().shipping_no_tool, "{language}");
        let mut with_tool = Setup::new(language, &["p0001"]);
        with_tool.tools = vec![GET_STOCK, GET_SHIPPING];
        let (name, arguments) = call(with_tool.ask(asks[i]));
        assert_eq!((name.as_str(), arguments["destination"].as_str()), (GET_SHIPPING, Some(places[i])), "{language}");
        let result = json!({"cost": "4.95", "currency": "EUR", "free_over": "50.00", "min_days": 2, "max_days": 3});
        let answer = text(respond(&with_tool.request(with_result(asks[i], GET_SHIPPING, arguments, result))));
        assert!(answer.contains("4.95") && answer.contains("50.00") && answer.contains("2–3"), "{language}: {answer}");
    }
}

#[test]
fn returns_quote_the_store_policy() {
    let setup = Setup::new("en", &["p0001"]);
    let answer = text(setup.ask("how do i return something that doesnt fit"));
    assert!(answer.contains("30 days"), "{answer}");
}

/// A product's kinds are remembered by its titles and category, so a
/// product edited into another kind is read as that kind at once.
#[test]
fn a_product_edited_into_another_kind_is_read_again() {
    let mut product = catalog().iter().find(|p| fits_kinds(p, &["shirt"])).expect("a demo shirt").clone();
    assert!(!fits_kinds(&product, &["boots"]));
    product.title = "Montseny Leather Boots".into();
    product.translations.clear();
    product.category = "Footwear".into();
    assert!(fits_kinds(&product, &["boots"]), "{product:?}");
    assert!(!fits_kinds(&product, &["shirt"]));
}
