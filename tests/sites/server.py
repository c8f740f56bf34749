"""A threaded werkzeug server for the fixture sites, over HTTPS with a throw-away certificate.

HTTPS because real third-party cookies are `SameSite=None; Secure`, which Chromium only stores
from secure origins; the scanner runs with `ignore_https_errors` against it.
"""

from __future__ import annotations

import contextlib
import functools
import ssl
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from consentkit.demo.server import BackgroundServer


@functools.lru_cache(maxsize=1)
def certificate() -> tuple[str, str]:
    """A self-signed certificate for *.test, made once per process with the openssl command.

    ECDSA P-256, not RSA: the server pays for a handshake per connection, and on a 2-core machine an
    RSA-2048 signature per fixture request took CPU from the browser the scanner benchmark measures."""
    folder = Path(tempfile.mkdtemp(prefix="consentkit-fixture-tls-"))
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=fixture.test",
         "-addext", "subjectAltName=DNS:*.test"],
        check=True, capture_output=True)
    return str(cert), str(key)


class QuietHandler(WSGIRequestHandler):
    """HTTP/1.1 with keep-alive, as real sites answer (HTTP/1.0 would cost a TLS handshake per
    request); no access log on stderr; a client that hangs up mid-response is not an error."""

    protocol_version = "HTTP/1.1"

    def log_request(self, *args: Any) -> None:
        pass

    def log_error(self, *args: Any) -> None:
        pass


class FixtureServer(BackgroundServer):
    """One server on a free port; `resolve()` gives the --resolve values that point hosts at it."""

    def __init__(self, app: Callable, tls: bool = True) -> None:
        context = None
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate())
        super().__init__(app, 0, ssl_context=context, request_handler=QuietHandler)
        self.scheme = "https" if tls else "http"

    def resolve(self, hosts: Iterable[str]) -> tuple[str, ...]:
        """`HOST:127.0.0.1:PORT` for each host name (wildcards like `*.ads.test` allowed)."""
        return tuple(f"{host}:127.0.0.1:{self.port}" for host in hosts)


@contextlib.contextmanager
def serve(app: Callable, tls: bool = True) -> Iterator[FixtureServer]:
    server = FixtureServer(app, tls).start()
    try:
        yield server
    finally:
        server.stop()
