"""`GET /v1/openapi.json`: the OpenAPI 3.1 description of the public API.

Written by hand next to the routes it describes; `tests/test_api_openapi.py` fails when a route is
missing here or an answer does not match its documented schema (schemathesis).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify

from .. import __version__
from ..models import CATEGORIES
from .blueprint import bp
from .validation import METHODS

ERROR = {
    "type": "object", "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
}
ERROR_STATUS = {
    "400": "Malformed JSON or invalid fields (`fields` names each one and why)",
    "403": "The page's Origin is not allowed for this site",
    "404": "No site with this key",
    "413": "The body is larger than 4 KB",
    "415": "Content-Type is not application/json",
    "429": "Too many requests from this client (see Retry-After)",
}
CONSENT = {
    "type": "object", "additionalProperties": False,
    "required": ["consent_id", "choices", "method", "revision", "language"],
    "properties": {
        "consent_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{16,64}$",
                       "description": "Random ID the banner keeps in its cookie (a UUID4)"},
        "choices": {"type": "object", "description": "Every optional category the site asks for",
                    "propertyNames": {"enum": list(CATEGORIES)},
                    "additionalProperties": {"type": "boolean"}},
        "method": {"enum": list(METHODS)},
        "revision": {"type": "integer", "minimum": 1,
                     "description": "The site revision the visitor was shown (≤ the current one)"},
        "language": {"type": "string", "maxLength": 8},
        "page_url": {"type": "string", "maxLength": 2048, "format": "uri",
                     "description": "Stored without query and fragment"},
        "banner_version": {"type": "string", "maxLength": 32},
        "gpc": {"type": "boolean"},
    },
}
RECORDED = {
    "type": "object", "required": ["consent_id", "recorded_at", "revision"],
    "properties": {"consent_id": {"type": "string"}, "recorded_at": {"type": "string"},
                   "revision": {"type": "integer"}},
}
HISTORY = {
    "type": "object", "required": ["consent_id", "records"],
    "properties": {"consent_id": {"type": "string"}, "records": {"type": "array", "items": {
        "type": "object",
        "required": ["recorded_at", "choices", "method", "revision", "revision_hash", "language"],
        "properties": {
            "recorded_at": {"type": "string"},
            "choices": {"type": "object", "additionalProperties": {"type": "boolean"}},
            "method": {"enum": list(METHODS)}, "revision": {"type": "integer"},
            "revision_hash": {"type": "string"}, "language": {"type": "string"},
            "page_url": {"type": "string"}, "banner_version": {"type": "string"},
            "gpc": {"type": "boolean"}}}}},
}


def _errors(*codes: str) -> dict[str, Any]:
    return {code: {"description": ERROR_STATUS[code],
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            for code in codes}


def _key(name: str = "key", description: str = "The site's key") -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "maxLength": 64}}


def _paths() -> dict[str, Any]:
    json_of = lambda ref: {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}  # noqa: E731
    return {
        "/v1/sites/{key}/consent.js": {"get": {
            "operationId": "consent_script", "summary": "The banner with the site's configuration",
            "parameters": [_key()],
            "responses": {"200": {"description": "JavaScript (gzip or br by Accept-Encoding; strong ETag)",
                                  "content": {"text/javascript": {"schema": {"type": "string"}}}},
                          "304": {"description": "Not modified (If-None-Match matched the ETag)"},
                          **_errors("404")}}},
        "/v1/sites/{key}/consents": {
            "post": {"operationId": "record_consent", "summary": "Record a visitor's choice",
                     "parameters": [_key()],
                     "requestBody": {"required": True, "content": json_of("Consent")},
                     "responses": {"201": {"description": "Committed", "content": json_of("Recorded")},
                                   **_errors("400", "403", "404", "413", "415", "429")}},
            "options": {"operationId": "consents_preflight", "summary": "CORS preflight",
                        "parameters": [_key()],
                        "responses": {"204": {"description": "The Origin may POST"},
                                      **_errors("403", "404")}}},
        "/v1/sites/{key}/consents/{consent_id}": {"get": {
            "operationId": "consent_history", "summary": "One consent ID's own history",
            "parameters": [_key(), _key("consent_id", "The visitor's consent ID")],
            "responses": {"200": {"description": "Records, oldest first", "content": json_of("History")},
                          "404": {"description": "No such site, or nothing recorded with this ID",
                                  "content": json_of("Error")},
                          **_errors("429")}}},
        "/v1/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This description",
            "responses": {"200": {"description": "OpenAPI 3.1",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}}}},
    }


def describe(server_url: str) -> dict[str, Any]:
    """The OpenAPI document, with `server_url` (PUBLIC_URL) as the server."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "consentkit public API", "version": __version__,
                 "description": "The banner script and the consent log. A request without an Origin "
                                "header (server to server) is accepted; a browser's Origin must be one "
                                "of the site's origins."},
        "servers": [{"url": server_url.rstrip("/") or "/"}],
        "paths": _paths(),
        "components": {"schemas": {"Error": ERROR, "Consent": CONSENT, "Recorded": RECORDED,
                                   "History": HISTORY}},
    }


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(describe(current_app.config["PUBLIC_URL"]))
