#!/usr/bin/env python3
"""Builds train.tsv (label, reason, language, text) from the hand-written
sources in src/<lang>.txt.

Each source line is a message as a shopper would write it, under a
`## reason` header. This script keeps every line as written and adds variants
that real chat traffic has and the sources under-represent: greetings and
sign-offs around the message, order numbers, lower case, no accents, ALL CAPS,
a swapped-letter typo, missing punctuation, emoji. It also adds ordinary
shopping questions from small per-language templates (products x sizes x
colours), so that `normal` is not outnumbered by the escalation classes.

Deterministic (fixed seed): running it again gives the same file. Run from
this folder: `python3 build_train.py` (no dependencies).
"""

import random
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
URGENT = {"fraud", "unauthorised_payment", "chargeback", "legal", "security", "safety"}
ESCALATE = {
    "asked_for_human", "damaged_item", "wrong_item", "return", "refund",
    "late_delivery", "lost_delivery", "complaint", "frustration",
}

OPENERS = {
    "en": ["hi", "hello", "hey", "hi there", "good morning", "excuse me", "um", "hello team", "hey guys"],
    "es": ["hola", "buenas", "buenos días", "oye", "perdona", "hola equipo", "buenas tardes"],
    "ru": ["здравствуйте", "привет", "добрый день", "слушайте", "извините", "алло"],
    "ca": ["hola", "bon dia", "bona tarda", "ei", "perdona", "hola equip"],
    "fr": ["bonjour", "salut", "bonsoir", "excusez-moi", "allô", "bonjour à vous"],
    "de": ["hallo", "guten tag", "moin", "hi", "entschuldigung", "servus"],
    "it": ["ciao", "buongiorno", "salve", "scusate", "buonasera", "ehi"],
    "pt": ["olá", "oi", "bom dia", "boa tarde", "desculpe", "ola pessoal"],
    "mixed": ["hi", "hola", "привет", "bonjour", "hallo", "ciao", "olá"],
}
CLOSERS = {
    "en": ["thanks", "thank you", "pls", "please", "asap", "cheers", "thx", "ty", "regards"],
    "es": ["gracias", "por favor", "porfa", "un saludo", "ya", "gracias de antemano"],
    "ru": ["спасибо", "пожалуйста", "срочно", "заранее спасибо", "жду ответа"],
    "ca": ["gràcies", "si us plau", "sisplau", "salutacions", "merci"],
    "fr": ["merci", "svp", "s'il vous plaît", "cordialement", "merci d'avance"],
    "de": ["danke", "bitte", "lg", "mfg", "danke im voraus"],
    "it": ["grazie", "per favore", "cordiali saluti", "grazie mille", "subito"],
    "pt": ["obrigado", "obrigada", "por favor", "cumprimentos", "obg"],
    "mixed": ["thanks", "gracias", "спасибо", "merci", "danke", "grazie", "obrigado"],
}
ORDER_REF = {
    "en": ["order #{n}", "order {n}", "my order {n}", "(order {n})"],
    "es": ["pedido {n}", "pedido nº {n}", "mi pedido #{n}"],
    "ru": ["заказ {n}", "заказ №{n}", "номер заказа {n}"],
    "ca": ["comanda {n}", "comanda núm. {n}"],
    "fr": ["commande {n}", "commande n°{n}"],
    "de": ["bestellung {n}", "bestellnr. {n}"],
    "it": ["ordine {n}", "ordine n. {n}"],
    "pt": ["pedido {n}", "encomenda {n}"],
    "mixed": ["order {n}", "#{n}"],
}
EMOJI = ["🙏", "😊", "😡", "😤", "🙄", "😢", "👍", "😅", "❤️", "🤔", "😠", "‼️"]

# Ordinary shopping questions: templates x products x sizes/colours.
PRODUCTS = {
    "en": ["the linen shirt", "the denim jacket", "the wool coat", "these sneakers", "the midi dress", "the leather belt", "the rain jacket", "the cashmere scarf", "the chinos", "the ankle boots"],
    "es": ["la camisa de lino", "la chaqueta vaquera", "el abrigo de lana", "estas zapatillas", "el vestido midi", "el cinturón de piel", "el chubasquero", "la bufanda de cachemir", "los chinos", "los botines"],
    "ru": ["льняная рубашка", "джинсовая куртка", "шерстяное пальто", "эти кроссовки", "платье миди", "кожаный ремень", "дождевик", "кашемировый шарф", "чиносы", "ботильоны"],
    "ca": ["la camisa de lli", "la jaqueta texana", "l'abric de llana", "aquestes sabatilles", "el vestit midi", "el cinturó de pell", "l'impermeable", "la bufanda de caixmir", "els chinos", "els botins"],
    "fr": ["la chemise en lin", "la veste en jean", "le manteau en laine", "ces baskets", "la robe midi", "la ceinture en cuir", "l'imperméable", "l'écharpe en cachemire", "le chino", "les bottines"],
    "de": ["das leinenhemd", "die jeansjacke", "der wollmantel", "diese sneaker", "das midikleid", "der ledergürtel", "die regenjacke", "der kaschmirschal", "die chino", "die stiefeletten"],
    "it": ["la camicia di lino", "il giubbotto di jeans", "il cappotto di lana", "queste sneakers", "il vestito midi", "la cintura di pelle", "l'impermeabile", "la sciarpa di cashmere", "i chino", "gli stivaletti"],
    "pt": ["a camisa de linho", "o casaco de ganga", "o sobretudo de lã", "estes ténis", "o vestido midi", "o cinto de couro", "o impermeável", "o cachecol de caxemira", "as calças chino", "as botas curtas"],
}
SIZES = ["XS", "S", "M", "L", "XL", "38", "40", "42", "44"]
COLOURS = {
    "en": ["black", "navy", "white", "green", "beige", "red"],
    "es": ["negro", "azul marino", "blanco", "verde", "beige", "rojo"],
    "ru": ["черном", "синем", "белом", "зеленом", "бежевом", "красном"],
    "ca": ["negre", "blau marí", "blanc", "verd", "beix", "vermell"],
    "fr": ["noir", "bleu marine", "blanc", "vert", "beige", "rouge"],
    "de": ["schwarz", "navy", "weiß", "grün", "beige", "rot"],
    "it": ["nero", "blu navy", "bianco", "verde", "beige", "rosso"],
    "pt": ["preto", "azul-marinho", "branco", "verde", "bege", "vermelho"],
}
CITIES = {
    "en": ["Leeds", "Dublin", "Boston", "Glasgow", "Cork"],
    "es": ["Zaragoza", "Málaga", "Vigo", "Murcia", "Oviedo"],
    "ru": ["Казань", "Сочи", "Томск", "Пермь", "Уфа"],
    "ca": ["Tarragona", "Vic", "Manresa", "Figueres", "Olot"],
    "fr": ["Rennes", "Nice", "Dijon", "Tours", "Metz"],
    "de": ["Bremen", "Dresden", "Mainz", "Graz", "Bonn"],
    "it": ["Genova", "Bari", "Verona", "Padova", "Trieste"],
    "pt": ["Coimbra", "Faro", "Recife", "Fortaleza", "Aveiro"],
}
MORE_TEMPLATES = {
    "en": ["will {p} get to {city} by friday if I order now?", "love {p}!! adding it to my basket", "how do I wash {p}", "is {p} warm enough for winter?", "is {p} back in stock?", "is \"{name}\" the same as {p}?", "{p} or the other one for a wedding?"],
    "es": ["si pido {p} ahora llega a {city} el viernes?", "me encanta {p}!! al carrito", "cómo se lava {p}", "{p} abriga para el invierno?", "vuelve a haber {p}?", "\"{name}\" es igual que {p}?", "{p} o el otro para una boda?"],
    "ru": ["если закажу {p} сейчас, дойдет до {city} к пятнице?", "обожаю, {p} беру!!", "как стирать {p}", "{p} теплая для зимы?", "{p} снова в наличии?", "«{name}» это то же самое, что {p}?", "{p} или другое на свадьбу?"],
    "ca": ["si demano {p} ara arriba a {city} divendres?", "m'encanta {p}!! a la cistella", "com es renta {p}", "{p} abriga per a l'hivern?", "torneu a tenir {p}?", "\"{name}\" és el mateix que {p}?", "{p} o l'altre per a un casament?"],
    "fr": ["si je commande {p} maintenant, ça arrive à {city} vendredi ?", "j'adore {p} !! dans le panier", "comment laver {p}", "{p} est assez chaud pour l'hiver ?", "{p} est de retour en stock ?", "« {name} » c'est pareil que {p} ?", "{p} ou l'autre pour un mariage ?"],
    "de": ["wenn ich {p} jetzt bestelle, ist es freitag in {city}?", "liebe {p}!! ab in den warenkorb", "wie wasche ich {p}", "ist {p} warm genug für den winter?", "ist {p} wieder da?", "ist „{name}\" dasselbe wie {p}?", "{p} oder das andere für eine hochzeit?"],
    "it": ["se ordino {p} ora arriva a {city} venerdì?", "adoro {p}!! nel carrello", "come si lava {p}", "{p} è abbastanza caldo per l'inverno?", "{p} è tornato disponibile?", "\"{name}\" è uguale a {p}?", "{p} o l'altro per un matrimonio?"],
    "pt": ["se eu pedir {p} agora chega a {city} na sexta?", "amei {p}!! para o carrinho", "como se lava {p}", "{p} é quente para o inverno?", "{p} voltou ao stock?", "\"{name}\" é igual a {p}?", "{p} ou o outro para um casamento?"],
}
TEMPLATES = {
    "en": ["do you have {p} in {s}?", "is {p} available in {c}?", "how much is {p}", "does {p} run true to size?", "{p} in {c}, size {s}, in stock?", "can I get {p} by friday?", "what's {p} made of", "is {p} on sale?"],
    "es": ["tenéis {p} en talla {s}?", "hay {p} en {c}?", "cuánto cuesta {p}", "{p} talla grande o normal?", "{p} en {c} talla {s}, hay stock?", "me llega {p} antes del viernes?", "de qué es {p}", "{p} está rebajado?"],
    "ru": ["есть {p} в размере {s}?", "{p} бывает в {c} цвете?", "сколько стоит {p}", "{p} в размер?", "{p}, размер {s}, есть в наличии?", "{p} успеет прийти к пятнице?", "из чего {p}", "{p} со скидкой?"],
    "ca": ["teniu {p} en talla {s}?", "hi ha {p} en {c}?", "quant costa {p}", "{p} va a la talla?", "{p} en {c} talla {s}, en teniu?", "m'arriba {p} abans de divendres?", "de què és {p}", "{p} està rebaixat?"],
    "fr": ["vous avez {p} en {s} ?", "{p} existe en {c} ?", "combien coûte {p}", "{p} taille normalement ?", "{p} en {c} taille {s}, dispo ?", "je peux recevoir {p} avant vendredi ?", "{p} est en quelle matière", "{p} est en promo ?"],
    "de": ["gibt es {p} in {s}?", "gibt es {p} in {c}?", "was kostet {p}", "fällt {p} normal aus?", "{p} in {c}, größe {s}, auf lager?", "kommt {p} bis freitag?", "woraus ist {p}", "ist {p} reduziert?"],
    "it": ["avete {p} in taglia {s}?", "c'è {p} in {c}?", "quanto costa {p}", "{p} veste regolare?", "{p} in {c} taglia {s}, disponibile?", "mi arriva {p} entro venerdì?", "di che materiale è {p}", "{p} è in saldo?"],
    "pt": ["têm {p} no tamanho {s}?", "há {p} em {c}?", "quanto custa {p}", "{p} veste normal?", "{p} em {c} tamanho {s}, tem stock?", "{p} chega até sexta?", "de que é feito {p}", "{p} está em promoção?"],
}


SYLLABLES = ["ma", "ri", "vet", "ta", "ro", "bel", "lo", "sa", "nu", "ka", "dor", "len", "mi", "ra", "to", "quel", "bar", "se", "ni", "os"]


def invented_name(rng: random.Random) -> str:
    """A product line name the way stores coin them ("Miravet", "Talosa"):
    shoppers type names the model has never seen, and they are not a signal."""
    name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return name.capitalize() if rng.random() < 0.5 else name


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c) or c == "\u0306"))


def typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) > 4 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    if rng.random() < 0.5:
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    else:
        w = w[:j] + w[j + 1:]
    words[i] = w
    return " ".join(words)


def vary(text: str, lang: str, reason: str, rng: random.Random) -> str:
    out = text.replace("{n}", str(rng.randint(1000, 99999)))
    if rng.random() < 0.4:
        out = f"{rng.choice(OPENERS[lang])}{rng.choice([',', '', '!', ' -'])} {out}"
    if rng.random() < 0.35:
        sep = "" if out.endswith("?") else rng.choice([",", ".", "", " -"])
        out = f"{out.rstrip('.!')}{sep} {rng.choice(CLOSERS[lang])}"
    if reason != "none" and rng.random() < 0.2 and "{n}" not in text:
        ref = rng.choice(ORDER_REF[lang]).replace("{n}", str(rng.randint(1000, 99999)))
        out = f"{out} {ref}" if rng.random() < 0.5 else f"{ref}: {out}"
    roll = rng.random()
    if roll < 0.35:
        out = out.lower()
    elif roll < 0.42 or (reason == "frustration" and roll < 0.6):
        out = out.upper()
    if rng.random() < 0.4:
        out = strip_accents(out)
    if rng.random() < 0.25:
        out = typo(out, rng)
    if rng.random() < 0.2:
        out = out.rstrip("?!.").replace(",", "")
    if rng.random() < 0.15:
        # Piled-up punctuation comes with delight as often as with anger.
        out = out.rstrip("?!.") + rng.choice(["!!!", "!!", "??", "?!", "!!!!", "???"])
    if rng.random() < 0.12:
        out = f"{out} {rng.choice(EMOJI)}"
    return out


def label_of(reason: str) -> str:
    if reason in URGENT:
        return "urgent"
    if reason in ESCALATE:
        return "escalate"
    if reason == "none":
        return "normal"
    raise ValueError(f"unknown reason `{reason}`")


def read_source(path: Path):
    reason = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("## "):
            reason = line[3:].strip()
            label_of(reason)
            continue
        if reason is None:
            raise ValueError(f"{path.name}:{number}: text before the first `## reason` header")
        if "\t" in line:
            raise ValueError(f"{path.name}:{number}: tab in text")
        yield reason, line


def main() -> None:
    rng = random.Random(20261126)
    rows = []
    for path in sorted((HERE / "src").glob("*.txt")):
        lang = path.stem
        for reason, text in read_source(path):
            rows.append((label_of(reason), reason, lang, text.replace("{n}", str(rng.randint(1000, 99999)))))
            for _ in range(2):
                rows.append((label_of(reason), reason, lang, vary(text, lang, reason, rng)))
        for template in TEMPLATES.get(lang, []):
            for _ in range(8):
                product = rng.choice(PRODUCTS[lang])
                if rng.random() < 0.5:
                    product = f"{product} {invented_name(rng)}"
                text = template.format(p=product, s=rng.choice(SIZES), c=rng.choice(COLOURS[lang]))
                rows.append(("normal", "none", lang, vary(text, lang, "none", rng)))
        for template in MORE_TEMPLATES.get(lang, []):
            for _ in range(5):
                product = rng.choice(PRODUCTS[lang])
                if rng.random() < 0.5:
                    product = f"{product} {invented_name(rng)}"
                text = template.format(p=product, city=rng.choice(CITIES[lang]), name=invented_name(rng).capitalize())
                rows.append(("normal", "none", lang, vary(text, lang, "none", rng)))
    seen = set()
    lines = ["# label\treason\tlanguage\ttext (generated by build_train.py from src/*.txt; edit the sources, not this file)"]
    for row in rows:
        if row[3] in seen:
            continue
        seen.add(row[3])
        lines.append("\t".join(row))
    (HERE / "train.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"train.tsv: {len(lines) - 1} rows")


if __name__ == "__main__":
    main()
