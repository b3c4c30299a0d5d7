//! Reading a shopper message without a model: what it asks for, the size,
//! whether it points at something ("this one", "эта", "celle-ci"), which
//! kinds of product it names and the order identifiers it carries. Words
//! are compared folded (lower case, no accents), so "tenéis", "teneis" and
//! "TENEIS" are one word; stems cover plurals, Russian endings and German
//! compounds.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use crate::classify::fold;

/// A shopper message, folded and split into words.
pub(super) struct Message {
    raw: String,
    words: Vec<String>,
    /// The words joined by single spaces, with a space at each end, so a
    /// phrase matches only on word boundaries.
    padded: String,
}

impl Message {
    pub fn new(text: &str) -> Self {
        let folded = fold(text).replace(['’', '`'], "'").replace('ß', "ss");
        // Compounds whose parts would read as other things ("t-shirt" is not
        // a shirt, "dress shirt" is not a dress).
        let folded = COMPOUNDS.iter().fold(folded, |text, (from, to)| if text.contains(from) { text.replace(from, to) } else { text });
        let words: Vec<String> = folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_owned).collect();
        let padded = format!(" {} ", words.join(" "));
        Self { raw: text.to_owned(), words, padded }
    }

    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// True when a stem starts one of the words, or a phrase (with a space)
    /// appears on word boundaries.
    pub fn has_any(&self, stems: &[&str]) -> bool {
        stems.iter().any(|stem| self.has(stem))
    }

    fn has(&self, stem: &str) -> bool {
        if let Some(exact) = stem.strip_prefix('=') {
            return self.words.iter().any(|w| w == exact);
        }
        if stem.contains(' ') { self.has_phrase(stem) } else { self.words.iter().any(|w| w.starts_with(stem)) }
    }

    /// True when `phrase` appears on word boundaries (`padded` contains
    /// " {phrase} ", without building that string for every phrase).
    fn has_phrase(&self, phrase: &str) -> bool {
        let padded = self.padded.as_str();
        padded.match_indices(' ').any(|(i, _)| padded[i + 1..].strip_prefix(phrase).is_some_and(|rest| rest.starts_with(' ')))
    }

    /// True when one of `words` is a whole word of the message.
    pub fn has_word(&self, words: &[&str]) -> bool {
        self.words.iter().any(|w| words.contains(&w.as_str()))
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }
}

/// Rewrites applied before splitting into words.
const COMPOUNDS: &[(&str, &str)] = &[
    ("t-shirt", "tshirt"),
    ("t shirt", "tshirt"),
    ("tee-shirt", "tshirt"),
    ("tee shirt", "tshirt"),
    ("dress shirt", "dressshirt"),
    ("sweat-shirt", "sweattop"),
    ("sweatshirt", "sweattop"),
    ("c'e", "ce"),
    ("l'avez", "lavez"),
];

/// What the shopper wants from this message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Intent {
    Greeting,
    Thanks,
    Person,
    Order,
    Shipping,
    Returns,
    Stock,
    Sizing,
    Browse,
}

pub(super) fn intent_of(message: &Message) -> Intent {
    if message.has_any(ORDER) || order_ref(message).is_some() {
        return Intent::Order;
    }
    if message.has_any(SHIPPING) {
        return Intent::Shipping;
    }
    if message.has_any(RETURNS) {
        return Intent::Returns;
    }
    if message.has_any(PERSON) {
        return Intent::Person;
    }
    if message.has_any(STOCK) {
        return Intent::Stock;
    }
    if message.has_any(SIZING) {
        return Intent::Sizing;
    }
    let words = message.words();
    let small_talk = |w: &String| GREETINGS.contains(&w.as_str()) || THANKS.contains(&w.as_str()) || FILLER.contains(&w.as_str());
    if !words.is_empty() && words.len() <= 6 && words.iter().all(small_talk) {
        let thanks = words.iter().any(|w| THANKS.contains(&w.as_str()));
        return if thanks { Intent::Thanks } else { Intent::Greeting };
    }
    // Only a size ("M?", "and in 38?") asks about the product at hand.
    if requested_size(message.raw()).is_some() && words.len() <= 4 {
        return Intent::Stock;
    }
    Intent::Browse
}

const ORDER: &[&str] = &[
    "order",
    "pedido",
    "encomenda",
    "commande",
    "bestellung",
    "bestellt",
    "ordine",
    "comanda",
    "заказ",
    "tracking",
    "track my",
    "seguimiento",
    "rastreo",
    "suivi",
    "sendungsverfolgung",
    "tracciamento",
    "rastreamento",
    "rastrear",
    "seguiment",
    "трек",
    "отслеж",
    "package",
    "parcel",
    "paquete",
    "colis",
    "paket",
    "pacco",
    "pacote",
    "посылк",
    "where is my",
    "donde esta mi",
    "ou est mon",
    "wo ist mein",
    "dov'e il mio",
    "dove il mio",
    "cade meu",
    "cade minha",
    "on es el meu",
];

const SHIPPING: &[&str] = &[
    "shipping",
    "delivery",
    "deliver",
    "ship to",
    "customs",
    "envio",
    "enviament",
    "envian",
    "enviais",
    "gastos de",
    "entrega",
    "me llega",
    "cuando llega",
    "aduana",
    "livraison",
    "livrez",
    "livrer",
    "expedition",
    "douane",
    "versand",
    "lieferung",
    "liefern",
    "lieferzeit",
    "zoll",
    "spedizion",
    "spedite",
    "consegna",
    "dogana",
    "frete",
    "alfandega",
    "доставк",
    "доставля",
    "пересылк",
    "таможн",
    "quant triga",
];

const RETURNS: &[&str] = &[
    "return",
    "refund",
    "exchange",
    "devol",
    "reembols",
    "cambiar",
    "retorn",
    "tornar",
    "canviar",
    "retour",
    "renvoy",
    "rembours",
    "echange",
    "rucksend",
    "zuruckgeb",
    "zurucksend",
    "umtausch",
    "erstatt",
    "=reso",
    "restitu",
    "rimbors",
    "troca",
    "trocar",
    "estorno",
    "возврат",
    "вернуть",
    "верните",
    "обмен",
];

const PERSON: &[&str] = &[
    "person",
    "human",
    "agent",
    "someone real",
    "real someone",
    "operator",
    "persona",
    "humano",
    "agente",
    "operador",
    "humain",
    "conseiller",
    "mensch",
    "mitarbeiter",
    "operatore",
    "atendente",
    "оператор",
    "человек",
    "сотрудник",
    "менеджер",
];

const STOCK: &[&str] = &[
    "stock",
    "in size",
    "availab",
    "do you have",
    "do u have",
    "have it",
    "have this",
    "have that",
    "got it in",
    "how much",
    "price",
    "cost",
    "sold out",
    "left in",
    "teneis",
    "tienen",
    "tienes",
    "=hay",
    "talla",
    "precio",
    "cuanto",
    "cuesta",
    "cuestan",
    "queda",
    "agotad",
    "есть",
    "наличи",
    "размер",
    "цена",
    "стоит",
    "стоят",
    "сколько",
    "осталось",
    "почем",
    "vous avez",
    "avez vous",
    "lavez",
    "dispo",
    "taille",
    "prix",
    "combien",
    "coute",
    "habt ihr",
    "haben sie",
    "gibt es",
    "lager",
    "grosse",
    "preis",
    "kostet",
    "kosten",
    "vorratig",
    "verfugbar",
    "avete",
    "taglia",
    "prezzo",
    "quanto costa",
    "quanto costano",
    "esauri",
    "tem a",
    "tem o",
    "tem as",
    "tem os",
    "voces tem",
    "tamanho",
    "preco",
    "quanto custa",
    "quanto custam",
    "estoque",
    "esgotad",
    "teniu",
    "tens la",
    "tens el",
    "hi ha",
    "quant costa",
    "quant costen",
    "preu",
    "estoc",
    "esgotat",
];

const SIZING: &[&str] = &[
    "run big",
    "run small",
    "runs big",
    "runs small",
    "run large",
    "runs large",
    "true to size",
    "size up",
    "size down",
    "sizing",
    "size guide",
    "what size",
    "which size",
    "fit",
    "que talla",
    "talla me",
    "horma",
    "маломер",
    "большемер",
    "как сидит",
    "klein aus",
    "gross aus",
    "passform",
    "taille petit",
    "taille grand",
    "quelle taille",
    "veste bene",
    "che taglia",
    "quale taglia",
    "que tamanho",
    "qual tamanho",
    "quina talla",
];

const GREETINGS: &[&str] = &[
    "hi",
    "hii",
    "hiii",
    "hello",
    "hey",
    "heya",
    "yo",
    "hola",
    "holaa",
    "holaaa",
    "buenas",
    "buenos",
    "dias",
    "tardes",
    "noches",
    "привет",
    "приветик",
    "здравствуйте",
    "здрасте",
    "добрый",
    "день",
    "вечер",
    "утро",
    "bonjour",
    "bonsoir",
    "salut",
    "coucou",
    "hallo",
    "moin",
    "servus",
    "guten",
    "tag",
    "morgen",
    "abend",
    "ciao",
    "salve",
    "buongiorno",
    "buonasera",
    "ola",
    "oi",
    "bom",
    "dia",
    "boa",
    "tarde",
    "noite",
    "bon",
    "bona",
    "good",
    "morning",
    "afternoon",
    "evening",
];

const THANKS: &[&str] = &[
    "thanks",
    "thank",
    "thx",
    "ty",
    "cheers",
    "gracias",
    "grasias",
    "spasibo",
    "спасибо",
    "спс",
    "благодарю",
    "merci",
    "danke",
    "dankeschon",
    "grazie",
    "obrigado",
    "obrigada",
    "brigado",
    "gracies",
    "merces",
];

/// Words that may stand next to a greeting or a thanks without asking
/// anything.
const FILLER: &[&str] = &[
    "a",
    "lot",
    "so",
    "much",
    "very",
    "you",
    "u",
    "got",
    "it",
    "ok",
    "okay",
    "great",
    "perfect",
    "mil",
    "muchas",
    "guapa",
    "guapo",
    "big",
    "большое",
    "огромное",
    "beaucoup",
    "schon",
    "sehr",
    "vielen",
    "mille",
    "tante",
    "muito",
    "muita",
    "moltes",
    "there",
    "all",
    "team",
    "una",
    "domanda",
    "question",
    "pregunta",
    "вопрос",
    "frage",
    "pergunta",
    "super",
    "hilfreich",
    "ajudou",
    "helpful",
    "help",
    "ajuda",
    "aiuto",
    "genial",
    "top",
];

/// A clothing or shoe size named in the message (`M`, `XL`, `38`, `32L`).
pub(super) fn requested_size(message: &str) -> Option<String> {
    const LETTER_SIZES: [&str; 10] = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL", "3XL", "2XL"];
    let tokens: Vec<&str> = message.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let folded: Vec<String> = tokens.iter().map(|t| fold(t).replace('ß', "ss")).collect();
    let is_marker = |w: &str| SIZE_MARKERS.contains(&w) || w.starts_with("размер");
    for (i, t) in tokens.iter().enumerate() {
        let upper = t.to_uppercase();
        let after_marker = i > 0 && is_marker(&folded[i - 1]);
        if LETTER_SIZES.contains(&upper.as_str()) {
            // A lone lower-case "s"/"m"/"l" is a word, not a size, unless a
            // marker precedes it.
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

const SIZE_MARKERS: &[&str] = &["size", "sz", "talla", "taille", "grosse", "gr", "taglia", "tamanho", "numero", "num", "pointure"];

/// True when the message points at something it does not name: "this",
/// "it", "esta", "эта", "aquesta", "cette", "diese", "questa", "essa".
pub(super) fn points_at_something(message: &Message, language: &str) -> bool {
    if message.has_word(DEMONSTRATIVES) {
        return true;
    }
    let own: &[&str] = match language {
        "en" => &["it", "one", "them"],
        "es" => &["lo", "la", "los", "las"],
        "de" => &["es", "ihn"],
        "fr" => &["le", "la", "les"],
        "it" => &["lo", "li", "le"],
        "pt" => &["ele", "ela", "eles", "elas"],
        "ca" => &["ho", "el", "la"],
        _ => &[],
    };
    // Object pronouns count only next to a verb of having ("lo tenéis", "l'avez").
    let has_verb =
        message.has_any(&["have", "got", "teneis", "tienen", "tienes", "hay", "avez", "habt", "haben", "avete", "tem", "teniu", "tens", "lavez", "ce"]);
    message.has_word(&["it", "them"]) || (has_verb && message.has_word(own))
}

const DEMONSTRATIVES: &[&str] = &[
    "this",
    "that",
    "these",
    "those",
    "este",
    "esta",
    "esto",
    "estos",
    "estas",
    "ese",
    "esa",
    "eso",
    "esos",
    "esas",
    "aquel",
    "aquella",
    "эта",
    "этот",
    "это",
    "эти",
    "этой",
    "эту",
    "этого",
    "этих",
    "тот",
    "та",
    "ту",
    "те",
    "её",
    "ее",
    "его",
    "их",
    "aquest",
    "aquesta",
    "aquests",
    "aquestes",
    "aixo",
    "aquell",
    "aquells",
    "aquelles",
    "cette",
    "ce",
    "cet",
    "ces",
    "celle",
    "celui",
    "celle-ci",
    "diese",
    "dieser",
    "dieses",
    "diesen",
    "diesem",
    "questa",
    "questo",
    "questi",
    "queste",
    "quella",
    "quello",
    "quelli",
    "essa",
    "esse",
    "isso",
    "aquela",
    "aquele",
    "aquilo",
];

/// Kinds of product, each with the words (stems) that name it in the
/// supported languages. A product may be of several kinds.
const PRODUCT_TYPES: &[(&str, &[&str])] = &[
    ("shirt", &["shirt", "overshirt", "dressshirt", "camisa", "chemise", "hemd", "camicia", "рубашк", "сорочк"]),
    ("tshirt", &["tshirt", "=tee", "=tees", "camiseta", "samarreta", "maglietta", "футболк"]),
    ("polo", &["polo"]),
    ("blouse", &["blouse", "blusa", "bluse", "brusa", "camicetta", "блузк", "блуз"]),
    ("dress", &["dress", "vestido", "vestit", "=robe", "=robes", "kleid", "vestito", "=abito", "=abiti", "плать", "сарафан", "sundress"]),
    ("skirt", &["skirt", "falda", "faldilla", "jupe", "gonna", "=saia", "=saias", "юбк"]),
    ("trousers", &["trouser", "pants", "pantalon", "pantalo", "pantalons", "=hose", "=hosen", "pantaloni", "calca", "calcas", "брюк", "штан", "chino"]),
    ("jeans", &["jean", "jeans", "vaquero", "vaqueros", "tejano", "texans", "texa", "джинс"]),
    ("shorts", &["=short", "=shorts", "bermuda", "pantaloncin", "calcoes", "шорт"]),
    (
        "jacket",
        &[
            "jacket",
            "chaqueta",
            "cazadora",
            "jaqueta",
            "=veste",
            "=vestes",
            "blouson",
            "jacke",
            "giacca",
            "giubbotto",
            "giubbino",
            "casaco",
            "куртк",
            "ветровк",
            "bomber",
            "anorak",
        ],
    ),
    ("puffer", &["puffer", "plumas", "plumifero", "abrigo de plumas", "doudoune", "daunenjacke", "steppjacke", "piumino", "пуховик", "plumon"]),
    ("coat", &["coat", "abrigo", "abric", "manteau", "=mantel", "cappotto", "sobretudo", "пальто", "trench", "peacoat", "parka", "плащ"]),
    ("blazer", &["blazer", "americana", "sakko", "пиджак", "жакет"]),
    ("suit", &["=suit", "=suits", "traje", "=costume", "=costumes", "anzug", "terno", "костюм"]),
    (
        "knitwear",
        &[
            "jumper",
            "sweater",
            "pullover",
            "jersey",
            "jersei",
            "=pull",
            "=pulls",
            "maglione",
            "=maglia",
            "=maglie",
            "camisola",
            "sueter",
            "свитер",
            "джемпер",
            "cardigan",
            "кардиган",
            "knitwear",
            "=knit",
            "=knits",
            "=knitted",
            "strick",
        ],
    ),
    (
        "sweatshirt",
        &["hoodie", "sweattop", "sudadera", "dessuadora", "=sweat", "=sweats", "kapuzenpullover", "felpa", "moletom", "худи", "толстовк", "свитшот"],
    ),
    ("activewear", &["legging", "mallas", "malles", "sports bra", "sujetador deportivo", "brassiere", "base layer", "лосин", "легинс", "thermal"]),
    (
        "swimwear",
        &[
            "=swim",
            "swimwear",
            "swimsuit",
            "bikini",
            "banador",
            "biquini",
            "banyador",
            "maillot",
            "badeanzug",
            "badehose",
            "costume da bagno",
            "fato de banho",
            "купальник",
            "плавк",
        ],
    ),
    ("shoes", &["shoe", "zapato", "sabata", "chaussure", "schuh", "scarpa", "scarpe", "sapato", "обув", "туфл"]),
    ("sneakers", &["sneaker", "trainer", "zapatilla", "deportiva", "=baskets", "turnschuh", "=tenis", "кроссовк", "кед", "running shoe"]),
    ("boots", &["boot", "=bota", "=botas", "=botes", "bottes", "bottine", "stiefel", "stivale", "stivali", "stivaletti", "ботин", "сапог", "ботильон"]),
    ("sandals", &["sandal", "sandalia", "sandale", "sandalo", "sandali", "сандал", "босонож", "espadrille", "alpargata", "espardenya", "espadrilla"]),
    ("loafers", &["loafer", "mocasin", "mocassi", "mocassin", "mokassin", "mocassino", "mocassim", "лофер", "мокасин"]),
    ("heels", &["=heel", "=heels", "=pump", "=pumps", "tacon", "talon", "escarpin", "tacchi", "decollete", "=salto", "=saltos", "каблук"]),
    (
        "bag",
        &[
            "=bag",
            "=bags",
            "=tote",
            "=totes",
            "backpack",
            "bolso",
            "bolsa",
            "mochila",
            "bossa",
            "motxilla",
            "=sac",
            "=sacs",
            "tasche",
            "rucksack",
            "borsa",
            "zaino",
            "сумк",
            "рюкзак",
            "weekender",
            "crossbody",
            "bandolera",
        ],
    ),
    ("belt", &["belt", "cinturon", "cinturo", "ceinture", "gurtel", "cintura", "=cinto", "=cintos", "ремен", "пояс"]),
    (
        "scarf",
        &["scarf", "scarves", "bufanda", "fular", "panuelo", "mocador", "echarpe", "foulard", "schal", "halstuch", "sciarpa", "cachecol", "шарф", "платок"],
    ),
    (
        "hat",
        &[
            "=hat",
            "=hats",
            "=caps",
            "baseball cap",
            "beanie",
            "sombrero",
            "gorra",
            "gorro",
            "barret",
            "chapeau",
            "casquette",
            "bonnet",
            "mutze",
            "kappe",
            "cappello",
            "berretto",
            "chapeu",
            "шапк",
            "кепк",
            "шляп",
        ],
    ),
    ("sunglasses", &["sunglass", "gafas", "ulleres", "lunettes", "sonnenbrille", "occhiali", "oculos", "очки"]),
    ("socks", &["sock", "calcetin", "mitjo", "mitjons", "chaussette", "socke", "calzin", "meias", "носк", "носоч"]),
];

/// True when `word` is a form of `stem`: the stem with a short ending
/// (plural, case) or, for longer stems, the end of a compound ("leinenhemd").
/// The rule [`TypeIndex`] applies to every stem at once; kept as the test's
/// reference.
#[cfg(test)]
fn word_is_stem(word: &str, stem: &str) -> bool {
    if let Some(exact) = stem.strip_prefix('=') {
        return word == exact;
    }
    if let Some(ending) = word.strip_prefix(stem) {
        let extra = ending.chars().count();
        return extra <= 3 || (extra == 4 && stem.chars().count() >= 5);
    }
    let compound = word.ends_with(stem) || word.strip_suffix(['e', 'n', 's']).is_some_and(|w| w.ends_with(stem));
    compound && {
        let (w, s) = (word.chars().count(), stem.chars().count());
        s >= 4 && w >= s + 3
    }
}

/// [`PRODUCT_TYPES`] indexed by stem, so a word is matched with a lookup
/// per prefix and suffix of it instead of a comparison with every stem
/// (this runs for every word of every product title a turn reads).
struct TypeIndex {
    /// Stems matched as the start or the end of a word → kinds (bit masks).
    stems: HashMap<&'static str, u64>,
    /// `=word` stems, matched whole.
    exact: HashMap<&'static str, u64>,
    /// Stems of several words, matched as phrases.
    phrases: Vec<(&'static str, u64)>,
}

static TYPE_INDEX: LazyLock<TypeIndex> = LazyLock::new(|| {
    assert!(PRODUCT_TYPES.len() <= 64, "product kinds fit a u64 mask");
    let mut index = TypeIndex { stems: HashMap::new(), exact: HashMap::new(), phrases: Vec::new() };
    for (i, (_, stems)) in PRODUCT_TYPES.iter().enumerate() {
        let bit = 1u64 << i;
        for stem in *stems {
            if let Some(exact) = stem.strip_prefix('=') {
                *index.exact.entry(exact).or_default() |= bit;
            } else if stem.contains(' ') {
                index.phrases.push((stem, bit));
            } else {
                *index.stems.entry(stem).or_default() |= bit;
            }
        }
    }
    index
});

impl TypeIndex {
    /// Kinds (a mask over [`PRODUCT_TYPES`]) whose single-word stems match
    /// `word`: the same rule as [`word_is_stem`] for every stem at once.
    fn word_kinds(&self, word: &str) -> u64 {
        let mut kinds = self.exact.get(word).copied().unwrap_or(0);
        let chars = word.chars().count();
        // The stem starts the word, with a short ending.
        for (at, _) in word.char_indices().skip(1).chain(std::iter::once((word.len(), ' '))) {
            if let Some(mask) = self.stems.get(&word[..at]) {
                let extra = word[at..].chars().count();
                let stem_chars = chars - extra;
                if extra <= 3 || (extra == 4 && stem_chars >= 5) {
                    kinds |= mask;
                }
            }
        }
        // The stem ends a compound (or does, before a final e, n or s),
        // for stems that do not also start the word (those were decided
        // above, whatever their ending).
        let mut compound = |end: &str| {
            for (at, _) in end.char_indices() {
                let stem = &end[at..];
                if let Some(mask) = self.stems.get(stem) {
                    let stem_chars = stem.chars().count();
                    if !word.starts_with(stem) && stem_chars >= 4 && chars >= stem_chars + 3 {
                        kinds |= mask;
                    }
                }
            }
        };
        compound(word);
        if let Some(shorter) = word.strip_suffix(['e', 'n', 's']) {
            compound(shorter);
        }
        kinds
    }
}

/// Kinds of product named in `text`, in [`PRODUCT_TYPES`] order.
pub(super) fn product_types_in(text: &Message) -> Vec<&'static str> {
    let index = &*TYPE_INDEX;
    let mut kinds = text.words.iter().fold(0u64, |kinds, w| kinds | index.word_kinds(w));
    for (phrase, mask) in &index.phrases {
        if kinds & mask != *mask && text.has_phrase(phrase) {
            kinds |= mask;
        }
    }
    PRODUCT_TYPES.iter().enumerate().filter(|(i, _)| kinds & (1u64 << i) != 0).map(|(_, (kind, _))| *kind).collect()
}

/// True when `word` names a kind of product (so it is not a product's name).
pub(super) fn is_type_word(word: &str) -> bool {
    TYPE_INDEX.word_kinds(word) != 0
}

/// Kinds that go together: a shopper asking for a jacket accepts a puffer
/// jacket, one asking for shoes accepts boots.
pub(super) fn kinds_compatible(asked: &str, product: &str) -> bool {
    asked == product
        || matches!(
            (asked, product),
            ("jacket", "puffer")
                | ("coat", "puffer")
                | ("shoes", "sneakers" | "boots" | "sandals" | "loafers" | "heels")
                | ("trousers", "jeans")
                | ("knitwear", "sweatshirt")
        )
}

/// Words that name no product in a shopper's message: the search's
/// function words ([`crate::search::hybrid::is_stop_word`]) and these shop
/// and chat words.
pub(super) fn is_stop_word(word: &str) -> bool {
    static SHOP: LazyLock<HashSet<&'static str>> = LazyLock::new(|| SHOP_WORDS.iter().copied().collect());
    crate::search::hybrid::is_stop_word(word) || SHOP.contains(word)
}

/// Shop and chat words, in every supported language, that the search's
/// function-word list does not hold.
const SHOP_WORDS: &[&str] = &[
    "pls",
    "one",
    "ones",
    "got",
    "still",
    "size",
    "stock",
    "available",
    "much",
    "price",
    "cost",
    "tell",
    "more",
    "show",
    "did",
    "like",
    "sitzt",
    "talla",
    "precio",
    "cuanto",
    "cuesta",
    "cuestan",
    "vous",
    "avez",
    "est",
    "dans",
    "taille",
    "prix",
    "combien",
    "habt",
    "ihr",
    "haben",
    "sie",
    "gibt",
    "einen",
    "grosse",
    "preis",
    "kostet",
    "kosten",
    "della",
    "delle",
    "degli",
    "avete",
    "taglia",
    "prezzo",
    "quanto",
    "costa",
    "dos",
    "tem",
    "tamanho",
    "preco",
    "custa",
    "amb",
    "teniu",
    "quant",
    "costen",
    "preu",
    "estoc",
    "размер",
    "размере",
    "размера",
    "цена",
    "стоит",
    "сколько",
    "наличии",
    "нас",
    "hii",
    "hey",
    "wear",
    "good",
    "nice",
    "new",
    "old",
    "down",
    "out",
    "off",
    "over",
    "cette",
    "diese",
    "dieses",
    "questa",
    "questo",
    "aquesta",
    "aquest",
];
/// Words of an order reference's neighbourhood: "order 1042", "pedido nº 1042".
const ORDER_WORDS: &[&str] = &["order", "pedido", "encomenda", "commande", "bestellung", "ordine", "comanda", "заказ", "no", "nr", "num", "numero", "n", "ref"];

/// The order reference in a message: `#1042`, or digits after an order word
/// ("order 1042", "pedido nº 1042", "заказ 1042").
pub(super) fn order_ref(message: &Message) -> Option<String> {
    let raw = message.raw();
    if let Some(at) = raw.find('#') {
        let digits: String = raw[at + 1..].trim_start().chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
        if digits.chars().any(|c| c.is_ascii_digit()) {
            return Some(format!("#{digits}"));
        }
    }
    let words = message.words();
    for (i, w) in words.iter().enumerate() {
        if (3..=12).contains(&w.len()) && w.chars().all(|c| c.is_ascii_digit()) {
            let before = &words[i.saturating_sub(3)..i];
            if before.iter().any(|b| ORDER_WORDS.iter().any(|o| b.starts_with(o) && (b.len() <= o.len() + 2))) {
                return Some(w.clone());
            }
        }
    }
    None
}

/// A bare order number, when the whole message is one ("1042", "#1042").
pub(super) fn bare_order_ref(message: &Message) -> Option<String> {
    let words = message.words();
    (words.len() == 1 && (3..=12).contains(&words[0].len()) && words[0].chars().all(|c| c.is_ascii_digit())).then(|| words[0].clone())
}

/// An email address in the message, as typed.
pub(super) fn email(message: &Message) -> Option<String> {
    message.raw().split_whitespace().map(|t| t.trim_matches(|c: char| "<>()[]{},;:\"'¿?¡!«»".contains(c)).trim_end_matches('.')).find_map(|t| {
        let (local, domain) = t.split_once('@')?;
        (!local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.')).then(|| t.to_owned())
    })
}

/// A postcode given as one ("postcode 08012", "código postal 08012", "PLZ 10115").
pub(super) fn postcode(message: &Message) -> Option<String> {
    let words = message.words();
    let markers: &[&[&str]] = &[
        &["postcode"],
        &["post", "code"],
        &["postal", "code"],
        &["zip"],
        &["codigo", "postal"],
        &["codi", "postal"],
        &["code", "postal"],
        &["plz"],
        &["postleitzahl"],
        &["cap"],
        &["cep"],
        &["cp"],
        &["индекс"],
    ];
    for i in 0..words.len() {
        for marker in markers {
            if words[i..].starts_with(&marker.iter().map(|m| (*m).to_owned()).collect::<Vec<_>>()) {
                let rest = &words[i + marker.len()..];
                let first = rest.first().filter(|w| w.chars().any(|c| c.is_ascii_digit()))?;
                // "1100 148" and "sw1a 1aa" are one postcode in two words.
                let second = rest.get(1).filter(|w| w.len() <= 4 && w.chars().any(|c| c.is_ascii_digit()));
                return Some(match second {
                    Some(second) => format!("{first} {second}"),
                    None => first.clone(),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intent(text: &str) -> Intent {
        intent_of(&Message::new(text))
    }

    /// The index answers what comparing the word with every stem answers,
    /// on the stems themselves, with endings, in compounds and on words
    /// that only look alike.
    #[test]
    fn the_type_index_matches_every_stem_rule() {
        let mut words: Vec<String> = vec!["t".into(), "tees".into(), "leinenhemd".into(), "leinenhemden".into(), "shirtshirt".into(), "overshirts".into(), "baggy".into()];
        for (_, stems) in PRODUCT_TYPES {
            for stem in stems.iter().filter(|s| !s.contains(' ')) {
                let stem = stem.trim_start_matches('=');
                for ending in ["", "s", "es", "en", "ами", "ovi", "ines", "issimo", "e", "n"] {
                    words.push(format!("{stem}{ending}"));
                    words.push(format!("sommer{stem}{ending}"));
                    words.push(format!("xy{stem}{ending}"));
                }
                let mut chars: Vec<char> = stem.chars().collect();
                chars.pop();
                words.push(chars.iter().collect());
            }
        }
        let naive = |word: &str| -> Vec<&str> {
            PRODUCT_TYPES.iter().filter(|(_, stems)| stems.iter().any(|s| !s.contains(' ') && word_is_stem(word, s))).map(|(kind, _)| *kind).collect()
        };
        for word in &words {
            assert_eq!(is_type_word(word), !naive(word).is_empty(), "{word}");
            let message = Message::new(word);
            let want: Vec<&str> = PRODUCT_TYPES.iter().map(|(kind, _)| *kind).filter(|kind| message.words().iter().any(|w| naive(w).contains(kind))).collect();
            assert_eq!(product_types_in(&message), want, "{word}");
        }
    }

    #[test]
    fn sizes_are_found_only_where_meant() {
        assert_eq!(requested_size("¿Tenéis la camisa en talla M?"), Some("M".into()));
        assert_eq!(requested_size("do you have it in size m"), Some("M".into()));
        assert_eq!(requested_size("Is the XL in stock?"), Some("XL".into()));
        assert_eq!(requested_size("boots in size 38"), Some("38".into()));
        assert_eq!(requested_size("I'm looking for a shirt"), None);
        assert_eq!(requested_size("у вас есть эта jacket в size M?"), Some("M".into()));
        assert_eq!(requested_size("есть в размере L?"), Some("L".into()));
        assert_eq!(requested_size("habt ihr das in Größe 38?"), Some("38".into()));
    }

    #[test]
    fn intents_in_every_language() {
        for (text, want) in [
            ("linen shirt for a summer wedding", Intent::Browse),
            ("¿Tenéis la camisa en talla M?", Intent::Stock),
            ("teneis la camisa en talla m", Intent::Stock),
            ("Сколько стоит эта куртка?", Intent::Stock),
            ("vous avez la chemise en taille M ?", Intent::Stock),
            ("c combien la doudoune", Intent::Stock),
            ("habt ihr das leinenhemd in grosse M?", Intent::Stock),
            ("was kosten die stiefel", Intent::Stock),
            ("avete la camicia in taglia M?", Intent::Stock),
            ("tem a camisa no tamanho M?", Intent::Stock),
            ("teniu la camisa en talla M?", Intent::Stock),
            ("M?", Intent::Stock),
            ("Hola", Intent::Greeting),
            ("hiii 👋", Intent::Greeting),
            ("holaa buenas", Intent::Greeting),
            ("bon dia! 😊", Intent::Greeting),
            ("ciao! una domanda", Intent::Greeting),
            ("got it, thanks a lot!!", Intent::Thanks),
            ("mil gracias guapa 😘", Intent::Thanks),
            ("danke schon, super hilfreich", Intent::Thanks),
            ("obrigada!! ajudou muito", Intent::Thanks),
            ("where is my order #1001", Intent::Order),
            ("When will my order #1042 ship?", Intent::Order),
            ("cuando envian mi pedido?", Intent::Order),
            ("где мой заказ?", Intent::Order),
            ("ou est ma commande", Intent::Order),
            ("wo ist meine bestellung", Intent::Order),
            ("how much is shipping to madrid", Intent::Shipping),
            ("cuanto son los gastos de envio?", Intent::Shipping),
            ("сколько стоит доставка в испанию?", Intent::Shipping),
            ("vous livrez en france?", Intent::Shipping),
            ("wie lange dauert der versand?", Intent::Shipping),
            ("quanto costa la spedizione in italia?", Intent::Shipping),
            ("quanto tempo demora o envio pra portugal?", Intent::Shipping),
            ("quant triga l'enviament a girona", Intent::Shipping),
            ("how do i return something", Intent::Returns),
            ("сколько дней на возврат?", Intent::Returns),
            ("com puc tornar uns texans", Intent::Returns),
            ("can i talk to a real person pls", Intent::Person),
            ("je veux parler a un humain", Intent::Person),
        ] {
            assert_eq!(intent(text), want, "{text}");
        }
    }

    #[test]
    fn demonstratives_and_pronouns_point_at_something() {
        for (text, lang) in [
            ("is it in stock", "en"),
            ("Hola, у вас есть эта jacket в size M?", "ru"),
            ("¿tenéis esta chaqueta en M?", "es"),
            ("la teneis en M?", "es"),
            ("teniu aquesta jaqueta en M?", "ca"),
            ("vous avez cette veste en M ?", "fr"),
            ("habt ihr diese Jacke in M?", "de"),
            ("avete questa giacca in M?", "it"),
            ("tem esta jaqueta no M?", "pt"),
        ] {
            assert!(points_at_something(&Message::new(text), lang), "{text}");
        }
        assert!(!points_at_something(&Message::new("do you have the sitges linen shirt in M"), "en"));
    }

    #[test]
    fn product_kinds_in_every_language() {
        for (text, kind) in [
            ("jacket", "jacket"),
            ("куртку", "jacket"),
            ("la chaqueta", "jacket"),
            ("leinenhemd", "shirt"),
            ("die Jacke", "jacket"),
            ("la doudoune", "puffer"),
            ("пуховик", "puffer"),
            ("robes longues", "dress"),
            ("botas", "boots"),
            ("stiefel", "boots"),
            ("scarves", "scarf"),
            ("rubashka рубашка", "shirt"),
        ] {
            assert!(product_types_in(&Message::new(text)).contains(&kind), "{text}: {:?}", product_types_in(&Message::new(text)));
        }
        assert_eq!(product_types_in(&Message::new("Organic Cotton T-Shirt")), vec!["tshirt"]);
        assert_eq!(product_types_in(&Message::new("Poplin Dress Shirt")), vec!["shirt"]);
    }

    #[test]
    fn order_identifiers() {
        assert_eq!(order_ref(&Message::new("When will my order #1042 ship?")), Some("#1042".into()));
        assert_eq!(order_ref(&Message::new("can you tell me the address on order 10234?")), Some("10234".into()));
        assert_eq!(order_ref(&Message::new("mi pedido nº 1042 no llega")), Some("1042".into()));
        assert_eq!(order_ref(&Message::new("boots in size 38")), None);
        assert_eq!(email(&Message::new("it's Jordi.Puig@example.com.")), Some("Jordi.Puig@example.com".into()));
        assert_eq!(email(&Message::new("my email is jordi at example")), None);
        assert_eq!(postcode(&Message::new("postcode 08012")), Some("08012".into()));
        assert_eq!(postcode(&Message::new("código postal: 1100-148")), Some("1100 148".into()));
    }
}
