from django.urls import path

from shop_a import views

urlpatterns = [
    path("products/", views.Products.as_view(), name="products"),
    path("products/<int:pk>/", views.ProductDetail.as_view(), name="product"),
    path("orders/<str:number>/", views.OrderDetail.as_view(), name="order"),
]
