#!/usr/bin/env python3
"""Generate the Lumen & Thread demo catalog (catalog.json, next to this file).

Lumen & Thread is a fictional Barcelona fashion shop that chatgw ships as its
demo store. Products are assembled from hand-written English and Spanish
phrase banks (per product kind, material, fit and occasion), plus a few
hand-written "hero" products that the demo conversations and the retrieval
regression set (retrieval-queries.json) rely on.

The script uses only the standard library and a fixed random seed, so the
output is byte-for-byte reproducible. Run it from the repository root:

    python3 examples/demo-store/generate.py

then check the retrieval set still fits the data:

    python3 examples/demo-store/check_queries.py
"""

from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

SEED = 20261001
BASE_URL = "https://demo.lumenthread.example"
OUT = Path(__file__).resolve().parent / "catalog.json"

STORE = {
    "id": "demo",
    "name": "Lumen & Thread",
    "currency": "EUR",
    "languages": ["en", "es"],
    "base_url": BASE_URL,
}

# --------------------------------------------------------------------------
# Colours: English name -> (Spanish name, SKU code, EN phrase, ES phrase).
# The phrases are used inside sentences ("comes in white" / "llega en blanco").
# --------------------------------------------------------------------------

COLOURS: dict[str, tuple[str, str, str, str]] = {}


def _colour(en: str, es: str, code: str, en_phrase: str | None = None, es_phrase: str | None = None) -> None:
    COLOURS[en] = (es, code, en_phrase or f"in {en.lower()}", es_phrase or f"en {es.lower()}")


for _args in [
    ("White", "Blanco", "WHT"), ("Off-White", "Crudo", "OFW"), ("Ivory", "Marfil", "IVO"),
    ("Black", "Negro", "BLK"), ("Navy", "Azul marino", "NAV"), ("Sky Blue", "Azul cielo", "SKY"),
    ("Light Blue", "Azul claro", "LBL"), ("Cobalt", "Azul cobalto", "COB"), ("Sand", "Arena", "SND"),
    ("Beige", "Beis", "BEI"), ("Stone", "Piedra", "STN"), ("Camel", "Camel", "CAM"),
    ("Khaki", "Caqui", "KHA"), ("Olive", "Verde oliva", "OLV"), ("Sage", "Verde salvia", "SAG"),
    ("Forest Green", "Verde bosque", "FOR"), ("Emerald", "Verde esmeralda", "EMR"),
    ("Terracotta", "Terracota", "TER"), ("Rust", "Teja", "RST"), ("Burgundy", "Burdeos", "BUR"),
    ("Red", "Rojo", "RED"), ("Coral", "Coral", "COR"), ("Pink", "Rosa", "PNK"),
    ("Dusty Rose", "Rosa palo", "ROS"), ("Lilac", "Lila", "LIL"), ("Mustard", "Mostaza", "MUS"),
    ("Yellow", "Amarillo", "YEL"), ("Grey", "Gris", "GRY"), ("Charcoal", "Gris marengo", "CHR"),
    ("Heather Grey", "Gris jaspeado", "HGR"), ("Brown", "Marrón", "BRN"),
    ("Chocolate", "Chocolate", "CHO"), ("Tan", "Cuero", "TAN"), ("Cognac", "Coñac", "COG"),
    ("Indigo", "Índigo", "IND"), ("Mid Blue", "Azul medio", "MBL"), ("Champagne", "Champán", "CHA"),
    ("Gold", "Dorado", "GLD"), ("Silver", "Plateado", "SIL"), ("Natural", "Natural", "NAT"),
]:
    _colour(*_args)

_colour("Light Wash", "Lavado claro", "LWS", "in a light wash", "en lavado claro")
_colour("Tortoiseshell", "Carey", "TOR", "in tortoiseshell", "en carey")
_colour("Blue Stripe", "Rayas azules", "BST", "in blue stripes", "de rayas azules")
_colour("Navy Stripe", "Rayas marineras", "NST", "in navy Breton stripes", "de rayas marineras azules")
_colour("Red Stripe", "Rayas rojas", "RSP", "in red stripes", "de rayas rojas")
_colour("Red Check", "Cuadros rojos", "RCH", "in red check", "de cuadros rojos")
_colour("Green Check", "Cuadros verdes", "GCH", "in green check", "de cuadros verdes")
_colour("Floral", "Estampado floral", "FLO", "in a floral print", "con estampado floral")
_colour("Polka Dot", "Lunares", "DOT", "in polka dots", "de lunares")

# --------------------------------------------------------------------------
# Grammar helpers. Templates may contain "[singular|plural]" (picked by the
# grammatical number of the product noun in that language) and {slots}:
#   EN: {name} {it} (object) {they} (subject) {It} {its} {this} {This} {col} {colp}
#   ES: {name} {el} {El} {este} {Este} {o} {lo} {un} {col} {colp}
# ({o} is the adjective ending o/a/os/as; never write "de {el}" or "a {el}").
# --------------------------------------------------------------------------

ES_FORMS = {
    "m": dict(el="el", El="El", este="este", Este="Este", o="o", lo="lo", un="un"),
    "f": dict(el="la", El="La", este="esta", Este="Esta", o="a", lo="la", un="una"),
    "mp": dict(el="los", El="Los", este="estos", Este="Estos", o="os", lo="los", un="unos"),
    "fp": dict(el="las", El="Las", este="estas", Este="Estas", o="as", lo="las", un="unas"),
}
EN_FORMS = {
    False: dict(it="it", they="it", It="It", its="its", this="this", This="This"),
    True: dict(it="them", they="they", It="They", its="their", this="these", This="These"),
}
_CHOICE = re.compile(r"\[([^\[\]|]*)\|([^\[\]|]*)\]")


def render(template: str, plural: bool, slots: dict[str, str]) -> str:
    text = _CHOICE.sub(lambda m: m.group(2) if plural else m.group(1), template)
    return text.format(**slots)


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------
# Materials: key -> (EN label, ES label, tags, [(EN sentence, ES sentence)]).
# Sentences talk about the fabric, so they fit any product made of it.
# --------------------------------------------------------------------------

MATERIALS: dict[str, tuple[str, str, list[str], list[tuple[str, str]]]] = {
    "linen": ("100% linen", "100 % lino", ["linen"], [
        ("Pure European flax linen breathes beautifully and softens a little more with every wash.",
         "El lino europeo puro transpira de maravilla y se vuelve algo más suave con cada lavado."),
        ("Linen creases a little, and that lived-in look is half the charm on a hot afternoon.",
         "El lino se arruga un poco, y ese aire natural es parte de su encanto en una tarde de calor."),
        ("The open linen weave lets the air through when the thermometer climbs past thirty degrees.",
         "La trama abierta del lino deja pasar el aire cuando el termómetro supera los treinta grados."),
    ]),
    "linen_cotton": ("55% linen, 45% cotton", "55 % lino, 45 % algodón", ["linen", "cotton"], [
        ("A linen and cotton blend gives the cool feel of linen with fewer wrinkles.",
         "La mezcla de lino y algodón aporta el frescor del lino con muchas menos arrugas."),
        ("Blending cotton into the linen makes the fabric softer against the skin and easier to iron.",
         "Al mezclar algodón con el lino, el tejido resulta más suave sobre la piel y más fácil de planchar."),
    ]),
    "cotton": ("100% cotton", "100 % algodón", ["cotton"], [
        ("Soft, breathable cotton that feels good from the first wear to the hundredth.",
         "Algodón suave y transpirable que sienta bien desde el primer uso hasta el número cien."),
        ("The long-staple cotton resists pilling and keeps its colour wash after wash.",
         "El algodón de fibra larga no forma bolitas y conserva el color lavado tras lavado."),
    ]),
    "heavy_cotton": ("100% cotton, 240 g/m²", "100 % algodón, 240 g/m²", ["cotton"], [
        ("The dense 240-gram jersey holds its shape and will not turn see-through.",
         "El punto denso de 240 gramos mantiene la forma y no transparenta."),
        ("Heavy cotton jersey like this softens over the years instead of thinning out.",
         "Un punto de algodón grueso como este se suaviza con los años en lugar de desgastarse."),
    ]),
    "organic_cotton": ("100% organic cotton", "100 % algodón orgánico", ["organic cotton", "cotton"], [
        ("GOTS-certified organic cotton, grown without synthetic pesticides and knitted in Portugal.",
         "Algodón orgánico con certificado GOTS, cultivado sin pesticidas sintéticos y tejido en Portugal."),
        ("Organic cotton jersey with a smooth, cool hand that gets better with every wash.",
         "Punto de algodón orgánico de tacto liso y fresco que mejora con cada lavado."),
    ]),
    "cotton_oxford": ("100% cotton oxford", "100 % algodón oxford", ["cotton", "oxford"], [
        ("Oxford cloth has a subtle basketweave texture and is tough enough for daily wear.",
         "El tejido oxford tiene una textura sutil de cesta y aguanta el uso diario sin problema."),
        ("The oxford cotton is garment-washed, so it feels broken in from day one.",
         "El algodón oxford está lavado en prenda, así que se siente suave desde el primer día."),
    ]),
    "cotton_flannel": ("100% brushed cotton flannel", "Franela 100 % algodón perchado", ["flannel", "cotton"], [
        ("The cotton flannel is brushed on both sides for extra warmth and softness.",
         "La franela de algodón está perchada por ambas caras para que abrigue más y sea más suave."),
        ("Midweight flannel that traps warmth without feeling bulky under a jacket.",
         "Franela de grosor medio que retiene el calor sin abultar bajo una chaqueta."),
    ]),
    "cotton_poplin": ("100% cotton poplin", "Popelín 100 % algodón", ["cotton", "poplin"], [
        ("Crisp cotton poplin with a smooth, cool finish and a gentle sheen.",
         "Popelín de algodón firme, de acabado liso y fresco y con un ligero brillo."),
        ("The tightly woven poplin irons beautifully and stays sharp all day.",
         "El popelín de trama cerrada se plancha de maravilla y se mantiene impecable todo el día."),
    ]),
    "cotton_pique": ("100% cotton piqué", "Piqué 100 % algodón", ["cotton", "pique"], [
        ("The textured cotton piqué lets air circulate, so it stays comfortable on warm days.",
         "El piqué de algodón con textura deja circular el aire y resulta cómodo en los días de calor."),
        ("Piqué cotton is tough, breathable and keeps its colour after countless washes.",
         "El piqué de algodón es resistente, transpirable y conserva el color tras muchísimos lavados."),
    ]),
    "cotton_knit": ("100% cotton knit", "Punto 100 % algodón", ["cotton", "knit"], [
        ("A fine cotton knit that is light enough for spring evenings and cool summer nights.",
         "Un punto fino de algodón, tan ligero que sirve para tardes de primavera y noches frescas de verano."),
        ("The cotton yarn is mercerised for a soft lustre and a cool touch.",
         "El hilo de algodón está mercerizado para lograr un brillo suave y un tacto fresco."),
    ]),
    "corduroy": ("100% cotton corduroy", "Pana 100 % algodón", ["corduroy", "cotton"], [
        ("Fine-wale corduroy has a velvety hand and gets a lovely patina as it ages.",
         "La pana fina tiene un tacto aterciopelado y gana una pátina preciosa con el tiempo."),
        ("The soft cotton cord is washed for a relaxed, slightly faded look.",
         "La pana de algodón está lavada para darle un aire relajado y ligeramente desgastado."),
    ]),
    "denim": ("98% cotton, 2% elastane denim", "Tejido vaquero 98 % algodón, 2 % elastano", ["denim", "stretch"], [
        ("A little elastane in the denim gives comfortable stretch that recovers instead of bagging out.",
         "Un poco de elastano en el tejido vaquero aporta una elasticidad cómoda que recupera la forma en lugar de dar de sí."),
        ("The stretch denim is woven in Spain from responsibly grown cotton.",
         "El tejido vaquero elástico se teje en España con algodón cultivado de forma responsable."),
    ]),
    "rigid_denim": ("100% cotton denim", "Tejido vaquero 100 % algodón", ["denim"], [
        ("Rigid cotton denim starts firm and moulds to you over the first few weeks of wear.",
         "El tejido vaquero rígido de algodón empieza firme y se amolda a ti en las primeras semanas de uso."),
        ("Non-stretch denim fades honestly, so it ages with real character.",
         "El tejido vaquero sin elastano se desgasta de forma natural y envejece con mucho carácter."),
    ]),
    "silk": ("100% silk", "100 % seda", ["silk"], [
        ("Washed mulberry silk with a soft, matte lustre and a fluid drape.",
         "Seda de morera lavada, con un brillo mate y suave y una caída fluida."),
        ("Silk regulates temperature naturally, cool in summer and pleasantly warm in winter.",
         "La seda regula la temperatura de forma natural: fresca en verano y agradable en invierno."),
    ]),
    "viscose": ("100% viscose", "100 % viscosa", ["viscose"], [
        ("Fluid viscose drapes softly and feels cool against the skin.",
         "La viscosa fluida cae con suavidad y resulta fresca sobre la piel."),
        ("The viscose comes from FSC-certified wood pulp and has a gentle, liquid movement.",
         "La viscosa procede de pulpa de madera con certificado FSC y tiene un movimiento suave y fluido."),
    ]),
    "tencel": ("100% lyocell (Tencel)", "100 % lyocell (Tencel)", ["tencel"], [
        ("Tencel lyocell is silky, breathable and made in a closed-loop process.",
         "El lyocell Tencel es sedoso, transpirable y se fabrica en un proceso de circuito cerrado."),
        ("Lyocell feels like a cross between silk and cotton and wrinkles far less than either.",
         "El lyocell tiene un tacto entre la seda y el algodón y se arruga mucho menos que ambos."),
    ]),
    "satin": ("100% recycled polyester satin", "Satén 100 % poliéster reciclado", ["satin"], [
        ("The satin has a liquid sheen that catches the light as you move.",
         "El satén tiene un brillo líquido que atrapa la luz con cada movimiento."),
        ("A heavy satin made from recycled polyester that resists creases.",
         "Un satén con cuerpo, hecho de poliéster reciclado, que resiste las arrugas."),
    ]),
    "crepe": ("95% polyester, 5% elastane crepe", "Crepé 95 % poliéster, 5 % elastano", ["crepe"], [
        ("Crepe with a hint of stretch drapes beautifully and travels without creasing.",
         "El crepé con un toque elástico tiene una caída preciosa y viaja sin arrugarse."),
        ("The matte crepe has a fine grain and a weighty, elegant fall.",
         "El crepé mate tiene un grano fino y una caída pesada y elegante."),
    ]),
    "wool": ("100% wool", "100 % lana", ["wool"], [
        ("Pure wool is naturally warm, breathable and resistant to odours.",
         "La lana pura abriga de forma natural, transpira y no retiene olores."),
        ("The wool is woven in Biella, Italy, with a dense, smooth face.",
         "La lana se teje en Biella, Italia, con una cara densa y lisa."),
    ]),
    "wool_blend": ("70% wool, 30% polyamide", "70 % lana, 30 % poliamida", ["wool"], [
        ("A wool blend with a touch of polyamide for extra strength and shape retention.",
         "Una mezcla de lana con un toque de poliamida que aporta resistencia y mantiene la forma."),
        ("Mostly wool for warmth, with polyamide added so it stands up to daily wear.",
         "Lleva sobre todo lana para abrigar, con poliamida para que aguante el uso diario."),
    ]),
    "wool_suit": ("100% wool (Super 110s)", "100 % lana (Super 110s)", ["wool"], [
        ("Super 110s worsted wool is fine enough to look sharp and tough enough to travel.",
         "La lana peinada Super 110s es lo bastante fina para lucir impecable y lo bastante resistente para viajar."),
        ("The Italian wool cloth breathes well and shakes off creases overnight.",
         "El paño de lana italiano transpira bien y pierde las arrugas de un día para otro."),
    ]),
    "merino": ("100% extra-fine merino wool", "100 % lana merino extrafina", ["merino", "wool"], [
        ("Extra-fine merino is warm without bulk, soft on the skin and naturally odour-resistant.",
         "La merino extrafina abriga sin abultar, es suave sobre la piel y no retiene olores."),
        ("Merino wool regulates temperature, so it works from a chilly platform to a heated office.",
         "La lana merino regula la temperatura, así que sirve igual en un andén helado que en una oficina con calefacción."),
    ]),
    "lambswool": ("100% lambswool", "100 % lana de cordero", ["wool"], [
        ("Lambswool is soft, springy and wonderfully warm on cold days.",
         "La lana de cordero es suave, esponjosa y abriga de maravilla en los días fríos."),
        ("The Scottish lambswool is spun for a slightly fuzzy, cosy texture.",
         "La lana de cordero escocesa está hilada para lograr una textura algo mullida y muy acogedora."),
    ]),
    "cashmere": ("100% cashmere", "100 % cachemira", ["cashmere"], [
        ("Grade A Mongolian cashmere, astonishingly soft and several times warmer than wool.",
         "Cachemira mongola de grado A, increíblemente suave y varias veces más cálida que la lana."),
        ("Cashmere gets softer with every gentle hand wash.",
         "La cachemira se vuelve más suave con cada lavado delicado a mano."),
    ]),
    "lambskin": ("100% lambskin leather", "100 % piel de cordero", ["leather"], [
        ("Buttery lambskin that is supple from the start and moulds to you over time.",
         "Piel de cordero muy suave, flexible desde el principio, que se adapta a ti con el tiempo."),
        ("The lambskin is chrome-free tanned in Igualada, just outside Barcelona.",
         "La piel de cordero está curtida sin cromo en Igualada, muy cerca de Barcelona."),
    ]),
    "leather_shoe": ("Full-grain leather upper, leather lining", "Exterior de piel plena flor, forro de piel", ["leather"], [
        ("Full-grain leather uppers with a leather lining that lets your feet breathe.",
         "Exterior de piel plena flor con forro de piel que deja respirar el pie."),
        ("The leather is made in Spain and develops a rich patina with polish and care.",
         "La piel se fabrica en España y adquiere una pátina preciosa con betún y cuidado."),
    ]),
    "suede": ("Suede upper, leather lining", "Exterior de ante, forro de piel", ["suede", "leather"], [
        ("Soft suede with a fine nap, treated to resist water and stains.",
         "Ante suave de pelo fino, tratado para resistir el agua y las manchas."),
        ("The suede is brushed by hand in a small workshop in Elche.",
         "El ante se cepilla a mano en un pequeño taller de Elche."),
    ]),
    "wp_leather": ("Waterproof full-grain leather, breathable membrane",
                   "Piel plena flor impermeable, membrana transpirable", ["leather", "waterproof"], [
        ("Waterproof leather uppers over a breathable membrane keep puddles out and let sweat escape.",
         "La piel impermeable sobre una membrana transpirable impide que entre el agua de los charcos y deja salir el sudor."),
        ("Sealed seams and a gusseted tongue stop water from sneaking in.",
         "Las costuras selladas y la lengüeta de fuelle impiden que se cuele el agua."),
    ]),
    "leather_goods": ("Vegetable-tanned leather", "Piel de curtido vegetal", ["leather"], [
        ("Vegetable-tanned leather that darkens and softens beautifully with use.",
         "Piel de curtido vegetal que se oscurece y se suaviza de forma preciosa con el uso."),
        ("The leather is cut and stitched in Ubrique, a town famous for its leatherwork.",
         "La piel se corta y se cose en Ubrique, un pueblo famoso por su marroquinería."),
    ]),
    "cotton_twill": ("98% cotton, 2% elastane twill", "Sarga 98 % algodón, 2 % elastano", ["cotton"], [
        ("Garment-dyed cotton twill with just enough stretch to stay comfortable all day.",
         "Sarga de algodón teñida en prenda, con la elasticidad justa para resultar cómoda todo el día."),
        ("The twill is brushed for a soft, slightly matte finish.",
         "La sarga está perchada para darle un acabado suave y ligeramente mate."),
    ]),
    "gabardine": ("100% cotton gabardine, water-repellent", "Gabardina 100 % algodón, repelente al agua",
                  ["cotton", "water-repellent"], [
        ("Tightly woven cotton gabardine with a water-repellent finish that shrugs off spring showers.",
         "Gabardina de algodón de trama cerrada con acabado repelente al agua que aguanta los chubascos de primavera."),
        ("The gabardine is dense enough to block the wind but still breathes.",
         "La gabardina es tan densa que frena el viento, pero sigue transpirando."),
    ]),
    "fleece": ("80% cotton, 20% recycled polyester fleece", "Felpa 80 % algodón, 20 % poliéster reciclado",
               ["cotton", "fleece"], [
        ("Brushed-back fleece that is soft inside and smooth outside.",
         "Felpa perchada por dentro, suave al tacto, y lisa por fuera."),
        ("The heavyweight fleece keeps its shape and won't pill after washing.",
         "La felpa gruesa mantiene la forma y no hace bolitas con los lavados."),
    ]),
    "organic_fleece": ("100% organic cotton loopback", "Felpa de rizo 100 % algodón orgánico",
                       ["organic cotton", "cotton"], [
        ("Organic cotton loopback that breathes better than brushed fleece.",
         "Felpa de rizo de algodón orgánico que transpira mejor que la felpa perchada."),
        ("The loopback cotton is soft and light, ideal for layering.",
         "La felpa de rizo de algodón es suave y ligera, ideal para llevar por capas."),
    ]),
    "down": ("Recycled nylon shell, 90/10 recycled down fill", "Exterior de nailon reciclado, relleno de plumón reciclado 90/10",
             ["down", "insulated"], [
        ("Recycled down fill traps heat in a featherweight package.",
         "El relleno de plumón reciclado retiene el calor con un peso mínimo."),
        ("The ripstop nylon shell is windproof and treated to shed light snow.",
         "El exterior de nailon antidesgarro corta el viento y está tratado para repeler la nieve ligera."),
    ]),
    "synthetic_fill": ("Recycled polyester shell and insulation", "Exterior y relleno de poliéster reciclado",
                       ["insulated", "vegan"], [
        ("Synthetic insulation stays warm even when damp, and it is completely animal-free.",
         "El relleno sintético sigue abrigando aunque se humedezca y no lleva ningún material animal."),
        ("The recycled insulation is machine-washable and dries quickly.",
         "El relleno reciclado se puede lavar a máquina y se seca rápido."),
    ]),
    "nylon_shell": ("100% recycled nylon, lightly padded", "100 % nailon reciclado, ligeramente acolchado",
                    ["nylon"], [
        ("The recycled nylon shell is light and wind-resistant, with a soft satin finish.",
         "El exterior de nailon reciclado es ligero, corta el viento y tiene un acabado satinado suave."),
        ("A thin layer of padding adds warmth without bulk.",
         "Una fina capa de guata añade calor sin abultar."),
    ]),
    "rain_shell": ("Recycled polyester, waterproof breathable membrane (10,000 mm)",
                   "Poliéster reciclado, membrana impermeable y transpirable (10.000 mm)", ["waterproof"], [
        ("A 10,000 mm waterproof membrane with fully taped seams keeps real rain out.",
         "Una membrana impermeable de 10.000 mm con todas las costuras termoselladas frena la lluvia de verdad."),
        ("The shell is PFC-free and breathable, so you don't overheat when you walk fast.",
         "El tejido exterior no lleva PFC y es transpirable, así que no pasas calor aunque camines deprisa."),
    ]),
    "tech_stretch": ("78% recycled polyamide, 22% elastane", "78 % poliamida reciclada, 22 % elastano",
                     ["stretch", "quick-dry"], [
        ("Sculpting, sweat-wicking fabric made from recycled polyamide.",
         "Tejido moldeador que expulsa el sudor, fabricado con poliamida reciclada."),
        ("Four-way stretch moves with you and dries in minutes.",
         "La elasticidad en cuatro direcciones acompaña cada movimiento y se seca en minutos."),
    ]),
    "tech_mesh": ("100% recycled polyester mesh", "Malla 100 % poliéster reciclado", ["quick-dry"], [
        ("Featherlight mesh wicks sweat away and dries almost instantly.",
         "La malla ultraligera expulsa el sudor y se seca casi al instante."),
        ("Open-knit ventilation panels sit where you heat up most.",
         "Los paneles de ventilación de punto abierto están justo donde más calor se acumula."),
    ]),
    "swim_poly": ("100% recycled polyester (from plastic bottles)", "100 % poliéster reciclado (de botellas de plástico)",
                  ["recycled", "quick-dry"], [
        ("Made from recycled plastic bottles, the fabric dries fast and resists salt and sun.",
         "Fabricado con botellas de plástico recicladas, el tejido se seca rápido y resiste la sal y el sol."),
        ("The lightweight shell fabric has a soft peached touch.",
         "El tejido ligero tiene un tacto suave de melocotón."),
    ]),
    "swim_lycra": ("80% recycled polyamide, 20% elastane", "80 % poliamida reciclada, 20 % elastano",
                   ["recycled", "chlorine-resistant"], [
        ("Chlorine-resistant recycled polyamide keeps its colour and shape all summer.",
         "La poliamida reciclada resistente al cloro mantiene el color y la forma todo el verano."),
        ("The fabric is made from regenerated fishing nets and offers UPF 50 sun protection.",
         "El tejido se fabrica con redes de pesca regeneradas y ofrece protección solar UPF 50."),
    ]),
    "canvas": ("Cotton canvas upper, rubber sole", "Exterior de lona de algodón, suela de goma", ["canvas"], [
        ("Sturdy cotton canvas on a vulcanised rubber sole, made in Alicante.",
         "Lona de algodón resistente sobre suela de goma vulcanizada, fabricadas en Alicante."),
        ("The canvas is washable and softens nicely with wear.",
         "La lona se puede lavar y se suaviza muy bien con el uso."),
    ]),
    "mesh_shoe": ("Engineered mesh upper, EVA midsole, rubber outsole", "Exterior de malla técnica, mediasuela de EVA, suela de goma",
                  ["running"], [
        ("A breathable engineered mesh upper on a cushioned EVA midsole.",
         "Exterior de malla técnica transpirable sobre una mediasuela de EVA amortiguada."),
        ("The rubber outsole grips well on wet pavements and park paths.",
         "La suela de goma agarra bien en aceras mojadas y caminos de tierra."),
    ]),
    "jute": ("Cotton canvas upper, jute and rubber sole", "Exterior de lona de algodón, suela de yute y goma", ["jute", "canvas"], [
        ("Hand-stitched jute soles made in La Rioja, with a thin rubber layer for grip.",
         "Suelas de yute cosidas a mano en La Rioja, con una fina capa de goma para que agarren."),
        ("Breathable cotton canvas that moulds to your foot within a few wears.",
         "La lona de algodón transpira y se adapta a tu pie en pocos usos."),
    ]),
    "waxed_canvas": ("Waxed cotton canvas with leather trims", "Lona de algodón encerada con detalles de piel", ["canvas"], [
        ("Waxed cotton canvas shrugs off drizzle and takes on character with every scuff.",
         "La lona de algodón encerada repele la llovizna y gana carácter con cada roce."),
        ("Leather trims and solid brass hardware are built to last for years.",
         "Los detalles de piel y los herrajes de latón macizo están hechos para durar años."),
    ]),
    "nylon_bag": ("Recycled nylon with leather trims", "Nailon reciclado con detalles de piel", ["nylon"], [
        ("Recycled nylon that is feather-light and wipes clean in seconds.",
         "Nailon reciclado ligerísimo que se limpia en un momento."),
        ("Water-resistant recycled nylon with soft leather trims.",
         "Nailon reciclado resistente al agua, con suaves detalles de piel."),
    ]),
    "straw": ("Natural palm straw", "Paja de palma natural", ["straw"], [
        ("Woven by hand from natural palm straw, so no two pieces are exactly alike.",
         "Tejido a mano con paja de palma natural, así que no hay dos piezas exactamente iguales."),
        ("The natural straw is light, airy and surprisingly sturdy.",
         "La paja natural es ligera, aireada y sorprendentemente resistente."),
    ]),
    "acetate": ("Acetate frame, UV400 lenses", "Montura de acetato, lentes UV400", ["acetate", "uv400"], [
        ("Hand-polished Italian acetate frames with UV400 lenses.",
         "Monturas de acetato italiano pulidas a mano, con lentes UV400."),
        ("Five-barrel hinges and full UV400 protection for the brightest days.",
         "Bisagras de cinco cilindros y protección UV400 completa para los días de más sol."),
    ]),
    "metal_frame": ("Metal frame, polarised lenses", "Montura metálica, lentes polarizadas", ["polarised"], [
        ("Lightweight metal frames with polarised lenses that cut glare off water and roads.",
         "Monturas metálicas ligeras con lentes polarizadas que eliminan los reflejos del agua y del asfalto."),
        ("Adjustable nose pads and polarised lenses for long days outdoors.",
         "Plaquetas ajustables y lentes polarizadas para pasar largos días al aire libre."),
    ]),
    "cotton_socks": ("80% combed cotton, 18% polyamide, 2% elastane", "80 % algodón peinado, 18 % poliamida, 2 % elastano",
                     ["cotton"], [
        ("Combed cotton with reinforced heels and toes, knitted in Mataró.",
         "Algodón peinado con talón y puntera reforzados, tejidos en Mataró."),
        ("Hand-linked toe seams you will never feel inside your shoes.",
         "Costuras de la puntera remalladas a mano que ni notarás dentro del zapato."),
    ]),
    "merino_socks": ("60% merino wool, 38% polyamide, 2% elastane", "60 % lana merino, 38 % poliamida, 2 % elastano",
                     ["merino", "wool"], [
        ("Merino wool keeps feet warm, dry and fresh over long days on the trail.",
         "La lana merino mantiene los pies calientes, secos y frescos en largas jornadas de ruta."),
        ("Cushioned merino soles with a reinforced heel and toe.",
         "Planta acolchada de merino con talón y puntera reforzados."),
    ]),
}

# --------------------------------------------------------------------------
# Fits: key -> (EN label, ES label, [(EN sentence, ES sentence)]).
# --------------------------------------------------------------------------

FITS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "relaxed": ("Relaxed fit", "Corte holgado", [
        ("The relaxed fit leaves room to move without looking oversized.",
         "El corte holgado da libertad de movimiento sin parecer demasiado grande."),
        ("Cut with a relaxed fit; size down if you prefer a neater look.",
         "Tiene un corte holgado: si {lo} prefieres más ajustad{o}, pide una talla menos."),
    ]),
    "regular": ("Regular fit", "Corte regular", [
        ("A regular fit that is neither tight nor boxy, so take your usual size.",
         "Corte regular, ni ceñido ni cuadrado: pide tu talla habitual."),
        ("True to size, with a classic regular fit.",
         "La talla es la habitual, con un corte regular de toda la vida."),
    ]),
    "slim": ("Slim fit", "Corte entallado", [
        ("The slim fit follows the body closely; if you are between sizes, go up.",
         "El corte entallado sigue la línea del cuerpo; si estás entre dos tallas, elige la mayor."),
        ("A slim, modern fit that stays neat without feeling restrictive.",
         "Un corte entallado y actual que queda pulido sin llegar a apretar."),
    ]),
    "oversized": ("Oversized fit", "Corte amplio", [
        ("Deliberately oversized with dropped shoulders; size down for a closer fit.",
         "Ampli{o} a propósito y con hombros caídos: pide una talla menos si {lo} quieres más ceñid{o}."),
        ("The roomy, oversized shape is meant to hang loose.",
         "Su forma amplia está pensada para caer suelta sobre el cuerpo."),
    ]),
    "tailored": ("Tailored fit", "Corte sastre", [
        ("Tailored through the body for a sharp, clean silhouette.",
         "El corte sastre dibuja una silueta limpia y definida."),
        ("A tailored fit with room in the shoulders, so it still feels easy.",
         "Corte sastre con holgura en los hombros para que result[e|en] cómod{o} igualmente."),
    ]),
    "straight": ("Straight leg", "Pernera recta", [
        ("A straight leg that sits cleanly over boots and sneakers alike.",
         "Pernera recta que cae limpia tanto sobre botas como sobre zapatillas."),
        ("The straight leg falls from hip to hem without flaring or tapering.",
         "La pernera recta cae de la cadera al bajo sin abrirse ni estrecharse."),
    ]),
    "wide": ("Wide leg", "Pernera ancha", [
        ("The wide leg moves beautifully and lengthens the silhouette.",
         "La pernera ancha tiene mucho movimiento y estiliza la figura."),
        ("A high waist and wide leg for a long, fluid line.",
         "Tiro alto y pernera ancha para una línea larga y fluida."),
    ]),
    "aline": ("A-line", "Corte evasé", [
        ("An A-line shape that nips in at the waist and flares gently.",
         "Silueta evasé que se ciñe a la cintura y se abre con suavidad."),
        ("The A-line cut flatters without clinging anywhere.",
         "El corte evasé favorece sin marcar en ninguna parte."),
    ]),
    "wrap": ("Wrap silhouette", "Silueta cruzada", [
        ("The wrap shape adjusts to your waist and flatters every figure.",
         "El cruce se ajusta a tu cintura y favorece a todas las figuras."),
    ]),
    "bias": ("Bias cut", "Corte al bies", [
        ("Cut on the bias, so the fabric skims the body rather than clinging to it.",
         "Al estar cortad{o} al bies, el tejido se desliza sobre el cuerpo sin marcar."),
    ]),
    "fitted": ("Fitted", "Ajustado", [
        ("A close, supportive fit that stays put while you move.",
         "Un ajuste ceñido y firme que no se mueve mientras te mueves."),
        ("Fitted without squeezing; take your usual size.",
         "Ceñid{o} pero sin apretar: pide tu talla habitual."),
    ]),
    "shoe_true": ("True to size", "Horma normal", [
        ("Fits true to size, so order your usual number.",
         "Horma normal: pide tu número de siempre."),
    ]),
    "shoe_small": ("Runs small", "Horma pequeña", [
        ("Runs slightly small; we recommend going one size up.",
         "La horma es algo pequeña; te recomendamos pedir un número más."),
    ]),
    "shoe_wide": ("Roomy toe box", "Puntera amplia", [
        ("A roomy toe box keeps the fit comfortable from morning to night.",
         "La puntera amplia hace que resulten cómod{o} de la mañana a la noche."),
    ]),
    "adjustable": ("Adjustable", "Ajustable", []),
    "one_size": ("One size", "Talla única", []),
}

# --------------------------------------------------------------------------
# Occasions and seasons: key -> (tags, [(EN sentence, ES sentence[, classes])]).
# A sentence with a third element only suits those product classes
# (garment, shoe, bag, acc); see product_class().
# --------------------------------------------------------------------------

GARMENTS = {"garment"}
NOT_BAGS = {"garment", "shoe", "acc"}

OCCASIONS: dict[str, tuple[list[str], list[tuple[str, str]]]] = {
    "beach": (["beach", "summer"], [
        ("Made for beach towns, sandy feet and slow lunches under a parasol.",
         "Un básico para pueblos de playa, pies con arena y comidas tranquilas bajo la sombrilla."),
        ("Throw {it} in your beach bag for the walk back from the sea.",
         "Méte{lo} en la bolsa de playa para la vuelta del mar.", NOT_BAGS),
        ("Just right for the walk from the apartment down to the cove and back.",
         "Perfect{o} para bajar del apartamento a la cala y volver."),
    ]),
    "holiday": (["holiday", "travel"], [
        ("A holiday favourite that packs small and comes out of the suitcase looking fine.",
         "Un favorito de vacaciones que ocupa poco en la maleta y sale de ella con buen aspecto."),
        ("Pack {it} for Menorca, Mallorca or wherever the summer takes you.",
         "Méte{lo} en la maleta para Menorca, Mallorca o donde te lleve el verano."),
        ("Made for island holidays, ferry rides and whitewashed villages.",
         "Para vacaciones en las islas, trayectos en ferri y pueblos encalados."),
    ]),
    "summer_evening": (["summer", "evening"], [
        ("Just right for summer evenings on a terrace, when the heat finally breaks.",
         "Justo lo que pide una noche de verano en la terraza, cuando por fin afloja el calor."),
        ("Wear {it} to rooftop dinners and late walks by the sea.",
         "Lléva{lo} a cenas en azoteas y a paseos nocturnos junto al mar."),
        ("For long summer nights that start with a vermouth and end with a walk on the beach.",
         "Para las noches largas de verano que empiezan con un vermut y acaban con un paseo por la playa."),
    ]),
    "wedding": (["wedding", "summer"], [
        ("A great choice for summer weddings, christenings and garden parties.",
         "Una gran elección para bodas de verano, bautizos y fiestas en el jardín."),
        ("Smart enough for a wedding, comfortable enough to dance until the very end.",
         "Lo bastante elegante para una boda y lo bastante cómod{o} para bailar hasta el final."),
    ]),
    "office": (["office", "work"], [
        ("Polished enough for the office and easy enough for the commute home.",
         "Lo bastante arreglad{o} para la oficina y lo bastante cómod{o} para volver a casa."),
        ("A smart choice for workdays, client meetings and after-work drinks.",
         "Una opción acertada para días de trabajo, reuniones con clientes y las cañas de después."),
        ("From the first meeting to the train home, {they} [stays|stay] sharp.",
         "De la primera reunión al tren de vuelta, [sigue impecable|siguen impecables]."),
        ("A reliable workwear staple for five days a week.",
         "Un básico de trabajo fiable para los cinco días de la semana."),
    ]),
    "weekend": (["weekend", "casual"], [
        ("Built for easy weekends: the market, a coffee, a walk in the park.",
         "Para fines de semana sin prisas: el mercado, un café y un paseo por el parque."),
        ("You will reach for {it} every Saturday morning.",
         "Acabarás poniéndo{lo} todos los sábados por la mañana."),
        ("Made for slow Sundays, long lunches with friends and a stroll through the old town.",
         "Para domingos tranquilos, comidas largas con amigos y un paseo por el casco antiguo."),
        ("Weekend plans in the city or in the country: {they} [fits|fit] right in.",
         "Planes de fin de semana en la ciudad o en el campo: [encaja|encajan] en todos."),
    ]),
    "everyday": (["everyday", "casual"], [
        ("Easy to wear every day of the week, whatever the plan.",
         "Fácil de llevar cualquier día de la semana, sea cual sea el plan."),
        ("Wear {it} on repeat; {they} will not let you down.",
         "Úsa{lo} a diario: no te [va|van] a fallar."),
        ("The kind of easy basic that makes getting dressed in the morning quicker.",
         "Ese básico fácil que hace que vestirse por la mañana sea más rápido.", NOT_BAGS),
    ]),
    "evening": (["evening", "party"], [
        ("Made for evenings out, from cocktail bars to dinners that run late.",
         "Para salir de noche, de la coctelería a las cenas que se alargan."),
        ("Dress {it} up with your best shoes and the party plan is sorted.",
         "Con tus mejores zapatos, el plan de fiesta queda resuelto.", GARMENTS),
        ("Dinner reservations, gallery openings, a birthday that runs late: {they} [is|are] ready for all of them.",
         "Cenas con reserva, inauguraciones, un cumpleaños que se alarga: list{o} para todo."),
    ]),
    "date": (["date night"], [
        ("A safe bet for a first date or an anniversary dinner.",
         "Una apuesta segura para una primera cita o una cena de aniversario."),
        ("Impressive without looking like you tried too hard: ideal for date night.",
         "Causa buena impresión sin que se note el esfuerzo: ideal para una cita."),
    ]),
    "rain": (["rain", "waterproof"], [
        ("When the forecast turns grey, {they} [keeps|keep] you dry from the door to the office.",
         "Cuando el cielo se pone gris, te [protege|protegen] de la lluvia desde el portal hasta la oficina."),
        ("Ready for drizzly city days and sudden autumn downpours.",
         "List{o} para los días de llovizna en la ciudad y los chaparrones repentinos de otoño."),
        ("Puddles, drizzle and surprise showers are no problem.",
         "Charcos, llovizna y chubascos por sorpresa: ningún problema."),
    ]),
    "cold": (["winter", "warm"], [
        ("Warm enough for the coldest January mornings in the city.",
         "[Abriga|Abrigan] lo suficiente para las mañanas más frías de enero en la ciudad."),
        ("A winter essential for cold walks, frosty weekends and the trip home after dark.",
         "Un imprescindible del invierno para paseos fríos, fines de semana helados y la vuelta a casa de noche."),
        ("For the months when the wind off the sea really bites.",
         "Para esos meses en los que el viento del mar corta la cara."),
    ]),
    "ski": (["ski", "winter", "warm"], [
        ("Warm enough for a ski trip, from the first lift to the last hot chocolate.",
         "[Abriga|Abrigan] lo bastante para una escapada de esquí, desde el primer remonte hasta el último chocolate caliente."),
        ("Take {it} to the Pyrenees: {they} [copes|cope] with snow, wind and sub-zero mornings.",
         "Lléva{lo} al Pirineo: [aguanta|aguantan] nieve, viento y mañanas bajo cero."),
    ]),
    "hiking": (["hiking", "outdoor"], [
        ("Ready for mountain trails, from Montserrat to the Pyrenees.",
         "List{o} para senderos de montaña, de Montserrat al Pirineo."),
        ("A trusty companion for weekend hikes and long walks in the hills.",
         "Un compañero fiel para excursiones de fin de semana y largas caminatas por el monte."),
    ]),
    "gym": (["gym", "training"], [
        ("Made for the gym, the yoga mat and everything in between.",
         "Para el gimnasio, la esterilla de yoga y todo lo que hay entre medias."),
        ("Ready for HIIT, pilates or a long session of weights.",
         "List{o} para entrenamientos de intervalos, pilates o una buena sesión de pesas."),
    ]),
    "running": (["running", "training"], [
        ("Built for running in the Mediterranean heat, from the seafront to the Carretera de les Aigües.",
         "Para correr con el calor mediterráneo, del paseo marítimo a la Carretera de les Aigües."),
    ]),
    "festival": (["festival", "summer"], [
        ("A festival favourite that copes with dust, dancing and three days in a tent.",
         "Un favorito de festival que aguanta polvo, baile y tres días de tienda de campaña."),
        ("Festival season sorted: {they} [looks|look] good in a crowd and [survives|survive] the campsite.",
         "Temporada de festivales resuelta: [queda|quedan] bien entre la multitud y [sobrevive|sobreviven] a la acampada."),
    ]),
    "travel": (["travel"], [
        ("A clever travel companion that resists creases and packs small.",
         "Un buen compañero de viaje: resiste las arrugas y ocupa poco en la maleta.", GARMENTS),
        ("Long-haul flights, train rides and hotel dinners: {they} [handles|handle] all of them.",
         "Vuelos largos, trayectos en tren y cenas de hotel: [puede|pueden] con todo."),
        ("[Takes|Take] up little room in a carry-on and [looks|look] fine the moment you land.",
         "[Ocupa|Ocupan] poco en el equipaje de mano y [luce|lucen] bien nada más aterrizar.", NOT_BAGS),
    ]),
    "autumn": (["autumn"], [
        ("Perfect for the first cool days of autumn.",
         "Una opción perfecta para los primeros días frescos de otoño."),
        ("Made for October: dry leaves, grey skies and long walks.",
         "Para octubre: hojas secas, cielos grises y paseos largos."),
        ("A go-to for the season of roast chestnuts and early sunsets.",
         "Un básico para la temporada de castañas asadas y atardeceres tempranos."),
    ]),
    "spring": (["spring"], [
        ("A spring favourite for the weeks when mornings are cold and afternoons are warm.",
         "Un favorito de primavera para esas semanas de mañanas frías y tardes templadas."),
        ("Easy to wear from the first sunny terraces of March to the mild evenings of May.",
         "Fácil de llevar desde las primeras terrazas al sol de marzo hasta las tardes templadas de mayo."),
    ]),
    "summer": (["summer"], [
        ("Light and breathable for the hottest days of the year.",
         "Liger{o} y [transpirable|transpirables] para los días más calurosos del año.", {"garment", "shoe"}),
        ("Keeps things cool and easy through July and August.",
         "Para llevar el calor con calma en julio y agosto."),
        ("Made for long, hot days in the city and weekends on the coast.",
         "Para los días largos y calurosos en la ciudad y los fines de semana en la costa."),
    ]),
}

# --------------------------------------------------------------------------
# Product kinds. Each kind yields `count` products with distinct model names.
# Intros and details are written per kind (so grammar is exact); {name} is
# the product title ("Gràcia Linen Shirt" / "camisa de lino Gràcia") and
# {colp} the main colour as a phrase ("in white" / "en blanco").
# --------------------------------------------------------------------------

VENDORS = {
    "costa": "Costa Atelier", "brisa": "Brisa Studio", "rambla": "Rambla Denim",
    "pinar": "Pinar Knits", "vela": "Vela Outdoor", "norte": "Norte & Sur",
    "sol": "Sol de Tarde", "fabrica": "Fàbrica 22", "cuero": "Cuero Blanco",
    "marea": "Marea Active", "ulls": "Ulls Eyewear", "passeig": "Passeig Footwear",
    "mitjo": "Mitjó",
}


@dataclass
class Kind:
    key: str
    category: str
    code: str
    en: str  # English title noun ("Linen Shirt")
    es: str  # Spanish title noun ("camisa de lino")
    es_form: str  # m, f, mp, fp
    en_plural: bool
    genders: list[str]
    materials: list[str]
    fits: list[str]
    colours: list[str]
    price: tuple[int, int]
    sizes: str
    occasions: list[str]
    count: int
    vendors: list[str]
    reviews: str
    intros: list[tuple[str, str]]
    details: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    tall: bool = False
    es_suffix: str = ""  # appended to the Spanish title ("(pack de 3)")


KINDS: list[Kind] = [
    # ---------------------------------------------------------------- shirts
    Kind("linen-shirt", "shirts", "SHI", "Linen Shirt", "camisa de lino", "f", False,
         ["men", "women"], ["linen", "linen_cotton"], ["relaxed", "regular"],
         ["White", "Sky Blue", "Sand", "Sage", "Navy", "Terracotta", "Off-White"], (49, 79), "apparel",
         ["beach", "holiday", "weekend", "summer"], 7, ["costa", "brisa"], "top",
         [("The {name} is cut from airy linen for the days when even cotton feels too warm.",
           "La {name} está confeccionada en lino ligero para esos días en que hasta el algodón da calor."),
          ("A linen shirt {colp} with a soft point collar, pearl-effect buttons and a curved hem that looks right tucked in or worn loose.",
           "Camisa de lino {colp} con cuello clásico suave, botones efecto nácar y bajo curvo que queda bien tanto por dentro como por fuera."),
          ("The {name} is the shirt we pack first for anywhere near the sea.",
           "La {name} es la camisa que metemos primero en la maleta si vamos cerca del mar.")],
         [("A single chest pocket and a box pleat at the back give it room to move.",
           "Lleva un bolsillo en el pecho y un pliegue en la espalda que da libertad de movimiento."),
          ("Roll the sleeves twice and the button tabs hold them in place.",
           "Remanga las mangas dos vueltas y las trabillas con botón las mantienen en su sitio."),
          ("Pre-washed, so it will not shrink after the first cycle.",
           "Viene prelavada, así que no encoge tras el primer lavado.")]),
    Kind("oxford-shirt", "shirts", "SHI", "Oxford Shirt", "camisa oxford", "f", False,
         ["men", "women"], ["cotton_oxford"], ["slim", "regular"],
         ["White", "Light Blue", "Pink", "Blue Stripe"], (45, 69), "apparel",
         ["office", "everyday", "weekend"], 6, ["costa", "norte"], "top",
         [("The {name} is a button-down in sturdy oxford cotton that only gets better with age.",
           "La {name} tiene cuello abotonado y está hecha de algodón oxford resistente que mejora con los años."),
          ("A proper button-down collar, a locker loop and a back yoke: the {name} keeps every classic oxford detail.",
           "Cuello abotonado, presilla en la espalda y canesú: la {name} conserva todos los detalles de una oxford clásica."),
          ("Wear the {name} {colp} under a blazer on Monday and with the sleeves rolled on Saturday.",
           "Ponte la {name} {colp} bajo una americana el lunes y con las mangas remangadas el sábado.")],
         [("Chest pocket, curved hem and a slightly softened collar that rolls naturally.",
           "Bolsillo en el pecho, bajo curvo y un cuello ligeramente suavizado que cae con naturalidad."),
          ("Iron it crisp for meetings or leave it rumpled for the weekend.",
           "Plánchala bien para las reuniones o déjala algo arrugada para el fin de semana.")]),
    Kind("flannel-shirt", "shirts", "SHI", "Flannel Shirt", "camisa de franela", "f", False,
         ["men", "unisex"], ["cotton_flannel"], ["regular", "relaxed"],
         ["Red Check", "Green Check", "Charcoal", "Navy"], (49, 69), "apparel",
         ["autumn", "weekend", "hiking"], 5, ["vela", "fabrica"], "top",
         [("Brushed on both sides, the {name} feels like your favourite blanket in shirt form.",
           "Perchada por ambas caras, la {name} tiene el tacto de tu manta favorita convertida en camisa."),
          ("The {name} comes {colp}, in a flannel made for crisp mornings and bonfire evenings.",
           "La {name} llega {colp}, en una franela pensada para mañanas frescas y noches junto a la hoguera."),
          ("Layer the {name} open over a tee, or button it up under a knit when the temperature drops.",
           "Lleva la {name} abierta sobre una camiseta, o abotonada bajo un jersey cuando bajan las temperaturas.")],
         [("Two flap chest pockets and horn-effect buttons finish it off.",
           "Dos bolsillos de pecho con solapa y botones efecto asta completan el diseño."),
          ("The pattern is matched at the pockets and placket.",
           "El dibujo coincide en los bolsillos y en la tapeta.")]),
    Kind("dress-shirt", "shirts", "SHI", "Poplin Dress Shirt", "camisa de vestir de popelín", "f", False,
         ["men"], ["cotton_poplin"], ["slim", "tailored"],
         ["White", "Light Blue", "Pink"], (49, 79), "apparel",
         ["office", "evening"], 5, ["costa", "norte"], "top",
         [("A semi-cutaway collar and a clean placket make the {name} our go-to for a suit and tie.",
           "Cuello semitiburón y tapeta limpia: la {name} es nuestra favorita para llevar con traje y corbata."),
          ("The {name} {colp} is woven in a fine two-ply poplin with a soft sheen.",
           "La {name} {colp} está tejida en un popelín fino a dos cabos con un ligero brillo.")],
         [("Adjustable two-button cuffs leave room for a watch, and the collar stays are removable.",
           "Los puños de dos botones ajustables dejan sitio para el reloj, y las ballenas del cuello son extraíbles."),
          ("An easy-iron finish keeps creases away through long days.",
           "Su acabado de fácil planchado evita arrugas durante toda la jornada.")]),
    Kind("denim-shirt", "shirts", "SHI", "Denim Shirt", "camisa vaquera", "f", False,
         ["unisex", "women", "men"], ["rigid_denim"], ["relaxed", "regular"],
         ["Light Wash", "Mid Blue", "Indigo"], (49, 69), "apparel",
         ["everyday", "weekend", "festival"], 4, ["rambla"], "top",
         [("A western-inspired shirt with snap buttons and pointed yokes, the {name} softens like your oldest jeans.",
           "Camisa con aire del Oeste, botones de presión y canesú en pico; la {name} se ablanda como tus vaqueros más viejos."),
          ("The {name} {colp} is the layer you throw over everything, from a white tee to a summer dress.",
           "La {name} {colp} es esa capa que echas encima de todo, desde una camiseta blanca hasta un vestido de verano.")],
         [("Two button-flap chest pockets and a slightly longer back hem.",
           "Dos bolsillos de pecho con solapa abotonada y el bajo trasero algo más largo."),
          ("An enzyme wash gives it a soft hand and subtle fading.",
           "Un lavado enzimático le da un tacto suave y un desgaste sutil.")]),
    Kind("overshirt", "shirts", "SHI", "Corduroy Overshirt", "sobrecamisa de pana", "f", False,
         ["men", "unisex"], ["corduroy"], ["relaxed"],
         ["Olive", "Camel", "Rust", "Navy"], (59, 89), "apparel",
         ["autumn", "weekend"], 4, ["costa", "fabrica"], "top",
         [("Part shirt, part light jacket: the {name} has a soft, velvety hand.",
           "Mitad camisa, mitad chaqueta ligera: la {name} tiene un tacto suave y aterciopelado."),
          ("We designed the {name} for the in-between weeks of October, when a coat is too much and a shirt is not enough.",
           "Diseñamos la {name} para esas semanas de octubre en las que un abrigo sobra y una camisa se queda corta.")],
         [("Two patch pockets at the chest and two at the hip hold a phone, keys and a paperback.",
           "Dos bolsillos de parche en el pecho y dos en la cadera para el móvil, las llaves y un libro de bolsillo."),
          ("There is just enough room to layer it over a tee or a fine knit.",
           "Tiene la holgura justa para llevarla sobre una camiseta o un punto fino.")]),
    # -------------------------------------------------------------- t-shirts
    Kind("organic-tee", "t-shirts", "TEE", "Organic Cotton T-Shirt", "camiseta de algodón orgánico", "f", False,
         ["men", "women", "unisex"], ["organic_cotton"], ["regular", "relaxed", "slim"],
         ["White", "Black", "Heather Grey", "Navy", "Sage", "Off-White", "Terracotta"], (19, 29), "apparel",
         ["everyday", "summer", "weekend"], 8, ["fabrica"], "top",
         [("The {name} is the plain tee done properly: a clean crew neck and a weight that drapes without clinging.",
           "La {name} es la camiseta básica bien hecha: cuello redondo limpio y un gramaje que cae sin pegarse al cuerpo."),
          ("Buy the {name} {colp} in threes; it is the tee that goes under everything.",
           "Compra la {name} {colp} de tres en tres: es la camiseta que va debajo de todo."),
          ("Soft from the very first wear, the {name} is the basic we never run out of.",
           "Suave desde el primer día, la {name} es el básico que nunca dejamos de tener.")],
         [("The ribbed neckline keeps its shape wash after wash.",
           "El cuello de canalé mantiene la forma lavado tras lavado."),
          ("Side seams stay put, so the hem will not twist.",
           "Las costuras laterales no se desplazan, así que el bajo no se retuerce.")]),
    Kind("heavy-tee", "t-shirts", "TEE", "Heavyweight T-Shirt", "camiseta gruesa", "f", False,
         ["men", "unisex"], ["heavy_cotton"], ["oversized", "relaxed"],
         ["Black", "Off-White", "Olive", "Brown", "Navy"], (29, 39), "apparel",
         ["everyday", "festival"], 5, ["fabrica"], "top",
         [("The {name} has the structure of a vintage tee and a boxy shape that sits just off the shoulder.",
           "La {name} tiene la estructura de las camisetas de antes y una forma cuadrada con el hombro ligeramente caído."),
          ("The {name} {colp} is thick enough to wear on its own on cooler evenings.",
           "La {name} {colp} es lo bastante gruesa para llevarla sola en las noches más frescas.")],
         [("A wide ribbed collar gives it a relaxed, skate-inspired look.",
           "El cuello ancho de canalé le da un aire relajado y urbano."),
          ("Garment-dyed, so every piece has a slightly different tone.",
           "Teñida en prenda, cada pieza tiene un tono ligeramente distinto.")]),
    Kind("breton-top", "t-shirts", "TEE", "Breton Striped Top", "camiseta de rayas marineras", "f", False,
         ["women", "unisex"], ["cotton"], ["regular"],
         ["Navy Stripe", "Red Stripe"], (29, 39), "apparel",
         ["weekend", "holiday"], 4, ["fabrica", "brisa"], "top",
         [("A boat neck, three-quarter sleeves and crisp stripes: the {name} is a Mediterranean classic.",
           "Cuello barco, manga tres cuartos y rayas bien definidas: la {name} es un clásico mediterráneo."),
          ("Knitted in a dense cotton jersey, the {name} keeps its stripes straight and its shape intact.",
           "Tejida en punto de algodón denso, la {name} conserva las rayas rectas y la forma intacta.")],
         [("Small side vents at the hem let it sit neatly over jeans.",
           "Las pequeñas aberturas laterales del bajo hacen que quede bien sobre unos vaqueros.")]),
    Kind("longsleeve-tee", "t-shirts", "TEE", "Long-Sleeve T-Shirt", "camiseta de manga larga", "f", False,
         ["men", "women"], ["organic_cotton"], ["slim", "regular"],
         ["White", "Black", "Navy", "Off-White"], (25, 35), "apparel",
         ["everyday", "spring", "autumn"], 4, ["fabrica"], "top",
         [("The {name} is made for layering, with slim ribbed cuffs and a clean crew neck.",
           "La {name} está pensada para llevar por capas, con puños de canalé finos y cuello redondo limpio."),
          ("Wear the {name} {colp} alone in spring or under a shirt when autumn arrives.",
           "Lleva la {name} {colp} sola en primavera o bajo una camisa cuando llega el otoño.")],
         [("The cuffs stay put when you push the sleeves up.",
           "Los puños se mantienen en su sitio cuando te subes las mangas.")]),
    # ----------------------------------------------------------------- polos
    Kind("pique-polo", "polos", "POL", "Piqué Polo", "polo de piqué", "m", False,
         ["men", "women"], ["cotton_pique"], ["regular", "slim"],
         ["White", "Navy", "Forest Green", "Sky Blue", "Burgundy"], (35, 55), "apparel",
         ["weekend", "holiday", "summer"], 6, ["costa", "fabrica"], "top",
         [("The {name} has a two-button placket and a ribbed collar that stands up neatly.",
           "El {name} tiene tapeta de dos botones y un cuello de canalé que se mantiene firme."),
          ("Smart enough for a casual Friday, relaxed enough for a terrace lunch: that is the {name} {colp}.",
           "Lo bastante arreglado para un viernes informal y lo bastante cómodo para comer en una terraza: así es el {name} {colp}.")],
         [("Split side hems and a slightly longer back.",
           "Aberturas laterales en el bajo y la espalda algo más larga."),
          ("The collar is knitted flat, so it will not curl after washing.",
           "El cuello está tejido en plano y no se enrolla después de lavarlo.")]),
    Kind("knit-polo", "polos", "POL", "Knitted Polo", "polo de punto", "m", False,
         ["men"], ["cotton_knit"], ["relaxed", "regular"],
         ["Off-White", "Camel", "Navy", "Olive"], (49, 69), "apparel",
         ["summer_evening", "date", "holiday"], 4, ["pinar", "costa"], "top",
         [("An open-collared knitted polo, the {name} brings a touch of the Riviera to a summer evening.",
           "Polo de punto con cuello abierto: el {name} aporta un toque de la Riviera a una noche de verano."),
          ("The {name} {colp} swaps the usual piqué for a soft textured knit that looks sharper with tailored trousers.",
           "El {name} {colp} cambia el piqué de siempre por un punto suave con textura que luce más con pantalón de vestir.")],
         [("No buttons, just a clean open collar that lies flat.",
           "Sin botones, solo un cuello abierto y limpio que cae plano.")]),
    # --------------------------------------------------------------- blouses
    Kind("silk-blouse", "blouses", "BLO", "Silk Blouse", "blusa de seda", "f", False,
         ["women"], ["silk"], ["relaxed", "regular"],
         ["Ivory", "Black", "Emerald", "Champagne", "Dusty Rose"], (89, 129), "apparel",
         ["office", "evening", "date"], 4, ["brisa"], "top",
         [("The {name} has a fluid drape and a soft glow that lifts any outfit.",
           "La {name} tiene una caída fluida y un brillo suave que eleva cualquier conjunto."),
          ("The {name} {colp} has a concealed placket and a neat, slightly rounded collar.",
           "La {name} {colp} tiene tapeta oculta y un cuello limpio, ligeramente redondeado.")],
         [("Covered buttons at the cuffs and a gently curved hem.",
           "Botones forrados en los puños y bajo ligeramente curvado.")]),
    Kind("poplin-blouse", "blouses", "BLO", "Poplin Blouse", "blusa de popelín", "f", False,
         ["women"], ["cotton_poplin"], ["relaxed", "oversized"],
         ["White", "Light Blue", "Blue Stripe"], (45, 65), "apparel",
         ["office", "everyday"], 4, ["brisa"], "top",
         [("A crisp blouse with full sleeves gathered into deep cuffs, the {name} looks effortless with jeans.",
           "Blusa impecable con mangas amplias fruncidas en puños anchos: la {name} queda natural y fácil con vaqueros."),
          ("The {name} {colp} has a slightly dropped shoulder and a generous, airy body.",
           "La {name} {colp} tiene el hombro ligeramente caído y un cuerpo amplio y ligero.")],
         [("A gathered back yoke adds volume without bulk.",
           "El canesú trasero con frunces da volumen sin resultar pesado.")]),
    Kind("embroidered-blouse", "blouses", "BLO", "Embroidered Blouse", "blusa bordada", "f", False,
         ["women"], ["cotton"], ["relaxed"],
         ["White", "Off-White", "Sky Blue"], (45, 59), "apparel",
         ["summer", "holiday", "beach"], 3, ["sol", "brisa"], "top",
         [("Delicate broderie anglaise runs across the yoke and sleeves of the {name}.",
           "Un delicado bordado inglés recorre el canesú y las mangas de la {name}."),
          ("The {name} {colp} is the blouse for market mornings and long lunches by the sea.",
           "La {name} {colp} es la blusa para las mañanas de mercado y las comidas largas junto al mar.")],
         [("A tie at the neckline finishes with small tassels.",
           "Una lazada en el escote remata con pequeñas borlas.")]),
    # --------------------------------------------------------------- dresses
    Kind("sundress", "dresses", "DRE", "Sundress", "vestido de tirantes", "m", False,
         ["women"], ["cotton", "linen_cotton", "viscose"], ["aline", "relaxed"],
         ["Floral", "Yellow", "Sky Blue", "Coral", "White", "Polka Dot"], (49, 79), "apparel",
         ["summer", "beach", "holiday"], 6, ["brisa", "sol"], "dress",
         [("Thin adjustable straps, a smocked back and a skirt that swishes: the {name} is summer in one piece.",
           "Tirantes finos ajustables, espalda fruncida y una falda con vuelo: el {name} es el verano en una sola prenda."),
          ("The {name} {colp} is the dress you live in from June to September.",
           "El {name} {colp} es el vestido que no te quitas de junio a septiembre."),
          ("Pull the {name} on over a swimsuit and go straight from the beach to lunch.",
           "Ponte el {name} encima del bañador y ve directa de la playa a comer.")],
         [("Hidden side pockets, because every dress should have them.",
           "Bolsillos laterales ocultos, porque todos los vestidos deberían tenerlos."),
          ("The skirt is fully lined, so it is never see-through.",
           "La falda va forrada, así que nunca transparenta.")]),
    Kind("wrap-dress", "dresses", "DRE", "Wrap Dress", "vestido cruzado", "m", False,
         ["women"], ["viscose", "crepe"], ["wrap"],
         ["Emerald", "Floral", "Navy", "Terracotta", "Black", "Polka Dot"], (59, 99), "apparel",
         ["office", "date", "wedding"], 5, ["brisa"], "dress",
         [("A true wrap with a long tie at the waist, the {name} flatters every shape and adjusts as you like.",
           "Un cruzado auténtico con lazada larga en la cintura: el {name} favorece a todas las siluetas y se ajusta a tu gusto."),
          ("The {name} {colp} moves from the desk to the dinner table with nothing more than a change of shoes.",
           "El {name} {colp} pasa de la oficina a la cena con solo cambiar de zapatos.")],
         [("A discreet snap at the neckline keeps the wrap in place.",
           "Un corchete discreto en el escote mantiene el cruce en su sitio."),
          ("Fluttery sleeves end just above the elbow.",
           "Las mangas con vuelo terminan justo por encima del codo.")]),
    Kind("midi-dress", "dresses", "DRE", "Midi Dress", "vestido midi", "m", False,
         ["women"], ["linen_cotton", "viscose", "cotton_poplin", "tencel"], ["aline", "relaxed", "fitted"],
         ["Sage", "Black", "Terracotta", "Navy", "Off-White", "Mustard"], (59, 99), "apparel",
         ["weekend", "office", "summer_evening"], 6, ["brisa"], "dress",
         [("The {name} falls to mid-calf with a softly gathered skirt and a square neckline.",
           "El {name} llega a media pierna, con falda ligeramente fruncida y escote cuadrado."),
          ("Buttons run the full length of the {name}, so you can also wear it open over trousers.",
           "El {name} lleva botones de arriba abajo, así que también puedes llevarlo abierto sobre un pantalón."),
          ("The {name} {colp} is the kind of easy midi that looks put together with sneakers or sandals alike.",
           "El {name} {colp} es ese midi fácil que queda arreglado tanto con zapatillas como con sandalias.")],
         [("A self-tie belt defines the waist.",
           "Un cinturón del mismo tejido marca la cintura."),
          ("In-seam pockets and a back zip.",
           "Bolsillos en las costuras y cremallera en la espalda.")]),
    Kind("maxi-dress", "dresses", "DRE", "Maxi Dress", "vestido largo", "m", False,
         ["women"], ["viscose", "linen", "tencel", "cotton"], ["aline", "relaxed"],
         ["Floral", "White", "Cobalt", "Terracotta", "Black", "Emerald"], (69, 109), "apparel",
         ["holiday", "evening", "wedding", "beach"], 6, ["brisa", "sol"], "dress",
         [("Floor-skimming and featherlight, the {name} is made for warm nights and long dinners outdoors.",
           "Hasta los tobillos y ligerísimo, el {name} está hecho para las noches cálidas y las cenas largas al aire libre."),
          ("The {name} {colp} has a tiered skirt that moves with every step.",
           "El {name} {colp} tiene una falda de volantes escalonados que se mueve con cada paso."),
          ("A neckline that ties at the nape and an open back give the {name} its holiday spirit.",
           "El escote atado a la nuca y la espalda descubierta le dan al {name} su aire vacacional.")],
         [("A side slit makes walking easy.",
           "Una abertura lateral facilita el paso."),
          ("Elasticated shirring at the back makes it very comfortable.",
           "El fruncido elástico de la espalda hace que sea muy cómodo.")]),
    Kind("evening-dress", "dresses", "DRE", "Evening Dress", "vestido de fiesta", "m", False,
         ["women"], ["satin", "crepe", "silk"], ["fitted", "bias"],
         ["Black", "Emerald", "Burgundy", "Champagne", "Cobalt"], (99, 179), "apparel",
         ["evening", "wedding", "date"], 5, ["brisa", "norte"], "dress",
         [("The {name} skims the body and catches the light, with a draped back for a little drama.",
           "El {name} se desliza sobre el cuerpo y atrapa la luz, con la espalda drapeada para darle un toque de efecto."),
          ("Floor-length with a slit to the thigh, the {name} {colp} is made for black-tie evenings and late dance floors.",
           "Largo hasta el suelo y con abertura hasta el muslo, el {name} {colp} está pensado para cenas de gala y pistas de baile hasta tarde."),
          ("The {name} has thin straps and a cowl neckline that drapes softly.",
           "El {name} tiene tirantes finos y un escote drapeado que cae con suavidad.")],
         [("Fully lined, with a concealed side zip.",
           "Forrado por completo, con cremallera lateral invisible.")]),
    Kind("shirt-dress", "dresses", "DRE", "Shirt Dress", "vestido camisero", "m", False,
         ["women"], ["cotton_poplin", "linen", "tencel"], ["relaxed", "regular"],
         ["Blue Stripe", "White", "Khaki", "Sky Blue", "Black"], (59, 89), "apparel",
         ["office", "weekend"], 4, ["brisa", "costa"], "dress",
         [("A classic collar, a full button placket and a removable belt: the {name} is a shirt grown into a dress.",
           "Cuello clásico, tapeta de botones completa y cinturón extraíble: el {name} es una camisa que ha crecido hasta ser vestido."),
          ("The {name} {colp} goes to work with a blazer and to the park with sneakers.",
           "El {name} {colp} va a la oficina con americana y al parque con zapatillas.")],
         [("Roll-up sleeves with button tabs and two patch pockets at the chest.",
           "Mangas remangables con trabilla y dos bolsillos de parche en el pecho.")]),
    Kind("tall-maxi-dress", "dresses", "DRE", "Tall Maxi Dress", "vestido largo", "m", False,
         ["women"], ["viscose", "linen_cotton"], ["aline"],
         ["Floral", "Black", "Sage", "Navy"], (69, 109), "apparel",
         ["holiday", "evening"], 3, ["brisa"], "dress",
         [("The {name} is cut 6 cm longer through the body and skirt for women from 175 cm upwards.",
           "El {name} está cortado 6 cm más largo en el cuerpo y la falda para mujeres a partir de 1,75 m."),
          ("Finally a maxi that reaches the ankle: the {name} {colp} keeps its proportions on a taller frame.",
           "Por fin un vestido largo que llega de verdad al tobillo: el {name} {colp} mantiene sus proporciones en una figura alta.")],
         [("The waist seam sits at your real waist, not halfway up the ribs.",
           "La costura de la cintura queda en tu cintura real, no a mitad de las costillas.")],
         tags=["tall"], tall=True),
    Kind("tall-midi-dress", "dresses", "DRE", "Tall Midi Dress", "vestido midi", "m", False,
         ["women"], ["viscose", "tencel"], ["aline", "relaxed"],
         ["Terracotta", "Black", "Cobalt", "Sage"], (65, 99), "apparel",
         ["weekend", "office"], 3, ["brisa"], "dress",
         [("The {name} is proportioned for heights of 175 cm and up, with a longer bodice and a hem that still lands mid-calf.",
           "El {name} está proporcionado para estaturas desde 1,75 m, con el cuerpo más largo y un bajo que sigue llegando a media pierna."),
          ("Made with taller women in mind, the {name} {colp} gets everything right, from the sleeve length to the waist position.",
           "Pensado para mujeres altas, el {name} {colp} acierta en todo, desde el largo de manga hasta la altura de la cintura.")],
         [("The waist seam sits at your real waist, not halfway up the ribs.",
           "La costura de la cintura queda en tu cintura real, no a mitad de las costillas.")],
         tags=["tall"], tall=True),
    # ---------------------------------------------------------------- skirts
    Kind("pleated-skirt", "skirts", "SKI", "Pleated Midi Skirt", "falda midi plisada", "f", False,
         ["women"], ["satin", "crepe"], ["aline", "relaxed"],
         ["Champagne", "Sage", "Black", "Lilac", "Navy"], (49, 79), "apparel",
         ["office", "evening"], 4, ["brisa"], "dress",
         [("Sunray pleats that swing as you walk make the {name} a joy to wear.",
           "Los plisados en abanico que se balancean al caminar hacen de la {name} una delicia."),
          ("The {name} {colp} sits high on the waist and falls to mid-calf.",
           "La {name} {colp} se ajusta alta en la cintura y cae hasta media pierna.")],
         [("A hidden elastic panel at the back of the waistband.",
           "Un panel elástico oculto en la parte trasera de la cinturilla.")]),
    Kind("denim-skirt", "skirts", "SKI", "Denim Skirt", "falda vaquera", "f", False,
         ["women"], ["rigid_denim"], ["aline", "regular"],
         ["Light Wash", "Mid Blue", "Black"], (39, 59), "dress",
         ["weekend", "summer"], 4, ["rambla"], "dress",
         [("Five pockets, a button fly and a raw-edge hem: the {name} is a wardrobe workhorse.",
           "Cinco bolsillos, bragueta de botones y bajo deshilachado: la {name} es un básico todoterreno."),
          ("The {name} {colp} lands just above the knee and goes with everything from tees to knits.",
           "La {name} {colp} queda justo por encima de la rodilla y combina con todo, de camisetas a jerséis.")]),
    Kind("linen-skirt", "skirts", "SKI", "Linen Midi Skirt", "falda midi de lino", "f", False,
         ["women"], ["linen", "linen_cotton"], ["aline", "relaxed"],
         ["Sand", "White", "Terracotta", "Olive"], (45, 65), "apparel",
         ["summer", "holiday"], 3, ["brisa", "sol"], "dress",
         [("An elasticated waist and deep pockets make the {name} as comfortable as it is pretty.",
           "La cintura elástica y los bolsillos profundos hacen que la {name} sea tan cómoda como bonita."),
          ("The {name} {colp} has a tiered hem and a gentle flare.",
           "La {name} {colp} tiene el bajo escalonado y un ligero vuelo.")]),
    Kind("slip-skirt", "skirts", "SKI", "Satin Slip Skirt", "falda lencera de satén", "f", False,
         ["women"], ["satin"], ["bias"],
         ["Champagne", "Black", "Emerald", "Dusty Rose"], (49, 69), "apparel",
         ["evening", "date"], 3, ["brisa"], "dress",
         [("The {name} slides over the hips and falls softly to mid-calf.",
           "La {name} se desliza sobre las caderas y cae con suavidad hasta media pierna."),
          ("Dress the {name} {colp} up with heels or down with a chunky jumper and sneakers.",
           "Arregla la {name} {colp} con tacones o dale un aire informal con un jersey grueso y zapatillas.")]),
    # ----------------------------------------------------------------- jeans
    Kind("slim-jeans", "jeans", "JEA", "Slim Jeans", "vaqueros de corte estrecho", "mp", True,
         ["men", "women"], ["denim"], ["slim"],
         ["Indigo", "Mid Blue", "Black", "Light Wash"], (59, 99), "waist",
         ["everyday", "weekend"], 5, ["rambla"], "bottom",
         [("The {name} are narrow through the thigh and taper to a clean ankle without feeling tight.",
           "Los {name} son estrechos en el muslo y se afinan hasta el tobillo sin apretar."),
          ("A touch of stretch lets the {name} {colp} move with you from the first wear.",
           "Un toque de elasticidad hace que los {name} {colp} se muevan contigo desde el primer día.")],
         [("Classic five-pocket styling with a zip fly and copper rivets.",
           "Diseño clásico de cinco bolsillos con bragueta de cremallera y remaches de cobre."),
          ("A mid rise that sits at the natural waist.",
           "Tiro medio que queda a la altura de la cintura natural.")]),
    Kind("straight-jeans", "jeans", "JEA", "Straight Jeans", "vaqueros rectos", "mp", True,
         ["men", "women", "unisex"], ["rigid_denim", "denim"], ["straight"],
         ["Indigo", "Mid Blue", "Light Wash", "Black"], (69, 109), "waist",
         ["everyday", "weekend", "autumn"], 6, ["rambla"], "bottom",
         [("The {name} have a straight leg from hip to hem, the cut that never really goes out of style.",
           "Los {name} tienen la pernera recta de la cadera al bajo, el corte que nunca pasa de moda."),
          ("The {name} {colp} work with boots in winter and loafers in spring.",
           "Los {name} {colp} funcionan con botas en invierno y con mocasines en primavera."),
          ("Our best-selling denim, the {name} sit at the waist and fall straight to the ankle.",
           "Nuestros vaqueros más vendidos: los {name} se asientan en la cintura y caen rectos hasta el tobillo.")],
         [("Classic five-pocket styling with a button fly.",
           "Diseño clásico de cinco bolsillos con bragueta de botones."),
          ("Leave them long over boots or roll a small cuff.",
           "Llévalos largos sobre las botas o con una vuelta pequeña en el bajo.")]),
    Kind("wide-jeans", "jeans", "JEA", "Wide-Leg Jeans", "vaqueros de pernera ancha", "mp", True,
         ["women", "unisex"], ["rigid_denim", "denim"], ["wide"],
         ["Light Wash", "Mid Blue", "Indigo", "Off-White"], (69, 109), "waist",
         ["everyday", "weekend", "festival"], 5, ["rambla"], "bottom",
         [("High-waisted and fluid, the {name} fall wide from the hip to a floor-grazing hem.",
           "De tiro alto y con caída, los {name} se abren desde la cadera hasta un bajo que roza el suelo."),
          ("The {name} {colp} look best with a little heel or a chunky sneaker peeking out.",
           "Los {name} {colp} lucen mejor con un poco de tacón o unas zapatillas gruesas asomando.")],
         [("Long front seams lengthen the leg.",
           "Las costuras delanteras alargan la pierna.")]),
    Kind("tall-jeans", "jeans", "JEA", "Tall Straight Jeans", "vaqueros rectos", "mp", True,
         ["men", "women"], ["denim", "rigid_denim"], ["straight"],
         ["Indigo", "Mid Blue", "Black"], (69, 109), "tall_waist",
         ["everyday", "weekend"], 4, ["rambla"], "bottom",
         [("The {name} have an extra-long inseam, so the hem finally reaches your shoes.",
           "Los {name} tienen un largo de pierna extra, para que el bajo por fin llegue a los zapatos."),
          ("Built for tall frames, the {name} {colp} have a longer rise and the knee moved down to match.",
           "Pensados para personas altas, los {name} {colp} tienen el tiro más largo y la rodilla situada más abajo.")],
         [("Classic five-pocket styling with a zip fly.",
           "Diseño clásico de cinco bolsillos con bragueta de cremallera.")],
         tags=["tall"], tall=True),
    # ---------------------------------------------------------------- chinos
    Kind("chinos", "chinos", "CHI", "Chinos", "chinos", "mp", True,
         ["men", "women"], ["cotton_twill"], ["slim", "regular"],
         ["Stone", "Navy", "Khaki", "Olive", "Beige", "Black"], (49, 79), "waist",
         ["office", "weekend", "travel"], 6, ["costa", "norte"], "bottom",
         [("The {name} have just enough stretch to stay comfortable from the first meeting to the last drink.",
           "Los {name} tienen la elasticidad justa para resultar cómodos desde la primera reunión hasta la última copa."),
          ("Chinos for everything: the {name} {colp} dress up with a blazer or down with a tee.",
           "Chinos para todo: los {name} {colp} se arreglan con americana y se relajan con camiseta.")],
         [("Slanted front pockets, jetted back pockets and a clean flat front.",
           "Bolsillos delanteros al bies, bolsillos traseros de ribete y delantero liso.")]),
    Kind("pleated-chinos", "chinos", "CHI", "Pleated Chinos", "chinos con pinzas", "mp", True,
         ["men", "women"], ["cotton_twill"], ["relaxed"],
         ["Stone", "Navy", "Olive", "Brown"], (59, 85), "waist",
         ["office", "weekend"], 4, ["costa", "norte"], "bottom",
         [("Double front pleats give the {name} a roomy, 1950s-inspired line that tapers at the ankle.",
           "Las dobles pinzas delanteras dan a los {name} una línea amplia de inspiración años cincuenta que se estrecha en el tobillo."),
          ("The {name} {colp} drape beautifully over loafers.",
           "Los {name} {colp} caen de maravilla sobre unos mocasines.")],
         [("Side adjusters let you skip the belt.",
           "Los ajustes laterales te permiten prescindir del cinturón.")]),
    # -------------------------------------------------------------- trousers
    Kind("linen-trousers", "trousers", "TRO", "Linen Trousers", "pantalón de lino", "m", True,
         ["men", "women"], ["linen", "linen_cotton"], ["relaxed", "straight", "wide"],
         ["Sand", "White", "Navy", "Olive", "Off-White", "Terracotta", "Black"], (49, 79), "waist",
         ["beach", "holiday", "summer"], 7, ["costa", "sol"], "bottom",
         [("A drawstring waist, deep pockets and an easy leg: the {name} are holiday trousers you will wear at home too.",
           "Cintura con cordón, bolsillos profundos y pernera cómoda: el {name} es ese pantalón de vacaciones que acabarás usando también en casa."),
          ("The {name} {colp} keep you comfortable on the hottest days.",
           "El {name} {colp} te hace más llevaderos los días más calurosos."),
          ("Made for August in the city, the {name} go with a tee or a loose shirt.",
           "Pensado para agosto en la ciudad, el {name} combina con una camiseta o una camisa suelta.")],
         [("A half-elasticated back waistband with a front button.",
           "Cinturilla con elástico en la parte trasera y botón delantero.")]),
    Kind("tailored-trousers", "trousers", "TRO", "Tailored Trousers", "pantalón de vestir", "m", True,
         ["men", "women"], ["wool_blend", "crepe", "tencel"], ["tailored", "wide", "straight"],
         ["Charcoal", "Black", "Navy", "Camel", "Grey"], (69, 99), "waist",
         ["office", "evening"], 5, ["norte", "costa"], "bottom",
         [("Pressed creases and a high waist give the {name} a sharp line.",
           "La raya marcada y el tiro alto dan al {name} una línea impecable."),
          ("The {name} {colp} turn a simple knit into an outfit.",
           "El {name} {colp} convierte un jersey sencillo en un conjunto.")],
         [("Side adjusters instead of belt loops.",
           "Ajustes laterales en lugar de trabillas."),
          ("Finished with a hook-and-bar fastening and neat turn-ups.",
           "Cierre de gancho y bajo con vuelta.")]),
    # ---------------------------------------------------------------- shorts
    Kind("chino-shorts", "shorts", "SHO", "Chino Shorts", "bermudas de algodón", "fp", True,
         ["men", "women"], ["cotton_twill"], ["regular", "slim"],
         ["Stone", "Navy", "Olive", "Beige"], (35, 49), "waist",
         ["summer", "holiday"], 4, ["costa", "fabrica"], "bottom",
         [("An 18 cm inseam lands the {name} just above the knee.",
           "Con una pernera de 18 cm, las {name} quedan justo por encima de la rodilla."),
          ("Pack the {name} {colp} for city breaks, boat days and long lunches.",
           "Mete las {name} {colp} en la maleta para escapadas urbanas, días de barco y comidas largas.")]),
    Kind("linen-shorts", "shorts", "SHO", "Linen Shorts", "pantalón corto de lino", "m", True,
         ["men", "women"], ["linen", "linen_cotton"], ["relaxed"],
         ["Sand", "White", "Sage", "Navy"], (35, 49), "waist",
         ["beach", "summer"], 4, ["sol", "costa"], "bottom",
         [("An elasticated drawstring waist makes the {name} the easiest thing in your suitcase.",
           "La cintura elástica con cordón hace del {name} lo más fácil de tu maleta."),
          ("The {name} {colp} go from the beach bar to the old town without a second thought.",
           "El {name} {colp} pasa del chiringuito al casco antiguo sin pensarlo dos veces.")]),
    Kind("denim-shorts", "shorts", "SHO", "Denim Shorts", "pantalón corto vaquero", "m", True,
         ["women", "unisex"], ["rigid_denim"], ["relaxed", "regular"],
         ["Light Wash", "Mid Blue", "Off-White"], (35, 49), "waist",
         ["festival", "summer"], 3, ["rambla"], "bottom",
         [("Frayed at the hem and cut a little longer, the {name} are a summer essential.",
           "Con el bajo deshilachado y un largo algo mayor, el {name} es imprescindible en verano."),
          ("The {name} {colp} break in like an old favourite.",
           "El {name} {colp} se adapta a ti como un viejo favorito.")]),
    # --------------------------------------------------------------- blazers
    Kind("linen-blazer", "blazers", "BLA", "Linen Blazer", "americana de lino", "f", False,
         ["men", "women"], ["linen", "linen_cotton"], ["relaxed", "tailored"],
         ["Sand", "Navy", "Off-White", "Sage", "Olive"], (99, 159), "apparel",
         ["office", "summer_evening", "wedding"], 5, ["costa", "norte"], "tailoring",
         [("Unlined and unstructured, the {name} feels closer to a cardigan than to a suit jacket.",
           "Sin forro ni estructura, la {name} se parece más a una chaqueta de punto que a una chaqueta de traje."),
          ("The {name} {colp} has patch pockets, a soft shoulder and horn-effect buttons.",
           "La {name} {colp} tiene bolsillos de parche, hombro suave y botones efecto asta.")],
         [("Natural creases are part of the look; steam rather than press.",
           "Las arrugas naturales forman parte de su estilo; mejor vaporizar que planchar.")]),
    Kind("wool-blazer", "blazers", "BLA", "Wool Blazer", "americana de lana", "f", False,
         ["men", "women"], ["wool", "wool_blend"], ["tailored", "slim", "regular"],
         ["Navy", "Charcoal", "Camel", "Black", "Grey"], (129, 199), "apparel",
         ["office", "evening", "autumn"], 5, ["norte"], "tailoring",
         [("A two-button blazer with a gently structured shoulder, the {name} is the backbone of a smart wardrobe.",
           "Americana de dos botones con el hombro ligeramente estructurado: la {name} es la base de un armario elegante."),
          ("Throw the {name} {colp} over jeans for dinner or wear it with tailored trousers to the office.",
           "Ponte la {name} {colp} con vaqueros para cenar o con pantalón de vestir para ir a la oficina.")],
         [("Fully lined, with working cuff buttons and a single back vent.",
           "Totalmente forrada, con botones funcionales en los puños y una abertura trasera.")]),
    # ----------------------------------------------------------------- suits
    Kind("wool-suit", "suits", "SUI", "Wool Suit", "traje de lana", "m", False,
         ["men", "women"], ["wool_suit"], ["slim", "tailored", "regular"],
         ["Navy", "Charcoal", "Grey", "Black"], (249, 349), "suit",
         ["office", "wedding", "evening"], 4, ["norte"], "tailoring",
         [("The {name} is a two-piece in fine worsted wool with a natural shoulder and a slightly tapered trouser.",
           "El {name} es un dos piezas de lana peinada fina, con hombro natural y pantalón ligeramente estrecho en el bajo."),
          ("The {name} {colp} is the suit that works for everything, from a Monday board meeting to a Saturday ceremony.",
           "El {name} {colp} es el traje que sirve para todo, desde una reunión el lunes hasta una ceremonia el sábado.")],
         [("Jacket and trousers are sold together; the trousers have an adjustable waistband.",
           "Chaqueta y pantalón se venden juntos; el pantalón tiene cinturilla ajustable.")]),
    Kind("linen-suit", "suits", "SUI", "Linen Suit", "traje de lino", "m", False,
         ["men", "women"], ["linen", "linen_cotton"], ["relaxed", "regular"],
         ["Sand", "Sky Blue", "Off-White", "Sage"], (199, 279), "suit",
         ["wedding", "summer_evening"], 3, ["costa", "norte"], "tailoring",
         [("The {name} is a soft two-piece made for outdoor ceremonies in the heat.",
           "El {name} es un dos piezas ligero pensado para ceremonias al aire libre con calor."),
          ("An unlined jacket and trousers with side adjusters: the {name} {colp} is summer tailoring done right.",
           "Chaqueta sin forro y pantalón con ajustes laterales: el {name} {colp} es la sastrería de verano bien hecha.")]),
    # --------------------------------------------------------------- jackets
    Kind("denim-jacket", "jackets", "JAC", "Denim Jacket", "cazadora vaquera", "f", False,
         ["men", "women", "unisex"], ["rigid_denim"], ["regular", "oversized"],
         ["Light Wash", "Mid Blue", "Indigo", "Black"], (69, 99), "apparel",
         ["weekend", "spring", "festival"], 5, ["rambla"], "jacket",
         [("The {name} is a classic with pleated front panels, flap chest pockets and adjustable waist tabs.",
           "La {name} es un clásico con pliegues delanteros, bolsillos de pecho con solapa y trabillas ajustables en la cintura."),
          ("Spring, autumn and cool summer nights: the {name} {colp} covers them all.",
           "Primavera, otoño y noches frescas de verano: la {name} {colp} sirve para todo.")],
         [("Metal shank buttons take on a patina over time.",
           "Los botones metálicos adquieren pátina con el tiempo.")]),
    Kind("leather-jacket", "jackets", "JAC", "Leather Jacket", "chaqueta de piel", "f", False,
         ["men", "women"], ["lambskin"], ["slim", "regular"],
         ["Black", "Brown", "Cognac", "Burgundy"], (229, 399), "apparel",
         ["evening", "autumn", "spring"], 5, ["cuero"], "jacket",
         [("An asymmetric zip and snap-down lapels: the {name} is a biker jacket that means it.",
           "Cremallera asimétrica y solapas con automáticos: la {name} es una chaqueta motera de verdad."),
          ("The {name} {colp} starts supple and only gets better as it moulds to you.",
           "La {name} {colp} es flexible desde el principio y mejora a medida que se adapta a ti."),
          ("A clean collarless racer style, the {name} looks sharp over a dress or a tee.",
           "De estilo limpio y sin cuello, la {name} queda genial sobre un vestido o una camiseta.")],
         [("Quilted satin lining and zipped cuffs.",
           "Forro de satén acolchado y puños con cremallera.")]),
    Kind("bomber", "jackets", "JAC", "Bomber Jacket", "cazadora de aviador", "f", False,
         ["men", "women", "unisex"], ["nylon_shell", "wool_blend"], ["relaxed", "regular"],
         ["Olive", "Black", "Navy", "Burgundy"], (89, 149), "apparel",
         ["weekend", "spring", "autumn"], 4, ["vela", "fabrica"], "jacket",
         [("A ribbed collar, cuffs and hem give the {name} its unmistakable flight-jacket shape.",
           "El cuello, los puños y el bajo de canalé dan a la {name} su inconfundible forma de chaqueta de piloto."),
          ("The {name} {colp} is the jacket for cool mornings that turn into warm afternoons.",
           "La {name} {colp} es la chaqueta para mañanas frescas que acaban en tardes templadas.")],
         [("A utility pocket on the sleeve and a two-way zip.",
           "Bolsillo utilitario en la manga y cremallera de doble cursor.")]),
    Kind("puffer", "jackets", "JAC", "Puffer Jacket", "plumífero", "m", False,
         ["men", "women", "unisex"], ["down", "synthetic_fill"], ["regular", "relaxed", "oversized"],
         ["Black", "Navy", "Olive", "Off-White", "Burgundy"], (129, 229), "apparel",
         ["cold", "travel"], 5, ["vela"], "warm",
         [("Baffled channels packed with insulation make the {name} seriously warm without the weight.",
           "Los compartimentos rellenos de aislante hacen que el {name} abrigue de verdad sin pesar."),
          ("The {name} {colp} packs into its own pocket, so it can come along on every trip.",
           "El {name} {colp} se guarda en su propio bolsillo, así que te acompaña en todos los viajes.")],
         [("A high collar, an adjustable hood and zipped hand pockets.",
           "Cuello alto, capucha ajustable y bolsillos con cremallera.")]),
    Kind("rain-jacket", "jackets", "JAC", "Rain Jacket", "chaqueta impermeable", "f", False,
         ["men", "women", "unisex"], ["rain_shell"], ["regular", "relaxed"],
         ["Yellow", "Navy", "Black", "Olive", "Red"], (89, 149), "apparel",
         ["rain", "hiking", "travel"], 5, ["vela"], "rain",
         [("Taped seams, a stiffened peak on the hood and a storm flap over the zip: the {name} keeps the rain out properly.",
           "Costuras termoselladas, capucha con visera rígida y solapa sobre la cremallera: la {name} no deja pasar la lluvia."),
          ("The {name} {colp} is light enough to roll into a bag and pull out when the clouds come in.",
           "La {name} {colp} es tan ligera que puedes enrollarla en el bolso y sacarla cuando se nubla.")],
         [("Underarm zips let heat escape on the uphill stretches.",
           "Las cremalleras de ventilación bajo los brazos dejan escapar el calor en las subidas.")],
         tags=["waterproof"]),
    # ----------------------------------------------------------------- coats
    Kind("wool-coat", "coats", "COA", "Wool Coat", "abrigo de lana", "m", False,
         ["men", "women"], ["wool", "wool_blend"], ["tailored", "relaxed", "oversized"],
         ["Camel", "Charcoal", "Navy", "Black", "Grey"], (179, 329), "apparel",
         ["cold", "office"], 6, ["norte"], "warm",
         [("The {name} is a single-breasted overcoat that falls to just above the knee.",
           "El {name} es un abrigo de botonadura sencilla que llega justo por encima de la rodilla."),
          ("A coat for real winters, the {name} {colp} has a generous collar you can turn up against the wind.",
           "Un abrigo para inviernos de verdad: el {name} {colp} tiene un cuello amplio que puedes subirte contra el viento."),
          ("Clean lines make the {name} easy to wear over a suit or a chunky knit.",
           "Sus líneas limpias hacen que el {name} sea fácil de llevar sobre un traje o un jersey grueso.")],
         [("Fully lined, with an inside pocket for your phone.",
           "Totalmente forrado, con un bolsillo interior para el móvil.")]),
    Kind("trench", "coats", "COA", "Trench Coat", "gabardina", "f", False,
         ["men", "women"], ["gabardine"], ["regular", "relaxed"],
         ["Beige", "Stone", "Navy", "Black"], (149, 249), "apparel",
         ["spring", "office", "rain"], 5, ["norte", "costa"], "rain",
         [("Epaulettes, a storm flap and a belted waist: the {name} keeps every detail of the original trench.",
           "Hombreras, solapa antitormenta y cinturón: la {name} conserva todos los detalles de la trinchera original."),
          ("The {name} {colp} handles spring showers with ease and still looks sharp over a suit.",
           "La {name} {colp} aguanta sin problema los chubascos de primavera y sigue luciendo impecable sobre un traje.")],
         [("Buckled cuff straps and a vented back.",
           "Trabillas con hebilla en los puños y abertura en la espalda.")]),
    Kind("peacoat", "coats", "COA", "Peacoat", "chaquetón marinero", "m", False,
         ["men", "women"], ["wool", "wool_blend"], ["regular", "slim"],
         ["Navy", "Black", "Camel"], (169, 249), "apparel",
         ["cold", "autumn"], 3, ["norte"], "warm",
         [("Double-breasted with anchor buttons, the {name} is a naval classic.",
           "Cruzado y con botones de ancla, el {name} es un clásico naval."),
          ("The {name} {colp} has a wide collar and deep hand-warmer pockets.",
           "El {name} {colp} tiene un cuello ancho y bolsillos profundos para calentarte las manos.")]),
    # -------------------------------------------------------------- knitwear
    Kind("merino-crew", "knitwear", "KNI", "Merino Crew Neck", "jersey de merino de cuello redondo", "m", False,
         ["men", "women"], ["merino"], ["regular", "slim"],
         ["Navy", "Charcoal", "Forest Green", "Burgundy", "Camel"], (59, 89), "apparel",
         ["office", "travel", "autumn"], 6, ["pinar"], "knit",
         [("The fine gauge makes the {name} light enough to wear over a shirt collar.",
           "El punto fino hace que el {name} sea lo bastante ligero para llevar una camisa debajo."),
          ("The {name} {colp} is the jumper that goes from the office to the airport to dinner without a crease.",
           "El {name} {colp} es el jersey que va de la oficina al aeropuerto y a la cena sin una arruga.")],
         [("Fully fashioned shoulders and ribbed trims.",
           "Hombros menguados y remates de canalé.")]),
    Kind("cashmere-jumper", "knitwear", "KNI", "Cashmere Jumper", "jersey de cachemira", "m", False,
         ["women", "men"], ["cashmere"], ["relaxed", "oversized", "regular"],
         ["Camel", "Grey", "Dusty Rose", "Navy", "Black", "Ivory"], (129, 199), "apparel",
         ["cold", "travel", "weekend"], 6, ["pinar"], "knit",
         [("The {name} is astonishingly soft and surprisingly warm for its weight.",
           "El {name} es increíblemente suave y sorprendentemente cálido para lo poco que pesa."),
          ("The {name} {colp} has slightly longer sleeves to pull over your hands.",
           "El {name} {colp} tiene las mangas algo más largas para cubrirte las manos.")],
         [("Hand-finished seams and a gently rolled neckline.",
           "Costuras rematadas a mano y un cuello ligeramente enrollado.")]),
    Kind("cotton-cardigan", "knitwear", "KNI", "Cotton Cardigan", "cárdigan de algodón", "m", False,
         ["women", "men"], ["cotton_knit", "organic_cotton"], ["regular", "relaxed", "oversized"],
         ["Off-White", "Navy", "Sage", "Mustard", "Black"], (49, 79), "apparel",
         ["spring", "office", "summer_evening"], 5, ["pinar"], "knit",
         [("Horn-effect buttons and a V-neck give the {name} an easy, timeless look.",
           "Los botones efecto asta y el cuello de pico dan al {name} un aire sencillo y atemporal."),
          ("The {name} {colp} is the layer for air-conditioned offices and breezy evenings on the terrace.",
           "El {name} {colp} es la capa perfecta para oficinas con aire acondicionado y noches de brisa en la terraza.")],
         [("Patch pockets at the hip and ribbed cuffs.",
           "Bolsillos de parche en la cadera y puños de canalé.")]),
    Kind("cable-jumper", "knitwear", "KNI", "Cable-Knit Jumper", "jersey de ochos", "m", False,
         ["men", "women", "unisex"], ["lambswool", "wool"], ["relaxed", "oversized"],
         ["Ivory", "Forest Green", "Navy", "Grey"], (79, 119), "apparel",
         ["cold", "autumn", "weekend"], 4, ["pinar"], "knit",
         [("Chunky cables run down the front and sleeves of the {name}, a fisherman classic.",
           "Gruesos ochos recorren el delantero y las mangas del {name}, un clásico de pescador."),
          ("Thick and cosy, the {name} {colp} is the jumper for cabin weekends and cold walks by the sea.",
           "Grueso y acogedor, el {name} {colp} es el jersey para fines de semana en una casa rural y paseos fríos junto al mar.")]),
    Kind("roll-neck", "knitwear", "KNI", "Merino Roll Neck", "jersey de merino de cuello alto", "m", False,
         ["men", "women"], ["merino"], ["slim", "regular"],
         ["Black", "Camel", "Charcoal", "Ivory"], (69, 99), "apparel",
         ["office", "cold", "evening"], 3, ["pinar"], "knit",
         [("The {name} is a fine roll neck that sits neatly under a coat or a blazer.",
           "El {name} es un cuello alto fino que queda impecable bajo un abrigo o una americana."),
          ("The {name} {colp} replaces a shirt and tie on winter evenings.",
           "El {name} {colp} sustituye a la camisa y la corbata en las noches de invierno.")]),
    # ------------------------------------------------------------ sweatshirts
    Kind("hoodie", "sweatshirts", "SWE", "Hoodie", "sudadera con capucha", "f", False,
         ["unisex", "men", "women"], ["fleece", "organic_fleece"], ["relaxed", "oversized", "regular"],
         ["Heather Grey", "Black", "Navy", "Sage", "Off-White", "Burgundy"], (49, 69), "apparel",
         ["weekend", "travel", "everyday"], 6, ["fabrica"], "sweat",
         [("The {name} is soft on the inside and holds its structure on the outside.",
           "La {name} es suave por dentro y mantiene la estructura por fuera."),
          ("The {name} {colp} has a double-layer hood, a kangaroo pocket and ribbed cuffs that do not stretch out.",
           "La {name} {colp} tiene capucha de doble capa, bolsillo canguro y puños de canalé que no se dan de sí.")]),
    Kind("crew-sweatshirt", "sweatshirts", "SWE", "Crewneck Sweatshirt", "sudadera de cuello redondo", "f", False,
         ["unisex", "men", "women"], ["fleece", "organic_fleece"], ["relaxed", "regular"],
         ["Heather Grey", "Navy", "Forest Green", "Off-White"], (45, 65), "apparel",
         ["weekend", "everyday"], 4, ["fabrica"], "sweat",
         [("With a V-insert at the neck, the {name} is a straight-up classic.",
           "Con el pico cosido en el cuello, la {name} es un clásico sin más."),
          ("The {name} {colp} is what you pull on for Sunday papers and slow coffee.",
           "La {name} {colp} es lo que te pones para un domingo de periódico y café sin prisas.")]),
    Kind("zip-hoodie", "sweatshirts", "SWE", "Zip Hoodie", "sudadera con cremallera", "f", False,
         ["unisex", "men", "women"], ["fleece"], ["regular", "relaxed"],
         ["Black", "Heather Grey", "Navy"], (55, 69), "apparel",
         ["travel", "gym", "weekend"], 3, ["fabrica", "marea"], "sweat",
         [("A full-length two-way zip makes the {name} the easiest layer to take on and off.",
           "Una cremallera de doble cursor de arriba abajo hace de la {name} la capa más fácil de poner y quitar."),
          ("The {name} {colp} has zipped side pockets for keys and cards.",
           "La {name} {colp} tiene bolsillos laterales con cremallera para las llaves y las tarjetas.")]),
    # ------------------------------------------------------------ activewear
    Kind("leggings", "activewear", "ACT", "Training Leggings", "mallas de deporte", "fp", True,
         ["women"], ["tech_stretch"], ["fitted"],
         ["Black", "Navy", "Olive", "Burgundy", "Charcoal"], (45, 69), "apparel",
         ["gym", "running"], 5, ["marea"], "active",
         [("High-waisted and squat-proof, the {name} hold you in without digging in.",
           "De tiro alto y opacas incluso en sentadillas, las {name} sujetan sin apretar."),
          ("The {name} {colp} have a hidden waistband pocket that fits a phone or a key.",
           "Las {name} {colp} tienen un bolsillo oculto en la cinturilla donde caben el móvil o una llave.")]),
    Kind("running-tee", "activewear", "ACT", "Running T-Shirt", "camiseta técnica para correr", "f", False,
         ["men", "women"], ["tech_mesh"], ["regular", "slim"],
         ["Cobalt", "Black", "Coral", "White"], (29, 45), "apparel",
         ["running", "gym"], 4, ["marea"], "active",
         [("Ultra-light and quick-drying, the {name} is built for long runs in the heat.",
           "Ultraligera y de secado rápido, la {name} está pensada para tiradas largas con calor."),
          ("Reflective details on the {name} {colp} keep you visible on early-morning runs.",
           "Los detalles reflectantes de la {name} {colp} te hacen visible cuando sales a correr de madrugada.")]),
    Kind("sports-bra", "activewear", "ACT", "Sports Bra", "sujetador deportivo", "m", False,
         ["women"], ["tech_stretch"], ["fitted"],
         ["Black", "Sage", "Dusty Rose", "Navy"], (35, 49), "apparel",
         ["gym"], 3, ["marea"], "active",
         [("Medium support and crossover straps make the {name} ideal for yoga, pilates and the gym.",
           "Sujeción media y tirantes cruzados: el {name} es ideal para yoga, pilates y el gimnasio."),
          ("The {name} {colp} has removable pads and a soft elastic band under the bust.",
           "El {name} {colp} tiene copas extraíbles y una banda elástica suave bajo el pecho.")]),
    Kind("running-shorts", "activewear", "ACT", "Running Shorts", "pantalón corto para correr", "m", True,
         ["men", "women"], ["tech_mesh"], ["regular"],
         ["Black", "Navy", "Cobalt"], (29, 45), "apparel",
         ["running"], 3, ["marea"], "active",
         [("A built-in liner and split hems let the {name} move freely over every kilometre.",
           "La malla interior y las aberturas laterales permiten que el {name} se mueva libremente kilómetro a kilómetro."),
          ("The {name} {colp} have a zipped back pocket for a key and a gel.",
           "El {name} {colp} tiene un bolsillo trasero con cremallera para la llave y un gel.")]),
    Kind("base-layer", "activewear", "ACT", "Merino Base Layer", "camiseta térmica de merino", "f", False,
         ["men", "women"], ["merino"], ["fitted", "slim"],
         ["Black", "Navy", "Forest Green"], (55, 79), "apparel",
         ["hiking", "cold"], 3, ["vela"], "active",
         [("Worn next to the skin, the {name} regulates your temperature on long days in the hills.",
           "Pegada a la piel, la {name} regula tu temperatura en las jornadas largas por la montaña."),
          ("The {name} {colp} has flatlock seams that never rub under a rucksack.",
           "La {name} {colp} tiene costuras planas que no rozan bajo la mochila.")]),
    # -------------------------------------------------------------- swimwear
    Kind("swim-shorts", "swimwear", "SWI", "Swim Shorts", "bañador", "m", True,
         ["men"], ["swim_poly"], ["regular", "slim"],
         ["Navy", "Coral", "Sky Blue", "Terracotta", "Olive", "Floral"], (35, 59), "apparel",
         ["beach", "holiday"], 5, ["sol"], "swim",
         [("Quick-drying and lined with a soft mesh brief, the {name} are made for long days between the sand and the sea.",
           "De secado rápido y con slip de malla suave por dentro, el {name} está hecho para largos días entre la arena y el mar."),
          ("The {name} {colp} have an elasticated drawstring waist and a zipped back pocket for a key.",
           "El {name} {colp} tiene cintura elástica con cordón y un bolsillo trasero con cremallera para la llave.")]),
    Kind("swimsuit", "swimwear", "SWI", "Swimsuit", "bañador", "m", False,
         ["women"], ["swim_lycra"], ["fitted"],
         ["Black", "Terracotta", "Emerald", "Cobalt", "Polka Dot"], (49, 79), "apparel",
         ["beach", "holiday"], 5, ["sol"], "swim",
         [("A scoop back and a high leg give the {name} a flattering, sporty line.",
           "La espalda escotada y el corte alto de pierna dan al {name} una línea deportiva que favorece."),
          ("The {name} {colp} is fully lined and holds its shape after a whole summer of salt and chlorine.",
           "El {name} {colp} va forrado y mantiene la forma después de todo un verano de sal y cloro.")]),
    Kind("bikini", "swimwear", "SWI", "Bikini", "bikini", "m", False,
         ["women"], ["swim_lycra"], ["fitted"],
         ["Black", "Coral", "Floral", "Sage", "Polka Dot"], (45, 69), "apparel",
         ["beach", "holiday"], 4, ["sol"], "swim",
         [("A triangle top with sliding cups and tie-side briefs, the {name} adjusts to you.",
           "Top de triángulo con copas deslizantes y braguita con lazos laterales: el {name} se adapta a ti."),
          ("The {name} {colp} mixes and matches with our other swimwear.",
           "El {name} {colp} se puede combinar con el resto de nuestros bañadores.")]),
    # -------------------------------------------------------------- sneakers
    Kind("leather-sneakers", "sneakers", "SNE", "Leather Sneakers", "zapatillas de piel", "fp", True,
         ["men", "women", "unisex"], ["leather_shoe"], ["shoe_true", "shoe_small"],
         ["White", "Black", "Off-White", "Tan"], (79, 129), "shoes",
         ["everyday", "travel"], 5, ["cuero", "passeig"], "shoe",
         [("Minimal and clean, the {name} sit on a stitched rubber cupsole.",
           "Minimalistas y limpias, las {name} van sobre una suela de goma cosida."),
          ("The {name} {colp} go with jeans, chinos and even a relaxed suit.",
           "Las {name} {colp} combinan con vaqueros, chinos e incluso con un traje informal.")],
         [("A padded collar and a cushioned leather insole.",
           "Cuello acolchado y plantilla de piel amortiguada.")]),
    Kind("canvas-sneakers", "sneakers", "SNE", "Canvas Sneakers", "zapatillas de lona", "fp", True,
         ["unisex"], ["canvas"], ["shoe_true"],
         ["Off-White", "Navy", "Black", "Red", "Sage"], (45, 69), "shoes",
         ["summer", "everyday", "festival"], 4, ["passeig"], "shoe",
         [("Low-top and light, the {name} are the summer sneakers you will wear until they fall apart.",
           "Bajas y ligeras, las {name} son esas zapatillas de verano que llevarás hasta que se rompan."),
          ("The {name} {colp} have a padded insole and metal eyelets.",
           "Las {name} {colp} tienen plantilla acolchada y ojales metálicos.")]),
    Kind("running-shoes", "sneakers", "SNE", "Running Shoes", "zapatillas para correr", "fp", True,
         ["men", "women"], ["mesh_shoe"], ["shoe_true", "shoe_wide"],
         ["Black", "Cobalt", "White", "Coral"], (89, 139), "shoes",
         ["running", "gym"], 4, ["marea"], "shoe",
         [("Neutral cushioning makes the {name} a good daily trainer for 5 km to half-marathon distances.",
           "La amortiguación neutra convierte las {name} en unas buenas zapatillas de diario para distancias de 5 km a media maratón."),
          ("The {name} {colp} have a reflective heel tab for runs after dark.",
           "Las {name} {colp} tienen una lengüeta reflectante en el talón para correr de noche.")]),
    # ----------------------------------------------------------------- boots
    Kind("chelsea-boots", "boots", "BOO", "Chelsea Boots", "botines chelsea", "mp", True,
         ["men", "women"], ["suede", "leather_shoe"], ["shoe_true", "shoe_small"],
         ["Black", "Brown", "Tan", "Chocolate"], (119, 179), "shoes",
         ["autumn", "office", "weekend"], 5, ["cuero", "passeig"], "shoe",
         [("Elastic side panels and a pull tab make the {name} easy to slip on and off.",
           "Los elásticos laterales y el tirador hacen que los {name} se pongan y se quiten en un segundo."),
          ("The {name} {colp} sit on a Goodyear-welted sole that can be resoled for years.",
           "Los {name} {colp} llevan una suela cosida Goodyear que se puede cambiar durante años.")]),
    Kind("hiking-boots", "boots", "BOO", "Hiking Boots", "botas de montaña", "fp", True,
         ["men", "women"], ["wp_leather"], ["shoe_true", "shoe_wide"],
         ["Brown", "Grey", "Olive"], (119, 169), "shoes",
         ["hiking"], 4, ["vela"], "shoe",
         [("A grippy lugged sole and a supportive ankle make the {name} ready for rocky trails.",
           "La suela con tacos de buen agarre y la sujeción del tobillo preparan las {name} para senderos pedregosos."),
          ("The {name} {colp} are light enough for day hikes and sturdy enough for the GR routes.",
           "Las {name} {colp} son lo bastante ligeras para excursiones de un día y lo bastante robustas para las rutas GR.")]),
    Kind("ankle-boots", "boots", "BOO", "Heeled Ankle Boots", "botines de tacón", "mp", True,
         ["women"], ["suede", "leather_shoe"], ["shoe_true"],
         ["Black", "Brown", "Burgundy"], (99, 159), "shoes",
         ["office", "evening", "autumn"], 4, ["passeig"], "shoe",
         [("A 6 cm block heel keeps the {name} comfortable from the office to the bar.",
           "El tacón ancho de 6 cm hace que los {name} sean cómodos de la oficina al bar."),
          ("The {name} {colp} have a side zip and a slightly pointed toe.",
           "Los {name} {colp} tienen cremallera lateral y la punta ligeramente afilada.")]),
    Kind("knee-boots", "boots", "BOO", "Knee-High Boots", "botas altas", "fp", True,
         ["women"], ["leather_shoe"], ["shoe_true"],
         ["Black", "Chocolate", "Cognac"], (149, 229), "shoes",
         ["autumn", "cold", "evening"], 3, ["cuero", "passeig"], "shoe",
         [("The {name} have a slim shaft and a low stacked heel for all-day walking.",
           "Las {name} tienen la caña estrecha y un tacón bajo para caminar todo el día."),
          ("Wear the {name} {colp} over skinny jeans or with a midi dress.",
           "Lleva las {name} {colp} por encima de unos vaqueros pitillo o con un vestido midi.")]),
    # --------------------------------------------------------------- sandals
    Kind("leather-sandals", "sandals", "SAN", "Leather Sandals", "sandalias de piel", "fp", True,
         ["women", "men"], ["leather_goods"], ["shoe_true"],
         ["Tan", "Black", "Gold", "White"], (49, 89), "shoes",
         ["summer", "beach", "holiday"], 5, ["sol", "cuero"], "shoe",
         [("Crossed straps and a moulded footbed make the {name} comfortable from the first walk.",
           "Las tiras cruzadas y la plantilla anatómica hacen que las {name} sean cómodas desde el primer paseo."),
          ("The {name} {colp} are handmade in Menorca, on a flat leather sole.",
           "Las {name} {colp} están hechas a mano en Menorca, con suela plana de piel.")]),
    Kind("espadrilles", "sandals", "SAN", "Espadrilles", "alpargatas", "fp", True,
         ["women", "men", "unisex"], ["jute"], ["shoe_true"],
         ["Navy", "Off-White", "Red", "Black", "Sand"], (35, 59), "shoes",
         ["summer", "holiday", "beach"], 5, ["sol"], "shoe",
         [("The {name} are the shoes of every Catalan summer since forever.",
           "Las {name} son el calzado de todos los veranos catalanes desde siempre."),
          ("Slip the {name} {colp} on for seaside towns and long lunches.",
           "Ponte las {name} {colp} para pueblos de costa y comidas largas.")]),
    # --------------------------------------------------------------- loafers
    Kind("loafers", "loafers", "LOA", "Penny Loafers", "mocasines", "mp", True,
         ["men", "women"], ["leather_shoe", "suede"], ["shoe_true", "shoe_small"],
         ["Black", "Cognac", "Burgundy", "Chocolate"], (99, 149), "shoes",
         ["office", "weekend", "travel"], 6, ["passeig", "cuero"], "shoe",
         [("A hand-sewn moccasin toe and a classic penny strap: the {name} never date.",
           "Puntera de mocasín cosida a mano y la clásica tira con ranura: los {name} nunca pasan de moda."),
          ("The {name} {colp} look sharp with tailoring and relaxed with cropped chinos.",
           "Los {name} {colp} quedan elegantes con traje y desenfadados con chinos tobilleros.")],
         [("A leather sole with a rubber heel insert for grip.",
           "Suela de piel con taco de goma en el talón para que agarre.")]),
    # ----------------------------------------------------------------- heels
    Kind("heeled-sandals", "heels", "HEE", "Block Heel Sandals", "sandalias de tacón ancho", "fp", True,
         ["women"], ["leather_shoe", "suede"], ["shoe_true"],
         ["Black", "Gold", "Champagne", "Red"], (69, 119), "shoes",
         ["evening", "wedding", "summer_evening"], 4, ["passeig"], "shoe",
         [("A steady 7 cm block heel means you can wear the {name} all night.",
           "El tacón ancho de 7 cm, muy estable, te permite llevar las {name} toda la noche."),
          ("The {name} {colp} have a padded footbed and an adjustable ankle strap.",
           "Las {name} {colp} tienen plantilla acolchada y pulsera ajustable en el tobillo.")]),
    Kind("pumps", "heels", "HEE", "Pointed Pumps", "zapatos de salón", "mp", True,
         ["women"], ["leather_shoe", "suede"], ["shoe_true", "shoe_small"],
         ["Black", "Red", "Beige", "Cobalt"], (79, 129), "shoes",
         ["office", "evening"], 4, ["passeig"], "shoe",
         [("A pointed toe and an 8 cm heel give the {name} a sleek, leg-lengthening line.",
           "La punta afilada y el tacón de 8 cm dan a los {name} una línea estilizada que alarga la pierna."),
          ("The {name} {colp} have a cushioned insole so long days hurt a lot less.",
           "Los {name} {colp} tienen plantilla acolchada para que los días largos duelan mucho menos.")]),
    # ------------------------------------------------------------------ bags
    Kind("tote", "bags", "BAG", "Leather Tote", "bolso grande de piel", "m", False,
         ["women", "unisex"], ["leather_goods"], ["one_size"],
         ["Black", "Cognac", "Tan", "Burgundy"], (129, 199), "one",
         ["office", "travel"], 4, ["cuero"], "bag",
         [("The {name} fits a 15-inch laptop, a water bottle and everything else the day needs.",
           "En el {name} caben un portátil de 15 pulgadas, una botella de agua y todo lo que necesitas en el día."),
          ("Unlined and unfussy, the {name} {colp} has a zipped inner pocket and sturdy shoulder straps.",
           "Sin forro y sin complicaciones, el {name} {colp} tiene un bolsillo interior con cremallera y asas resistentes.")]),
    Kind("crossbody", "bags", "BAG", "Crossbody Bag", "bolso bandolera", "m", False,
         ["women", "unisex"], ["leather_goods", "nylon_bag"], ["adjustable"],
         ["Black", "Tan", "Olive", "Burgundy"], (59, 119), "one",
         ["travel", "everyday", "holiday"], 4, ["cuero"], "bag",
         [("Small enough to keep close, big enough for a phone, wallet and sunglasses: that is the {name}.",
           "Lo bastante pequeño para llevarlo pegado al cuerpo y lo bastante grande para el móvil, la cartera y las gafas: así es el {name}."),
          ("The {name} {colp} has an adjustable strap and a magnetic flap.",
           "El {name} {colp} tiene correa ajustable y solapa con cierre magnético.")]),
    Kind("backpack", "bags", "BAG", "Canvas Backpack", "mochila de lona", "f", False,
         ["unisex"], ["waxed_canvas"], ["adjustable"],
         ["Olive", "Navy", "Black", "Khaki"], (79, 119), "one",
         ["travel", "everyday"], 3, ["vela"], "bag",
         [("The {name} has a padded laptop sleeve and a roll-top that expands for gym clothes.",
           "La {name} tiene funda acolchada para el portátil y cierre enrollable que se amplía para la ropa del gimnasio."),
          ("The {name} {colp} carries you through a week of commuting or a weekend away.",
           "La {name} {colp} te acompaña en una semana de idas y venidas al trabajo o en una escapada de fin de semana.")]),
    Kind("weekender", "bags", "BAG", "Weekender Bag", "bolsa de viaje", "f", False,
         ["unisex"], ["waxed_canvas", "leather_goods"], ["one_size"],
         ["Olive", "Navy", "Cognac"], (129, 189), "one",
         ["travel", "holiday"], 3, ["cuero", "vela"], "bag",
         [("The {name} holds three days of clothes and fits in an overhead locker.",
           "En la {name} cabe ropa para tres días y entra en el compartimento superior del avión."),
          ("The {name} {colp} has a separate shoe compartment and a detachable shoulder strap.",
           "La {name} {colp} tiene un compartimento aparte para zapatos y una correa de hombro extraíble.")]),
    Kind("basket-bag", "bags", "BAG", "Straw Basket Bag", "capazo de paja", "m", False,
         ["women"], ["straw"], ["one_size"],
         ["Natural", "Black"], (39, 69), "one",
         ["beach", "summer"], 3, ["sol"], "bag",
         [("The {name} carries a towel, a book and a bottle of water down to the cove.",
           "En el {name} caben una toalla, un libro y una botella de agua para bajar a la cala."),
          ("Leather handles and a cotton drawstring lining make the {name} {colp} practical as well as pretty.",
           "Las asas de piel y el forro de algodón con cordón hacen que el {name} {colp} sea práctico además de bonito.")]),
    # ---------------------------------------------------------------- belts
    Kind("leather-belt", "belts", "BEL", "Leather Belt", "cinturón de piel", "m", False,
         ["men", "women", "unisex"], ["leather_goods"], ["adjustable"],
         ["Black", "Brown", "Cognac", "Tan"], (35, 59), "belt",
         ["office", "everyday"], 4, ["cuero"], "acc",
         [("A 3.5 cm strap and a solid brass buckle make the {name} a belt for jeans and chinos alike.",
           "Una tira de 3,5 cm y hebilla de latón macizo hacen del {name} un cinturón que sirve para vaqueros y chinos."),
          ("The {name} {colp} has hand-painted edges and five holes for a precise fit.",
           "El {name} {colp} tiene los cantos pintados a mano y cinco agujeros para un ajuste preciso.")]),
    Kind("braided-belt", "belts", "BEL", "Braided Belt", "cinturón trenzado", "m", False,
         ["men", "unisex"], ["leather_goods"], ["adjustable"],
         ["Tan", "Navy", "Brown"], (39, 55), "belt",
         ["summer", "weekend"], 3, ["cuero"], "acc",
         [("Woven by hand, the {name} lets you fasten the buckle anywhere along its length.",
           "Trenzado a mano, el {name} te permite abrochar la hebilla en cualquier punto."),
          ("The {name} {colp} brings a relaxed summer touch to linen trousers and chinos.",
           "El {name} {colp} da un toque veraniego y relajado a los pantalones de lino y los chinos.")]),
    # --------------------------------------------------------------- scarves
    Kind("wool-scarf", "scarves", "SCA", "Wool Scarf", "bufanda de lana", "f", False,
         ["unisex"], ["lambswool", "wool"], ["one_size"],
         ["Charcoal", "Camel", "Red Check", "Navy", "Forest Green"], (29, 49), "one",
         ["cold", "autumn"], 4, ["pinar"], "acc",
         [("The {name} is long enough to wrap twice and finished with a short fringe.",
           "La {name} es lo bastante larga para dar dos vueltas y termina en un flequillo corto."),
          ("The {name} {colp} is the simplest way to stay warm on a windy platform.",
           "La {name} {colp} es la forma más sencilla de no pasar frío en un andén con viento.")]),
    Kind("cashmere-scarf", "scarves", "SCA", "Cashmere Scarf", "bufanda de cachemira", "f", False,
         ["unisex"], ["cashmere"], ["one_size"],
         ["Camel", "Grey", "Burgundy", "Ivory"], (89, 139), "one",
         ["cold", "travel"], 3, ["pinar"], "acc",
         [("Featherlight and generously sized, the {name} doubles as a wrap on chilly flights.",
           "Ligerísima y de buen tamaño, la {name} sirve también de chal en los vuelos con frío."),
          ("The {name} {colp} comes in a gift box, ready to give.",
           "La {name} {colp} viene en caja de regalo, lista para regalar.")],
         tags=["gift"]),
    Kind("silk-scarf", "scarves", "SCA", "Silk Scarf", "pañuelo de seda", "m", False,
         ["women"], ["silk"], ["one_size"],
         ["Floral", "Cobalt", "Terracotta"], (49, 79), "one",
         ["summer_evening", "office"], 3, ["brisa"], "acc",
         [("Tie the {name} at the neck, in your hair or on the handle of a bag.",
           "Lleva el {name} anudado al cuello, en el pelo o en el asa del bolso."),
          ("The {name} {colp} has hand-rolled edges and a print drawn in our Barcelona studio.",
           "El {name} {colp} tiene los bordes enrollados a mano y un estampado dibujado en nuestro estudio de Barcelona.")]),
    # ------------------------------------------------------------------ hats
    Kind("beanie", "hats", "HAT", "Beanie", "gorro de punto", "m", False,
         ["unisex"], ["merino", "lambswool"], ["one_size"],
         ["Black", "Mustard", "Navy", "Grey", "Rust"], (25, 39), "one",
         ["cold", "hiking"], 4, ["pinar"], "acc",
         [("A ribbed knit with a deep turn-up, the {name} covers your ears properly.",
           "De punto de canalé y con una vuelta ancha, el {name} te tapa bien las orejas."),
          ("The {name} {colp} is soft enough that it will not itch, even on a long day outside.",
           "El {name} {colp} es tan suave que no pica, ni siquiera tras un día entero fuera.")]),
    Kind("straw-hat", "hats", "HAT", "Straw Hat", "sombrero de paja", "m", False,
         ["unisex"], ["straw"], ["one_size"],
         ["Natural", "Black"], (35, 59), "one",
         ["beach", "summer", "holiday"], 3, ["sol"], "acc",
         [("A wide brim on the {name} keeps the midday sun off your face and neck.",
           "El ala ancha del {name} te protege la cara y el cuello del sol del mediodía."),
          ("The {name} {colp} has a grosgrain band and an inner sweatband.",
           "El {name} {colp} lleva una cinta de grogrén y una banda interior antisudor.")]),
    Kind("cap", "hats", "HAT", "Baseball Cap", "gorra", "f", False,
         ["unisex"], ["cotton_twill"], ["adjustable"],
         ["Navy", "Black", "Off-White", "Olive"], (25, 35), "one",
         ["summer", "weekend", "running"], 3, ["fabrica"], "acc",
         [("A six-panel cap in washed cotton twill, the {name} has a curved peak and a brass strap-back.",
           "Gorra de seis paneles en sarga de algodón lavada: la {name} tiene visera curva y cierre trasero de latón."),
          ("The {name} {colp} has a small embroidered logo and looks better the more you wear it.",
           "La {name} {colp} lleva un pequeño logotipo bordado y mejora cuanto más te la pones.")]),
    # ------------------------------------------------------------ sunglasses
    Kind("round-sunglasses", "sunglasses", "SUN", "Round Sunglasses", "gafas de sol redondas", "fp", True,
         ["unisex"], ["acetate"], ["one_size"],
         ["Tortoiseshell", "Black"], (59, 99), "one",
         ["summer", "holiday"], 3, ["ulls"], "acc",
         [("A softly rounded frame makes the {name} flattering on most face shapes.",
           "La montura ligeramente redondeada hace que las {name} favorezcan a casi todas las caras."),
          ("The {name} {colp} come with a recycled leather case.",
           "Las {name} {colp} vienen con una funda de piel reciclada.")]),
    Kind("aviator-sunglasses", "sunglasses", "SUN", "Aviator Sunglasses", "gafas de sol de aviador", "fp", True,
         ["unisex"], ["metal_frame"], ["one_size"],
         ["Gold", "Silver"], (69, 109), "one",
         ["summer", "travel", "beach"], 3, ["ulls"], "acc",
         [("A thin double bridge and teardrop lenses: the {name} are a classic for a reason.",
           "Doble puente fino y lentes en forma de gota: las {name} son un clásico por algo."),
          ("The {name} {colp} weigh next to nothing and fold flat into a pocket.",
           "Las {name} {colp} no pesan casi nada y se pliegan para caber en un bolsillo.")]),
    Kind("cateye-sunglasses", "sunglasses", "SUN", "Cat-Eye Sunglasses", "gafas de sol de ojo de gato", "fp", True,
         ["women"], ["acetate"], ["one_size"],
         ["Black", "Tortoiseshell"], (59, 99), "one",
         ["summer", "evening"], 2, ["ulls"], "acc",
         [("Upswept corners give the {name} a little 1960s glamour.",
           "Las esquinas elevadas dan a las {name} un toque glamuroso de los años sesenta."),
          ("The {name} {colp} have gradient lenses that soften the glare.",
           "Las {name} {colp} tienen lentes degradadas que suavizan el deslumbramiento.")]),
    # ----------------------------------------------------------------- socks
    Kind("cotton-socks", "socks", "SOC", "Cotton Socks 3-Pack", "calcetines de algodón", "mp", True,
         ["unisex"], ["cotton_socks"], ["one_size"],
         ["Navy", "Black", "Off-White"], (15, 22), "socks",
         ["everyday", "office"], 3, ["mitjo"], "acc",
         [("The {name} stay up all day without leaving marks on your ankles.",
           "Los {name} no se bajan en todo el día y no dejan marcas en los tobillos."),
          ("Three pairs per pack, {colp}, because odd socks happen to everyone.",
           "Tres pares por paquete, {colp}, porque a todo el mundo se le pierde algún calcetín.")],
         es_suffix="(pack de 3)"),
    Kind("hiking-socks", "socks", "SOC", "Merino Hiking Socks", "calcetines de montaña de merino", "mp", True,
         ["unisex"], ["merino_socks"], ["one_size"],
         ["Grey", "Olive", "Rust"], (18, 25), "socks",
         ["hiking", "cold"], 3, ["mitjo", "vela"], "acc",
         [("Cushioned where your boots rub, the {name} keep blisters away on long descents.",
           "Acolchados justo donde rozan las botas, los {name} evitan las ampollas en las bajadas largas."),
          ("The {name} {colp} reach mid-calf and stay put inside hiking boots.",
           "Los {name} {colp} llegan a media pantorrilla y no se mueven dentro de las botas de montaña.")]),
]

# More per-kind details, kept apart from KINDS so the kind list stays readable.
EXTRA_DETAILS: dict[str, list[tuple[str, str]]] = {
    "breton-top": [
        ("The stripes are knitted in, not printed, so they never crack or fade.",
         "Las rayas van tejidas, no estampadas, así que no se agrietan ni se apagan.")],
    "knit-polo": [
        ("Ribbed cuffs and hem keep the shape neat through the evening.",
         "Los puños y el bajo de canalé mantienen la forma impecable durante toda la noche.")],
    "silk-blouse": [
        ("Tuck it into tailored trousers or wear it loose over a slip skirt.",
         "Llévala por dentro de un pantalón de vestir o suelta sobre una falda lencera.")],
    "poplin-blouse": [
        ("A hidden button at the collar lets you close it right up.",
         "Un botón oculto en el cuello permite abrocharla hasta arriba.")],
    "embroidered-blouse": [
        ("Puffed short sleeves and a loose body keep it airy in the heat.",
         "Las mangas cortas abullonadas y el cuerpo suelto la hacen muy fresca con calor.")],
    "denim-skirt": [
        ("A small back slit makes cycling and stairs easy.",
         "Una pequeña abertura trasera facilita ir en bici y subir escaleras."),
        ("It sits on the natural waist and fastens with metal buttons.",
         "Se ajusta a la cintura natural y se abrocha con botones metálicos.")],
    "linen-skirt": [
        ("Side-seam pockets are deep enough for a phone.",
         "Los bolsillos laterales son lo bastante profundos para el móvil."),
        ("The elasticated waist is wide and flat, so it never bunches.",
         "La cinturilla elástica es ancha y plana, así que no hace frunces.")],
    "slip-skirt": [
        ("A narrow elasticated waistband sits flat under a knit.",
         "La cinturilla elástica estrecha queda plana bajo un jersey."),
        ("It is lined, so it is never see-through.",
         "Va forrada, así que nunca transparenta.")],
    "chino-shorts": [
        ("Slanted front pockets and a buttoned back pocket.",
         "Bolsillos delanteros al bies y un bolsillo trasero con botón."),
        ("Roll the hem once for a shorter look.",
         "Dales una vuelta al bajo si las quieres más cortas.")],
    "linen-shorts": [
        ("Two deep side pockets and one back pocket with a button.",
         "Dos bolsillos laterales profundos y uno trasero con botón."),
        ("Wear them with a linen shirt for a matching set.",
         "Combínalo con una camisa de lino para ir a conjunto.")],
    "denim-shorts": [
        ("A high waist and five classic pockets.",
         "Tiro alto y los cinco bolsillos clásicos."),
        ("The raw hem frays a little more with every wash.",
         "El bajo deshilachado se abre un poco más con cada lavado.")],
    "linen-suit": [
        ("Jacket and trousers are sold together; wear the jacket on its own with jeans.",
         "Chaqueta y pantalón se venden juntos; la chaqueta también queda genial sola con vaqueros."),
        ("Natural creases are part of the charm; steam rather than press.",
         "Las arrugas naturales forman parte de su encanto; mejor vaporizar que planchar.")],
    "peacoat": [
        ("A storm collar buttons up against the wind.",
         "El cuello se abrocha hasta arriba para frenar el viento."),
        ("Fully lined, with a long back vent for movement.",
         "Totalmente forrado, con una abertura trasera larga para moverte con comodidad.")],
    "cable-jumper": [
        ("A crew neck with a deep rib and saddle shoulders.",
         "Cuello redondo con canalé ancho y hombros en silla de montar."),
        ("Knitted on traditional machines in a small family mill.",
         "Tejido en máquinas tradicionales en una pequeña fábrica familiar.")],
    "roll-neck": [
        ("The neck folds over neatly and stays put.",
         "El cuello se dobla con limpieza y no se mueve."),
        ("Ribbed cuffs and hem, with fully fashioned shoulders.",
         "Puños y bajo de canalé, con hombros menguados.")],
    "hoodie": [
        ("Flat drawcords with metal tips and a neat ribbed hem.",
         "Cordones planos con puntas metálicas y un bajo de canalé limpio."),
        ("Pre-shrunk, so it keeps its length after washing.",
         "Viene prelavada, así que no pierde largo con los lavados.")],
    "crew-sweatshirt": [
        ("Ribbed cuffs, collar and hem with a little stretch.",
         "Puños, cuello y bajo de canalé con un poco de elasticidad."),
        ("Raglan sleeves give easy movement through the shoulders.",
         "Las mangas raglán dan libertad de movimiento en los hombros.")],
    "zip-hoodie": [
        ("The hood has a soft jersey lining.",
         "La capucha va forrada de un punto suave."),
        ("Ribbed cuffs and hem keep out draughts.",
         "Los puños y el bajo de canalé frenan las corrientes de aire.")],
    "leggings": [
        ("Flatlock seams prevent chafing on long sessions.",
         "Las costuras planas evitan rozaduras en las sesiones largas."),
        ("Full length, with a wide waistband that never rolls down.",
         "Largo completo, con una cinturilla ancha que nunca se enrolla.")],
    "running-tee": [
        ("Flat seams and a tagless neck mean no chafing after the tenth kilometre.",
         "Las costuras planas y el cuello sin etiqueta evitan rozaduras pasado el kilómetro diez."),
        ("Anti-odour treatment keeps it fresh on back-to-back runs.",
         "El tratamiento antiolor la mantiene fresca entrenamiento tras entrenamiento.")],
    "sports-bra": [
        ("A racerback design leaves the shoulders free.",
         "La espalda nadadora deja los hombros libres."),
        ("The wide underband stays put during burpees and jumps.",
         "La banda inferior ancha no se mueve ni en los saltos más intensos.")],
    "running-shorts": [
        ("A 12 cm inseam for freedom of movement.",
         "Pernera de 12 cm para moverte con total libertad."),
        ("A soft, flat waistband with an internal drawcord.",
         "Cinturilla suave y plana con cordón interior.")],
    "base-layer": [
        ("Thumb loops keep the sleeves in place under gloves.",
         "Las aberturas para el pulgar mantienen las mangas en su sitio bajo los guantes."),
        ("A longer back stays tucked in when you lean forward.",
         "La espalda más larga se queda por dentro cuando te inclinas.")],
    "swim-shorts": [
        ("A 15 cm inseam sits just above the knee.",
         "La pernera de 15 cm queda justo por encima de la rodilla."),
        ("Drainage eyelets at the back let the water out fast.",
         "Los ojales traseros de drenaje dejan salir el agua enseguida.")],
    "swimsuit": [
        ("Adjustable straps and a soft built-in shelf bra.",
         "Tirantes ajustables y un sujetador interior suave."),
        ("Fully lined with a second layer of recycled fabric.",
         "Forrado por completo con una segunda capa de tejido reciclado.")],
    "bikini": [
        ("The ties are long enough to knot at the front or the side.",
         "Los lazos son lo bastante largos para atarlos delante o a un lado."),
        ("Removable pads and fully lined pieces.",
         "Copas extraíbles y piezas totalmente forradas.")],
    "canvas-sneakers": [
        ("A vulcanised sole with a classic toe cap.",
         "Suela vulcanizada con la clásica puntera de goma."),
        ("Removable cushioned insoles that you can wash.",
         "Plantillas acolchadas extraíbles que puedes lavar.")],
    "running-shoes": [
        ("An 8 mm drop and a wide base for stability.",
         "Diferencia de 8 mm entre talón y puntera y una base ancha que da estabilidad."),
        ("Gusseted tongue and a padded heel counter.",
         "Lengüeta de fuelle y contrafuerte acolchado en el talón.")],
    "chelsea-boots": [
        ("A 3 cm stacked leather heel and a rounded toe.",
         "Tacón de piel apilada de 3 cm y punta redondeada."),
        ("Leather-lined, with a cushioned insole.",
         "Forro de piel y plantilla acolchada.")],
    "hiking-boots": [
        ("Speed hooks at the top let you lace them tight in seconds.",
         "Los ganchos superiores permiten atarlas bien en un momento."),
        ("A rubber toe cap protects against rocks and roots.",
         "La puntera de goma protege de piedras y raíces.")],
    "ankle-boots": [
        ("A leather lining and a cushioned insole for long days.",
         "Forro de piel y plantilla acolchada para los días largos."),
        ("The rubber sole has a thin tread for grip on wet pavements.",
         "La suela de goma tiene un dibujo fino que agarra en aceras mojadas.")],
    "knee-boots": [
        ("A full-length inside zip makes them easy to get on and off.",
         "Una cremallera interior de arriba abajo hace que se pongan y se quiten fácilmente."),
        ("The shaft is shaped to follow the calf without gaping.",
         "La caña está moldeada para seguir la pantorrilla sin quedar holgada.")],
    "leather-sandals": [
        ("A buckle at the ankle and a rubber heel tip for grip.",
         "Hebilla en el tobillo y tapa de goma en el talón para que agarren."),
        ("The leather softens and takes the shape of your foot within a week.",
         "La piel se suaviza y toma la forma de tu pie en una semana.")],
    "espadrilles": [
        ("Flat, with a classic rounded toe and contrast stitching.",
         "Planas, con la clásica punta redondeada y pespunte en contraste."),
        ("Wear them with the heel folded down as slip-ons.",
         "Llévalas con el talón pisado, como si fueran chanclas.")],
    "heeled-sandals": [
        ("A square toe and slim straps keep the look light.",
         "La punta cuadrada y las tiras finas le dan un aire ligero."),
        ("A rubber sole layer stops you slipping on the dance floor.",
         "Una capa de goma en la suela evita resbalones en la pista de baile.")],
    "pumps": [
        ("A low-cut vamp lengthens the line of the foot.",
         "El empeine escotado alarga la línea del pie."),
        ("Leather-lined, with a non-slip rubber heel tip.",
         "Forro de piel y tapa antideslizante de goma en el tacón.")],
    "tote": [
        ("It stands up on its own thanks to a reinforced base.",
         "Se mantiene de pie sola gracias a la base reforzada."),
        ("A magnetic snap at the top keeps things secure.",
         "Un cierre magnético en la parte superior mantiene todo en su sitio.")],
    "crossbody": [
        ("A back slip pocket for your travel card.",
         "Bolsillo trasero para la tarjeta de transporte."),
        ("The strap is long enough to wear across the body over a coat.",
         "La correa es lo bastante larga para llevarla cruzada sobre un abrigo.")],
    "backpack": [
        ("Padded shoulder straps and a luggage sleeve for your suitcase handle.",
         "Tirantes acolchados y una banda trasera para engancharla al asa de la maleta."),
        ("A hidden back pocket keeps your passport close.",
         "Un bolsillo oculto en la espalda mantiene el pasaporte a mano.")],
    "weekender": [
        ("Two outer pockets for a book and your headphones.",
         "Dos bolsillos exteriores para un libro y los auriculares."),
        ("A wipe-clean lining and brass feet on the base.",
         "Forro fácil de limpiar y pies de latón en la base.")],
    "basket-bag": [
        ("Wipe with a damp cloth and let it dry in the shade.",
         "Límpialo con un paño húmedo y déjalo secar a la sombra."),
        ("The base is sturdy enough to carry a bottle of wine.",
         "La base es lo bastante firme para llevar una botella de vino.")],
    "leather-belt": [
        ("Made from a single strip of leather, with no glued layers to peel.",
         "Hecho de una sola tira de piel, sin capas encoladas que se despeguen."),
        ("The buckle is screwed on, so you can change it later.",
         "La hebilla va atornillada, así que puedes cambiarla más adelante.")],
    "braided-belt": [
        ("Stretchy, so it stays comfortable after a long lunch.",
         "Es elástico, así que sigue siendo cómodo después de una comida larga."),
        ("Leather tip and keeper with a brass buckle.",
         "Puntera y pasador de piel con hebilla de latón.")],
    "wool-scarf": [
        ("Measures 180 × 30 cm.",
         "Mide 180 × 30 cm."),
        ("Brushed for extra softness around the neck.",
         "Está perchada para que resulte aún más suave alrededor del cuello.")],
    "cashmere-scarf": [
        ("Measures 200 × 70 cm, big enough to wear as a shawl.",
         "Mide 200 × 70 cm, lo bastante grande para llevarla como chal."),
        ("Woven in Scotland and finished with a delicate fringe.",
         "Tejida en Escocia y rematada con un flequillo delicado.")],
    "silk-scarf": [
        ("Measures 90 × 90 cm.",
         "Mide 90 × 90 cm."),
        ("The print is dyed through, so it looks almost as bright on the reverse.",
         "El estampado atraviesa el tejido, así que por el revés se ve casi igual de vivo.")],
    "beanie": [
        ("Wear it slouchy or fold the cuff twice for a neater fit.",
         "Llévalo suelto o dobla la vuelta dos veces para que quede más ajustado."),
        ("One size that stretches to fit most heads.",
         "Talla única que se adapta a casi todas las cabezas.")],
    "straw-hat": [
        ("It rolls up for packing and springs back into shape.",
         "Se puede enrollar para la maleta y recupera la forma enseguida."),
        ("A hidden inner tie keeps it on in the wind.",
         "Un cordón interior oculto lo sujeta cuando hace viento.")],
    "cap": [
        ("An adjustable strap at the back fits most heads.",
         "La tira ajustable trasera se adapta a casi todas las cabezas."),
        ("Pre-washed for a soft, broken-in feel.",
         "Viene prelavada para que tenga un tacto suave desde el principio.")],
    "round-sunglasses": [
        ("Spring hinges keep them comfortable all day.",
         "Las bisagras flexibles las hacen cómodas todo el día."),
        ("A keyhole bridge sits comfortably on most noses.",
         "El puente en forma de ojo de cerradura se apoya cómodamente en casi todas las narices.")],
    "aviator-sunglasses": [
        ("Adjustable nose pads and slim, flexible arms.",
         "Plaquetas ajustables y varillas finas y flexibles."),
        ("Supplied with a microfibre pouch and a hard case.",
         "Incluyen una funda de microfibra y un estuche rígido.")],
    "cateye-sunglasses": [
        ("Hand-polished acetate that feels substantial but not heavy.",
         "Acetato pulido a mano que se nota sólido sin resultar pesado."),
        ("Supplied with a hard case and a cleaning cloth.",
         "Incluyen estuche rígido y una gamuza para limpiarlas.")],
    "cotton-socks": [
        ("A flat toe seam and a cushioned sole.",
         "Costura plana en la puntera y planta acolchada."),
        ("The cuffs are ribbed so they hold without squeezing.",
         "Los puños son de canalé, así que sujetan sin apretar.")],
    "hiking-socks": [
        ("Sold as a single pair.",
         "Se venden por pares sueltos."),
        ("Mesh zones on the top of the foot let heat escape.",
         "Las zonas de malla en el empeine dejan escapar el calor.")],
}


# Model names: places around Catalonia and the Balearics. The hero products
# below use names that are deliberately absent from this list.
MODEL_NAMES = [
    "Gràcia", "Sarrià", "Pedralbes", "Tibidabo", "Montjuïc", "Poblenou", "Ribera", "Vallcarca",
    "Sants", "Raval", "Barceloneta", "Bonanova", "Putxet", "Horta", "Begur", "Llafranc",
    "Calella", "Palamós", "Tossa", "Blanes", "Arenys", "Masnou", "Sant Pol", "Garraf",
    "Cubelles", "Cambrils", "Altafulla", "Salou", "Montserrat", "Cerdanya", "Empordà", "Garrotxa",
    "Priorat", "Penedès", "Maresme", "Aran", "Vielha", "Ripoll", "Olot", "Camprodon",
    "Puigcerdà", "Berga", "Cardona", "Besalú", "Peratallada", "Figueres", "Siurana", "Prades",
    "Montsant", "Miravet", "Tortosa", "Alella", "Tiana", "Teià", "Premià", "Vilassar",
    "Mataró", "Caldes", "Cardedeu", "Deià", "Sóller", "Valldemossa", "Formentor", "Fornells",
    "Ciutadella", "Maó", "Aiguablava", "Portlligat", "Sa Riera", "Sa Tuna", "Aiguafreda",
    "Llançà", "Portbou", "Vilanova", "Castelldefels", "Montgat", "Ordino", "Benasque", "Ansó",
    "Reus", "Cadí", "Pals", "Escala", "Torroella", "Estartit", "Palafrugell",
]

# --------------------------------------------------------------------------
# Reviews: group -> language -> [(rating, text)]. "any" applies everywhere.
# --------------------------------------------------------------------------

REVIEWS: dict[str, dict[str, list[tuple[int, str]]]] = {
    "any": {
        "en": [
            (5, "Great quality for the price. Arrived in two days, nicely packed."),
            (5, "Exactly like the photos. I have already ordered a second colour."),
            (4, "Really happy overall; the colour is a touch darker than on my screen."),
            (4, "Good quality and fast delivery to Madrid."),
            (3, "Nice, but the sizing runs a little small. The exchange for the next size up was painless."),
            (5, "Bought as a gift for my partner and it was a hit."),
            (2, "The colour looked quite different in person, so I sent it back. The refund was quick, at least."),
            (4, "Solid, well made and the customer service answered my sizing question within an hour."),
        ],
        "es": [
            (5, "Calidad muy buena para el precio. Llegó en dos días y muy bien empaquetado."),
            (5, "Igual que en las fotos. Ya he pedido otro color."),
            (4, "Muy contenta en general; el color es un pelín más oscuro que en la pantalla."),
            (4, "Buena calidad y envío rapidísimo a Valencia."),
            (3, "Está bien, pero tallan algo pequeño. Pedí el cambio por la talla siguiente y fue muy fácil."),
            (5, "Era un regalo y ha encantado."),
            (2, "El color no tenía nada que ver con la foto, así que hice la devolución. Eso sí, me reembolsaron enseguida."),
            (4, "Buen acabado, y en atención al cliente me resolvieron la duda de la talla en menos de una hora."),
        ],
    },
    "top": {
        "en": [
            (5, "Soft fabric, and the collar keeps its shape after washing."),
            (4, "Fits well across the shoulders; the sleeves are slightly long for me."),
            (5, "Survived a whole summer of wearing and washing without fading."),
            (3, "Nice fabric but it creased more than I expected."),
        ],
        "es": [
            (5, "El tejido es suave y el cuello no se deforma con los lavados."),
            (4, "Sienta bien de hombros; las mangas me quedan algo largas."),
            (5, "Ha aguantado todo el verano de uso y lavados sin perder color."),
            (3, "Buen tejido, pero se arruga más de lo que esperaba."),
        ],
    },
    "bottom": {
        "en": [
            (5, "The rise is perfect and the fabric doesn't bag out at the knees."),
            (4, "Had to take the hem up a little, otherwise perfect."),
            (5, "Finally a pair that fits my waist and hips at the same time."),
            (3, "Comfortable, but the waist is a bit generous; I wear a belt."),
        ],
        "es": [
            (5, "El tiro es perfecto y la tela no hace bolsas en las rodillas."),
            (4, "Tuve que subir un poco el bajo; por lo demás, perfecto."),
            (5, "Por fin me queda bien de cintura y de cadera a la vez."),
            (3, "Buena tela, pero me sobra un poco de cintura y uso cinturón."),
        ],
    },
    "dress": {
        "en": [
            (5, "Got so many compliments at a friend's birthday dinner."),
            (4, "Lovely drape. I'm 1.68 m and the length is just right."),
            (5, "Travels really well and doesn't crease in a suitcase."),
            (3, "Pretty, but the fabric is thinner than I hoped."),
        ],
        "es": [
            (5, "Me hicieron un montón de cumplidos en la cena de cumpleaños de una amiga."),
            (4, "Cae de maravilla. Mido 1,68 y el largo es perfecto."),
            (5, "Viaja de maravilla y no se arruga nada en la maleta."),
            (3, "Queda bien, pero la tela es más fina de lo que esperaba."),
        ],
    },
    "tailoring": {
        "en": [
            (5, "Sharp cut and the shoulders fit me straight off the rack."),
            (4, "Beautiful fabric; I had the sleeves shortened by a centimetre."),
            (5, "Wore it to a job interview and got the job. Not saying it was the jacket, but..."),
        ],
        "es": [
            (5, "Corte impecable; de hombros me quedó perfecto sin arreglos."),
            (4, "El tejido es precioso; solo tuve que acortar un centímetro las mangas."),
            (5, "Lo estrené en una entrevista de trabajo y me cogieron. No digo que fuera por la chaqueta, pero..."),
        ],
    },
    "jacket": {
        "en": [
            (5, "My most worn jacket this year. Goes with absolutely everything."),
            (4, "Great jacket; size down if you only wear a tee underneath."),
            (5, "The details are lovely, and the pockets are deep enough for a phone."),
        ],
        "es": [
            (5, "La chaqueta que más me he puesto este año. Combina con todo."),
            (4, "Muy buena; si solo la vas a llevar con camiseta, pide una talla menos."),
            (5, "Los detalles son preciosos y en los bolsillos cabe el móvil sin problema."),
        ],
    },
    "warm": {
        "en": [
            (5, "Seriously warm. Walked the dog at minus four and didn't feel a thing."),
            (4, "Warm and well cut; I wish the pockets were a little deeper."),
            (5, "Took it to Berlin in January and it was perfect."),
        ],
        "es": [
            (5, "Abriga muchísimo. Saqué al perro a cuatro bajo cero y ni me enteré."),
            (4, "Abriga y tiene buen corte; los bolsillos podrían ser algo más profundos."),
            (5, "Me lo llevé a Berlín en enero y fue perfecto."),
        ],
    },
    "rain": {
        "en": [
            (5, "Two hours of walking in the rain in San Sebastián and completely dry underneath."),
            (4, "Keeps the rain out properly; runs a bit big."),
            (3, "Waterproof, yes, but it gets warm if you walk fast."),
        ],
        "es": [
            (5, "Dos horas andando bajo la lluvia en San Sebastián y por dentro totalmente seco."),
            (4, "No cala nada; eso sí, talla algo grande."),
            (3, "Impermeable sí, pero da calor si caminas rápido."),
        ],
    },
    "knit": {
        "en": [
            (5, "So soft and no itch at all, even directly on the skin."),
            (4, "Lovely knit; it pilled slightly under the arms after a month."),
            (5, "Hand washed it twice and it still looks brand new."),
        ],
        "es": [
            (5, "Suavísimo y no pica nada, ni siquiera directamente sobre la piel."),
            (4, "Muy buen punto; salieron unas pocas bolitas bajo los brazos al mes."),
            (5, "Lo he lavado a mano dos veces y sigue como nuevo."),
        ],
    },
    "sweat": {
        "en": [
            (5, "Thick, soft and the cuffs haven't stretched at all."),
            (4, "Cosy and well made; a little shorter in the body than I expected."),
        ],
        "es": [
            (5, "Gruesa, suave y los puños no se han dado de sí nada."),
            (4, "Calentita y bien hecha; de largo es algo más corta de lo que esperaba."),
        ],
    },
    "active": {
        "en": [
            (5, "Stays put through a whole spin class. No adjusting needed."),
            (4, "Dries really fast; I'd size down for a snugger fit."),
        ],
        "es": [
            (5, "No se mueve en toda una clase de bici estática. No hay que estar recolocando nada."),
            (4, "Se seca rapidísimo; yo pediría una talla menos para un ajuste más ceñido."),
        ],
    },
    "swim": {
        "en": [
            (5, "Dried in twenty minutes on the sand. Colour hasn't faded at all."),
            (4, "Good fit and the fabric feels solid; the ties could be a bit longer."),
        ],
        "es": [
            (5, "Se secó en veinte minutos en la arena. El color no ha perdido nada."),
            (4, "Buen ajuste y el tejido se nota de calidad; los cordones podrían ser algo más largos."),
        ],
    },
    "shoe": {
        "en": [
            (5, "Comfortable from the first day, no blisters at all."),
            (4, "Very well made. I went one size up because I have wide feet."),
            (3, "Nice, but they needed a week of breaking in."),
            (5, "Walked 20,000 steps around Rome in them without complaint."),
        ],
        "es": [
            (5, "Cómodos desde el primer día, ni una rozadura."),
            (4, "Muy bien hechos. Pedí un número más porque tengo el pie ancho."),
            (3, "Bonitos, pero necesitaron una semana para adaptarse al pie."),
            (5, "Hice 20.000 pasos por Roma con ellos y ni una queja."),
        ],
    },
    "bag": {
        "en": [
            (5, "Fits my laptop, lunch and gym kit. The stitching is excellent."),
            (4, "Beautiful, though it's a little heavy when fully loaded."),
            (5, "Gets better looking every month I use it."),
        ],
        "es": [
            (5, "Me caben el portátil, la comida y la ropa del gimnasio. Las costuras son excelentes."),
            (4, "Precioso, aunque pesa un poco cuando va lleno."),
            (5, "Cada mes que lo uso está más bonito."),
        ],
    },
    "acc": {
        "en": [
            (5, "Lovely quality, feels much more expensive than it was."),
            (4, "Exactly what I wanted. Packaging was plastic-free too."),
        ],
        "es": [
            (5, "Una calidad preciosa; parece de una gama mucho más alta de lo que cuesta."),
            (4, "Justo lo que buscaba. Y el embalaje sin plásticos."),
        ],
    },
}
# Spanish reviews are written for a masculine product noun; for feminine
# nouns (zapatillas, mochila, americana...) these replacements apply.
FEMININE_REVIEW_FIX = {
    "Precioso, aunque pesa un poco cuando va lleno.": "Preciosa, aunque pesa un poco cuando va llena.",
    "Cada mes que lo uso está más bonito.": "Cada mes que la uso está más bonita.",
    "Lo estrené en una entrevista de trabajo y me cogieron. No digo que fuera por la chaqueta, pero...":
        "La estrené en una entrevista de trabajo y me cogieron. No digo que fuera por la americana, pero...",
    "Cómodos desde el primer día, ni una rozadura.": "Cómodas desde el primer día, ni una rozadura.",
    "Muy bien hechos. Pedí un número más porque tengo el pie ancho.": "Muy bien hechas. Pedí un número más porque tengo el pie ancho.",
    "Bonitos, pero necesitaron una semana para adaptarse al pie.": "Bonitas, pero necesitaron una semana para adaptarse al pie.",
    "Hice 20.000 pasos por Roma con ellos y ni una queja.": "Hice 20.000 pasos por Roma con ellas y ni una queja.",
}

# --------------------------------------------------------------------------
# Hero products: fully hand-written, used by demo conversations and by
# retrieval-queries.json. `stock` pins (colour, size) -> quantity.
# --------------------------------------------------------------------------

HEROES = [
    dict(
        en="Sitges Linen Shirt", es="Camisa de lino Sitges", category="shirts", code="SHI",
        vendor="costa", gender="men", colours=["White", "Sky Blue"], sizes=["XS", "S", "M", "L", "XL", "XXL"],
        size_range=("XS-XXL", "XS-XXL"), material="linen", fit="relaxed", price=59, sale=None,
        tags=["men", "linen", "summer", "wedding", "beach"],
        description=(
            "Our lightest linen shirt, cut from airy Italian linen for summer weddings, christenings and long "
            "lunches in the sun. A soft cutaway collar looks smart under a suit jacket and just as good open at "
            "the neck. The relaxed fit breathes in the heat, and the fabric gets softer with every wash.",
            "Nuestra camisa de lino más ligera, confeccionada en lino italiano muy transpirable para bodas de "
            "verano, bautizos y comidas largas al sol. El cuello semitiburón suave queda elegante bajo una "
            "chaqueta de traje e igual de bien desabrochado. El corte holgado deja respirar con el calor y el "
            "tejido se vuelve más suave con cada lavado."),
        reviews=[
            (5, "Wore it to my brother's wedding in July. Stayed cool all day and looked sharp under a linen blazer.", "en"),
            (5, "La compré para una boda en la playa y fue un acierto: fresca y elegante. La talla M me queda perfecta.", "es"),
            (4, "Lovely linen. It creases, of course, but that's linen.", "en"),
        ],
        stock={("White", "M"): 7, ("Sky Blue", "M"): 3},
    ),
    dict(
        en="Cadaqués Linen Shirt", es="Camisa de lino Cadaqués", category="shirts", code="SHI",
        vendor="brisa", gender="women", colours=["Sky Blue", "White"], sizes=["XS", "S", "M", "L", "XL"],
        size_range=("XS-XL", "XS-XL"), material="linen", fit="regular", price=65, sale=None,
        tags=["women", "linen", "summer", "wedding"],
        description=(
            "A fine linen shirt in soft sky blue, made for summer weddings and garden parties when you want to "
            "look elegant and stay cool. Mother-of-pearl buttons, a slightly longer back and a neat regular fit "
            "let you tuck it into wide trousers or wear it loose over a satin slip skirt.",
            "Camisa de lino fino en un azul cielo suave, pensada para bodas de verano y fiestas en el jardín, "
            "cuando quieres ir elegante sin pasar calor. Los botones de nácar, la espalda algo más larga y el "
            "corte regular te permiten llevarla por dentro de un pantalón ancho o suelta sobre una falda lencera "
            "de satén."),
        reviews=[
            (5, "Perfecta para la boda de mi prima en el Empordà. Con falda lencera quedaba preciosa.", "es"),
            (4, "Beautiful colour and the linen is a good weight, not see-through.", "en"),
        ],
        stock={("Sky Blue", "M"): 5},
    ),
    dict(
        en="Sitges Linen Trousers", es="Pantalón de lino Sitges", category="trousers", code="TRO",
        vendor="costa", gender="men", colours=["Sand", "Off-White"], sizes=["28", "30", "32", "34", "36", "38"],
        size_range=("Waist 28-38", "Cintura 28-38"), material="linen", fit="relaxed", price=69, sale=None,
        tags=["men", "linen", "summer", "wedding"],
        description=(
            "Pleated linen trousers in warm sand, cut to pair with the Sitges Linen Shirt at summer weddings "
            "and evening receptions. A high rise, side adjusters and a soft crease keep them elegant, while the "
            "breathable linen copes with the July heat.",
            "Pantalón de lino con pinzas en color arena, pensado para combinar con la camisa de lino Sitges en "
            "bodas de verano y celebraciones al atardecer. El tiro alto, los ajustes laterales y la raya suave "
            "le dan un aire elegante, y el lino transpirable aguanta el calor de julio."),
        reviews=[(5, "Bought it with the matching shirt for a wedding in Mallorca. Comfortable all night.", "en")],
        stock={},
    ),
    dict(
        en="Tamariu Midi Dress", es="Vestido midi Tamariu", category="dresses", code="DRE",
        vendor="brisa", gender="women", colours=["Emerald", "Terracotta"], sizes=["XS", "S", "M", "L", "XL"],
        size_range=("XS-XL", "XS-XL"), material="viscose", fit="aline", price=79, sale=None,
        tags=["women", "viscose", "summer", "evening"],
        description=(
            "The Tamariu Midi Dress has a soft V-neck, short puffed sleeves and a fluid skirt that swings just "
            "below the calf. Lightweight viscose keeps it cool on warm evenings, and the elasticated back makes "
            "it easy to wear from a long lunch to a birthday dinner on the terrace.",
            "El vestido midi Tamariu tiene un escote de pico suave, mangas cortas abullonadas y una falda "
            "fluida que cae por debajo de la pantorrilla. La viscosa ligera lo hace fresco en las noches cálidas "
            "y la espalda elástica permite llevarlo cómodamente desde una comida larga hasta una cena de "
            "cumpleaños en la terraza."),
        reviews=[
            (5, "El verde esmeralda es precioso en persona. Me quedé con la S porque la M estaba agotada y me queda bien.", "es"),
            (4, "Gorgeous dress, runs slightly large.", "en"),
        ],
        stock={("Emerald", "M"): 0, ("Terracotta", "M"): 0, ("Emerald", "S"): 6, ("Emerald", "L"): 4,
               ("Terracotta", "S"): 3, ("Terracotta", "L"): 8},
    ),
    dict(
        en="Baqueira Down Puffer Jacket", es="Plumífero de plumón Baqueira", category="jackets",
        code="JAC", vendor="vela", gender="unisex", colours=["Black", "Red"], sizes=["XS", "S", "M", "L", "XL", "XXL"],
        size_range=("XS-XXL", "XS-XXL"), material="down", fit="regular", price=229, sale=None,
        tags=["unisex", "down", "ski", "winter", "warm"],
        description=(
            "Our warmest jacket, built for ski trips and snowy weekends in the Pyrenees. Recycled 700-fill down, "
            "a helmet-compatible hood and a powder skirt keep the cold out on the chairlift, while underarm zips "
            "let heat escape on the way down. It packs into its own stuff sack.",
            "Nuestra chaqueta más cálida, pensada para ir a esquiar y para fines de semana con nieve en el "
            "Pirineo. El plumón reciclado de 700 cuin, la capucha compatible con casco y el faldón paranieves "
            "frenan el frío en el telesilla, y las cremalleras de ventilación dejan escapar el calor en la "
            "bajada. Se guarda en su propia bolsa."),
        reviews=[
            (5, "Took it skiing in Andorra at minus twelve and was warm all day.", "en"),
            (5, "Abriga muchísimo y la capucha entra sin problema sobre el casco.", "es"),
        ],
        stock={},
    ),
    dict(
        en="Núria Merino Thermal Top", es="Camiseta térmica de merino Núria", category="activewear",
        code="ACT", vendor="vela", gender="unisex", colours=["Black", "Forest Green"], sizes=["XS", "S", "M", "L", "XL"],
        size_range=("XS-XL", "XS-XL"), material="merino", fit="fitted", price=69, sale=None,
        tags=["unisex", "merino", "ski", "winter", "warm", "base layer"],
        description=(
            "A 200-gram merino thermal top to wear under your ski jacket. It keeps you warm on freezing "
            "chairlifts, wicks sweat on the way down and never smells, even after three days on the slopes. "
            "Flatlock seams and a longer back make it comfortable under a rucksack.",
            "Camiseta térmica de merino de 200 gramos para llevar bajo la chaqueta de esquí. Te mantiene "
            "caliente en los telesillas más fríos, expulsa el sudor en la bajada y no coge olor, ni después de "
            "tres días en pistas. Las costuras planas y la espalda más larga la hacen cómoda bajo una mochila."),
        reviews=[(5, "Best base layer I've owned. Three days skiing and no smell at all.", "en")],
        stock={},
    ),
    dict(
        en="Montseny Waterproof Leather Boots", es="Botas de piel impermeables Montseny",
        category="boots", code="BOO", vendor="cuero", gender="men", colours=["Brown"],
        sizes=["40", "41", "42", "43", "44", "45", "46"], size_range=("EU 40-46", "EU 40-46"),
        material="wp_leather", fit="shoe_true", price=159, sale=None,
        tags=["men", "leather", "waterproof", "winter", "rain"],
        description=(
            "Waterproof full-grain leather boots for wet city winters and muddy weekend walks. A breathable "
            "membrane keeps puddles out, the lugged rubber sole grips on slick pavements, and the padded collar "
            "makes them comfortable from the very first day.",
            "Botas de piel plena flor impermeables para los inviernos lluviosos en la ciudad y las excursiones "
            "con barro del fin de semana. La membrana transpirable impide que entre el agua de los charcos, la "
            "suela de goma con tacos agarra en las aceras resbaladizas y el cuello acolchado las hace cómodas "
            "desde el primer día."),
        reviews=[
            (5, "Llovió toda la semana en Santiago y ni una gota dentro. Muy cómodas.", "es"),
            (4, "Solid boots, a little stiff for the first few days.", "en"),
        ],
        stock={},
    ),
    dict(
        en="Collserola Waterproof Chelsea Boots", es="Botines chelsea impermeables Collserola",
        category="boots", code="BOO", vendor="passeig", gender="women", colours=["Black", "Chocolate"],
        sizes=["36", "37", "38", "39", "40", "41"], size_range=("EU 36-41", "EU 36-41"),
        material="wp_leather", fit="shoe_true", price=139, sale=None,
        tags=["women", "leather", "waterproof", "autumn", "rain"],
        description=(
            "Chelsea boots in waterproof leather with sealed seams, made for rainy commutes and autumn days when "
            "the forecast can't decide. Elastic side panels and a pull tab make them quick to slip on, and the "
            "chunky rubber sole keeps you steady on wet streets.",
            "Botines chelsea de piel impermeable con costuras selladas, pensados para ir al trabajo bajo la "
            "lluvia y para esos días de otoño en que el tiempo no se decide. Los elásticos laterales y el "
            "tirador hacen que se pongan en un momento, y la suela gruesa de goma te da estabilidad en las "
            "calles mojadas."),
        reviews=[(5, "Finally boots that survive a Barcelona downpour. Comfortable straight out of the box.", "en")],
        stock={},
    ),
    dict(
        en="Eixample Waterproof Commuter Jacket", es="Chaqueta impermeable urbana Eixample",
        category="jackets", code="JAC", vendor="vela", gender="unisex", colours=["Black", "Navy"],
        sizes=["XS", "S", "M", "L", "XL", "XXL"], size_range=("XS-XXL", "XS-XXL"),
        material="rain_shell", fit="regular", price=139, sale=None,
        tags=["unisex", "waterproof", "rain", "cycling", "commute"],
        description=(
            "A waterproof jacket designed for cycling to work through Barcelona's autumn storms. Reflective "
            "trims, a dropped back hem and a hood that fits over a helmet keep you dry and visible, and it "
            "folds into its own pocket when the sun comes back out.",
            "Chaqueta impermeable pensada para ir al trabajo en bici bajo las tormentas de otoño de Barcelona. "
            "Los detalles reflectantes, el bajo trasero más largo y una capucha que cabe sobre el casco te "
            "protegen de la lluvia y te hacen visible, y se guarda en su propio bolsillo cuando vuelve a salir "
            "el sol."),
        reviews=[
            (5, "Voy en bici al trabajo todos los días y llego seca. La capucha sobre el casco es un acierto.", "es"),
            (4, "Properly waterproof; the reflective bits are bright at night.", "en"),
        ],
        stock={},
    ),
]

# --------------------------------------------------------------------------
# Building products
# --------------------------------------------------------------------------

APPAREL = ["XXS", "XS", "S", "M", "L", "XL", "XXL"]


def sizes_for(scheme: str, gender: str, tall: bool, rng: random.Random) -> tuple[list[str], str, str]:
    """Sizes of a product and its size range in English and Spanish."""
    if scheme == "apparel":
        if gender == "women":
            lo, hi = rng.choices([("XS", "XL"), ("XXS", "XL"), ("XS", "XXL")], [70, 15, 15])[0]
        elif gender == "men":
            lo, hi = rng.choices([("XS", "XL"), ("S", "XXL"), ("XS", "XXL")], [50, 30, 20])[0]
        else:
            lo, hi = rng.choices([("XS", "XL"), ("XS", "XXL")], [60, 40])[0]
        sizes = APPAREL[APPAREL.index(lo):APPAREL.index(hi) + 1]
        rng_en = rng_es = f"{lo}-{hi}"
        if tall:
            return sizes, f"{rng_en}, tall length", f"{rng_es}, largo extra"
        return sizes, rng_en, rng_es
    if scheme == "waist":
        lo, hi = {"men": (28, 38), "women": (26, 36)}.get(gender, (26, 38))
        sizes = [str(w) for w in range(lo, hi + 1, 2)]
        return sizes, f"Waist {lo}-{hi}", f"Cintura {lo}-{hi}"
    if scheme == "tall_waist":
        (lo, hi), leg = ((30, 38), 36) if gender == "men" else ((26, 34), 34)
        sizes = [f"{w}/{leg}L" for w in range(lo, hi + 1, 2)]
        return sizes, f"Waist {lo}-{hi}, {leg}L leg", f"Cintura {lo}-{hi}, largo {leg}L"
    if scheme == "suit":
        lo, hi = (46, 56) if gender == "men" else (34, 44)
        sizes = [str(s) for s in range(lo, hi + 1, 2)]
        return sizes, f"EU {lo}-{hi}", f"EU {lo}-{hi}"
    if scheme == "shoes":
        lo, hi = {"women": (36, 41), "men": (40, 46)}.get(gender, (36, 45))
        return [str(s) for s in range(lo, hi + 1)], f"EU {lo}-{hi}", f"EU {lo}-{hi}"
    if scheme == "belt":
        return ["S", "M", "L"], "S-L", "S-L"
    if scheme == "socks":
        return ["35-38", "39-42", "43-46"], "EU 35-46", "EU 35-46"
    if scheme == "hat":
        return ["S/M", "L/XL"], "S/M-L/XL", "S/M-L/XL"
    return ["One size"], "One size", "Talla única"


def pick_price(lo: int, hi: int, rng: random.Random) -> int:
    return rng.choice([p for p in range(lo, hi + 1) if p % 10 in (5, 9)])


def sale_price(price: int, rng: random.Random) -> int:
    target = round(price * rng.choice([0.7, 0.75, 0.8]))
    while target % 10 not in (5, 9):
        target -= 1
    return target


def size_code(size: str) -> str:
    return {"One size": "OS"}.get(size, size.replace("/", "-").replace(" ", ""))


def make_variants(num: int, code: str, colours: list[str], sizes: list[str], price: int,
                  sale: dict[str, int], shoes: bool, stock: dict, rng: random.Random) -> list[dict]:
    variants = []
    for colour in colours:
        for size in sizes:
            qty = stock.get((colour, size))
            if qty is None:
                qty = 0 if rng.random() < 0.15 else rng.randint(1, 25)
            shown = f"EU {size}" if shoes else size
            on_sale = sale.get(colour)
            variants.append({
                "sku": f"LT-{code}-{num:04d}-{COLOURS[colour][1]}-{size_code(size)}",
                "title": f"{colour} / {shown}",
                "options": {"color": colour, "size": shown},
                "price": f"{on_sale if on_sale else price}.00",
                "compare_at_price": f"{price}.00" if on_sale else None,
                "stock": qty,
            })
    return variants


def join_list(items: list[str], conj: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {conj} " + items[-1]


def slots(name_en: str, name_es: str, colour: str, en_plural: bool, es_form: str) -> tuple[dict, dict]:
    en = dict(EN_FORMS[en_plural], name=name_en, col=colour.lower(), colp=COLOURS[colour][2])
    es = dict(ES_FORMS[es_form], name=name_es, col=COLOURS[colour][0].lower(), colp=COLOURS[colour][3])
    return en, es


def product_class(category: str) -> str:
    if category in SHOE_CATEGORIES:
        return "shoe"
    if category == "bags":
        return "bag"
    if category in {"belts", "scarves", "hats", "sunglasses", "socks"}:
        return "acc"
    return "garment"


def build_description(kind: Kind, en_slots: dict, es_slots: dict, material: str, fit: str,
                      occasions: list[str], colours: list[str], used: set[str],
                      rng: random.Random) -> tuple[str, str]:
    """Compose a 2-4 sentence description (35-80 English words) from the banks."""
    en_pl, es_pl = kind.en_plural, kind.es_form.endswith("p")
    details = kind.details + EXTRA_DETAILS.get(kind.key, [])
    cls = product_class(kind.category)
    for _ in range(500):
        intro = rng.choice(kind.intros)
        occ = [rng.choice([x for x in OCCASIONS[o][1] if len(x) < 3 or cls in x[2]]) for o in occasions]
        pool = [rng.choice(MATERIALS[material][3])]
        if FITS[fit][2] and rng.random() < 0.6:
            pool.append(rng.choice(FITS[fit][2]))
        if details:
            pool += rng.sample(details, min(len(details), rng.randint(1, 2)))
        rng.shuffle(pool)
        if len(colours) > 1:
            others_en = [c.lower() for c in colours if c != colours[0]]
            others_es = [COLOURS[c][0].lower() for c in colours if c != colours[0]]
            all_en = [c.lower() for c in colours]
            all_es = [COLOURS[c][0].lower() for c in colours]
            pool.append(rng.choice([
                (f"Also available in {join_list(others_en, 'and')}.",
                 f"También {{lo}} tenemos en {join_list(others_es, 'y')}."),
                (f"Choose from {join_list(all_en, 'or')}.",
                 f"Puedes elegir entre {join_list(all_es, 'y')}."),
            ]))
        # The first occasion always goes in; then fill up to a target length.
        chosen = [occ[0]]
        target = rng.randint(38, 62)
        for sentence in occ[1:] + pool:
            words = sum(len(render(x[0], en_pl, en_slots).split()) for x in [intro] + chosen)
            if len(chosen) >= 3 or words >= target:
                break
            chosen.append(sentence)
        if rng.random() < 0.5:
            chosen = chosen[1:] + chosen[:1]  # sometimes end on the occasion
        sentences = [intro] + chosen
        en = " ".join(render(s[0], en_pl, en_slots) for s in sentences)
        es = " ".join(render(s[1], es_pl, es_slots) for s in sentences)
        if 35 <= len(en.split()) <= 80 and en not in used:
            used.add(en)
            return en, es
    raise RuntimeError(f"no description fits for {en_slots['name']}")


def pick_reviews(group: str, es_feminine: bool, rng: random.Random) -> list[dict]:
    if rng.random() >= 0.5:
        return []
    out, seen = [], set()
    for _ in range(rng.choices([1, 2, 3], [45, 35, 20])[0]):
        lang = "en" if rng.random() < 0.6 else "es"
        bank = REVIEWS[group][lang] * 2 + REVIEWS["any"][lang]  # favour product-specific lines
        rating, text = rng.choice(bank)
        if lang == "es" and es_feminine:
            text = FEMININE_REVIEW_FIX.get(text, text)
        if text in seen:
            continue
        seen.add(text)
        out.append({"rating": rating, "text": text, "language": lang})
    return out


def updated_at(rng: random.Random) -> str:
    """A timestamp between 1 August and 30 September 2026."""
    day = date(2026, 8, 1) + timedelta(days=rng.randint(0, 60))
    return f"{day.isoformat()}T{rng.randint(7, 19):02d}:{rng.choice([0, 15, 30, 45]):02d}:00Z"


def assemble(num: int, *, handle: str, title_en: str, title_es: str, desc_en: str, desc_es: str,
             category: str, vendor: str, gender: str, tags: list[str], colours: list[str],
             size_range: tuple[str, str], material: str, fit: str, reviews: list[dict],
             variants: list[dict], rng: random.Random) -> dict:
    es_attrs = {
        "color": ", ".join(COLOURS[c][0] for c in colours),
        "material": MATERIALS[material][1],
        "fit": FITS[fit][1],
    }
    if size_range[1] != size_range[0]:
        es_attrs["size_range"] = size_range[1]
    return {
        "id": f"p{num:04d}",
        "handle": handle,
        "title": title_en,
        "description": desc_en,
        "category": category,
        "vendor": vendor,
        "gender": gender,
        "tags": list(dict.fromkeys(tags)),
        "attributes": {
            "color": ", ".join(colours),
            "size_range": size_range[0],
            "material": MATERIALS[material][0],
            "fit": FITS[fit][0],
        },
        "reviews": reviews,
        "translations": {"es": {"title": title_es, "description": desc_es, "attributes": es_attrs}},
        "url": f"{BASE_URL}/products/{handle}",
        "image": f"{BASE_URL}/images/{handle}.jpg",
        "updated_at": updated_at(rng),
        "variants": variants,
    }


def hero_product(num: int, h: dict, rng: random.Random) -> dict:
    handle = f"{slugify(h['en'])}-{slugify(h['colours'][0])}"
    reviews = [{"rating": r, "text": t, "language": lang} for r, t, lang in h["reviews"]]
    variants = make_variants(num, h["code"], h["colours"], h["sizes"], h["price"], {},
                             h["category"] in SHOE_CATEGORIES, h["stock"], rng)
    return assemble(num, handle=handle, title_en=h["en"], title_es=h["es"], desc_en=h["description"][0],
                    desc_es=h["description"][1], category=h["category"], vendor=VENDORS[h["vendor"]],
                    gender=h["gender"], tags=h["tags"], colours=h["colours"], size_range=h["size_range"],
                    material=h["material"], fit=h["fit"], reviews=reviews, variants=variants, rng=rng)


SHOE_CATEGORIES = {"sneakers", "boots", "sandals", "loafers", "heels"}


def kind_products(kind: Kind, start: int, names: list[str], used: set[str], rng: random.Random) -> list[dict]:
    products = []
    for i, model in enumerate(names):
        num = start + i
        gender = kind.genders[i % len(kind.genders)]
        material = rng.choice(kind.materials)
        fit = rng.choice(kind.fits)
        main = kind.colours[i % len(kind.colours)]
        colours = [main]
        extra_n = rng.choices([0, 1, 2], [68, 24, 8])[0]
        colours += rng.sample([c for c in kind.colours if c != main], min(extra_n, len(kind.colours) - 1))
        occasions = rng.sample(kind.occasions, rng.choices([1, 2], [55, 45])[0] if len(kind.occasions) > 1 else 1)

        suffix_es = kind.es_suffix
        if kind.tall:
            suffix_es = "para hombre alto" if gender == "men" else "para mujer alta"
        title_en = f"{model} {kind.en}"
        name_es = f"{kind.es} {model}" + (f" {suffix_es}" if suffix_es else "")
        title_es = name_es[0].upper() + name_es[1:]
        en_slots, es_slots = slots(title_en, name_es, main, kind.en_plural, kind.es_form)
        desc_en, desc_es = build_description(kind, en_slots, es_slots, material, fit, occasions, colours, used, rng)

        sizes, range_en, range_es = sizes_for(kind.sizes, gender, kind.tall, rng)
        price = pick_price(*kind.price, rng)
        sale: dict[str, int] = {}
        if rng.random() < 0.18:
            cut = sale_price(price, rng)
            on_sale = colours if rng.random() < 0.6 else [rng.choice(colours)]
            sale = {c: cut for c in on_sale}
        variants = make_variants(num, kind.code, colours, sizes, price, sale,
                                 kind.category in SHOE_CATEGORIES, {}, rng)

        tags = [gender] + MATERIALS[material][2] + kind.tags
        for o in occasions:
            tags += OCCASIONS[o][0]
        if sale:
            tags.append("sale")
        reviews = pick_reviews(kind.reviews, kind.es_form.startswith("f"), rng)
        products.append(assemble(
            num, handle=f"{slugify(title_en)}-{slugify(main)}", title_en=title_en, title_es=title_es,
            desc_en=desc_en, desc_es=desc_es, category=kind.category, vendor=VENDORS[rng.choice(kind.vendors)],
            gender=gender, tags=tags, colours=colours, size_range=(range_en, range_es), material=material,
            fit=fit, reviews=reviews, variants=variants, rng=rng))
    return products


def build_catalog() -> dict:
    rng = random.Random(SEED)
    products = [hero_product(i + 1, h, rng) for i, h in enumerate(HEROES)]
    used_descriptions = {p["description"] for p in products}
    for kind in KINDS:
        names = rng.sample(MODEL_NAMES, kind.count)
        products += kind_products(kind, len(products) + 1, names, used_descriptions, rng)

    titles = [p["title"] for p in products]
    handles = [p["handle"] for p in products]
    skus = [v["sku"] for p in products for v in p["variants"]]
    assert len(set(titles)) == len(titles), "duplicate titles"
    assert len(set(handles)) == len(handles), "duplicate handles"
    assert len(set(skus)) == len(skus), "duplicate SKUs"
    return {"store": STORE, "products": products}


def main() -> None:
    catalog = build_catalog()
    OUT.write_text(json.dumps(catalog, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    products = catalog["products"]
    variants = [v for p in products for v in p["variants"]]
    out_of_stock = sum(1 for v in variants if v["stock"] == 0)
    print(f"wrote {OUT.name}: {len(products)} products, {len(variants)} variants "
          f"({out_of_stock} out of stock), {len({p['category'] for p in products})} categories, "
          f"{OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
