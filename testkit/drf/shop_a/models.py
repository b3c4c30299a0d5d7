"""Shop A: products with their variants nested, stock on each variant,
prices as decimal strings, orders found by number."""
from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=80)


class Product(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    description = models.TextField()
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    tags = models.JSONField(default=list)
    images = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    modified = models.DateTimeField(db_index=True)


class Variant(models.Model):
    product = models.ForeignKey(Product, related_name="variants", on_delete=models.CASCADE)
    sku = models.CharField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    price = models.DecimalField(max_digits=10, decimal_places=2)
    attributes = models.JSONField(default=dict)
    stock = models.IntegerField()


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    state = models.CharField(max_length=20)
    email = models.EmailField()
    postcode = models.CharField(max_length=12)
    placed_at = models.DateTimeField()
    total = models.DecimalField(max_digits=10, decimal_places=2)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    sku = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    qty = models.IntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)


class Shipment(models.Model):
    order = models.ForeignKey(Order, related_name="shipments", on_delete=models.CASCADE)
    carrier = models.CharField(max_length=40)
    tracking_code = models.CharField(max_length=40)
    tracking_url = models.URLField()
    shipped_at = models.DateTimeField()
