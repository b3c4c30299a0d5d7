//! Small catalogs of three kinds of shop (fashion, furniture, wine) for the
//! query-understanding tests: their categories, attributes and variants in
//! English with Spanish translations, as stores send them.

use serde_json::json;

use super::vocabulary::StoreIndex;
use crate::catalog::Product;

/// (id, category, title, Spanish title, tags, attributes, variant options, price)
type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a [&'a str], &'a [(&'a str, &'a str)], &'a [(&'a str, &'a str)], &'a str);

fn product(row: Row<'_>) -> Product {
    let (id, category, title, title_es, tags, attributes, options, price) = row;
    let attributes: serde_json::Map<String, serde_json::Value> = attributes.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    let variants: Vec<serde_json::Value> = options
        .iter()
        .enumerate()
        .map(|(i, (colour, size))| json!({"sku": format!("{id}-{i}"), "options": {"color": colour, "size": size}, "price": price}))
        .collect();
    serde_json::from_value(json!({
        "id": id, "title": title, "category": category, "tags": tags, "attributes": attributes,
        "translations": {"es": {"title": title_es}}, "variants": variants,
    }))
    .expect("fixture product")
}

fn index(rows: &[Row<'_>]) -> StoreIndex {
    let products: Vec<Product> = rows.iter().copied().map(product).collect();
    StoreIndex::build(&products)
}

pub fn fashion() -> StoreIndex {
    index(&[
        (
            "f1",
            "skirts",
            "Masnou Pleated Midi Skirt",
            "Falda midi plisada Masnou",
            &["women"],
            &[("color", "Black"), ("material", "95% polyester, 5% elastane"), ("fit", "Relaxed fit")],
            &[("Black", "XS"), ("Black", "M")],
            "49.00",
        ),
        (
            "f2",
            "skirts",
            "Formentor Pleated Midi Skirt",
            "Falda midi plisada Formentor",
            &["women"],
            &[("color", "Lilac"), ("material", "95% polyester, 5% elastane"), ("fit", "Relaxed fit")],
            &[("Lilac", "S")],
            "55.00",
        ),
        (
            "f3",
            "jackets",
            "Sa Tuna Leather Jacket",
            "Chaqueta de piel Sa Tuna",
            &["men", "leather"],
            &[("color", "Black"), ("material", "100% lambskin leather"), ("fit", "Slim fit")],
            &[("Black", "M")],
            "375.00",
        ),
        (
            "f4",
            "jackets",
            "Salou Leather Jacket",
            "Chaqueta de piel Salou",
            &["women", "leather"],
            &[("color", "Brown"), ("material", "100% lambskin leather"), ("fit", "Regular fit")],
            &[("Brown", "S")],
            "269.00",
        ),
        (
            "f5",
            "jackets",
            "Peratallada Puffer Jacket",
            "Plumífero Peratallada",
            &["men", "winter"],
            &[("color", "Navy"), ("material", "Recycled nylon shell, 90/10 recycled down fill"), ("fit", "Regular fit")],
            &[("Navy", "L")],
            "159.00",
        ),
        (
            "f6",
            "jackets",
            "Besalú Puffer Jacket",
            "Plumífero Besalú",
            &["men", "winter"],
            &[("color", "Off-White"), ("material", "Recycled polyester shell and insulation"), ("fit", "Relaxed fit")],
            &[("Off-White", "L")],
            "129.00",
        ),
        (
            "f7",
            "coats",
            "Formentor Wool Coat",
            "Abrigo de lana Formentor",
            &["women", "wool"],
            &[("color", "Charcoal"), ("material", "100% wool"), ("fit", "Oversized fit")],
            &[("Charcoal", "M")],
            "215.00",
        ),
        (
            "f8",
            "coats",
            "Fornells Wool Coat",
            "Abrigo de lana Fornells",
            &["women", "wool"],
            &[("color", "Black"), ("material", "70% wool, 30% polyamide"), ("fit", "Relaxed fit")],
            &[("Black", "M")],
            "295.00",
        ),
        (
            "f9",
            "suits",
            "Begur Wool Suit",
            "Traje de lana Begur",
            &["men", "wool", "wedding"],
            &[("color", "Navy, Grey"), ("material", "100% wool"), ("fit", "Regular fit")],
            &[("Navy", "50")],
            "299.00",
        ),
        (
            "f10",
            "suits",
            "Horta Wool Suit",
            "Traje de lana Horta",
            &["women", "wool"],
            &[("color", "Black"), ("material", "100% wool"), ("fit", "Slim fit")],
            &[("Black", "38")],
            "339.00",
        ),
        (
            "f11",
            "loafers",
            "Ribera Penny Loafers",
            "Mocasines Ribera",
            &["men"],
            &[("color", "Black"), ("material", "Suede upper, leather lining"), ("fit", "Runs small")],
            &[("Black", "EU 42")],
            "99.00",
        ),
        (
            "f12",
            "loafers",
            "Palamós Penny Loafers",
            "Mocasines Palamós",
            &["women"],
            &[("color", "Cognac"), ("material", "Suede upper, leather lining"), ("fit", "Runs small")],
            &[("Cognac", "EU 38")],
            "139.00",
        ),
        (
            "f13",
            "heels",
            "Montgat Pointed Pumps",
            "Zapatos de salón Montgat",
            &["women", "party"],
            &[("color", "Black"), ("material", "Suede upper, leather lining"), ("fit", "True to size")],
            &[("Black", "EU 38")],
            "105.00",
        ),
        (
            "f14",
            "hats",
            "Ripoll Beanie",
            "Gorro Ripoll",
            &["unisex", "winter"],
            &[("color", "Black"), ("material", "100% lambswool"), ("fit", "One size")],
            &[("Black", "One size")],
            "25.00",
        ),
        (
            "f15",
            "swimwear",
            "Vielha Swimsuit",
            "Bañador Vielha",
            &["women"],
            &[("color", "Cobalt"), ("material", "80% polyamide, 20% elastane"), ("fit", "Fitted")],
            &[("Cobalt", "XXS"), ("Cobalt", "S")],
            "79.00",
        ),
        (
            "f16",
            "swimwear",
            "Aiguablava Swimsuit",
            "Bañador Aiguablava",
            &["women"],
            &[("color", "Black"), ("material", "80% polyamide, 20% elastane"), ("fit", "Fitted")],
            &[("Black", "S")],
            "49.00",
        ),
        (
            "f17",
            "dresses",
            "Tamariu Midi Dress",
            "Vestido midi Tamariu",
            &["women", "summer"],
            &[("color", "Emerald"), ("material", "100% viscose"), ("fit", "A-line")],
            &[("Emerald", "M")],
            "79.00",
        ),
        (
            "f18",
            "knitwear",
            "Ciutadella Cotton Cardigan",
            "Rebeca de algodón Ciutadella",
            &["women"],
            &[("color", "Off-White"), ("material", "100% organic cotton"), ("fit", "Oversized fit")],
            &[("Off-White", "M")],
            "59.00",
        ),
    ])
}

pub fn furniture() -> StoreIndex {
    index(&[
        (
            "h1",
            "sofas",
            "Ontinyent Velvet Sofa",
            "Sofá Ontinyent de terciopelo",
            &["living room", "velvet"],
            &[("color", "Navy"), ("material", "velvet"), ("style", "Mediterranean")],
            &[("Navy", "3-seater")],
            "869.00",
        ),
        (
            "h2",
            "sofas",
            "Alcoi Leather Sofa",
            "Sofá Alcoi de piel",
            &["living room", "leather"],
            &[("color", "Terracotta"), ("material", "leather"), ("style", "Scandinavian")],
            &[("Terracotta", "2-seater")],
            "1079.00",
        ),
        (
            "h3",
            "rugs",
            "Morella Wool Rug",
            "Alfombra Morella de lana",
            &["living room", "wool"],
            &[("color", "Grey"), ("material", "100% wool"), ("style", "Classic")],
            &[("Grey", "160x230"), ("Grey", "200x300")],
            "319.00",
        ),
        (
            "h4",
            "rugs",
            "Turia Wool Rug",
            "Alfombra Turia de lana",
            &["living room", "wool"],
            &[("color", "Navy"), ("material", "70% wool, 30% cotton"), ("style", "Industrial")],
            &[("Navy", "120x170")],
            "419.00",
        ),
        (
            "h5",
            "cushions",
            "Jávea Linen Cushion Cover",
            "Funda de cojín Jávea de lino",
            &["living room", "linen"],
            &[("color", "Mustard"), ("material", "100% linen"), ("style", "Classic")],
            &[("Mustard", "45x45 cm")],
            "39.00",
        ),
        (
            "h6",
            "coffee tables",
            "Cullera Solid Oak Coffee Table",
            "Mesa de centro Cullera de roble macizo",
            &["living room", "oak"],
            &[("color", "Natural"), ("material", "solid oak"), ("style", "Scandinavian")],
            &[("Natural", "Round 80 cm")],
            "319.00",
        ),
        (
            "h7",
            "dining chairs",
            "Peñíscola Oak Dining Chair",
            "Silla de comedor Peñíscola de roble",
            &["dining room"],
            &[("color", "Oak"), ("material", "solid oak"), ("style", "Scandinavian")],
            &[("Oak", "One size")],
            "219.00",
        ),
        (
            "h8",
            "dining tables",
            "Alcoi Oak Dining Table",
            "Mesa de comedor Alcoi de roble",
            &["dining room", "extendable"],
            &[("color", "Oak"), ("material", "solid oak"), ("style", "Classic")],
            &[("Oak", "6 seats")],
            "919.00",
        ),
    ])
}

pub fn wine() -> StoreIndex {
    index(&[
        (
            "w1",
            "red wines",
            "Rioja Crianza Red Wine",
            "Vino tinto Rioja Crianza",
            &["rioja", "tempranillo"],
            &[("grape", "Tempranillo"), ("region", "Rioja"), ("vintage", "2020")],
            &[("Red", "75 cl")],
            "14.50",
        ),
        (
            "w2",
            "red wines",
            "Priorat Garnacha Red Wine",
            "Vino tinto Priorat Garnacha",
            &["priorat", "garnacha"],
            &[("grape", "Garnacha"), ("region", "Priorat"), ("vintage", "2019")],
            &[("Red", "75 cl")],
            "32.00",
        ),
        (
            "w3",
            "red wines",
            "Ribera Reserva Red Wine",
            "Vino tinto Ribera Reserva",
            &["ribera del duero", "tempranillo"],
            &[("grape", "Tempranillo"), ("region", "Ribera del Duero"), ("vintage", "2018")],
            &[("Red", "75 cl"), ("Red", "150 cl")],
            "24.00",
        ),
        (
            "w4",
            "white wines",
            "Rueda Verdejo White Wine",
            "Vino blanco Rueda Verdejo",
            &["rueda", "verdejo"],
            &[("grape", "Verdejo"), ("region", "Rueda"), ("vintage", "2023")],
            &[("White", "75 cl")],
            "9.90",
        ),
        (
            "w5",
            "white wines",
            "Rías Baixas Albariño White Wine",
            "Vino blanco Rías Baixas Albariño",
            &["albarino"],
            &[("grape", "Albariño"), ("region", "Rías Baixas"), ("vintage", "2023")],
            &[("White", "75 cl")],
            "16.00",
        ),
        (
            "w6",
            "sparkling wines",
            "Penedès Brut Nature Cava",
            "Cava Penedès Brut Nature",
            &["cava", "brut nature"],
            &[("grape", "Xarel·lo, Macabeo, Parellada"), ("region", "Penedès"), ("vintage", "2021")],
            &[("White", "75 cl")],
            "12.00",
        ),
        (
            "w7",
            "cheese",
            "Manchego Curado Cheese",
            "Queso manchego curado",
            &["sheep"],
            &[("milk", "Sheep"), ("region", "La Mancha")],
            &[("Wedge", "250 g")],
            "8.50",
        ),
    ])
}
