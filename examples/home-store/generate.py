#!/usr/bin/env python3
"""Generate the Casa Nord home-furnishing catalog (catalog.json, next to this file).

Casa Nord is a fictional Valencia furniture and home shop: the second,
non-fashion store of chatgw's retrieval eval (evals/cases/demo/retrieval-home.yaml),
so query understanding is measured on a vocabulary it was not written for
(sofas, rugs, oak, velvet, 160x200) as well as on fashion.

Products come from per-kind phrase banks in English and Spanish; each colour
x size is a variant. Standard library only, fixed seed, reproducible:

    python3 examples/home-store/generate.py
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path

SEED = 20261126
BASE_URL = "https://casanord.example"
OUT = Path(__file__).resolve().parent / "catalog.json"
STORE = {"id": "home", "name": "Casa Nord", "currency": "EUR", "languages": ["en", "es"], "base_url": BASE_URL}

# Place names used as product lines.
LINES = ["Albufera", "Turia", "Xàtiva", "Gandia", "Dénia", "Morella", "Peñíscola", "Altea", "Sagunt", "Requena",
         "Alcoi", "Ontinyent", "Cullera", "Benicàssim", "Jávea", "Villena", "Elx", "Oliva", "Buñol", "Segorbe"]

COLOURS = {  # en -> es
    "Oak": "Roble", "Walnut": "Nogal", "White": "Blanco", "Black": "Negro", "Grey": "Gris", "Charcoal": "Gris antracita",
    "Beige": "Beige", "Sand": "Arena", "Navy": "Azul marino", "Green": "Verde", "Sage": "Verde salvia", "Terracotta": "Terracota",
    "Mustard": "Mostaza", "Pink": "Rosa", "Blue": "Azul", "Natural": "Natural", "Brass": "Latón", "Cream": "Crudo",
}
MATERIALS = {  # en -> es
    "solid oak": "roble macizo", "solid walnut": "nogal macizo", "oak veneer": "chapa de roble", "pine": "pino",
    "velvet": "terciopelo", "bouclé": "bouclé", "linen": "lino", "100% linen": "100 % lino", "100% wool": "100 % lana",
    "70% wool, 30% cotton": "70 % lana, 30 % algodón", "100% cotton": "100 % algodón", "cotton percale": "percal de algodón",
    "jute": "yute", "rattan": "ratán", "steel": "acero", "brass": "latón", "marble": "mármol", "ceramic": "cerámica",
    "glass": "vidrio", "leather": "piel", "polyester": "poliéster", "memory foam": "viscoelástica", "pocket springs": "muelles ensacados",
}
STYLES = {"Scandinavian": "Nórdico", "Industrial": "Industrial", "Mid-century": "Años 50", "Mediterranean": "Mediterráneo", "Classic": "Clásico"}

# kind: (category, en noun, es noun, rooms, materials, colours, sizes, price range, en blurb, es blurb)
KINDS = [
    ("sofas", "Sofa", "Sofá", "living room", ["velvet", "bouclé", "linen", "leather"], ["Grey", "Green", "Beige", "Navy", "Terracotta", "Mustard"],
     ["2-seater", "3-seater", "Corner"], (499, 1490), "A deep, comfortable sofa with feather-free foam cushions and removable covers.",
     "Un sofá profundo y cómodo con cojines de espuma sin plumas y fundas desenfundables."),
    ("armchairs", "Armchair", "Sillón", "living room", ["velvet", "bouclé", "linen", "leather", "rattan"], ["Green", "Mustard", "Beige", "Pink", "Natural"],
     ["One size"], (189, 690), "An armchair for reading corners, with a supportive back and wide arms.",
     "Un sillón para rincones de lectura, con respaldo firme y brazos anchos."),
    ("coffee tables", "Coffee Table", "Mesa de centro", "living room", ["solid oak", "solid walnut", "marble", "glass", "rattan"], ["Oak", "Walnut", "White", "Black", "Natural"],
     ["Round 80 cm", "120x60 cm"], (149, 590), "A low coffee table for the sofa, with room for books and a tray.",
     "Una mesa baja para el sofá, con sitio para libros y una bandeja."),
    ("dining tables", "Dining Table", "Mesa de comedor", "dining room", ["solid oak", "solid walnut", "oak veneer", "pine", "marble"], ["Oak", "Walnut", "White", "Black"],
     ["4 seats", "6 seats", "8 seats"], (390, 1690), "A sturdy dining table for everyday meals and long dinners with friends.",
     "Una mesa de comedor robusta para el día a día y cenas largas con amigos."),
    ("dining chairs", "Dining Chair", "Silla de comedor", "dining room", ["solid oak", "pine", "rattan", "steel", "velvet"], ["Oak", "Black", "Natural", "Green", "Grey"],
     ["One size"], (69, 249), "A comfortable dining chair that stacks neatly against the table.",
     "Una silla de comedor cómoda que se recoge bien junto a la mesa."),
    ("beds", "Bed Frame", "Cama", "bedroom", ["solid oak", "solid walnut", "pine", "velvet", "rattan"], ["Oak", "Walnut", "White", "Grey", "Natural"],
     ["90x190", "140x190", "160x200", "180x200"], (290, 1290), "A bed frame with a slatted base; mattress sold separately.",
     "Una cama con somier de láminas; el colchón se vende aparte."),
    ("mattresses", "Mattress", "Colchón", "bedroom", ["memory foam", "pocket springs"], ["White"],
     ["90x190", "140x190", "160x200", "180x200"], (249, 990), "A mattress with medium-firm support and a breathable cover.",
     "Un colchón de firmeza media con funda transpirable."),
    ("wardrobes", "Wardrobe", "Armario", "bedroom", ["solid oak", "oak veneer", "pine"], ["Oak", "White", "Grey"],
     ["2 doors", "3 doors"], (390, 1190), "A wardrobe with hanging rail and shelves behind quiet soft-close doors.",
     "Un armario con barra y baldas tras puertas de cierre suave."),
    ("bookcases", "Bookcase", "Estantería", "living room", ["solid oak", "oak veneer", "steel", "pine"], ["Oak", "Black", "White", "Walnut"],
     ["80 cm", "120 cm"], (129, 590), "An open bookcase with adjustable shelves for books and plants.",
     "Una estantería abierta con baldas regulables para libros y plantas."),
    ("desks", "Desk", "Escritorio", "home office", ["solid oak", "oak veneer", "steel", "pine"], ["Oak", "White", "Black", "Walnut"],
     ["120x60 cm", "140x70 cm"], (149, 690), "A desk for working from home, with a drawer and cable tray.",
     "Un escritorio para teletrabajar, con cajón y bandeja para cables."),
    ("office chairs", "Office Chair", "Silla de oficina", "home office", ["polyester", "leather", "velvet"], ["Black", "Grey", "Navy", "Green"],
     ["One size"], (119, 490), "An ergonomic office chair with adjustable height and lumbar support.",
     "Una silla de oficina ergonómica con altura regulable y apoyo lumbar."),
    ("rugs", "Rug", "Alfombra", "living room", ["100% wool", "70% wool, 30% cotton", "jute", "100% cotton"], ["Beige", "Terracotta", "Navy", "Grey", "Natural", "Green"],
     ["120x170", "160x230", "200x300"], (79, 690), "A rug that warms the floor and softens the sound of a room.",
     "Una alfombra que calienta el suelo y suaviza el sonido de la habitación."),
    ("lamps", "Lamp", "Lámpara", "living room", ["brass", "ceramic", "rattan", "glass", "steel"], ["Brass", "White", "Black", "Natural", "Green"],
     ["Table", "Floor"], (49, 390), "A lamp with a warm, soft light for evenings at home.",
     "Una lámpara de luz cálida y suave para las tardes en casa."),
    ("cushions", "Cushion Cover", "Funda de cojín", "living room", ["100% linen", "velvet", "100% cotton", "100% wool"], ["Terracotta", "Mustard", "Sage", "Navy", "Cream", "Pink"],
     ["45x45 cm", "50x50 cm"], (15, 49), "A cushion cover with a hidden zip; insert sold separately.",
     "Una funda de cojín con cremallera oculta; relleno aparte."),
    ("throws", "Throw", "Manta", "living room", ["100% wool", "100% cotton", "100% linen", "70% wool, 30% cotton"], ["Cream", "Grey", "Terracotta", "Sage", "Navy"],
     ["130x170"], (39, 149), "A soft throw for the sofa or the end of the bed on cold evenings.",
     "Una manta suave para el sofá o los pies de la cama en las noches frías."),
    ("bedding", "Duvet Cover Set", "Juego de funda nórdica", "bedroom", ["cotton percale", "100% linen", "100% cotton"], ["White", "Sage", "Grey", "Terracotta", "Pink"],
     ["90", "135", "150", "180"], (49, 189), "A duvet cover set with two pillowcases, softer with every wash.",
     "Un juego de funda nórdica con dos fundas de almohada, más suave con cada lavado."),
    ("curtains", "Curtain", "Cortina", "living room", ["100% linen", "100% cotton", "velvet", "polyester"], ["White", "Cream", "Grey", "Sage", "Navy"],
     ["140x260"], (35, 129), "A curtain panel that filters daylight; blackout lining on some colours.",
     "Una cortina que filtra la luz del día; forro opaco en algunos colores."),
    ("mirrors", "Mirror", "Espejo", "hallway", ["brass", "rattan", "solid oak", "steel"], ["Brass", "Natural", "Oak", "Black"],
     ["Round 60 cm", "Full length"], (59, 349), "A wall mirror that brings light into a hallway or bedroom.",
     "Un espejo de pared que lleva luz al recibidor o al dormitorio."),
    ("vases", "Vase", "Jarrón", "living room", ["ceramic", "glass"], ["White", "Terracotta", "Green", "Blue", "Black"],
     ["Small", "Large"], (19, 89), "A vase for fresh or dried flowers, glazed by hand.",
     "Un jarrón para flores frescas o secas, esmaltado a mano."),
]
SIZE_ES = {"Corner": "Rinconera", "One size": "Talla única", "Round 80 cm": "Redonda 80 cm", "4 seats": "4 plazas", "6 seats": "6 plazas",
           "8 seats": "8 plazas", "2 doors": "2 puertas", "3 doors": "3 puertas", "Table": "De mesa", "Floor": "De pie",
           "Round 60 cm": "Redondo 60 cm", "Full length": "De cuerpo entero", "Small": "Pequeño", "Large": "Grande",
           "2-seater": "2 plazas", "3-seater": "3 plazas"}
EXTRA = {  # words some products carry: feature tags (en, es)
    "sofas": [("sofa bed", "sofá cama"), ("pet-friendly fabric", "tejido apto para mascotas")],
    "armchairs": [("swivel", "giratorio"), ("recliner", "reclinable")],
    "coffee tables": [("storage", "almacenaje")],
    "dining tables": [("extendable", "extensible")],
    "beds": [("storage", "almacenaje"), ("headboard", "cabecero")],
    "mattresses": [("firm", "firme"), ("soft", "blanda")],
    "rugs": [("washable", "lavable"), ("outdoor", "exterior")],
    "lamps": [("dimmable", "regulable")],
    "curtains": [("blackout", "opaca")],
    "desks": [("standing desk", "elevable")],
}


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in fold(text)).split())


def main() -> None:
    rng = random.Random(SEED)
    products = []
    n = 0
    for category, noun_en, noun_es, room, materials, colours, sizes, (lo, hi), blurb_en, blurb_es in KINDS:
        lines = rng.sample(LINES, 14)
        for line in lines:
            n += 1
            material = rng.choice(materials)
            style = rng.choice(list(STYLES))
            chosen = rng.sample(colours, k=min(len(colours), rng.choice([1, 1, 2])))
            base = rng.randrange(lo, hi) // 10 * 10 + 9
            mat_word = material.split(",")[0].split("% ")[-1] if "%" in material else material
            mat_word_es = MATERIALS[material].split(",")[0].split("% ")[-1].strip() if "%" in material else MATERIALS[material]
            extra = EXTRA.get(category, [])
            feature = rng.choice(extra) if extra and rng.random() < 0.4 else None
            title = f"{line} {mat_word.title() if mat_word not in ('polyester', 'memory foam', 'pocket springs') else ''} {noun_en}".replace("  ", " ")
            title_es = f"{noun_es} {line} de {mat_word_es}" if mat_word not in ("polyester",) else f"{noun_es} {line}"
            if feature:
                title = f"{line} {feature[0].title()}" if noun_en.lower() in feature[0] else f"{line} {feature[0].title()} {noun_en}"
                title_es = f"{noun_es} {feature[1]} {line}"
            desc = f"{blurb_en} Made of {material}, in a {style.lower()} style for the {room}."
            desc_es = f"{blurb_es} De {MATERIALS[material]}, de estilo {STYLES[style].lower()}."
            if feature:
                desc += f" Feature: {feature[0]}."
                desc_es += f" Detalle: {feature[1]}."
            tags = [room, style.lower(), mat_word] + ([feature[0]] if feature else [])
            variants = []
            for c in chosen:
                for i, s in enumerate(sizes):
                    price = base + i * max(10, (hi - lo) // 6) // 10 * 10
                    variants.append({
                        "sku": f"CN-{category[:3].upper()}-{n:04d}-{slug(c)[:3].upper()}-{slug(s)[:6].upper()}",
                        "title": f"{c} / {s}", "options": {"color": c, "size": s}, "price": f"{price}.00",
                        "compare_at_price": None, "stock": rng.choice([0, 2, 5, 8, 12, 20]),
                    })
            products.append({
                "id": f"h{n:04d}", "handle": slug(title), "title": title, "description": desc, "category": category,
                "vendor": "Casa Nord", "tags": tags,
                "attributes": {"color": ", ".join(chosen), "size_range": ", ".join(sizes), "material": material, "style": style, "room": room},
                "reviews": [],
                "translations": {"es": {"title": title_es, "description": desc_es, "attributes": {
                    "color": ", ".join(COLOURS[c] for c in chosen), "material": MATERIALS[material], "style": STYLES[style],
                    "size_range": ", ".join(SIZE_ES.get(s, s) for s in sizes)}}},
                "url": f"{BASE_URL}/products/{slug(title)}", "image": f"{BASE_URL}/images/{slug(title)}.jpg",
                "updated_at": "2026-10-01T09:00:00Z", "variants": variants,
            })
    OUT.write_text(json.dumps({"store": STORE, "products": products}, ensure_ascii=False, indent=1) + "\n")
    print(f"{OUT.name}: {len(products)} products")


if __name__ == "__main__":
    main()
