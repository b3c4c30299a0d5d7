from django.apps import AppConfig


class ShopAConfig(AppConfig):
    name = "shop_a"
