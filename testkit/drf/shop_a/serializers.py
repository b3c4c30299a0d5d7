from rest_framework import serializers

from shop_a.models import Category, Order, OrderLine, Product, Shipment, Variant


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["name"]


class VariantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Variant
        fields = ["sku", "label", "price", "attributes", "stock"]


class ProductSerializer(serializers.ModelSerializer):
    category = CategorySerializer()
    variants = VariantSerializer(many=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Product
        fields = ["id", "name", "slug", "url", "description", "category", "tags", "images", "is_active", "modified", "variants"]

    def get_url(self, product):
        return f"/products/{product.slug}/"


class LineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["sku", "name", "qty", "unit_price"]


class ShipmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Shipment
        fields = ["carrier", "tracking_code", "tracking_url", "shipped_at"]


class OrderSerializer(serializers.ModelSerializer):
    customer = serializers.SerializerMethodField()
    lines = LineSerializer(many=True)
    shipments = ShipmentSerializer(many=True)

    class Meta:
        model = Order
        fields = ["number", "state", "customer", "placed_at", "total", "lines", "shipments"]

    def get_customer(self, order):
        return {"email": order.email, "address": {"postcode": order.postcode}}
