//! Detection in the eight languages, the checker against tool results of
//! the shapes the tools really return, safe sentences and slips.

use serde_json::{Value, json};

use super::*;
use crate::tools::ToolOutcome;

fn kinds(sentence: &str) -> Vec<ClaimKind> {
    detect(sentence).iter().map(|c| c.kind).collect()
}

fn has(sentence: &str, kind: ClaimKind) -> bool {
    kinds(sentence).contains(&kind)
}

fn stock_of(sentence: &str) -> Option<bool> {
    detect(sentence).iter().find(|c| c.kind == ClaimKind::Availability).and_then(|c| c.in_stock)
}

fn first(sentence: &str, kind: ClaimKind) -> Claim {
    detect(sentence).into_iter().find(|c| c.kind == kind).unwrap_or_else(|| panic!("no {kind:?} claim in {sentence:?}: {:?}", kinds(sentence)))
}

/// (sentence, kind it must contain, stock polarity when availability)
type Case = (&'static str, ClaimKind, Option<bool>);

fn assert_claims(cases: &[Case]) {
    for (sentence, kind, stock) in cases {
        assert!(has(sentence, *kind), "{sentence:?} should make a {kind:?} claim, found {:?}", kinds(sentence));
        if let Some(expected) = stock {
            assert_eq!(stock_of(sentence), Some(*expected), "{sentence:?} stock polarity");
        }
    }
}

fn assert_no_claims(sentences: &[&str]) {
    for sentence in sentences {
        assert!(detect(sentence).is_empty(), "{sentence:?} states no fact, found {:?}", detect(sentence));
    }
}

use ClaimKind::*;

#[test]
fn claims_english() {
    assert_claims(&[
        ("Yes, the Sitges Linen Shirt is in stock in M.", Availability, Some(true)),
        ("Sorry, it's out of stock in L.", Availability, Some(false)),
        ("Only 2 left in size M!", Availability, Some(true)),
        ("We don't have it in S anymore.", Availability, Some(false)),
        ("It's not sold out, you can still order it.", Availability, Some(true)),
        ("It might be unavailable in XL.", Availability, Some(false)),
        ("It costs €59.00.", Price, None),
        ("The Pals shirt is $55.", Price, None),
        ("It's 20% off right now.", Price, None),
        ("Shipping is free on orders over 50 €.", ShippingCost, None),
        ("Shipping to Portugal costs 6.95 €.", ShippingCost, None),
        ("Delivery takes 2-3 working days.", ShippingTime, None),
        ("It will arrive within two working days.", ShippingTime, None),
        ("Your order #1042 has been shipped.", OrderStatus, None),
        ("It was delivered yesterday.", OrderStatus, None),
        ("Your order is being prepared.", OrderStatus, None),
    ]);
    assert_no_claims(&[
        "I can check the stock for you.",
        "Let me check that for you.",
        "Would you like me to look up your order?",
        "What size do you usually wear?",
        "The shirt is made of 100% linen.",
        "It has a relaxed fit and a button-down collar.",
        "Do you want me to check whether the M is available?",
        "You can return unworn items within 30 days.",
        "I can't confirm the stock of that right now; I can pass you to a person from the team.",
    ]);
}

#[test]
fn claims_spanish() {
    assert_claims(&[
        ("Sí, la camisa Sitges está disponible en talla M.", Availability, Some(true)),
        ("No la tenemos en M.", Availability, Some(false)),
        ("Está agotada en la talla L.", Availability, Some(false)),
        ("Solo quedan 2 unidades.", Availability, Some(true)),
        ("No hay talla S ahora mismo.", Availability, Some(false)),
        ("Cuesta 49,90 €.", Price, None),
        ("Ahora tiene un 20 % de descuento.", Price, None),
        ("El envío es gratis a partir de 50 €.", ShippingCost, None),
        ("El envío a Portugal cuesta 6,95 €.", ShippingCost, None),
        ("Te llega en 48h.", ShippingTime, None),
        ("Tu pedido #1042 ya ha sido enviado.", OrderStatus, None),
    ]);
    assert_no_claims(&[
        "¿Quieres que mire el stock?",
        "Puedo comprobar la disponibilidad si me dices tu talla.",
        "Esta camisa te queda genial con unos vaqueros.",
        "Tenemos varias opciones de lino.",
        "¿Qué talla usas?",
        "Ahora mismo no puedo confirmar el stock de eso; puedo pasarte con una persona del equipo.",
    ]);
}

#[test]
fn claims_russian() {
    assert_claims(&[
        ("Да, эта куртка есть в наличии в размере M.", Availability, Some(true)),
        ("К сожалению, размера L нет в наличии.", Availability, Some(false)),
        ("Осталось всего 2 штуки.", Availability, Some(true)),
        ("Цена — 4 990 ₽.", Price, None),
        ("Эта рубашка стоит 59 евро.", Price, None),
        ("Доставка по Испании бесплатная от 50 €.", ShippingCost, None),
        ("Доставка займёт 2-3 рабочих дня.", ShippingTime, None),
        ("Доставим за 3 дня.", ShippingTime, None),
        ("Ваш заказ #1042 отправлен.", OrderStatus, None),
    ]);
    assert_no_claims(&[
        "Могу проверить наличие для вас.",
        "Хотите, я посмотрю размеры?",
        "Эта куртка сделана из натуральной кожи.",
        "Сейчас я не могу подтвердить наличие; могу передать вас сотруднику магазина.",
    ]);
}

#[test]
fn claims_catalan() {
    assert_claims(&[
        ("Sí, la tenim en estoc en talla M.", Availability, Some(true)),
        ("Està esgotada en la talla S.", Availability, Some(false)),
        ("Només en queden 2 unitats.", Availability, Some(true)),
        ("Costa 59 €.", Price, None),
        ("L'enviament és gratuït a partir de 50 €.", ShippingCost, None),
        ("L'enviament triga 2-3 dies feiners.", ShippingTime, None),
        ("La teva comanda #1042 ja s'ha enviat.", OrderStatus, None),
    ]);
    assert_no_claims(&[
        "Vols que comprovi l'estoc?",
        "Aquesta camisa és de lli i molt fresca.",
        "Ara mateix no puc confirmar l'estoc d'això; et puc passar amb una persona de l'equip.",
    ]);
}

#[test]
fn claims_french() {
    assert_claims(&[
        ("Oui, la chemise Sitges est disponible en taille M.", Availability, Some(true)),
        ("Elle est en rupture de stock en L.", Availability, Some(false)),
        ("Nous ne l'avons plus en S.", Availability, Some(false)),
        ("Il en reste 2.", Availability, Some(true)),
        ("Elle coûte 59,00 €.", Price, None),
        ("La livraison est offerte dès 50 €.", ShippingCost, None),
        ("Livraison en 3 à 5 jours ouvrés.", ShippingTime, None),
        ("Votre commande #1042 a été expédiée.", OrderStatus, None),
    ]);
    assert_no_claims(&[
        "Voulez-vous que je vérifie le stock ?",
        "Je peux vérifier la disponibilité pour vous.",
        "Elle est en lin lavé, très agréable à porter.",
        "Je ne peux pas confirmer le stock pour le moment ; je peux vous mettre en contact avec une personne de l'équipe.",
    ]);
}

#[test]
fn claims_german() {
    assert_claims(&[
        ("Ja, das Hemd ist in Größe M auf Lager.", Availability, Some(true)),
        ("Leider ist Größe L ausverkauft.", Availability, Some(false)),
        ("Größe S haben wir leider nicht mehr.", Availability, Some(false)),
        ("Nur noch 2 Stück verfügbar.", Availability, Some(true)),
        ("Es kostet 59,00 €.", Price, None),
        ("Der Versand ist ab 50 € kostenlos.", ShippingCost, None),
        ("Die Lieferung dauert 2-3 Werktage.", ShippingTime, None),
        ("Ihre Bestellung #1042 wurde versandt.", OrderStatus, None),
    ]);
    assert_no_claims(&[
        "Soll ich den Lagerbestand für Sie prüfen?",
        "Ich kann gerne nachsehen, ob Größe M da ist.",
        "Das Hemd ist aus Leinen und sehr bequem.",
        "Den Lagerbestand kann ich gerade nicht bestätigen; ich kann Sie an eine Person aus dem Team weiterleiten.",
    ]);
}

#[test]
fn claims_italian() {
    assert_claims(&[
        ("Sì, la camicia è disponibile in taglia M.", Availability, Some(true)),
        ("La taglia L è esaurita.", Availability, Some(false)),
        ("Ne restano solo 2.", Availability, Some(true)),
        ("Costa 59,00 €.", Price, None),
        ("La spedizione è gratuita sopra i 50 €.", ShippingCost, None),
        ("La consegna richiede 2-3 giorni lavorativi.", ShippingTime, None),
        ("Il tuo ordine #1042 è stato spedito.", OrderStatus, None),
    ]);
    assert_no_claims(&[
        "Vuoi che controlli la disponibilità?",
        "Posso verificare lo stock per te.",
        "È in lino, leggera e fresca.",
        "Non posso confermare la disponibilità in questo momento; posso passarti a una persona del team.",
    ]);
}

#[test]
fn claims_portuguese() {
    assert_claims(&[
        ("Sim, a camisa está disponível no tamanho M.", Availability, Some(true)),
        ("Está esgotada no tamanho L.", Availability, Some(false)),
        ("Restam apenas 2 unidades.", Availability, Some(true)),
        ("Custa 59,90 €.", Price, None),
        ("O envio é grátis a partir de 50 €.", ShippingCost, None),
        ("A entrega demora 2 a 4 dias úteis.", ShippingTime, None),
        ("A sua encomenda #1042 foi enviada.", OrderStatus, None),
    ]);
    assert_no_claims(&[
        "Quer que eu verifique o stock?",
        "Posso verificar a disponibilidade para si.",
        "É feita de linho, muito fresca.",
        "Não posso confirmar o stock neste momento; posso passar-te a uma pessoa da equipa.",
    ]);
}

#[test]
fn claims_mixed_languages() {
    assert_claims(&[
        ("Hola! Yes, la jacket está in stock en size M.", Availability, Some(true)),
        ("Да, this shirt стоит 59 €.", Price, None),
        ("Oui, it's disponible en M.", Availability, Some(true)),
        ("Sí, your order #1042 está enviado.", OrderStatus, None),
    ]);
}

#[test]
fn claims_figures_are_read() {
    let price = first("The Sitges shirt costs 1.299,00 zł or $1,299.", Price);
    assert_eq!(price.amounts, vec![Money { cents: 129900, currency: Some("PLN") }, Money { cents: 129900, currency: Some(DOLLAR) }]);
    let stock = first("Solo quedan 2 en la talla M.", Availability);
    assert_eq!(stock.quantities, vec![2]);
    assert_eq!(stock.sizes, vec!["M"]);
    let time = first("Доставка займёт от 2 до 4 рабочих дней.", ShippingTime);
    assert_eq!(time.days, Some(DayRange { min: 2, max: 4 }));
    let order = first("Votre commande #1042 a été expédiée.", OrderStatus);
    assert_eq!((order.order_refs.clone(), order.states.clone()), (vec!["1042".to_owned()], vec![OrderState::Shipped]));
    let two = detect("It's in stock in M, but not in L.");
    let polarities: Vec<(Option<bool>, Vec<String>)> = two.iter().filter(|c| c.kind == Availability).map(|c| (c.in_stock, c.sizes.clone())).collect();
    assert_eq!(polarities, vec![(Some(true), vec!["M".to_owned()]), (Some(false), vec!["L".to_owned()])]);
}

// --- The checker, against results shaped like the real tools' ---

fn outcome(name: &str, result: Value) -> ToolOutcome {
    ToolOutcome { call_id: format!("call_{name}"), name: name.into(), arguments: json!({}), ok: true, result, duration_ms: 1 }
}

fn sitges_stock() -> ToolOutcome {
    let variant = |size: &str, quantity: i64| json!({"sku": format!("LT-SHI-0001-WHT-{size}"), "options": {"size": size, "color": "White"}, "price": "59.00", "compare_at_price": "69.00", "available": quantity > 0, "quantity": quantity});
    outcome(
        "get_stock",
        json!({
            "product_id": "p0001", "title": "Sitges Linen Shirt", "currency": "EUR", "stock_source": "catalog", "requested": {},
            "variants": [variant("XS", 0), variant("S", 3), variant("M", 2), variant("L", 0)],
            "sizes_in_stock": ["S", "M"],
        }),
    )
}

fn known() -> Vec<KnownProduct> {
    [
        ("p0001", "Sitges Linen Shirt", "Camisa de lino Sitges"),
        ("p0003", "Sitges Linen Trousers", "Pantalón de lino Sitges"),
        ("p0005", "Baqueira Down Puffer Jacket", "Plumífero de plumón Baqueira"),
        ("p0009", "Eixample Waterproof Commuter Jacket", "Chaqueta impermeable urbana Eixample"),
        ("p0011", "Palafrugell Linen Shirt", "Camisa de lino Palafrugell"),
        ("p0013", "Pals Linen Shirt", "Camisa de lino Pals"),
    ]
    .iter()
    .map(|(id, en, es)| KnownProduct { id: (*id).into(), titles: vec![(*en).into(), (*es).into()], skus: vec![] })
    .collect()
}

fn full_evidence() -> Evidence {
    let search = outcome(
        "search_products",
        json!({"products": [{"product_id": "p0011", "title": "Palafrugell Linen Shirt", "from_price": "49.00", "currency": "EUR"}]}),
    );
    let order = outcome(
        "get_order_status",
        json!({
            "order_ref": "#1042", "status": "fulfilled", "created_at": "2026-11-20T10:00:00Z",
            "items": [{"title": "Sitges Linen Shirt", "sku": "LT-SHI-0001-WHT-M", "quantity": 1, "price": "59.00"}],
            "fulfilments": [{"status": "in_transit", "shipped_at": "2026-11-21T10:00:00Z", "tracking": [{"carrier": "SEUR", "number": "1Z999AA10123456784", "url": null}]}],
            "total": {"amount": "63.95", "currency": "EUR"},
        }),
    );
    let shipping = outcome("get_shipping", crate::tools::shipping::run(Some(&crate::demo::shipping()), "EUR", &json!({})).expect("demo table"));
    Evidence::new(&[sitges_stock(), search, order, shipping], &known(), "EUR")
}

fn verdict(sentence: &str, evidence: &Evidence) -> SentenceVerdict {
    check_sentence(sentence, "en", evidence)
}

#[track_caller]
fn assert_backed(sentence: &str, evidence: &Evidence) {
    let v = verdict(sentence, evidence);
    assert!(!v.claims.is_empty(), "{sentence:?} should make a claim");
    assert!(v.passes(), "{sentence:?} should be backed: {:?}", v.unbacked().collect::<Vec<_>>());
}

#[track_caller]
fn assert_unbacked(sentence: &str, evidence: &Evidence) -> String {
    let v = verdict(sentence, evidence);
    assert!(!v.passes(), "{sentence:?} should be unbacked: {:?}", v.claims);
    assert!(v.replacement.is_some());
    match &v.unbacked().next().expect("one unbacked").verdict {
        Verdict::Unbacked { why } => why.clone(),
        Verdict::Backed => unreachable!(),
    }
}

#[test]
fn claims_checker_availability() {
    let e = full_evidence();
    assert_backed("Yes, the Sitges Linen Shirt is in stock in M.", &e);
    assert_backed("Sí, la camisa Sitges está disponible en talla M.", &e);
    assert_backed("It's sold out in XS.", &e);
    assert_backed("Only 2 left in M!", &e);
    assert_backed("It's in stock in S, but not in L.", &e);
    assert_backed("Yes, SKU LT-SHI-0001-WHT-S is available.", &e);
    let why = assert_unbacked("The Pals Linen Shirt is in stock in M.", &e);
    assert!(why.contains("p0013"), "{why}");
    let why = assert_unbacked("Yes, the Siurana Leather Jacket is in stock in M.", &e);
    assert!(why.contains("siurana"), "{why}");
    let why = assert_unbacked("The Sitges shirt is out of stock in M.", &e);
    assert!(why.contains("in stock"), "{why}");
    assert_unbacked("Only 5 left in M!", &e);
    assert_unbacked("Yes, we have it in L.", &e);
    let none = Evidence::new(&[], &known(), "EUR");
    let why = assert_unbacked("Yes, it's in stock.", &none);
    assert!(why.contains("get_stock"), "{why}");
}

#[test]
fn claims_checker_prices() {
    let e = full_evidence();
    assert_backed("It costs 59,00 €.", &e);
    assert_backed("The Sitges Linen Shirt is €59 (was 69 €).", &e);
    assert_backed("It's 14% off right now.", &e);
    assert_backed("The Palafrugell shirt costs 49 €.", &e);
    let why = assert_unbacked("It costs 49.90 €.", &e);
    assert!(why.contains("49.90"), "{why}");
    assert_unbacked("The Sitges shirt costs 49 €.", &e);
    assert_unbacked("It costs 59 USD.", &e);
    assert_unbacked("It's 30% off.", &e);
    assert_unbacked("The Pals shirt costs 59 €.", &e);
}

#[test]
fn claims_checker_orders() {
    let e = full_evidence();
    assert_backed("Your order #1042 has been shipped.", &e);
    assert_backed("Tu pedido 1042 ya está en camino.", &e);
    assert_backed("Your tracking number is 1Z999AA10123456784.", &e);
    assert_backed("Your order total was 63,95 €.", &e);
    let why = assert_unbacked("Your order #1043 has been shipped.", &e);
    assert!(why.contains("1043"), "{why}");
    assert_unbacked("Your order #1042 has been delivered.", &e);
    assert_unbacked("Ваш заказ #1042 отменён.", &e);
    assert_unbacked("Your order has been shipped.", &Evidence::new(&[sitges_stock()], &known(), "EUR"));
}

#[test]
fn claims_checker_shipping() {
    let e = full_evidence();
    assert_backed("Shipping is free in Spain on orders over 50 €.", &e);
    assert_backed("El envío a Portugal cuesta 6,95 €.", &e);
    assert_backed("Orders ship within 2 working days.", &e);
    assert_backed("Delivery to Portugal takes 2-4 days.", &e);
    assert_backed("Livraison en 3 à 5 jours ouvrés.", &e);
    assert_unbacked("Shipping is free on orders over 40 €.", &e);
    assert_unbacked("Delivery takes 10 days.", &e);
    assert_unbacked("Shipping to Portugal costs 4.95 €.", &e);
    let why = assert_unbacked("Shipping is free over 50 €.", &Evidence::new(&[sitges_stock()], &known(), "EUR"));
    assert!(why.contains("get_shipping"), "{why}");
}

#[test]
fn claims_failed_tools_do_not_back_anything() {
    let failed = ToolOutcome { ok: false, result: json!({"error": "the store's system did not answer"}), ..sitges_stock() };
    let e = Evidence::new(&[failed], &known(), "EUR");
    let why = assert_unbacked("The Sitges shirt is in stock in M.", &e);
    assert!(why.contains("failed"), "{why}");
}

#[test]
fn claims_verdict_says_what_to_force_and_what_to_send() {
    let e = Evidence::new(&[], &known(), "EUR");
    let v = check_sentence("Sí, está disponible en M y cuesta 59 €.", "es", &e);
    assert!(!v.passes());
    assert_eq!(v.tools_to_force(), vec!["get_stock"]);
    assert_eq!(v.replacement, Some(safe_sentence(Availability, "es")));
    assert!(v.regeneration_instruction().contains("get_stock"));
    let fine = check_sentence("It has a relaxed fit.", "en", &e);
    assert!(fine.passes() && fine.replacement.is_none());
}

#[test]
fn claims_safe_sentences_state_nothing() {
    for lang in ["en", "es", "ru", "ca", "fr", "de", "it", "pt", "es-ES", "xx"] {
        for kind in [Availability, Price, ShippingCost, ShippingTime, OrderStatus] {
            let safe = safe_sentence(kind, lang);
            assert!(detect(safe).is_empty(), "{lang} {kind:?}: {safe:?} makes {:?}", kinds(safe));
            assert!(!slip::detect(safe));
        }
        assert!(detect(safe_general(lang)).is_empty(), "{lang}: {:?}", detect(safe_general(lang)));
    }
    assert_eq!(safe_sentence(Price, "xx"), safe_sentence(Price, "en"));
    assert_ne!(safe_sentence(Price, "pt-BR"), safe_sentence(Price, "en"));
}

#[test]
fn claims_slips_in_every_language() {
    for slip in [
        "As an AI language model, I can't see the stock.",
        "As an AI, I don't have personal opinions.",
        "I'm just a bot that can't browse the web.",
        "I don't have access to real-time inventory.",
        "My knowledge cutoff is 2023.",
        "Como modelo de lenguaje, no puedo saberlo.",
        "Como IA, no tengo acceso en tiempo real.",
        "Как языковая модель, я не могу это проверить.",
        "Мой последний обновление было в 2023 году.",
        "Com a model de llenguatge no ho puc saber.",
        "En tant qu'IA, je n'ai pas accès à internet.",
        "Als KI-Sprachmodell habe ich keinen Zugriff auf Echtzeitdaten.",
        "Come modello linguistico non posso saperlo.",
        "Como modelo de linguagem, não tenho acesso à internet.",
    ] {
        assert!(slip::detect(slip), "{slip:?} is a slip");
    }
    for fine in [
        "The model is 1.80 m tall and wears size M.",
        "Our size guide is updated in real time.",
        "These trainers are great for training days.",
        "Como ia dizendo, esta camisa é de linho.",
        "La modelo mide 1,78 y lleva la talla S.",
        "Il modello è alto 1,80 e indossa la M.",
        "Это модель из нашей новой коллекции.",
        "Ich bin mir sicher, dass sie dir passt.",
        "Je suis sûr qu'elle vous ira bien.",
        "I can pass you to a person from the team.",
        "This bag is made in Italy by a small workshop.",
    ] {
        assert!(!slip::detect(fine), "{fine:?} is no slip");
    }
}

#[test]
fn claims_detection_speed() {
    let sentences = [
        "Yes, the Sitges Linen Shirt is in stock in M and costs 59,00 €.",
        "Доставка займёт 2-3 рабочих дня, бесплатно от 50 €.",
        "Votre commande #1042 a été expédiée.",
        "It has a relaxed fit and a button-down collar.",
        "Ne restano solo 2 in taglia L, ma la M è esaurita.",
    ];
    let e = full_evidence();
    let rounds = 200;
    let started = std::time::Instant::now();
    let mut n = 0usize;
    for _ in 0..rounds {
        for s in &sentences {
            n += detect(s).len();
        }
    }
    let detect_us = started.elapsed().as_secs_f64() * 1e6 / (rounds * sentences.len()) as f64;
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        for s in &sentences {
            n += check_sentence(s, "en", &e).claims.len();
        }
    }
    let check_us = started.elapsed().as_secs_f64() * 1e6 / (rounds * sentences.len()) as f64;
    eprintln!("claims: detect {detect_us:.1} µs/sentence, detect+check+slip {check_us:.1} µs/sentence ({n} claims)");
}

#[test]
fn claims_checker_checks_every_size_named() {
    let e = full_evidence();
    assert_backed("The Sitges Linen Shirt is available in sizes S and M.", &e);
    let why = assert_unbacked("The Sitges Linen Shirt is available in sizes S, M and L.", &e);
    assert!(why.contains("in L"), "{why}");
    assert_backed("Lo siento, la talla XL está agotada, pero la M sí está disponible.", &e);
    assert_unbacked("La talla XL está agotada, pero la L sí está disponible.", &e);
}

/// The shape the turn uses: split the stream, check each sentence, send
/// only what passes; the first sentence goes out before the answer ends.
#[test]
fn claims_streaming_releases_only_backed_sentences() {
    let answer = "¡Hola! La camisa Sitges es de lino. Está disponible en talla M y cuesta 59,00 €. También la tenemos en XL. ¿Te ayudo con algo más?";
    let e = full_evidence();
    let mut splitter = SentenceSplitter::new();
    let mut sent: Vec<String> = Vec::new();
    let mut withheld: Vec<String> = Vec::new();
    let mut first_sent_at: Option<usize> = None;
    let tokens: Vec<String> = answer.split_inclusive(' ').map(str::to_owned).collect();
    let release = |sentence: String, sent: &mut Vec<String>, withheld: &mut Vec<String>| {
        let verdict = check_sentence(&sentence, "es", &e);
        if verdict.passes() { sent.push(sentence) } else { withheld.push(sentence) }
    };
    for (i, token) in tokens.iter().enumerate() {
        for sentence in splitter.push(token) {
            release(sentence, &mut sent, &mut withheld);
            first_sent_at.get_or_insert(i);
        }
    }
    if let Some(rest) = splitter.finish() {
        release(rest, &mut sent, &mut withheld);
    }
    assert_eq!(sent, vec!["¡Hola! ", "La camisa Sitges es de lino. ", "Está disponible en talla M y cuesta 59,00 €. ", "¿Te ayudo con algo más?"]);
    assert_eq!(withheld, vec!["También la tenemos en XL. "]);
    assert!(first_sent_at.expect("a sentence was released") <= 1, "the greeting goes out with the next token");
}

#[test]
fn claims_a_question_at_the_end_keeps_the_claim_before_it() {
    assert_eq!(stock_of("It's in stock in M, but do you want the L?"), Some(true));
    assert_no_claims(&["Is it for a wedding or for every day?"]);
}

/// The offline model's stock answers (llm/offline.rs) are backed by the
/// `get_stock` result they were written from, and its other texts state
/// nothing, so wiring the check in changes none of its answers.
#[test]
fn claims_offline_model_answers_pass() {
    let mut filtered = sitges_stock();
    filtered.result["variants"] = json!([filtered.result["variants"][2].clone()]);
    filtered.result["requested"] = json!({"size": "M"});
    let e = Evidence::new(&[filtered], &known(), "EUR");
    for (sentence, lang) in [
        ("Yes, the Sitges Linen Shirt is in stock in size M: only 2 left, at €59.00.", "en"),
        ("Sizes in stock now: S, M.", "en"),
        ("The Sitges Linen Shirt is in stock in sizes S, M, from €59.00.", "en"),
        ("Sorry, the Sitges Linen Shirt in size XS is sold out right now.", "en"),
        ("Sí, tenemos Camisa de lino Sitges en talla M: solo quedan 2, a 59.00 €.", "es"),
        ("Lo siento, ahora mismo no queda stock de Camisa de lino Sitges en talla L.", "es"),
        ("Tallas disponibles ahora: S, M.", "es"),
        ("Да, «Sitges Linen Shirt» есть в размере M: осталось всего 2 шт., цена 59.00 €.", "ru"),
        ("К сожалению, «Sitges Linen Shirt» в размере XS сейчас нет в наличии.", "ru"),
        ("«Sitges Linen Shirt» есть в наличии в размерах S, M, цена от 59.00 €.", "ru"),
    ] {
        let v = check_sentence(sentence, lang, &e);
        assert!(!v.claims.is_empty() && v.passes(), "{sentence:?}: {:?}", v.claims);
    }
    for text in [
        "Hi! I can help you find products in our shop, check sizes and stock, or put you in touch with a person. What are you looking for?",
        "¡Hola! Puedo ayudarte a encontrar productos de nuestra tienda, comprobar tallas y stock, o ponerte en contacto con una persona. ¿Qué buscas?",
        "I can't look up orders here yet. A member of our team can: tap \"Talk to a person\" and share your order number and the email you used.",
        "Would you like me to check stock in your size for any of them?",
        "¿Quieres que compruebe si hay stock en tu talla de alguna de ellas?",
        "I couldn't check stock for that right now. Please try again in a moment, or ask a person from our team.",
        "Ahora mismo no he podido comprobar el stock. Inténtalo de nuevo en un momento o pregunta a una persona de nuestro equipo.",
        "Here are some options from our catalogue that fit what you describe:\n- Sitges Linen Shirt — linen, white, relaxed\n",
    ] {
        let mut splitter = SentenceSplitter::new();
        let mut pieces = splitter.push(text);
        pieces.extend(splitter.finish());
        for piece in pieces {
            assert!(check_sentence(&piece, "en", &Evidence::default()).passes(), "{piece:?}: {:?}", detect(&piece));
        }
    }
}

#[test]
fn claims_order_references_written_as_codes() {
    let order = outcome(
        "get_order_status",
        json!({"order_ref": "LB-10042", "status": "shipped", "items": [], "fulfilments": [{"status": "success", "tracking": [{"number": "JJD0099887766"}]}], "total": null}),
    );
    let e = Evidence::new(&[order], &[], "EUR");
    assert_backed("Your order LB-10042 has shipped.", &e);
    assert_backed("Tracking number: JJD0099887766.", &e);
    assert_unbacked("Your order LB-10042 has been cancelled.", &e);
}
