"""Token authentication under both keywords shops use: DRF's `Token` and
`Bearer` (shop_b)."""
from rest_framework.authentication import TokenAuthentication


class BearerAuthentication(TokenAuthentication):
    keyword = "Bearer"
