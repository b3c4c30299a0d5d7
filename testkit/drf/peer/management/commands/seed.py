"""Seeds both shops with the same deterministic catalogue shape (N products
with 1 to 6 variants each, a few off sale), orders with emails and
postcodes, and one API user per shop with the given token. Fast: rows are
built in memory with their ids and written with bulk_create."""
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

import shop_a.models as a
import shop_b.models as b

BASE_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)
KINDS = [
    ("Shirts", "Linen Shirt", "Camisa de lino"),
    ("Jackets", "Rain Jacket", "Regenjacke"),
    ("Knitwear", "Merino Sweater", "Pull en mérinos"),
    ("Trousers", "Chino Trousers", "Pantalón chino"),
    ("Shoes", "Trail Runner", "Zapatilla de trail"),
    ("Accessories", "Wool Scarf", "Sciarpa di lana"),
    ("Dresses", "Summer Dress", "Sommerkleid"),
    ("Bags", "Canvas Tote", "Bolsa de lona"),
]
COLOURS = ["Navy", "Sand", "Olive", "Black", "Rust", "Sky"]
SIZES = ["XS", "S", "M", "L", "XL"]
WAREHOUSES = ["Berlin", "Porto"]
BATCH = 2000


def variant_options(rng):
    """(colour, size) pairs for one product: 1 to 6 of them."""
    colours = rng.sample(COLOURS, rng.randint(1, 2))
    sizes = rng.sample(SIZES, rng.randint(1, 3))
    return [(c, s) for c in colours for s in sizes][:6]


class Command(BaseCommand):
    help = "Seed shop_a and shop_b with N products each, orders and API tokens."

    def add_arguments(self, parser):
        parser.add_argument("--products", type=int, default=3000)
        parser.add_argument("--token-a", default="shop-a-test-token")
        parser.add_argument("--token-b", default="shop-b-test-token")

    @transaction.atomic
    def handle(self, *args, products, token_a, token_b, **options):
        for username, key in [("shop-a-api", token_a), ("shop-b-api", token_b)]:
            user = User.objects.create(username=username)
            Token.objects.create(user=user, key=key)
        self.seed_a(products)
        self.seed_b(products)

    def seed_a(self, count):
        rng = random.Random(11)
        categories = [a.Category(id=i + 1, name=kind[0]) for i, kind in enumerate(KINDS)]
        a.Category.objects.bulk_create(categories)
        products, variants = [], []
        for i in range(count):
            kind = i % len(KINDS)
            _, name, local = KINDS[kind]
            title = f"{name} {i + 1}" if i % 5 else f"{local} {i + 1}"
            products.append(
                a.Product(
                    id=i + 1,
                    name=title,
                    slug=f"{name.lower().replace(' ', '-')}-{i + 1}",
                    description=f"<p>{name} number {i + 1}, <b>made to last</b> &amp; easy to care for.</p>",
                    category_id=kind + 1,
                    tags=[KINDS[kind][0].lower(), rng.choice(["new", "classic", "sale"])],
                    images=[{"url": f"https://cdn.shop-a.example/p/{i + 1}.jpg"}],
                    is_active=(i % 40) != 39,
                    modified=BASE_TIME + timedelta(minutes=i),
                )
            )
            price = Decimal(rng.randint(19, 189)) + Decimal("0.90")
            for colour, size in variant_options(rng):
                variants.append(
                    a.Variant(
                        id=len(variants) + 1,
                        product_id=i + 1,
                        sku=f"A-{i + 1:05d}-{colour[:3].upper()}-{size}",
                        label=f"{colour} / {size}",
                        price=price,
                        attributes={"Colour": colour, "Size": size},
                        stock=rng.randint(0, 25),
                    )
                )
        a.Product.objects.bulk_create(products, batch_size=BATCH)
        a.Variant.objects.bulk_create(variants, batch_size=BATCH)
        orders, lines, shipments = [], [], []
        for n, number in enumerate(["A1001", "A1002", "A1003", "A10011"]):
            orders.append(
                a.Order(
                    id=n + 1,
                    number=number,
                    state=["shipped", "processing", "delivered", "shipped"][n],
                    email=["mara.keller@example.com", "jon@example.org", "ines@example.es", "someone.else@example.com"][n],
                    postcode=["10115", "4050-001", "28013", "80331"][n],
                    placed_at=BASE_TIME + timedelta(days=n),
                    total=Decimal("79.80"),
                )
            )
            lines.append(a.OrderLine(order_id=n + 1, sku=variants[n].sku, name=products[0].name, qty=2, unit_price=Decimal("39.90")))
            if n != 1:
                shipments.append(
                    a.Shipment(
                        order_id=n + 1,
                        carrier="DHL",
                        tracking_code=f"JJD00{n}4455",
                        tracking_url=f"https://track.example/JJD00{n}4455",
                        shipped_at=BASE_TIME + timedelta(days=n + 1),
                    )
                )
        a.Order.objects.bulk_create(orders)
        a.OrderLine.objects.bulk_create(lines)
        a.Shipment.objects.bulk_create(shipments)

    def seed_b(self, count):
        rng = random.Random(23)
        items, skus, levels = [], [], []
        for i in range(count):
            kind = (i * 3) % len(KINDS)
            section, name, _ = KINDS[kind]
            uuid = f"prd_{i + 1:06d}"
            items.append(
                b.Item(
                    uuid=uuid,
                    title=f"{name} No. {i + 1}",
                    summary=f"A {name.lower()} for every day, style {i + 1}.",
                    web_path=f"/items/{uuid}",
                    media=[{"src": f"https://img.shop-b.example/{uuid}/front.webp"}, {"src": f"https://img.shop-b.example/{uuid}/back.webp"}],
                    section=section,
                    labels=", ".join([section.lower(), rng.choice(["eco", "bestseller", "limited"])]),
                    state="draft" if i % 45 == 44 else "published",
                    last_modified=BASE_TIME + timedelta(minutes=i),
                )
            )
            cents = rng.randint(1500, 25000) // 100 * 100 + 95
            for colour, size in variant_options(rng):
                sku_id = len(skus) + 1
                skus.append(
                    b.Sku(
                        id=sku_id,
                        item_id=uuid,
                        code=f"B{i + 1:05d}{colour[:2].upper()}{size}",
                        amount_cents=cents,
                        currency="EUR",
                        options=[{"attr": "Color", "val": colour}, {"attr": "Size", "val": size}],
                    )
                )
                for warehouse in WAREHOUSES:
                    levels.append(b.StockLevel(sku_id=sku_id, warehouse=warehouse, qty=rng.randint(0, 12)))
        b.Item.objects.bulk_create(items, batch_size=BATCH)
        b.Sku.objects.bulk_create(skus, batch_size=BATCH)
        b.StockLevel.objects.bulk_create(levels, batch_size=BATCH)
        purchases = []
        for n, ref in enumerate(["B-2001", "B-2002", "B-20011"]):
            purchases.append(
                b.Purchase(
                    ref=ref,
                    status=["in_transit", "paid", "delivered"][n],
                    buyer_email=["lea.wong@example.com", "tom@example.net", "other.buyer@example.com"][n],
                    ship_zip=["SW1A 1AA", "75001", "1010"][n],
                    created=BASE_TIME + timedelta(days=n),
                    total_cents=12990,
                    items=[{"code": skus[n].code, "label": items[n].title, "count": 1, "price_cents": 12990}],
                    parcels=[] if n == 1 else [{"courier": "UPS", "tracking": f"1Z999AA1012345678{n}", "link": None, "sent": "2026-01-03T09:00:00Z"}],
                )
            )
        b.Purchase.objects.bulk_create(purchases)
