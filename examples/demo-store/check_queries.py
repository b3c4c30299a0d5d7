#!/usr/bin/env python3
"""Check retrieval-queries.json against catalog.json.

For every query, KEYS below lists its key content words as groups of
alternatives: a word prefix ("boot" matches "boots"), an exact word when it
starts with "=" ("=ski" does not match "skirt"), or a phrase when it contains
a space; all accent- and case-insensitive. A product is an "equally good candidate" when its
card text (title, description, colour, sizes, material, fit, category, brand,
tags, reviews, and the Spanish title/description/attributes) matches every
group. The check fails when a must_include product is not a candidate or when
more than 8 products are candidates (then "top 8" would be a coin toss).

It also checks the stock facts the demo's size questions rely on (STOCK_CASES).
As a second, informative signal it ranks the whole catalog with plain BM25
over the same card text and prints where each must_include product lands.

    python3 examples/demo-store/check_queries.py
"""

from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
MAX_CANDIDATES = 8

KEYS: dict[str, list[list[str]]] = {
    "linen shirt for a summer wedding": [["linen"], ["shirt"], ["wedding"]],
    "something warm for a ski trip": [["warm", "insulat"], ["=ski", "=skiing"]],
    "waterproof jacket for cycling to work": [["waterproof"], ["jacket"], ["cycling", "bike", "helmet"]],
    "Tamariu midi dress": [["tamariu"]],
    "cashmere scarf": [["cashmere"], ["scarf", "scarves"]],
    "emerald green evening dress": [["emerald"], ["evening dress"]],
    "jeans for tall men": [["=tall"], ["jeans"], ["men"]],
    "polarised sunglasses": [["polaris"], ["sunglasses"]],
    "straw bag for the beach": [["straw"], ["bag"], ["beach"]],
    "red check flannel shirt": [["red check"], ["flannel"]],
    "waterproof leather hiking boots": [["waterproof"], ["leather"], ["hiking"], ["boots"]],
    "merino base layer for hiking": [["merino"], ["base layer"], ["hiking", "hills", "trail"]],
    "a long dress for tall women": [["=tall"], ["dress"], ["maxi", "floor", "ankle"]],
    "boots that keep my feet dry on muddy walks": [["boot"], ["mud"]],
    "a gown for a black-tie gala": [["dress", "gown"], ["black-tie", "black tie", "gala"]],
    "Pedralbes chelsea boots": [["pedralbes"], ["chelsea"]],
    "navy Breton striped top": [["breton"], ["navy"]],
    "¿tenéis camisas de lino para una boda?": [["camisa"], ["lino"], ["boda"]],
    "¿tenéis la camisa de lino Sitges en talla M?": [["sitges"], ["camisa"]],
    "¿tenéis el vestido midi Tamariu en talla M?": [["tamariu"]],
    "botas de piel impermeables": [["botas", "botines"], ["piel"], ["impermeable"]],
    "plumífero para ir a esquiar": [["plumifero", "plumon"], ["esqui"]],
    "chaqueta impermeable para ir en bici al trabajo": [["impermeable"], ["chaqueta"], ["bici"]],
    "bufanda de cachemira para regalar": [["bufanda"], ["cachemira"], ["regal"]],
    "vaqueros para mujer alta": [["vaqueros"], ["mujer alta", "mujeres altas"]],
    "gafas de sol polarizadas": [["gafas de sol"], ["polarizad"]],
    "sandalias de tacón para una boda": [["sandalias"], ["tacon"], ["boda"]],
}

# Stock facts the demo's "¿tenéis ... en talla M?" turns rely on:
# (product id, size, expected to be buyable in at least one colour).
STOCK_CASES = [("p0001", "M", True), ("p0004", "M", False)]

STOPWORDS = set("""
a an and any are at be but by do for from have i in is it me my of on or so some
something that the this to what with you your who always feels
a al algo con de del el en es la las lo los me mi para por que se su un una y
tenéis teneis tienes hay busco quiero ir
""".split())


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def stem(token: str) -> str:
    for suffix in ("es", "s"):
        if len(token) > 4 and token.endswith(suffix):
            return token[: -len(suffix)]
    return token


def card(product: dict) -> str:
    """Roughly what the gateway puts into a product card."""
    a = product["attributes"]
    parts = [product["title"], product["description"], a.get("color", ""), a.get("size_range", ""),
             a.get("material", ""), a.get("fit", ""), product["category"], product["vendor"],
             " ".join(product["tags"])]
    for tr in product.get("translations", {}).values():
        parts += [tr.get("title") or "", tr.get("description") or ""]
        parts += list(tr.get("attributes", {}).values())
    parts += [r["text"] for r in product.get("reviews", [])]
    return "\n".join(parts)


def matches(group: list[str], toks: list[str], joined: str) -> bool:
    for alt in group:
        alt = fold(alt)
        if alt.startswith("="):
            if alt[1:] in toks:
                return True
        elif " " in alt:
            if f" {alt}" in joined:
                return True
        elif any(t.startswith(alt) for t in toks):
            return True
    return False


def bm25_ranking(query: str, docs: dict[str, list[str]], k1: float = 1.2, b: float = 0.75) -> list[str]:
    n = len(docs)
    avg = sum(len(d) for d in docs.values()) / n
    df = Counter(t for d in docs.values() for t in set(d))
    q = [stem(t) for t in tokens(query) if t not in STOPWORDS]
    scores = {}
    for pid, d in docs.items():
        tf = Counter(d)
        s = 0.0
        for t in q:
            if t in tf:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                s += idf * tf[t] * (k1 + 1) / (tf[t] + k1 * (1 - b + b * len(d) / avg))
        scores[pid] = s
    return sorted(scores, key=lambda pid: (-scores[pid], pid))


def main() -> int:
    catalog = json.loads((HERE / "catalog.json").read_text(encoding="utf-8"))
    queries = json.loads((HERE / "retrieval-queries.json").read_text(encoding="utf-8"))
    products = {p["id"]: p for p in catalog["products"]}
    cards = {pid: card(p) for pid, p in products.items()}
    toks = {pid: tokens(c) for pid, c in cards.items()}
    joined = {pid: " " + " ".join(t) + " " for pid, t in toks.items()}
    docs = {pid: [stem(t) for t in t_list] for pid, t_list in toks.items()}

    failures = 0
    langs = Counter(q["language"] for q in queries)
    print(f"{len(queries)} queries ({', '.join(f'{n} {l}' for l, n in sorted(langs.items()))}), "
          f"{len(products)} products\n")
    for q in queries:
        text, must = q["query"], q["must_include"]
        problems = []
        if text not in KEYS:
            problems.append("no key words defined in check_queries.py")
            candidates = []
        else:
            candidates = [pid for pid in products
                          if all(matches(g, toks[pid], joined[pid]) for g in KEYS[text])]
        if not 1 <= len(must) <= 3:
            problems.append(f"must_include has {len(must)} ids")
        for pid in must:
            if pid not in products:
                problems.append(f"{pid} not in catalog")
            elif pid not in candidates:
                problems.append(f"{pid} lacks key words")
        if len(candidates) > MAX_CANDIDATES:
            problems.append(f"{len(candidates)} equally good candidates (> {MAX_CANDIDATES})")
        ranking = bm25_ranking(text, docs)
        ranks = {pid: ranking.index(pid) + 1 for pid in must if pid in products}
        status = "FAIL" if problems else "ok  "
        failures += bool(problems)
        rank_note = ", ".join(f"{pid}@{r}" for pid, r in ranks.items())
        warn = "  (bm25 below top 8)" if any(r > 8 for r in ranks.values()) else ""
        print(f"{status} [{q['language']}] {text!r}: candidates={len(candidates)} "
              f"must={len(must)} bm25 ranks: {rank_note}{warn}")
        for p in problems:
            print(f"       - {p}")
    print()
    for pid, size, expected in STOCK_CASES:
        stock = [v["stock"] for v in products[pid]["variants"] if v["options"].get("size") == size]
        ok = bool(stock) and (any(n > 0 for n in stock) == expected)
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} stock {pid} {products[pid]['title']!r} size {size}: "
              f"{stock} (expected {'in stock' if expected else 'sold out'})")
    print(f"\n{len(queries)} queries, {failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
