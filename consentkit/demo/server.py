"""One local HTTP server for the whole demo: the shop and its vendors by host, consentkit otherwise."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server


class HostDispatcher:
    """Send requests for the shop's and vendors' host names to the shop app, the rest to consentkit."""

    def __init__(self, consent_app: Callable, shop_app: Callable, shop_hosts: Iterable[str]) -> None:
        self.consent_app = consent_app
        self.shop_app = shop_app
        self.shop_hosts = frozenset(shop_hosts)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Any:
        host = environ.get("HTTP_HOST", "").rsplit(":", 1)[0].lower()
        app = self.shop_app if host in self.shop_hosts else self.consent_app
        return app(environ, start_response)


class BackgroundServer:
    """A threaded werkzeug server in a daemon thread; `stop()` shuts it down cleanly. Extra keyword
    arguments go to werkzeug's `make_server` (`ssl_context`, `request_handler`)."""

    def __init__(self, app: Callable, port: int, host: str = "127.0.0.1", **options: Any) -> None:
        self.server: BaseWSGIServer = make_server(host, port, app, threaded=True, **options)
        self.server.daemon_threads = True
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                       name="consentkit-demo-server")

    def start(self) -> BackgroundServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)
