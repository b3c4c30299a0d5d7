"""Settings of the DRF test peer: two shops with differently shaped APIs
(shop_a, shop_b) in one project, served by peer/serve.py. Everything a test
varies comes from the environment the Rust harness sets:

- DRF_PEER_DB: the SQLite file (one per test);
- DRF_PEER_THROTTLE: a DRF rate such as "1/s" turns throttling on (429 with
  Retry-After, as DRF answers it);
- DRF_PEER_DIE_AFTER: the process exits, without answering, on the product
  list request after this many were served (an upstream dying mid-sync);
- DRF_PEER_LOG: a file where every request is recorded as one JSON line.
"""
import os

SECRET_KEY = "drf-test-peer-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "rest_framework.authtoken",
    "peer",
    "shop_a",
    "shop_b",
]
MIDDLEWARE = ["peer.middleware.PeerMiddleware"]
ROOT_URLCONF = "peer.urls"
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DRF_PEER_DB", "peer.sqlite3"),
        "OPTIONS": {"timeout": 20},
    }
}
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["peer.throttles.SwitchableThrottle"],
    "UNAUTHENTICATED_USER": None,
}
LOGGING = {"version": 1, "disable_existing_loggers": True}
