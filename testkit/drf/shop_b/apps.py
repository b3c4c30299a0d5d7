from django.apps import AppConfig


class ShopBConfig(AppConfig):
    name = "shop_b"
