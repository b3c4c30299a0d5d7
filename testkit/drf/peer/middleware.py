"""What the Rust tests observe and break: every request is recorded as a
JSON line in DRF_PEER_LOG (method, path with query, status, the
Authorization scheme but never the token), and with DRF_PEER_DIE_AFTER=N
the process exits without answering the product list request that follows
the N-th one served."""
import json
import os
import threading

from django.urls import resolve
from django.urls.exceptions import Resolver404

_lock = threading.Lock()
_served_lists = 0

PRODUCT_LISTS = {"shop_a:products", "shop_b:items"}


def _is_product_list(path):
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return match.view_name in PRODUCT_LISTS


class PeerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.log_path = os.environ.get("DRF_PEER_LOG")
        die_after = os.environ.get("DRF_PEER_DIE_AFTER")
        self.die_after = int(die_after) if die_after else None

    def __call__(self, request):
        global _served_lists
        is_list = _is_product_list(request.path_info)
        if is_list and self.die_after is not None:
            with _lock:
                if _served_lists >= self.die_after:
                    os._exit(3)
        response = self.get_response(request)
        if is_list and response.status_code == 200:
            with _lock:
                _served_lists += 1
        if self.log_path:
            scheme = request.META.get("HTTP_AUTHORIZATION", "").split(" ")[0]
            line = json.dumps(
                {
                    "method": request.method,
                    "path": request.get_full_path(),
                    "status": response.status_code,
                    "auth": scheme,
                    "retry_after": response.get("Retry-After"),
                }
            )
            with _lock, open(self.log_path, "a", encoding="utf-8") as log:
                log.write(line + "\n")
        return response
