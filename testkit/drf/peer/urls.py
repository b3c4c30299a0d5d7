"""Each shop under /<shop>/<style>/ where style picks the paginator (page,
limit, cursor, plain), plus the harness's own endpoints under /_peer/."""
from django.urls import include, path

from peer import views

urlpatterns = [
    path("_peer/health/", views.health),
    path("_peer/<str:shop>/touch/", views.touch),
    path("_peer/<str:shop>/facts/", views.facts),
    path("shop-a/<str:style>/", include(("shop_a.urls", "shop_a"))),
    path("shop-b/<str:style>/", include(("shop_b.urls", "shop_b"))),
]
