"""Fixture websites for the scanner, the declaration and the demo tests, served on 127.0.0.1.

Each site is a WSGI app that dispatches on the Host header, so one HTTPS server can play a first
party, its CDN and several ad and analytics hosts; the browser reaches them through `--resolve`.

    with serve(itsworking.app()) as server:
        report = scan("https://www.itsworking.test/",
                      ScanOptions(resolve=server.resolve(itsworking.HOSTS), ignore_https_errors=True))
"""

from .server import FixtureServer, serve

__all__ = ["FixtureServer", "serve"]
