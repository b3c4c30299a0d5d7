from rest_framework import serializers

from shop_b.models import Item, Purchase, Sku, StockLevel


class SkuSerializer(serializers.ModelSerializer):
    pricing = serializers.SerializerMethodField()

    class Meta:
        model = Sku
        fields = ["code", "pricing", "options"]

    def get_pricing(self, sku):
        return {"amount_cents": sku.amount_cents, "currency": sku.currency}


class ItemSerializer(serializers.ModelSerializer):
    skus = SkuSerializer(many=True)
    web_url = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = ["uuid", "title", "summary", "web_url", "media", "section", "labels", "state", "last_modified", "skus"]

    def get_web_url(self, item):
        return f"https://shop-b.example{item.web_path}"


class LevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = StockLevel
        fields = ["warehouse", "qty"]


class StockSerializer(serializers.ModelSerializer):
    levels = LevelSerializer(many=True)

    class Meta:
        model = Sku
        fields = ["code", "levels"]


class PurchaseSerializer(serializers.ModelSerializer):
    buyer = serializers.SerializerMethodField()

    class Meta:
        model = Purchase
        fields = ["ref", "status", "buyer", "created", "total_cents", "items", "parcels"]

    def get_buyer(self, purchase):
        return {"email": purchase.buyer_email, "zip": purchase.ship_zip}
