from django.utils.dateparse import parse_datetime
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from peer.auth import BearerAuthentication
from peer.pagination import StyledPagination
from shop_b.models import Item, Purchase, Sku
from shop_b.serializers import ItemSerializer, PurchaseSerializer, StockSerializer


class ShopB:
    authentication_classes = [BearerAuthentication]


class Items(ShopB, StyledPagination, generics.ListAPIView):
    """`?changed_after=<ISO 8601>` lists what changed after it."""

    serializer_class = ItemSerializer
    cursor_ordering = "uuid"

    def get_queryset(self):
        items = Item.objects.prefetch_related("skus").order_by("uuid")
        since = self.request.query_params.get("changed_after")
        if since:
            when = parse_datetime(since)
            if when is None:
                raise ValidationError({"changed_after": ["Enter a valid date/time."]})
            items = items.filter(last_modified__gt=when)
        return items


class Stock(ShopB, generics.RetrieveAPIView):
    serializer_class = StockSerializer
    queryset = Sku.objects.prefetch_related("levels")
    lookup_field = "code"


class Purchases(ShopB, StyledPagination, generics.ListAPIView):
    """`?ref=` filters by prefix, as a careless filter would: the
    connector must pick the exact one."""

    serializer_class = PurchaseSerializer

    def get_queryset(self):
        purchases = Purchase.objects.order_by("id")
        ref = self.request.query_params.get("ref")
        if ref:
            purchases = purchases.filter(ref__startswith=ref)
        return purchases
