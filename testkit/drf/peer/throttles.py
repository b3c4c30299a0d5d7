"""DRF's own rate throttle, switched on per test by DRF_PEER_THROTTLE
(e.g. "1/s"). DRF answers a throttled request 429 with Retry-After."""
import os

from rest_framework.throttling import SimpleRateThrottle


class SwitchableThrottle(SimpleRateThrottle):
    scope = "peer"

    def get_rate(self):
        return os.environ.get("DRF_PEER_THROTTLE") or None

    def get_cache_key(self, request, view):
        ident = request.user.pk if request.user and request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
