from django.urls import path

from shop_b import views

urlpatterns = [
    path("catalog/items/", views.Items.as_view(), name="items"),
    path("skus/<str:code>/stock/", views.Stock.as_view(), name="stock"),
    path("purchases/", views.Purchases.as_view(), name="purchases"),
]
