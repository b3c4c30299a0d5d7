"""Shopper queries for the Casa Nord home store (examples/home-store), the
non-fashion catalog: its own vocabulary (sofas, rugs, oak, velvet, bed
sizes), complements through the store's own pairing table, follow-ups."""

from demo_queries import Q

SEATING = ["sofas", "armchairs"]
SOFT = ["cushions", "throws", "rugs"]

QUERIES = [
    Q("velvet sofa", "en", "product", ["sofas"], {"mat": ["velvet"]}),
    Q("green armchair for reading", "en", "constraint", ["armchairs"], {"col": ["green", "sage"]}),
    Q("pure wool rug", "en", "constraint", ["rugs"], {"pure": ["wool"]}),
    Q("oak dining table under 800", "en", "constraint", ["dining tables"], {"matcol": ["oak"], "maxp": 800}, {"mat": ["oak"]}),
    Q("what goes with a terracotta sofa", "en", "complement", SOFT + ["coffee tables", "lamps"], nice={"col": ["terracotta", "cream", "sage", "beige", "natural"]}),
    Q("chairs to go with an oak dining table", "en", "complement", ["dining chairs"], nice={"col": ["oak", "natural"]}),
    Q("double mattress 160x200", "en", "constraint", ["mattresses"], {"size": "160x200"}),
    Q("and in walnut?", "en", "followup", ["bookcases"], {"matcol": ["walnut"]}, {"col": ["walnut"]}, earlier=["bookcase for the living room"]),
    Q("blackout curtains", "en", "product", ["curtains"], {"title": ["blackout"]}),
    Q("sofa", "es", "product", ["sofas"]),
    Q("sofá de terciopelo azul", "es", "constraint", ["sofas"], {"mat": ["velvet"]}, {"col": ["navy", "blue"]}),
    Q("alfombra de lana", "es", "product", ["rugs"], {"mat": ["wool"]}),
    Q("colchon viscoelastico", "es", "typo", ["mattresses"], {"mat": ["memory foam"]}),
    Q("que cojines pegan con un sofa gris", "es", "complement", ["cushions"], nice={"col": ["mustard", "terracotta", "sage", "navy", "cream", "pink"]}),
    Q("lámpara de pie", "es", "product", ["lamps"], {"size": "Floor"}),
    Q("¿y más barato?", "es", "followup", ["desks"], {"maxp": 400}, earlier=["escritorio para teletrabajar"]),
    Q("mesa de centro de mármol", "es", "constraint", ["coffee tables"], {"mat": ["marble"]}),
    Q("диван", "ru", "product", ["sofas"]),
    Q("кожаный диван", "ru", "constraint", ["sofas"], {"mat": ["leather"]}),
    Q("ковер из шерсти", "ru", "product", ["rugs"], {"mat": ["wool"]}),
    Q("что подойдет к дивану", "ru", "complement", SOFT + ["coffee tables", "lamps"]),
    Q("кровать 160x200", "ru", "constraint", ["beds"], {"size": "160x200"}),
    Q("а подешевле?", "ru", "followup", ["armchairs"], {"maxp": 400}, earlier=["кресло"]),
    Q("sofà de vellut", "ca", "constraint", ["sofas"], {"mat": ["velvet"]}),
    Q("catifa de llana", "ca", "product", ["rugs"], {"mat": ["wool"]}),
    Q("cadires per a la taula del menjador", "ca", "complement", ["dining chairs"]),
    Q("làmpada de peu", "ca", "product", ["lamps"], {"size": "Floor"}),
    Q("i en blanc?", "ca", "followup", ["wardrobes"], {"col": ["white"]}, earlier=["armari de roure"]),
    Q("canapé en cuir", "fr", "constraint", ["sofas"], {"mat": ["leather"]}),
    Q("tapis en pure laine", "fr", "constraint", ["rugs"], {"pure": ["wool"]}),
    Q("bureau en chêne", "fr", "constraint", ["desks"], {"matcol": ["oak"]}, {"mat": ["oak"]}),
    Q("quels coussins avec un canapé vert", "fr", "complement", ["cushions"]),
    Q("et en noir ?", "fr", "followup", ["lamps"], {"col": ["black"]}, earlier=["lampe de table"]),
    Q("Samtsofa", "de", "typo", ["sofas"], {"mat": ["velvet"]}),
    Q("Sofa aus Samt", "de", "constraint", ["sofas"], {"mat": ["velvet"]}),
    Q("Teppich aus reiner Wolle", "de", "constraint", ["rugs"], {"pure": ["wool"]}),
    Q("Esstisch aus Eiche", "de", "constraint", ["dining tables"], {"matcol": ["oak"]}, {"mat": ["oak"]}),
    Q("was passt zu einem Esstisch", "de", "complement", ["dining chairs"], cat1=["lamps", "rugs", "vases"]),
    Q("gibt es das günstiger?", "de", "followup", ["office chairs"], {"maxp": 300}, earlier=["Bürostuhl"]),
    Q("divano in velluto", "it", "constraint", ["sofas"], {"mat": ["velvet"]}),
    Q("tappeto di lana", "it", "product", ["rugs"], {"mat": ["wool"]}),
    Q("specchio rotondo", "it", "constraint", ["mirrors"], {"size": "Round 60 cm"}),
    Q("e in verde?", "it", "followup", ["vases"], {"col": ["green"]}, earlier=["vaso di ceramica"]),
    Q("sofá de veludo", "pt", "constraint", ["sofas"], {"mat": ["velvet"]}),
    Q("tapete de lã", "pt", "product", ["rugs"], {"mat": ["wool"]}),
    Q("cadeiras para combinar com uma mesa de jantar", "pt", "complement", ["dining chairs"]),
    Q("e em preto?", "pt", "followup", ["office chairs"], {"col": ["black"]}, earlier=["cadeira de escritório"]),
]
