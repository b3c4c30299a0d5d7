from django.utils.dateparse import parse_datetime
from rest_framework import generics
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import ValidationError

from peer.pagination import StyledPagination
from shop_a.models import Order, Product
from shop_a.serializers import OrderSerializer, ProductSerializer


class ShopA:
    authentication_classes = [TokenAuthentication]


class Products(ShopA, StyledPagination, generics.ListAPIView):
    """`?updated_since=<ISO 8601>` lists what changed after it; `?sku=` the
    product holding that variant."""

    serializer_class = ProductSerializer

    def get_queryset(self):
        products = Product.objects.select_related("category").prefetch_related("variants").order_by("id")
        since = self.request.query_params.get("updated_since")
        if since:
            when = parse_datetime(since)
            if when is None:
                raise ValidationError({"updated_since": ["Enter a valid date/time."]})
            products = products.filter(modified__gt=when)
        sku = self.request.query_params.get("sku")
        if sku:
            products = products.filter(variants__sku=sku)
        return products


class ProductDetail(ShopA, generics.RetrieveAPIView):
    serializer_class = ProductSerializer
    queryset = Product.objects.select_related("category").prefetch_related("variants")


class OrderDetail(ShopA, generics.RetrieveAPIView):
    serializer_class = OrderSerializer
    queryset = Order.objects.prefetch_related("lines", "shipments")
    lookup_field = "number"
