"""The API's own 400 bodies; every other status goes through `consentkit.web_errors` as JSON.

The shape is the contract's: `{"error": …, "message": …, "fields": {field: reason}}`.
"""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import Forbidden, NotFound

from ..ratelimit import RateLimited


def invalid_fields(fields: dict[str, str]) -> Response:
    """400 naming each wrong field and why, for the developer reading the network tab."""
    listed = "; ".join(f"{name}: {reason}" for name, reason in sorted(fields.items()))
    return jsonify(error="invalid_field", message=f"invalid consent: {listed}", fields=fields)


def malformed_json(detail: str) -> Response:
    return jsonify(error="malformed_json", message=detail)


def rate_limited(exc: RateLimited) -> tuple[Response, int, dict[str, str]]:
    """429 with Retry-After (the app-wide JSON error path does not carry exception headers)."""
    return (jsonify(error="too_many_requests", message=exc.description),
            429, {"Retry-After": str(exc.retry_after)})


class OriginNotAllowed(Forbidden):
    """403 `origin_not_allowed`: the page's Origin is not among the site's origins."""

    name = "Origin Not Allowed"


class ReceiptRequired(Forbidden):
    """403 `receipt_required`: reading a history needs that consent ID's latest receipt."""

    name = "Receipt Required"


class UnknownSiteKey(NotFound):
    """404 `unknown_site`: no site has the key in the URL."""

    name = "Unknown Site"
