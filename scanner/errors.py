"""Small named exceptions raised by the scanner; the CLI turns them into one line and an exit code.

`ScanUsageError` is the user's mistake (exit 2); every other `ScanError` means the site could not be
scanned (exit 1). Each message says what to check.
"""

from __future__ import annotations


class ScanError(Exception):
    """Base class: the scan could not be done; the message says why and what to try."""


class ScanUsageError(ScanError):
    """The arguments are wrong (a URL that is not http(s), a malformed --resolve)."""


class InvalidScanUrl(ScanUsageError):
    """The start URL is not an absolute http(s) URL."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url!r} is not a URL to scan; give an absolute http(s) URL such as "
                         "https://www.example.no/")


class InvalidResolveRule(ScanUsageError):
    """A --resolve value is not HOST:ADDR[:PORT]."""

    def __init__(self, value: str, why: str) -> None:
        super().__init__(f"--resolve {value!r}: {why}; expected HOST:ADDR[:PORT], "
                         "e.g. www.example.test:127.0.0.1:8080 or *.example.test:127.0.0.1")


class InvalidPhases(ScanUsageError):
    """--phases names a phase that does not exist, or none at all."""

    def __init__(self, value: str) -> None:
        super().__init__(f"--phases {value!r}: give one or more of before, accept, reject, comma-separated "
                         "(e.g. --phases before or --phases before,accept)")


class ScanTerminated(ScanError):
    """The scan was stopped by SIGTERM; the browser was closed before this was raised."""

    def __init__(self) -> None:
        super().__init__("scan terminated (SIGTERM); the browser was closed")


class ScanCancelled(ScanError):
    """The caller's stop event was set (a cancelled job, a worker shutting down); the browser was
    closed before this was raised."""

    def __init__(self) -> None:
        super().__init__("scan cancelled; the browser was closed")


class UnreachableSite(ScanError):
    """The start page could not be loaded at all (DNS, refused connection, TLS)."""

    def __init__(self, url: str, reason: str) -> None:
        hint = _HINTS.get(reason.split(" ")[0], "check the URL and that the site is up")
        super().__init__(f"could not load {url}: {reason} ({hint})")
        self.reason = reason


class ScanTimeout(ScanError):
    """The start page did not answer within the page timeout."""

    def __init__(self, url: str, seconds: float) -> None:
        super().__init__(f"{url} did not answer within {seconds:g}s; check that the site is up, "
                         "or raise --page-timeout")


_HINTS = {
    "net::ERR_NAME_NOT_RESOLVED": "the host name does not resolve; check the spelling, or map it "
                                  "with --resolve HOST:ADDR",
    "net::ERR_CONNECTION_REFUSED": "nothing listens there; check the port and that the server runs",
    "net::ERR_CERT_AUTHORITY_INVALID": "the certificate is not trusted; for a staging server add "
                                       "--ignore-https-errors",
    "net::ERR_CERT_COMMON_NAME_INVALID": "the certificate does not name this host; for a staging "
                                         "server add --ignore-https-errors",
    "net::ERR_TOO_MANY_REDIRECTS": "the start URL redirects in a loop",
    "net::ERR_SSL_PROTOCOL_ERROR": "the server does not speak TLS on that port; try http://",
}
