//! The shared multilingual lexicon of query understanding: what shoppers
//! call product kinds, genders, colours, materials, cuts and occasions in
//! the eight languages the gateway serves (en es ru ca fr de it pt),
//! slang and idioms included. A store's own catalog vocabulary (learned in
//! [`super::vocabulary`]) comes first; the lexicon links a shopper's word to
//! it when the catalog uses another language or another word.
//!
//! Words are written naturally and folded when the lexicon is built (lower
//! case, no accents). A word ending in `*` is a stem: it matches any word
//! that starts with it (Russian and German inflect their nouns). A word
//! with a space is a phrase.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::classify::fold;

/// What a concept says about a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Facet {
    /// A kind of product (a category, or a family of them).
    Kind,
    Gender,
    Colour,
    Material,
    Fit,
    Occasion,
}

/// A meaning shared across languages, named by its English key.
#[derive(Debug)]
pub struct Concept {
    pub key: &'static str,
    pub facet: Facet,
    /// Concepts of other facets a word of this one also says ("when it
    /// rains": jackets and coats, and waterproof).
    pub implies: &'static [&'static str],
    /// Other concepts this one stands for ("shoes" stands for boots,
    /// sneakers, heels...); empty for a plain concept.
    pub members: &'static [&'static str],
    words: &'static [&'static str],
}

const fn concept(key: &'static str, facet: Facet, words: &'static [&'static str]) -> Concept {
    Concept { key, facet, implies: &[], members: &[], words }
}

const fn family(key: &'static str, members: &'static [&'static str], words: &'static [&'static str]) -> Concept {
    Concept { key, facet: Facet::Kind, implies: &[], members, words }
}

const fn family_implying(key: &'static str, members: &'static [&'static str], implies: &'static [&'static str], words: &'static [&'static str]) -> Concept {
    Concept { key, facet: Facet::Kind, implies, members, words }
}

use Facet::{Colour, Fit, Gender, Kind, Material, Occasion};

/// Every concept. Kinds cover fashion and home goods; a store whose
/// catalog names its categories in one of these words links to them.
static CONCEPTS: &[Concept] = &[
    // --- fashion kinds ---
    concept(
        "shirt",
        Kind,
        &[
            "shirt",
            "shirts",
            "overshirt",
            "camisa",
            "camisas",
            "рубашк*",
            "сорочк*",
            "chemise",
            "chemises",
            "hemd",
            "hemden",
            "*hemd",
            "camicia",
            "camicie",
            "camisa",
        ],
    ),
    concept("blouse", Kind, &["blouse", "blouses", "blusa", "blusas", "блузк*", "блуз*", "bluse", "blusen", "camicetta", "brusa"]),
    concept(
        "t-shirt",
        Kind,
        &[
            "t-shirt",
            "t-shirts",
            "tshirt",
            "tshirts",
            "tee",
            "tees",
            "camiseta",
            "camisetas",
            "футболк*",
            "майк*",
            "tee-shirt",
            "t shirt",
            "maglietta",
            "magliette",
            "samarreta",
            "t-shirt",
        ],
    ),
    concept("polo", Kind, &["polo", "polos", "поло", "polohemd", "polo shirt"]),
    concept(
        "knitwear",
        Kind,
        &[
            "knitwear",
            "jumper",
            "jumpers",
            "sweater",
            "sweaters",
            "pullover",
            "cardigan",
            "cardigans",
            "knit",
            "jersey",
            "jerseis",
            "punto",
            "rebeca",
            "свитер*",
            "джемпер*",
            "кардиган*",
            "пуловер*",
            "pull",
            "pulls",
            "gilet",
            "tricot",
            "pullover",
            "strickjacke",
            "pulli",
            "maglione",
            "maglioni",
            "maglia",
            "camisola",
            "camisolas",
            "casaco de malha",
            "jersei",
            "jerseis",
            "roll neck",
            "crew neck",
        ],
    ),
    concept(
        "sweatshirt",
        Kind,
        &[
            "sweatshirt",
            "sweatshirts",
            "hoodie",
            "hoodies",
            "sudadera",
            "sudaderas",
            "толстовк*",
            "худи",
            "свитшот*",
            "sweat",
            "kapuzenpullover",
            "felpa",
            "felpe",
            "moletom",
            "dessuadora",
        ],
    ),
    concept(
        "dress",
        Kind,
        &[
            "dress",
            "dresses",
            "gown",
            "sundress",
            "vestido",
            "vestidos",
            "платье",
            "платья",
            "платьиц*",
            "плать*",
            "robe",
            "robes",
            "kleid",
            "kleider",
            "*kleid",
            "vestito",
            "vestiti",
            "abito da sera",
            "vestit de festa",
            "vestit",
        ],
    ),
    concept(
        "skirt",
        Kind,
        &["skirt", "skirts", "falda", "faldas", "юбк*", "jupe", "jupes", "rock", "röcke", "*rock", "gonna", "gonne", "saia", "saias", "faldilla", "faldilles"],
    ),
    concept(
        "jeans",
        Kind,
        &["jeans", "denims", "vaqueros", "vaquero", "tejanos", "джинс*", "jean", "jeans", "calca jeans", "texans", "texà", "pitillo", "pitillos"],
    ),
    concept(
        "trousers",
        Kind,
        &["trousers", "pants", "slacks", "pantalon", "pantalones", "брюк*", "штаны", "pantalons", "hose", "hosen", "pantaloni", "calca", "calcas", "pantalons"],
    ),
    concept("chinos", Kind, &["chinos", "chino", "чинос*"]),
    concept(
        "shorts",
        Kind,
        &["shorts", "bermuda", "bermudas", "pantalon corto", "pantalones cortos", "шорт*", "short", "kurze hose", "pantaloncini", "calcoes", "pantalons curts"],
    ),
    concept(
        "suit",
        Kind,
        &["suit", "suits", "traje", "trajes", "костюм*", "costume", "costumes", "anzug", "anzüge", "*anzug", "completo", "abito", "fato", "terno", "vestit"],
    ),
    concept(
        "blazer",
        Kind,
        &["blazer", "blazers", "sport coat", "americana", "americanas", "блейзер*", "пиджак*", "veste de costume", "sakko", "giacca elegante", "blazer"],
    ),
    concept(
        "jacket",
        Kind,
        &[
            "jacket",
            "jackets",
            "chaqueta",
            "chaquetas",
            "chupa",
            "cazadora",
            "куртк*",
            "кожанк*",
            "пуховик*",
            "ветровк*",
            "бомбер*",
            "veste",
            "vestes",
            "blouson",
            "doudoune",
            "jacke",
            "jacken",
            "*jacke",
            "giacca",
            "giacche",
            "giubbotto",
            "piumino",
            "casaco",
            "jaqueta",
            "jaquetes",
            "anorak",
            "puffer",
            "bomber",
            "parka",
            "plumifero",
            "plumas",
        ],
    ),
    concept(
        "coat",
        Kind,
        &[
            "coat",
            "coats",
            "overcoat",
            "trench",
            "peacoat",
            "abrigo",
            "abrigos",
            "gabardina",
            "пальто",
            "тренч*",
            "манто",
            "manteau",
            "manteaux",
            "trench-coat",
            "mantel",
            "mäntel",
            "*mantel",
            "cappotto",
            "cappotti",
            "sobretudo",
            "abric",
            "abrics",
        ],
    ),
    concept(
        "swimwear",
        Kind,
        &[
            "swimwear",
            "swimsuit",
            "swimsuits",
            "bikini",
            "bikinis",
            "swim shorts",
            "trunks",
            "banador",
            "banadores",
            "купальник*",
            "плавк*",
            "maillot de bain",
            "maillot",
            "badeanzug",
            "badehose",
            "bademode",
            "costume da bagno",
            "costume intero",
            "fato de banho",
            "biquini",
            "biquinis",
            "calcao de banho",
            "banyador",
        ],
    ),
    concept(
        "activewear",
        Kind,
        &[
            "activewear",
            "sportswear",
            "leggings",
            "sports bra",
            "base layer",
            "mallas",
            "leggins",
            "ropa deportiva",
            "лосины",
            "легинсы",
            "термобель*",
            "спортивн*",
            "legging",
            "brassiere de sport",
            "sportbekleidung",
            "abbigliamento sportivo",
            "roupa desportiva",
            "malles",
        ],
    ),
    concept(
        "boot",
        Kind,
        &[
            "boot",
            "boots",
            "bota",
            "botas",
            "botin",
            "botines",
            "ботинк*",
            "сапог*",
            "сапожк*",
            "челси",
            "bottes",
            "bottine",
            "bottines",
            "stiefel",
            "*stiefel",
            "stiefelette*",
            "wanderschuh*",
            "stivali",
            "stivaletti",
            "scarponi",
            "botte",
            "botas",
            "botes",
            "botins",
        ],
    ),
    concept(
        "sneaker",
        Kind,
        &[
            "sneaker",
            "sneakers",
            "trainer",
            "trainers",
            "running shoes",
            "zapatillas",
            "zapatilla",
            "deportivas",
            "кроссовк*",
            "кеды",
            "кед*",
            "baskets",
            "basket",
            "turnschuh*",
            "laufschuh*",
            "scarpe da ginnastica",
            "scarpe da corsa",
            "sneakers",
            "tenis",
            "tênis",
            "sapatilhas",
            "sabatilles",
            "bambes",
            "vambes",
        ],
    ),
    concept(
        "loafer",
        Kind,
        &["loafer", "loafers", "mocasines", "mocasin", "лоферы", "лофер*", "mocassins", "mocassin", "slipper", "mokassin*", "mocassini", "mocassins"],
    ),
    concept(
        "heel",
        Kind,
        &[
            "heels",
            "heel",
            "pumps",
            "stilettos",
            "tacones",
            "tacon",
            "zapatos de tacon",
            "туфли на каблуке",
            "каблук*",
            "talons",
            "escarpins",
            "pumps",
            "absatzschuh*",
            "tacchi",
            "decollete",
            "saltos",
            "sapatos de salto",
            "talons",
            "sabates de taco",
        ],
    ),
    concept(
        "sandal",
        Kind,
        &[
            "sandal",
            "sandals",
            "espadrilles",
            "espadrille",
            "sandalias",
            "sandalia",
            "alpargatas",
            "сандали*",
            "босоножк*",
            "эспадрил*",
            "sandales",
            "sandale",
            "sandalen",
            "sandali",
            "espadrillas",
            "sandalias",
            "sandalies",
            "espardenyes",
        ],
    ),
    concept(
        "bag",
        Kind,
        &[
            "bag",
            "bags",
            "tote",
            "handbag",
            "backpack",
            "bolso",
            "bolsos",
            "mochila",
            "bolsa",
            "capazo",
            "сумк*",
            "рюкзак*",
            "sac",
            "sacs",
            "cabas",
            "tasche",
            "taschen",
            "*tasche",
            "rucksack",
            "borsa",
            "borse",
            "zaino",
            "bolsa",
            "mala",
            "bossa",
            "motxilla",
        ],
    ),
    concept("belt", Kind, &["belt", "belts", "cinturon", "cinturones", "ремень", "ремн*", "пояс*", "ceinture", "gürtel", "cintura", "cinto", "cinturó"]),
    concept(
        "scarf",
        Kind,
        &[
            "scarf",
            "for my neck",
            "keep my neck warm",
            "round my neck",
            "para el cuello",
            "на шею",
            "pour le cou",
            "autour du cou",
            "für den hals",
            "um den hals",
            "per il collo",
            "para o pescoço",
            "per al coll",
            "scarves",
            "bufanda",
            "bufandas",
            "panuelo",
            "foulard",
            "шарф*",
            "платок",
            "echarpe",
            "écharpe",
            "schal",
            "tuch",
            "halstuch",
            "sciarpa",
            "sciarpe",
            "cachecol",
            "lenco",
            "bufanda",
            "mocador",
        ],
    ),
    concept(
        "hat",
        Kind,
        &[
            "hat",
            "hats",
            "cap",
            "caps",
            "beanie",
            "beanies",
            "sombrero",
            "sombreros",
            "gorro",
            "gorra",
            "gorras",
            "шапк*",
            "шляп*",
            "кепк*",
            "панам*",
            "chapeau",
            "chapeaux",
            "bonnet",
            "casquette",
            "mütze",
            "mutze",
            "hut",
            "kappe",
            "cappello",
            "cappelli",
            "berretto",
            "chapeu",
            "boné",
            "bone",
            "barret",
            "gorra",
            "for my head",
            "for the head",
            "on my head",
            "para la cabeza",
            "pa la cabeza",
            "на голову",
            "для головы",
            "pour la tete",
            "sur la tete",
            "für den kopf",
            "fur den kopf",
            "auf dem kopf",
            "per la testa",
            "in testa",
            "para a cabeca",
            "pra cabeca",
            "per al cap",
        ],
    ),
    concept(
        "sunglasses",
        Kind,
        &[
            "sunglasses",
            "sunnies",
            "shades",
            "gafas de sol",
            "gafas",
            "очки",
            "солнцезащитн*",
            "lunettes de soleil",
            "lunettes",
            "sonnenbrille*",
            "occhiali da sole",
            "occhiali",
            "oculos de sol",
            "oculos",
            "ulleres de sol",
            "ulleres",
        ],
    ),
    concept("socks", Kind, &["socks", "sock", "calcetines", "calcetin", "носк*", "chaussettes", "socken", "calzini", "meias", "mitjons"]),
    // --- home kinds ---
    concept(
        "sofa",
        Kind,
        &["sofa", "sofas", "couch", "settee", "диван*", "canape", "canapes", "sofa", "sofas", "couch", "*sofa", "divano", "divani", "sofá", "sofà"],
    ),
    concept(
        "armchair",
        Kind,
        &[
            "armchair",
            "armchairs",
            "sillon",
            "sillones",
            "butaca",
            "кресл*",
            "fauteuil",
            "fauteuils",
            "sessel",
            "poltrona",
            "poltrone",
            "cadeirao",
            "poltrona",
            "butaca",
        ],
    ),
    concept(
        "coffee table",
        Kind,
        &["coffee table", "coffee tables", "mesa de centro", "mesita", "журнальн*", "table basse", "couchtisch", "tavolino", "mesa de centro", "tauleta"],
    ),
    concept(
        "dining table",
        Kind,
        &[
            "dining table",
            "dining tables",
            "kitchen table",
            "mesa de comedor",
            "обеденн*",
            "table a manger",
            "esstisch",
            "tavolo da pranzo",
            "mesa de jantar",
            "taula del menjador",
            "taula de menjador",
        ],
    ),
    concept(
        "chair",
        Kind,
        &[
            "chair",
            "chairs",
            "silla",
            "sillas",
            "стул*",
            "chaise",
            "chaises",
            "stuhl",
            "stühle",
            "stuhle",
            "sedia",
            "sedie",
            "cadeira",
            "cadeiras",
            "cadira",
            "cadires",
        ],
    ),
    concept("bed", Kind, &["bed", "beds", "bed frame", "cama", "camas", "кроват*", "lit", "lits", "bett", "betten", "letto", "letti", "cama", "llit"]),
    concept("mattress", Kind, &["mattress", "mattresses", "colchon", "colchones", "матрас*", "matelas", "matratze*", "materasso", "colchao", "matalas"]),
    concept(
        "wardrobe",
        Kind,
        &[
            "wardrobe",
            "wardrobes",
            "closet",
            "armario",
            "armarios",
            "шкаф*",
            "armoire",
            "penderie",
            "kleiderschrank",
            "schrank",
            "armadio",
            "guarda-roupa",
            "roupeiro",
            "armari",
        ],
    ),
    concept(
        "bookcase",
        Kind,
        &[
            "bookcase",
            "bookcases",
            "bookshelf",
            "shelving",
            "estanteria",
            "librero",
            "стеллаж*",
            "книжн*",
            "bibliotheque",
            "etagere",
            "bücherregal",
            "regal",
            "libreria",
            "estante",
            "prestatgeria",
        ],
    ),
    concept("desk", Kind, &["desk", "desks", "escritorio", "письменн*", "стол для работы", "bureau", "schreibtisch", "scrivania", "secretaria", "escriptori"]),
    concept(
        "office chair",
        Kind,
        &[
            "office chair",
            "desk chair",
            "silla de oficina",
            "офисн*",
            "chaise de bureau",
            "bürostuhl",
            "burostuhl",
            "sedia da ufficio",
            "cadeira de escritorio",
            "cadira d'oficina",
        ],
    ),
    concept(
        "rug",
        Kind,
        &[
            "rug",
            "rugs",
            "carpet",
            "alfombra",
            "alfombras",
            "ковер",
            "ковр*",
            "коврик*",
            "tapis",
            "teppich*",
            "tappeto",
            "tappeti",
            "tapete",
            "catifa",
            "catifes",
        ],
    ),
    concept(
        "lamp",
        Kind,
        &[
            "lamp",
            "lamps",
            "lighting",
            "lampara",
            "lamparas",
            "ламп*",
            "светильник*",
            "торшер*",
            "lampe",
            "lampes",
            "lampadaire",
            "leuchte",
            "lampada",
            "candeeiro",
            "lampada",
            "llum",
            "lampada",
        ],
    ),
    concept(
        "cushion",
        Kind,
        &[
            "cushion",
            "cushions",
            "pillow",
            "cushion cover",
            "cojin",
            "cojines",
            "подушк*",
            "coussin",
            "coussins",
            "kissen",
            "cuscino",
            "cuscini",
            "almofada",
            "almofadas",
            "coixi",
            "coixins",
        ],
    ),
    concept(
        "throw",
        Kind,
        &[
            "throw",
            "throws",
            "blanket",
            "manta",
            "mantas",
            "плед*",
            "одеял*",
            "plaid",
            "jete",
            "decke",
            "kuscheldecke",
            "coperta",
            "plaid",
            "manta",
            "flassada",
        ],
    ),
    concept(
        "bedding",
        Kind,
        &[
            "bedding",
            "duvet cover",
            "bed linen",
            "sheets",
            "funda nordica",
            "ropa de cama",
            "постельн*",
            "housse de couette",
            "linge de lit",
            "bettwäsche",
            "bettwasche",
            "copripiumino",
            "roupa de cama",
            "capa de edredom",
            "funda nordica",
        ],
    ),
    concept(
        "curtain",
        Kind,
        &[
            "curtain",
            "curtains",
            "drapes",
            "cortina",
            "cortinas",
            "штор*",
            "занавеск*",
            "rideau",
            "rideaux",
            "vorhang",
            "vorhänge",
            "gardine*",
            "tenda",
            "tende",
            "cortinado",
            "cortina",
            "cortines",
        ],
    ),
    concept("mirror", Kind, &["mirror", "mirrors", "espejo", "espejos", "зеркал*", "miroir", "spiegel", "specchio", "espelho", "mirall"]),
    concept("vase", Kind, &["vase", "vases", "jarron", "florero", "ваз*", "vase", "vasen", "vaso", "vasi", "jarra", "gerro"]),
    // --- families ---
    family(
        "shoes",
        &["boot", "sneaker", "loafer", "heel", "sandal"],
        &[
            "shoes",
            "shoe",
            "footwear",
            "zapatos",
            "zapato",
            "calzado",
            "обув*",
            "туфл*",
            "chaussures",
            "chaussure",
            "schuhe",
            "schuh",
            "scarpe",
            "scarpa",
            "calzature",
            "sapatos",
            "sapato",
            "calcado",
            "sabates",
            "sabata",
            "calcat",
            "for my feet",
            "on my feet",
            "para los pies",
            "en los pies",
            "на ноги",
            "pour les pieds",
            "aux pieds",
            "an die füße",
            "an den füßen",
            "für die füße",
            "ai piedi",
            "per i piedi",
            "nos pes",
            "para os pes",
            "als peus",
            "pels peus",
        ],
    ),
    family(
        "layer",
        &["knitwear", "jacket", "blazer", "coat"],
        &[
            "throw over",
            "to throw on",
            "cover up",
            "over a",
            "over my",
            "por encima",
            "echarme por encima",
            "encima del",
            "encima de",
            "sobre el vestido",
            "накинуть",
            "набросить",
            "на плечи",
            "sur les epaules",
            "par-dessus",
            "par dessus",
            "uberziehen",
            "überziehen",
            "drüberziehen",
            "da mettere sopra",
            "sulle spalle",
            "por cima",
            "pra por por cima",
            "per posar-me sobre",
            "per sobre",
            "sobre el vestit",
        ],
    ),
    family(
        "outerwear",
        &["jacket", "coat"],
        &["outerwear", "ropa de abrigo", "верхн* одежд*", "manteaux et vestes", "oberbekleidung", "capispalla", "agasalho"],
    ),
    family_implying(
        "rain",
        &["jacket", "coat"],
        &["wet"],
        &[
            "when it rains",
            "for the rain",
            "rainy",
            "rain",
            "pouring",
            "cuando llueve",
            "para la lluvia",
            "lluvia",
            "дожд*",
            "ливн*",
            "pluie",
            "quand il pleut",
            "regen",
            "wenn es regnet",
            "pioggia",
            "quando piove",
            "chuva",
            "quando chove",
            "plou",
            "pluja",
            "a bots i barrals",
        ],
    ),
    family(
        "top",
        &["shirt", "blouse", "t-shirt", "polo", "knitwear"],
        &["tops", "top", "parte de arriba", "верх", "haut", "hauts", "oberteil*", "maglia", "parte de cima"],
    ),
    family("bottoms", &["trousers", "jeans", "chinos", "shorts", "skirt"], &["bottoms", "parte de abajo", "низ", "bas", "unterteil*", "parte de baixo"]),
    family(
        "seating",
        &["sofa", "armchair", "chair"],
        &["seating", "somewhere to sit", "asientos", "для сидения", "assises", "sitzmöbel", "sedute", "assentos", "seients"],
    ),
    // --- gender ---
    concept(
        "women",
        Gender,
        &[
            "women",
            "womens",
            "woman",
            "ladies",
            "lady",
            "female",
            "her",
            "she",
            "girl",
            "girls",
            "girlfriend",
            "wife",
            "mujer",
            "mujeres",
            "senora",
            "dama",
            "damas",
            "chica",
            "femenino",
            "femenina",
            "женск*",
            "женщин*",
            "девушк*",
            "для жены",
            "femme",
            "femmes",
            "dame",
            "dames",
            "fille",
            "damen",
            "frau",
            "frauen",
            "mädchen",
            "donna",
            "donne",
            "ragazza",
            "mulher",
            "mulheres",
            "feminino",
            "feminina",
            "senhora",
            "dona",
            "dones",
            "noia",
        ],
    ),
    concept(
        "men",
        Gender,
        &[
            "men",
            "mens",
            "man",
            "male",
            "gents",
            "guy",
            "guys",
            "him",
            "he",
            "boyfriend",
            "husband",
            "hombre",
            "hombres",
            "caballero",
            "chico",
            "masculino",
            "masculina",
            "мужск*",
            "мужчин*",
            "парн*",
            "для мужа",
            "homme",
            "hommes",
            "garcon",
            "herren",
            "herr",
            "mann",
            "männer",
            "manner",
            "uomo",
            "uomini",
            "ragazzo",
            "homem",
            "homens",
            "per a home",
        ],
    ),
    // --- colours ---
    concept(
        "black",
        Colour,
        &[
            "black",
            "negro",
            "negra",
            "negros",
            "negras",
            "черн*",
            "чёрн*",
            "noir",
            "noire",
            "noirs",
            "noires",
            "schwarz*",
            "nero",
            "nera",
            "neri",
            "nere",
            "preto",
            "preta",
            "pretos",
            "negre",
            "negra",
        ],
    ),
    concept(
        "white",
        Colour,
        &[
            "white",
            "off-white",
            "blanco",
            "blanca",
            "blancos",
            "blancas",
            "бел*",
            "blanc",
            "blanche",
            "blancs",
            "blanches",
            "weiß*",
            "weiss*",
            "bianco",
            "bianca",
            "branco",
            "branca",
            "blanc",
            "blanca",
        ],
    ),
    concept(
        "blue",
        Colour,
        &[
            "blue",
            "navy",
            "cobalt",
            "azul",
            "azules",
            "marino",
            "син*",
            "голуб*",
            "bleu",
            "bleue",
            "marine",
            "blau*",
            "blu",
            "azzurro",
            "azzurra",
            "azul",
            "blau",
            "blava",
        ],
    ),
    concept(
        "navy",
        Colour,
        &[
            "navy",
            "azul marino",
            "marino",
            "темно-син*",
            "bleu marine",
            "marine",
            "marineblau",
            "dunkelblau",
            "blu navy",
            "blu scuro",
            "azul-marinho",
            "azul marinho",
            "blau mari",
        ],
    ),
    concept(
        "red",
        Colour,
        &[
            "red",
            "burgundy",
            "wine red",
            "granate",
            "бордов*",
            "bordeaux",
            "weinrot",
            "bordô",
            "granat",
            "rojo",
            "roja",
            "rojos",
            "красн*",
            "rouge",
            "rouges",
            "rot",
            "rote*",
            "rosso",
            "rossa",
            "vermelho",
            "vermelha",
            "vermell",
            "vermella",
        ],
    ),
    concept(
        "green",
        Colour,
        &[
            "green",
            "sage",
            "olive",
            "emerald",
            "forest green",
            "verde",
            "verdes",
            "зелен*",
            "зелён*",
            "vert",
            "verte",
            "grün*",
            "grun*",
            "verde",
            "verd",
            "verda",
        ],
    ),
    concept("grey", Colour, &["grey", "gray", "charcoal", "gris", "grises", "сер*", "gris", "grise", "grau*", "grigio", "grigia", "cinza", "cinzento"]),
    concept(
        "brown",
        Colour,
        &["brown", "chocolate", "cognac", "tan", "marron", "marrones", "коричнев*", "brun", "brune", "braun*", "marrone", "castanho", "marrom", "marro"],
    ),
    concept(
        "beige",
        Colour,
        &["beige", "khaki", "caqui", "хаки", "kaki", "cachi", "cáqui", "sand", "stone", "camel", "cream", "бежев*", "beige", "crema", "creme", "bege"],
    ),
    concept("pink", Colour, &["pink", "dusty rose", "rosa", "rosado", "розов*", "rose", "rosa", "rosé"]),
    concept(
        "yellow",
        Colour,
        &["yellow", "mustard", "amarillo", "amarilla", "желт*", "жёлт*", "jaune", "gelb*", "giallo", "gialla", "amarelo", "amarela", "groc", "groga"],
    ),
    concept("orange", Colour, &["orange", "coral", "rust", "terracotta", "naranja", "оранжев*", "orange", "arancione", "laranja", "taronja"]),
    concept("purple", Colour, &["purple", "lilac", "burgundy", "morado", "lila", "фиолетов*", "сиренев*", "violet", "lila", "viola", "roxo", "lilas"]),
    concept("gold", Colour, &["gold", "golden", "dorado", "золот*", "doré", "dore", "golden", "oro", "dorato", "dourado", "daurat"]),
    // --- materials ---
    concept("wool", Material, &["wool", "woollen", "woolen", "lambswool", "lana", "шерст*", "laine", "wolle", "woll*", "lana", "llana"]),
    concept("merino", Material, &["merino", "мерино*", "mérinos", "merinos"]),
    concept("cashmere", Material, &["cashmere", "cachemir", "cachemira", "кашемир*", "cachemire", "kaschmir*", "cashmere", "caxemira", "caixmir"]),
    concept("leather", Material, &["leather", "piel", "cuero", "кож*", "кожан*", "cuir", "leder*", "pelle", "couro", "pell"]),
    concept("suede", Material, &["suede", "ante", "serraje", "замш*", "daim", "wildleder", "scamosciato", "camurca", "camurça"]),
    concept("linen", Material, &["linen", "lino", "льнян*", "лен", "лён", "льна", "lin", "leinen", "lein*", "lino", "linho", "lli"]),
    concept("cotton", Material, &["cotton", "algodon", "хлопок", "хлопк*", "coton", "baumwoll*", "cotone", "algodao", "cotó", "coto"]),
    concept("silk", Material, &["silk", "seda", "шелк*", "шёлк*", "soie", "seide", "seta", "seda"]),
    concept("denim", Material, &["denim", "mezclilla", "деним", "джинсов*", "jean", "jeansstoff", "denim", "ganga"]),
    concept(
        "down",
        Material,
        &[
            "down",
            "feather",
            "feathers",
            "plumas",
            "plumon",
            "pluma",
            "пух*",
            "перь*",
            "duvet",
            "plumes",
            "daunen*",
            "feder*",
            "piuma",
            "piume",
            "penas",
            "plumes",
            "ploma",
        ],
    ),
    concept("velvet", Material, &["velvet", "terciopelo", "бархат*", "велюр*", "velours", "samt*", "velluto", "veludo", "vellut"]),
    concept("oak", Material, &["oak", "roble", "дуб*", "chene", "chêne", "eiche*", "rovere", "carvalho", "roure"]),
    concept("walnut", Material, &["walnut", "nogal", "орех*", "noyer", "nussbaum", "noce", "nogueira", "noguera"]),
    concept("jute", Material, &["jute", "yute", "джут*", "jute", "iuta", "juta", "jute"]),
    concept("rattan", Material, &["rattan", "ratan", "ротанг*", "rotin", "rattan", "rattan", "vime", "rota"]),
    concept("marble", Material, &["marble", "marmol", "мрамор*", "marbre", "marmor", "marmo", "marmore", "marbre"]),
    concept("straw", Material, &["straw", "paja", "соломенн*", "солом*", "paille", "stroh*", "paglia", "palha", "palla"]),
    // --- cuts ---
    concept(
        "slim",
        Fit,
        &[
            "slim",
            "skinny",
            "fitted",
            "tight",
            "pitillo",
            "pitillos",
            "ajustado",
            "ajustada",
            "entallado",
            "облегающ*",
            "узк*",
            "скинни",
            "slim",
            "moulant",
            "ajuste",
            "eng",
            "enge*",
            "skinny",
            "aderente",
            "stretto",
            "ajustat",
            "estret",
        ],
    ),
    concept(
        "oversized",
        Fit,
        &[
            "oversized",
            "oversize",
            "baggy",
            "loose",
            "holgado",
            "holgada",
            "ancho",
            "оверсайз",
            "свободн*",
            "ample",
            "weit*",
            "locker*",
            "ampio",
            "folgado",
            "folgat",
        ],
    ),
    concept(
        "wide",
        Fit,
        &[
            "wide leg",
            "wide-leg",
            "wide",
            "palazzo",
            "ancho",
            "anchos",
            "amplio",
            "широк*",
            "weites bein",
            "weit",
            "weite",
            "gamba larga",
            "larghi",
            "pantalona",
            "amples",
            "ample",
        ],
    ),
    concept("straight", Fit, &["straight", "recto", "rectos", "прям*", "droit", "droite", "gerade*", "dritto", "dritti", "reto", "retos", "recte"]),
    concept("relaxed", Fit, &["relaxed", "comfy", "comfortable fit", "comodo", "свободн*", "confortable", "bequem", "comodo", "confortavel", "comode"]),
    // --- occasions and seasons ---
    concept(
        "wet",
        Occasion,
        &[
            "waterproof",
            "water-repellent",
            "rainproof",
            "impermeable",
            "impermeables",
            "непромокаем*",
            "водонепроницаем*",
            "imperméable",
            "wasserdicht*",
            "impermeabile",
            "impermeável",
            "impermeavel",
        ],
    ),
    concept("wedding", Occasion, &["wedding", "weddings", "boda", "bodas", "свадьб*", "mariage", "hochzeit*", "matrimonio", "casamento", "casament"]),
    concept(
        "party",
        Occasion,
        &[
            "party",
            "evening",
            "gala",
            "prom",
            "black-tie",
            "fiesta",
            "fiestas",
            "noche",
            "de gala",
            "вечерин*",
            "вечерн*",
            "выпускн*",
            "праздник*",
            "soiree",
            "soirée",
            "fete",
            "fête",
            "party",
            "abend*",
            "feier",
            "festa",
            "gala",
            "festa",
            "nit",
        ],
    ),
    concept(
        "summer",
        Occasion,
        &["summer", "summery", "verano", "veraniego", "лет*", "летн*", "ete", "été", "estival", "sommer*", "estate", "estivo", "verao", "verão", "estiu"],
    ),
    concept(
        "winter",
        Occasion,
        &[
            "winter",
            "freezing",
            "cold",
            "invierno",
            "frio",
            "зим*",
            "холод*",
            "hiver",
            "froid",
            "winter*",
            "kalt",
            "inverno",
            "freddo",
            "inverno",
            "frio",
            "hivern",
            "fred",
        ],
    ),
    concept("beach", Occasion, &["beach", "playa", "пляж*", "plage", "strand", "spiaggia", "praia", "platja"]),
    concept(
        "office",
        Occasion,
        &[
            "office",
            "work",
            "oficina",
            "trabajo",
            "офис*",
            "работ*",
            "bureau",
            "travail",
            "büro",
            "buro",
            "arbeit",
            "ufficio",
            "lavoro",
            "escritorio",
            "trabalho",
            "feina",
        ],
    ),
    concept(
        "hiking",
        Occasion,
        &[
            "hiking",
            "trekking",
            "hike",
            "montana",
            "senderismo",
            "поход*",
            "треккинг*",
            "randonnee",
            "randonnée",
            "wandern",
            "wander*",
            "escursion*",
            "trekking",
            "caminhada",
            "muntanya",
        ],
    ),
    concept("running", Occasion, &["running", "run", "jogging", "correr", "бег*", "пробежк*", "laufen", "lauf*", "corsa", "corrida", "corre", "córrer"]),
    concept("ski", Occasion, &["ski", "skiing", "esqui", "лыж*", "горнолыж*", "ski", "skifahren", "sci", "esqui"]),
];

/// Words that turn the rest of a message into the thing to match: "what
/// goes with X", "¿qué me pongo con X?", "что надеть с X".
pub static COMPLEMENT_MARKERS: Phrases = Phrases::new(&[
    "go with",
    "goes with",
    "going with",
    "to wear with",
    "wear with",
    "pair with",
    "pairs with",
    "to match",
    "match with",
    "matches",
    "look good with",
    "go well with",
    "throw over",
    "to throw on",
    "pega con",
    "pegan con",
    "pega a",
    "que le pega",
    "combina con",
    "combinan con",
    "combinar con",
    "queda bien con",
    "quedan bien con",
    "me pongo con",
    "poner con",
    "ponerme con",
    "llevar con",
    "por encima",
    "para llevar con",
    "с чем носить",
    "подойдет к",
    "подойдут к",
    "подойдёт к",
    "подходит к",
    "подходят к",
    "надеть с",
    "носить с",
    "сочетается с",
    "к нему",
    "к ней",
    "к этому",
    "с ним",
    "с ней",
    "накинуть",
    "aller avec",
    "va avec",
    "vont avec",
    "porter avec",
    "assortir",
    "assorti a",
    "sur les epaules",
    "par-dessus",
    "par dessus",
    "passen zu",
    "passt zu",
    "kombinieren mit",
    "dazu",
    "uberziehen",
    "überziehen",
    "abbinare a",
    "abbinare con",
    "da abbinare",
    "sta bene con",
    "stanno bene con",
    "da mettere sopra",
    "combinar com",
    "combina com",
    "usar com",
    "por cima",
    "per anar amb",
    "combinar amb",
    "para combinar",
    "to go with",
]);

/// "Chairs for the dining table", "zapatos con un traje": a complement only
/// when a kind of product comes before these too ("I'm looking for a wool
/// coat", "una pregunta sobre el vestido" are not).
pub static FOR_MARKERS: Phrases = Phrases::new(&[
    "over a", "over my", "avec un", "avec une", "zu einem", "zu einer", "zum", "con un", "con una", "com um", "com uma", "amb un", "amb una", "sobre el",
    "sobre la", "к", "под", "for the", "for my", "para la", "para el", "para mi", "para mis", "per a la", "per al", "pour la", "pour le", "pour mon",
    "pour ma", "für den", "für die", "fur den", "fur die", "per il", "per la", "para a", "para o", "для",
]);

/// "Pure", "100%": the material named next must be the whole of it.
pub static PURITY_MARKERS: Phrases =
    Phrases::new(&["100%", "100 %", "pure", "100 percent", "puro", "pura", "100 por ciento", "чист*", "натуральн*", "pur", "rein*"]);

/// A negation: the concept named next is unwanted ("no feathers").
pub static NEGATIONS: Phrases = Phrases::new(&["no", "not", "without", "non", "sin", "без", "sans", "pas de", "ohne", "kein*", "senza", "sem", "sense"]);

/// Vegan: no material from animals.
pub static VEGAN: Phrases = Phrases::new(&["vegan", "vegano", "vegana", "веган*", "vegane", "végan", "vegà"]);

/// Materials a vegan shopper does not want (lexicon keys).
pub const ANIMAL_MATERIALS: &[&str] = &["leather", "suede", "down", "wool", "merino", "cashmere", "silk"];

/// Asking for the same thing at a lower price.
pub static CHEAPER: Phrases = Phrases::new(&[
    "cheaper",
    "less expensive",
    "lower price",
    "more affordable",
    "mas barato",
    "mas barata",
    "mas baratos",
    "mas economico",
    "подешевле",
    "дешевле",
    "moins cher",
    "moins chere",
    "moins chers",
    "gunstiger",
    "günstiger",
    "billiger",
    "piu economico",
    "più economico",
    "meno caro",
    "meno cara",
    "mais barato",
    "mais barata",
    "mes barat",
    "mes barata",
    "menys car",
]);

/// Asking for the same thing at a higher price.
pub static DEARER: Phrases =
    Phrases::new(&["more expensive", "premium", "mas caro", "mas cara", "дороже", "plus cher", "teurer", "piu caro", "più caro", "mais caro", "mes car"]);

/// A price cap follows ("under 50", "menos de 50€", "до 3000").
pub static PRICE_CAP: Phrases = Phrases::new(&[
    "under",
    "below",
    "less than",
    "max",
    "up to",
    "menos de",
    "hasta",
    "por debajo de",
    "до",
    "дешевле",
    "moins de",
    "jusqu'a",
    "max",
    "unter",
    "bis",
    "weniger als",
    "sotto",
    "meno di",
    "fino a",
    "ate",
    "até",
    "menos de",
    "abaixo de",
    "menys de",
    "fins a",
]);

/// A size follows ("size M", "talla 38", "размер XXS").
pub static SIZE_WORDS: Phrases =
    Phrases::new(&["size", "sz", "talla", "размер*", "taille", "grosse", "größe", "gr", "taglia", "tamanho", "tam", "numero", "número", "mida"]);

/// Words of a question about the product already being discussed: "how
/// much is it?", "¿cuánto cuesta?", "а сколько стоит?".
pub static REFERS_BACK: Phrases = Phrases::new(&[
    "it",
    "this one",
    "that one",
    "how much",
    "the price",
    "cuanto",
    "cuánto",
    "cuesta",
    "vale",
    "precio",
    "сколько",
    "стоит",
    "цена",
    "combien",
    "prix",
    "wie viel",
    "wieviel",
    "kostet",
    "preis",
    "quanto",
    "costa",
    "prezzo",
    "quanto custa",
    "custa",
    "preco",
    "quant",
    "val",
    "preu",
]);

/// Shortest word read as a compound, and shortest noun it may end in.
const COMPOUND_MIN: usize = 7;
const COMPOUND_TAIL_MIN: usize = 4;

/// The lexicon, folded and indexed for lookups.
pub struct Lexicon {
    /// Folded phrase (several words) -> concepts, longest phrases first.
    pub phrases: Vec<(Vec<String>, Vec<usize>)>,
    /// Folded single word -> concepts.
    words: HashMap<String, Vec<usize>>,
    /// Folded stems (`*` removed) -> concepts, longest first.
    stems: Vec<(String, Vec<usize>)>,
}

/// Words of folded text (letters, digits and inner hyphens or apostrophes).
pub fn words(folded: &str) -> Vec<String> {
    folded
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '%' || c == '\''))
        .map(|w| w.trim_matches(|c: char| c == '-' || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

impl Lexicon {
    pub fn get() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(Self::build)
    }

    fn build() -> Self {
        let mut phrases: HashMap<Vec<String>, Vec<usize>> = HashMap::new();
        let mut words_map: HashMap<String, Vec<usize>> = HashMap::new();
        let mut stems: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, c) in CONCEPTS.iter().enumerate() {
            for raw in c.words.iter().chain(std::iter::once(&c.key)) {
                let folded = fold(raw);
                let parts = words(&folded);
                let target = if let Some(stem) = folded.strip_suffix('*').filter(|_| parts.len() == 1) {
                    stems.entry(stem.trim_start_matches('*').to_owned()).or_default()
                } else if parts.len() > 1 {
                    phrases.entry(parts).or_default()
                } else if let Some(word) = parts.into_iter().next() {
                    words_map.entry(word).or_default()
                } else {
                    continue;
                };
                if !target.contains(&i) {
                    target.push(i);
                }
            }
        }
        let mut phrases: Vec<(Vec<String>, Vec<usize>)> = phrases.into_iter().collect();
        phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        let mut stems: Vec<(String, Vec<usize>)> = stems.into_iter().filter(|(s, _)| s.chars().count() >= 3).collect();
        stems.sort_by(|a, b| b.0.chars().count().cmp(&a.0.chars().count()).then_with(|| a.0.cmp(&b.0)));
        Self { phrases, words: words_map, stems }
    }

    pub fn concept(&self, index: usize) -> &'static Concept {
        &CONCEPTS[index]
    }

    /// Index of the concept named `key`.
    pub fn by_key(&self, key: &str) -> Option<usize> {
        CONCEPTS.iter().position(|c| c.key == key)
    }

    /// Concepts a single folded word stands for: the exact word, else the
    /// stems it starts with and, for a long Latin-script word, the noun it
    /// ends in (German compounds: Leder|jacke, Falten|rock, Samt|sofa).
    pub fn word(&self, word: &str) -> Vec<usize> {
        if let Some(found) = self.words.get(word) {
            return found.clone();
        }
        let mut found: Vec<usize> = Vec::new();
        for (_, concepts) in self.stems.iter().filter(|(stem, _)| word.starts_with(stem.as_str())) {
            found.extend(concepts.iter().copied().filter(|c| !found.contains(c)).collect::<Vec<_>>());
        }
        let chars: Vec<char> = word.chars().collect();
        if chars.len() >= COMPOUND_MIN && chars.iter().all(char::is_ascii_alphabetic) {
            let tail = (1..=chars.len() - COMPOUND_TAIL_MIN).find_map(|k| {
                let tail: String = chars[k..].iter().collect();
                self.words.get(&tail).filter(|c| c.iter().any(|i| matches!(CONCEPTS[*i].facet, Facet::Kind | Facet::Material)))
            });
            found.extend(tail.into_iter().flatten().copied().filter(|c| !found.contains(c)).collect::<Vec<_>>());
        }
        found
    }
}

/// A list of cue phrases (`*` makes a phrase's last word a stem), folded
/// and split into words once, on first use: query understanding looks for
/// each list at every word of every message.
pub struct Phrases {
    raw: &'static [&'static str],
    parsed: OnceLock<Vec<Phrase>>,
}

/// One cue phrase of a [`Phrases`] list, folded and split into words.
pub struct Phrase {
    parts: Vec<String>,
    /// Its last word is a stem.
    star: bool,
}

impl Phrases {
    pub const fn new(raw: &'static [&'static str]) -> Self {
        Self { raw, parsed: OnceLock::new() }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Phrase> {
        self.parsed.get_or_init(|| self.raw.iter().map(|p| Phrase { parts: words(&fold(p)), star: p.ends_with('*') }).collect()).iter()
    }
}

/// Whether folded `words` hold `phrase` starting at `at`: its length in words.
pub fn phrase_at(words: &[String], at: usize, phrase: &Phrase) -> Option<usize> {
    let parts = &phrase.parts;
    if parts.is_empty() || at + parts.len() > words.len() {
        return None;
    }
    let last = parts.len() - 1;
    let matches = parts.iter().enumerate().all(|(i, p)| if i == last && phrase.star { words[at + i].starts_with(p.as_str()) } else { words[at + i] == *p });
    matches.then_some(parts.len())
}

/// Where the first of `phrases` occurs in `words`: (start, length).
pub fn find_any(words: &[String], phrases: &Phrases) -> Option<(usize, usize)> {
    (0..words.len()).find_map(|at| phrases.iter().find_map(|p| phrase_at(words, at, p)).map(|len| (at, len)))
}

/// Concepts of a family, or the concept itself when it has no members.
pub fn expand(lexicon: &Lexicon, index: usize) -> Vec<usize> {
    let c = lexicon.concept(index);
    if c.members.is_empty() { vec![index] } else { c.members.iter().filter_map(|m| lexicon.by_key(m)).collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(word: &str) -> Vec<&'static str> {
        let l = Lexicon::get();
        l.word(&fold(word)).into_iter().map(|i| l.concept(i).key).collect()
    }

    #[test]
    fn words_and_stems_link_every_language() {
        assert!(keys("платья").contains(&"dress"));
        assert!(keys("кожанка").contains(&"jacket"));
        assert!(keys("Lederjacke").contains(&"leather"));
        assert!(keys("falda").contains(&"skirt"));
        assert!(keys("noire").contains(&"black"));
        assert!(keys("sofà").contains(&"sofa"));
    }

    #[test]
    fn phrases_are_found_with_stems() {
        let w = words(&fold("с чем носить костюм"));
        assert_eq!(find_any(&w, &COMPLEMENT_MARKERS), Some((0, 3)));
        let w = words(&fold("Mantel aus reiner Wolle"));
        assert_eq!(find_any(&w, &PURITY_MARKERS), Some((2, 1)));
    }
}
