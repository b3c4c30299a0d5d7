#!/usr/bin/env python3
"""Serves the DRF test peer on 127.0.0.1 with a threaded WSGI server:

    serve.py --db FILE [--port N] [--seed PRODUCTS] [--token-a KEY --token-b KEY]

With --seed, the database is migrated and seeded first (a fresh file).
Port 0 lets the system choose; the line `listening on 127.0.0.1:PORT` on
stdout says which, once requests are accepted. The rest of the knobs are
environment variables (see peer/settings.py)."""
import argparse
import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


class ThreadedServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class QuietHandler(WSGIRequestHandler):
    # Send without Nagle's delay, as the web servers in front of Django do
    # (nginx's tcp_nodelay): wsgiref writes the headers and the body apart,
    # and the body would otherwise wait for the client's delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--token-a", default="shop-a-test-token")
    parser.add_argument("--token-b", default="shop-b-test-token")
    args = parser.parse_args()
    os.environ["DRF_PEER_DB"] = args.db
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    if args.seed is not None:
        call_command("migrate", verbosity=0)
        call_command("seed", products=args.seed, token_a=args.token_a, token_b=args.token_b)
    server = make_server("127.0.0.1", args.port, get_wsgi_application(), server_class=ThreadedServer, handler_class=QuietHandler)
    print(f"listening on 127.0.0.1:{server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
