"""Shop B: other names for everything, string ids, prices in cents inside
a pricing object, options as a list, tags as one comma-separated string,
stock per warehouse behind its own endpoint, orders ("purchases") found
through a filter."""
from django.db import models


class Item(models.Model):
    uuid = models.CharField(max_length=20, primary_key=True)
    title = models.CharField(max_length=200)
    summary = models.TextField()
    web_path = models.CharField(max_length=200)
    media = models.JSONField(default=list)
    section = models.CharField(max_length=80)
    labels = models.CharField(max_length=200)
    state = models.CharField(max_length=20)
    last_modified = models.DateTimeField(db_index=True)


class Sku(models.Model):
    item = models.ForeignKey(Item, related_name="skus", on_delete=models.CASCADE)
    code = models.CharField(max_length=40, unique=True)
    amount_cents = models.IntegerField()
    currency = models.CharField(max_length=3)
    options = models.JSONField(default=list)


class StockLevel(models.Model):
    sku = models.ForeignKey(Sku, related_name="levels", on_delete=models.CASCADE)
    warehouse = models.CharField(max_length=40)
    qty = models.IntegerField()


class Purchase(models.Model):
    ref = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=20)
    buyer_email = models.EmailField()
    ship_zip = models.CharField(max_length=12)
    created = models.DateTimeField()
    total_cents = models.IntegerField()
    items = models.JSONField(default=list)
    parcels = models.JSONField(default=list)
