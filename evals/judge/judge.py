#!/usr/bin/env python3
"""Grades the shopper retrieval sets against their catalogs.

Each query in `demo_queries.py` / `home_queries.py` carries a judgement
written by reading the catalog: which categories answer it, and the
constraints a right product meets (gender, colour, material and its share,
size in the variants, fit, price, title words). This script applies that
judgement to every product and writes the graded set the eval harness
runs (2 = meets everything asked, 1 = acceptable: right kind of product,
a soft wish missed, or unisex for a gendered ask):

    python3 evals/judge/judge.py            # writes evals/cases/*/retrieval-shoppers.yaml
    python3 evals/judge/judge.py --show 12  # prints query 12's graded products to read

Standard library only. The output is JSON, which is valid YAML.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")


def price(p: dict) -> float:
    return min(float(v["price"]) for v in p["variants"])


def colours(p: dict) -> list[str]:
    return [fold(c.strip()) for c in p["attributes"].get("color", "").split(",")]


def sizes(p: dict) -> set[str]:
    out = set()
    for v in p["variants"]:
        s = fold(v["options"].get("size", ""))
        out.add(s)
        out.update(t for t in s.replace("/", " ").split() if t)
    return out


def gender(p: dict) -> str:
    tags = [fold(t) for t in p.get("tags", [])]
    for g in ("women", "men", "unisex"):
        if g in tags:
            return g
    return p.get("gender", "")


def meets(p: dict, key: str, want) -> bool:
    a = {k: fold(v) for k, v in p["attributes"].items()}
    if key == "g":
        return gender(p) in (want, "unisex")
    if key == "col":
        return any(any(w == c or w in c.split() for c in colours(p)) for w in want)
    if key == "mat":
        return any(w in a.get("material", "") for w in want)
    if key == "matcol":
        return any(w in a.get("material", "") or any(w in c for c in colours(p)) for w in want)
    if key == "pure":
        m = a.get("material", "")
        return m.startswith("100%") and any(w in m for w in want)
    if key == "nomat":
        return not any(w in a.get("material", "") for w in want)
    if key == "size":
        return fold(want) in sizes(p)
    if key == "fit":
        return any(w in a.get("fit", "") for w in want)
    if key == "title":
        return any(w in fold(p["title"]) for w in want)
    if key == "notitle":
        return not any(w in fold(p["title"]) for w in want)
    if key == "tags":
        return any(w in [fold(t) for t in p.get("tags", [])] for w in want)
    if key == "maxp":
        return price(p) <= want
    if key == "minp":
        return price(p) >= want
    if key == "attr":
        return all(w in a.get(k, "") for k, w in want.items())
    raise KeyError(key)


def grade(p: dict, spec: dict) -> int:
    cat = p["category"]
    if cat in spec.get("cat", []):
        g = 2
    elif cat in spec.get("cat1", []):
        g = 1
    else:
        return 0
    for key, want in spec.get("must", {}).items():
        if not meets(p, key, want):
            return 0
    if "g" in spec.get("must", {}) and gender(p) == "unisex" and not spec.get("unisex_ok"):
        g = min(g, 1)
    for key, want in spec.get("nice", {}).items():
        if not meets(p, key, want):
            g = min(g, 1)
    return g


def judged(catalog: Path, queries: list[dict], store: str) -> dict:
    products = json.loads(catalog.read_text())["products"]
    out = []
    for q in queries:
        relevant = {p["id"]: grade(p, q) for p in products}
        relevant = {k: v for k, v in relevant.items() if v}
        if not relevant:
            raise SystemExit(f"no product answers {q['query']!r}: fix its judgement")
        entry = {"query": q["query"], "language": q["lang"], "kind": q["kind"]}
        if q.get("earlier"):
            entry["earlier"] = q["earlier"]
        entry["relevant"] = dict(sorted(relevant.items()))
        out.append(entry)
    return {"store": store, "queries": out}


def main() -> None:
    import demo_queries
    import home_queries

    sets = [
        (ROOT / "examples/demo-store/catalog.json", demo_queries.QUERIES, "demo", ROOT / "evals/cases/demo/retrieval-shoppers.yaml"),
        (ROOT / "examples/home-store/catalog.json", home_queries.QUERIES, "home", ROOT / "evals/cases/demo/retrieval-home.yaml"),
    ]
    if len(sys.argv) == 3 and sys.argv[1] == "--show":
        n = int(sys.argv[2])
        all_q = [(c, q) for c, qs, _, _ in sets for q in qs]
        catalog, q = all_q[n]
        products = {p["id"]: p for p in json.loads(catalog.read_text())["products"]}
        print(q["query"])
        for p in products.values():
            g = grade(p, q)
            if g:
                print(g, p["id"], p["title"], gender(p), p["attributes"])
        return
    for catalog, queries, store, path in sets:
        data = judged(catalog, queries, store)
        header = "# Generated by evals/judge/judge.py from its judgement of each query; do not edit by hand.\n"
        path.write_text(header + json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        print(f"{path.relative_to(ROOT)}: {len(data['queries'])} queries")


if __name__ == "__main__":
    main()
