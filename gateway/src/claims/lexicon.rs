//! Cue phrases of each kind of claim in en, es, ru, ca, fr, de, it and pt,
//! folded (lower case, no accents). A word ending in `*` matches any word
//! starting with it. Every list is matched whatever the message's language:
//! answers mix languages, and a cue that fires needlessly costs only one
//! more check, while a cue that is missing lets a claim through unchecked.
//! Written folded as `classify::fold` folds: Cyrillic й and ё lose their
//! marks too ("дней" is "днеи", "ещё" is "еще").

/// Stock is there (or, with a negation, is not), said outright.
#[rustfmt::skip]
pub(crate) const AVAILABLE: &[&str] = &[
    // en
    "in stock", "available", "availability", "left in stock", "last one", "last few", "last units", "last pair", "ready to ship", "back in stock",
    "restock*", "stocked", "on hand",
    // es
    "en stock", "hay stock", "disponible*", "disponibilidad", "existencias", "ultima unidad", "ultimas unidades",
    // ru
    "в наличии", "наличи*", "есть в", "есть размер", "есть на складе", "на складе", "доступен", "доступна", "доступно", "доступны", "последн* штук*",
    // ca
    "en estoc", "estoc",
    // fr
    "en stock", "disponible*", "dernier exemplaire", "dernieres pieces",
    // de
    "auf lager", "lagernd", "vorratig", "verfugbar*", "lieferbar*", "bestand", "letzte stuck", "letztes stuck",
    // it
    "disponibil*", "in magazzino", "ultimo pezzo", "ultimi pezzi",
    // pt
    "em estoque", "em stock", "disponive*", "disponiveis", "ultima unidade", "ultimas unidades",
];

/// "We have", "quedan", "il reste": stock talk only when the clause also
/// names a size or a count ("tenemos la M", "quedan 2"); alone they are
/// everyday words ("te queda genial", "we have several styles").
#[rustfmt::skip]
pub(crate) const AVAILABLE_WEAK: &[&str] = &[
    "we have", "we ve got", "we still have", "still have", "have it", "have them", "have this", "have that", "left", "remaining", "only", "just",
    "tenemos", "la tenemos", "lo tenemos", "hay", "queda*", "solo", "solamente", "unidades",
    "у нас есть", "есть", "остал*", "только", "всего", "штук*", "шт",
    "tenim", "la tenim", "el tenim", "queden", "en queda", "nomes", "unitats",
    "nous avons", "nous l avons", "l avons", "les avons", "avons", "il reste", "il en reste", "reste*", "seulement", "pieces", "exemplaires",
    "haben wir", "wir haben", "noch", "nur", "stuck",
    "abbiamo", "l abbiamo", "ne restano", "ne rimane", "ne rimangono", "rimast*", "solo", "pezzi",
    "temos", "ha em", "restam", "resta", "apenas",
];

/// Stock is not there; a negation turns these around ("not sold out").
#[rustfmt::skip]
pub(crate) const UNAVAILABLE: &[&str] = &[
    "out of stock", "sold out", "unavailable", "not available", "no longer available", "none left", "no stock", "ran out", "run out", "discontinued",
    "agotad*", "sin stock", "sin existencias", "no queda*", "no disponible*", "descatalogad*",
    "нет в наличии", "закончил*", "распродан*", "нет размера", "нет на складе", "нет в", "отсутству*", "недоступ*",
    "esgota*", "sense estoc", "no en queden", "no disponible",
    "epuise*", "rupture", "indisponible*", "plus disponible", "plus en stock",
    "ausverkauft", "vergriffen", "nicht vorratig", "nicht verfugbar", "nicht auf lager", "nicht lieferbar",
    "esaurit*", "non disponibile", "non disponibili", "non e disponibile",
    "esgotad*", "sem estoque", "sem stock", "indisponive*", "nao esta disponivel",
];

/// Words that negate what follows them.
#[rustfmt::skip]
pub(crate) const NEGATIONS: &[&str] =
    &["not", "no", "never", "nor", "none", "nunca", "ni", "sin", "не", "нет", "ни", "ne", "pas", "plus", "jamais", "nicht", "kein*", "nie", "non", "mai", "nao", "sem", "nem"];

/// Verbs that tie a subject to an amount ("shipping to Portugal costs 6,95 €",
/// "the shirt costs 59 €"): the amount is of whatever comes before them.
#[rustfmt::skip]
pub(crate) const PRICE_VERBS: &[&str] = &[
    "cost", "costs", "is", "are", "cuesta", "cuestan", "sale", "es", "son", "стоит", "стоят", "составляет", "costa", "costen", "val", "coute", "coutent",
    "est", "kostet", "kosten", "betragt", "ist", "costano", "e", "custa", "custam", "fica",
];

/// The price of something.
#[rustfmt::skip]
pub(crate) const PRICE: &[&str] = &[
    "price*", "cost", "costs", "priced", "for just", "for only", "on sale", "discount*", "reduced", "cheaper", "on offer", "retail*", "% off",
    "precio*", "cuesta*", "cuestan", "rebaj*", "descuento*", "en oferta", "cuesta",
    "цен*", "стоит", "стоят", "стоимост*", "скидк*", "дешевле",
    "preu", "preus", "costa", "costen", "rebaix*", "descompte*",
    "prix", "coute*", "vaut", "valent", "solde*", "remise", "reduction", "en promo*",
    "preis*", "kostet", "kosten", "reduziert", "rabatt*", "im angebot", "gunstiger",
    "prezz*", "costa", "costano", "scont*", "saldi", "in offerta",
    "preco*", "custa", "custam", "desconto*", "em promocao",
];

/// Shipping, delivery and postage.
#[rustfmt::skip]
pub(crate) const SHIPPING: &[&str] = &[
    "shipping", "ship", "ships", "shipped within", "delivery", "deliver*", "postage", "dispatch*", "courier", "arrive*", "arrival",
    "envio*", "envia*", "entrega*", "reparto", "mensajer*", "llega*", "llegara", "recibir*", "despach*",
    "доставк*", "достав*", "пересылк*", "отправ*", "курьер*", "придет", "придут", "получите", "прибудет",
    "enviament*", "lliurament*", "arribara", "arriba", "rebras", "envi*",
    "livraison", "livre*", "expedition", "expedie*", "frais de port", "arrive*", "recevrez", "envoi",
    "versand*", "liefer*", "porto", "zustell*", "verschick*", "ankommen", "kommt", "erhalten",
    "spedizion*", "spedi*", "consegn*", "arriva*", "riceverai",
    "frete", "entrega*", "portes", "envio*", "chega*", "recebera", "expedi*",
];

/// Words saying a cost is nothing: with a shipping cue, "free shipping".
#[rustfmt::skip]
pub(crate) const FREE: &[&str] = &[
    "free", "gratis", "gratuit*", "sin coste", "sin costo", "sin gastos", "бесплатн*", "sans frais", "offert*", "kostenlos", "versandkostenfrei",
    "portofrei", "gratuita", "gratuito", "senza costi", "sem custo", "de borla",
];

/// An order of the shopper's.
#[rustfmt::skip]
pub(crate) const ORDER_WORDS: &[&str] = &[
    "order", "orders", "your order", "package", "parcel", "tracking", "pedido*", "paquete", "seguimiento", "заказ*", "посылк*", "трек*", "comanda*", "paquet",
    "commande*", "colis", "suivi", "bestellung*", "paket", "sendung*", "sendungsverfolgung", "ordine", "ordini", "pacco", "encomenda*", "pacote",
    "rastreamento", "rastreio",
];

/// Order states, as words in answers and as tool statuses.
#[rustfmt::skip]
pub(crate) const STATE_WORDS: &[(&str, super::OrderState)] = {
    use super::OrderState::*;
    &[
        // Delivered comes first: "entregado" must not read as "entrega*".
        ("delivered", Delivered), ("entregad*", Delivered), ("доставлен*", Delivered), ("вручен*", Delivered), ("lliurat*", Delivered), ("livree", Delivered),
        ("livre", Delivered), ("zugestellt", Delivered), ("geliefert", Delivered), ("consegnat*", Delivered), ("entregue*", Delivered), ("recibido", Delivered),
        ("shipped", Shipped), ("dispatched", Shipped), ("on its way", Shipped), ("on the way", Shipped), ("in transit", Shipped), ("out for delivery", Shipped),
        ("fulfilled", Shipped), ("partially fulfilled", Shipped), ("enviad*", Shipped), ("despachad*", Shipped), ("en camino", Shipped), ("en transito", Shipped),
        ("en reparto", Shipped), ("отправлен*", Shipped), ("в пути", Shipped), ("передан* в доставку", Shipped), ("enviat*", Shipped), ("en cami", Shipped),
        ("expedie*", Shipped), ("en route", Shipped), ("en cours de livraison", Shipped), ("en transit", Shipped), ("versandt", Shipped), ("verschickt", Shipped),
        ("unterwegs", Shipped), ("versendet", Shipped), ("spedit*", Shipped), ("in transito", Shipped), ("in consegna", Shipped), ("expedid*", Shipped),
        ("a caminho", Shipped), ("em transito", Shipped), ("in_transit", Shipped), ("success", Shipped), ("completed", Shipped),
        ("cancel*", Cancelled), ("anulad*", Cancelled), ("отмен*", Cancelled), ("anul*", Cancelled), ("annul*", Cancelled), ("storniert", Cancelled),
        ("refund*", Refunded), ("reembols*", Refunded), ("возвра*", Refunded), ("rembours*", Refunded), ("erstattet", Refunded), ("ruckerstattet", Refunded),
        ("rimborsat*", Refunded),
        ("processing", Processing), ("processed", Processing), ("being prepared", Processing), ("preparing", Processing), ("unfulfilled", Processing), ("in progress", Processing),
        ("in_progress", Processing), ("paid", Processing), ("en preparacion", Processing), ("procesando", Processing), ("preparando", Processing),
        ("pagado", Processing), ("в обработке", Processing), ("собира*", Processing), ("оплачен", Processing), ("en preparacio", Processing),
        ("preparant", Processing), ("en preparation", Processing), ("en cours de traitement", Processing), ("in bearbeitung", Processing),
        ("bearbeitet", Processing), ("in lavorazione", Processing), ("in preparazione", Processing), ("em processamento", Processing),
        ("em preparacao", Processing), ("open", Processing), ("scheduled", Processing),
        ("pending", Pending), ("on hold", Pending), ("on-hold", Pending), ("awaiting", Pending), ("pendiente", Pending), ("en espera", Pending),
        ("ожида*", Pending), ("pendent", Pending), ("en attente", Pending), ("ausstehend", Pending), ("in attesa", Pending), ("pendente", Pending),
        ("aguardando", Pending),
    ]
};

/// An offer or question that states nothing: "I can check the stock for
/// you", "¿quieres que mire el stock?", "let me check".
#[rustfmt::skip]
pub(crate) const OFFERS: &[&str] = &[
    "can check", "could check", "will check", "let me check", "let me see", "i ll check", "i ll look", "want me to", "would you like me to", "shall i",
    "should i", "can look up", "could look up", "happy to check", "check for you", "look it up", "to check", "to confirm",
    "puedo comprobar", "puedo mirar", "puedo consultar", "puedo verificar", "puedo revisar", "quieres que", "quiere que", "deseas que", "voy a mirar",
    "voy a comprobar", "voy a consultar", "dejame", "dejeme", "compruebo", "consulto", "reviso",
    "могу проверить", "могу уточнить", "могу посмотреть", "проверю", "уточню", "посмотрю", "хотите", "даваите", "сеичас проверю",
    "puc comprovar", "puc mirar", "puc consultar", "vols que", "voleu que", "comprovo", "miro",
    "je peux verifier", "je peux regarder", "je vais verifier", "je verifie", "voulez vous que", "souhaitez vous que", "veux tu que",
    "ich kann", "ich prufe", "ich schaue", "soll ich", "mochten sie", "mochtest du", "ich sehe nach", "kann ich nachsehen",
    "posso controllare", "posso verificare", "vuoi che", "desideri che", "controllo subito", "verifico",
    "posso verificar", "posso consultar", "quer que", "deseja que", "vou verificar", "vou consultar", "verifico",
];

/// Saying a fact cannot be given now states no fact (the safe sentences).
#[rustfmt::skip]
pub(crate) const CANNOT_SAY: &[&str] = &[
    "can not confirm", "cannot confirm", "can not check", "cannot check", "can not see", "unable to", "not sure", "do not know", "don t know",
    "no puedo confirmar", "no puedo comprobar", "no puedo consultar", "no puedo ver", "no se si", "no estoy seguro", "no estoy segura",
    "не могу подтвердить", "не могу проверить", "не могу сеичас", "не знаю", "не уверен*",
    "no puedo confirmarlo", "не могу это", "no ho puc confirmar", "ne peux pas le confirmer", "non posso confermarlo",
    "no puc confirmar", "no puc comprovar", "no ho se", "no n estic segur*",
    "ne peux pas confirmer", "ne peux pas verifier", "je ne sais pas", "je ne suis pas sur*", "impossible de confirmer",
    "kann ich nicht bestatigen", "kann nicht bestatigen", "kann ich gerade nicht", "kann ich derzeit nicht", "weiss ich nicht", "nicht sicher",
    "non posso confermare", "non posso verificare", "non so", "non sono sicur*",
    "nao posso confirmar", "nao consigo confirmar", "nao posso verificar", "nao sei", "nao tenho certeza",
];

/// Words naming a size option, so "talla 38" is a size and not a count.
#[rustfmt::skip]
pub(crate) const SIZE_WORDS: &[&str] =
    &["size", "sizes", "talla", "tallas", "размер*", "mida", "mides", "taille", "tailles", "große", "grosse", "grossen", "größe", "taglia", "taglie", "tamanho*", "numero", "eu", "us", "uk"];

/// Letter sizes, recognised when written in capitals.
#[rustfmt::skip]
pub(crate) const LETTER_SIZES: &[&str] = &["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "2XL", "3XL", "4XL"];

/// Words that split a sentence into clauses that may disagree ("in M, but
/// not in S").
#[rustfmt::skip]
pub(crate) const CONTRASTS: &[&str] = &[
    "but", "however", "although", "whereas", "while", "pero", "aunque", "embargo", "mientras", "но", "однако", "а", "tanmateix", "mais", "tandis", "aber",
    "jedoch", "ma", "mentre", "mas", "porem",
];

/// Discount words: a percentage is a price claim only next to one of these
/// ("20% off"), never alone ("100% linen").
#[rustfmt::skip]
pub(crate) const DISCOUNT: &[&str] = &[
    "off", "discount*", "reduced", "sale", "descuento*", "rebaj*", "скидк*", "descompte*", "rebaix*", "remise", "reduction", "solde*", "rabatt*",
    "reduziert", "scont*", "saldi", "desconto*", "promo*",
];

/// Possessives that tie a state to the shopper's own order ("your", "tu").
#[rustfmt::skip]
pub(crate) const YOURS: &[&str] = &["your", "tu", "su", "vuestro", "ваш*", "твои", "твоя", "la teva", "el teu", "votre", "vos", "ton", "ta", "ihr*", "dein*", "il tuo", "tuo", "suo", "seu", "sua", "o seu", "a sua"];

/// Words before a number that make it an order number ("pedido 1042").
#[rustfmt::skip]
pub(crate) const ORDER_NUMBER_WORDS: &[&str] = &[
    "order", "number", "no", "nr", "n", "pedido", "numero", "num", "заказ*", "номер", "comanda", "commande", "bestellung", "bestellnummer", "ordine", "encomenda",
];

/// People: "our team is available Monday to Friday" is not about stock.
#[rustfmt::skip]
pub(crate) const PEOPLE: &[&str] = &[
    "team", "agent*", "person", "people", "staff", "colleague*", "equipo", "persona*", "agente*", "команд*", "оператор*", "сотрудник*", "менеджер*",
    "equip", "equipe", "personne*", "conseiller*", "mitarbeiter*", "kundenservice", "squadra", "operator*", "equipa", "atendimento", "service",
    "servicio", "atencion", "служб*", "поддержк*", "servei", "kundendienst", "assistenza", "servico", "support", "soporte", "supporto", "suporte",
];

/// Returns: "free returns within 30 days" gives no delivery time.
#[rustfmt::skip]
pub(crate) const RETURNS: &[&str] =
    &["return*", "devoluc*", "devolv*", "возврат*", "вернуть", "retorn*", "devolucio", "retour*", "ruckgabe*", "rucksend*", "reso", "resi", "restitu*", "devolucao"];
