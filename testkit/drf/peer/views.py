"""The harness's side door (no auth, never part of a shop's API): readiness,
facts a test checks against, and edits that stand in for a merchant
changing a product."""
import json

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

import shop_a.models as a
import shop_b.models as b


def health(request):
    return JsonResponse({"ok": True})


def facts(request, shop):
    if shop == "a":
        variants = a.Variant.objects.select_related("product").order_by("id")
        first = variants.first()
        order = a.Order.objects.order_by("id").first()
        return JsonResponse(
            {
                "products": a.Product.objects.count(),
                "active": a.Product.objects.filter(is_active=True).count(),
                "variants": variants.count(),
                "sku": first.sku,
                "sku_stock": first.stock,
                "sku_product": str(first.product_id),
                "order": {"number": order.number, "email": order.email, "postcode": order.postcode},
            }
        )
    variants = b.Sku.objects.order_by("id")
    first = variants.first()
    order = b.Purchase.objects.order_by("id").first()
    return JsonResponse(
        {
            "products": b.Item.objects.count(),
            "active": b.Item.objects.filter(state="published").count(),
            "variants": variants.count(),
            "sku": first.code,
            "sku_levels": {level.warehouse: level.qty for level in first.levels.all()},
            "sku_product": first.item_id,
            "order": {"number": order.ref, "email": order.buyer_email, "postcode": order.ship_zip},
        }
    )


@csrf_exempt
def touch(request, shop):
    """Renames a product and/or takes it off sale, now."""
    edit = json.loads(request.body)
    now = timezone.now()
    if shop == "a":
        product = a.Product.objects.get(pk=edit["id"])
        product.name = edit.get("title", product.name)
        product.is_active = edit.get("active", product.is_active)
        product.modified = now
        product.save()
    else:
        item = b.Item.objects.get(pk=edit["id"])
        item.title = edit.get("title", item.title)
        if "active" in edit:
            item.state = "published" if edit["active"] else "withdrawn"
        item.last_modified = now
        item.save()
    return JsonResponse({"ok": True})
