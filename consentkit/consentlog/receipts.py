"""Consent receipts: each consent record signed by the server, so anyone can check it offline.

A receipt is a JWS in compact serialisation (RFC 7515) signed with Ed25519 (`"alg": "EdDSA"`,
RFC 8037): `BASE64URL(header) "." BASE64URL(payload) "." BASE64URL(signature)`, where the
signature covers the ASCII bytes of the first two parts joined by the dot. The header names the
key (`kid`); the site publishes its public keys as a JWK set at `/v1/sites/KEY/receipt-key`.
`docs/receipts.md` describes the payload and how to verify a receipt without consentkit.

Receipts are also what lets a history grow only from the visitor's own browser: appending to a
consent ID, or reading its history, needs the latest receipt of that ID (see
`consentkit.consentlog.records.append`). Each site has its own key pairs (`ReceiptKey`); the private key is
sealed with a key derived from the app's SECRET_KEY, and when that secret changes a new pair is
made while the old public key keeps verifying the receipts it signed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from sqlalchemy import Connection, Engine, insert, select, update

from ..errors import ConsentKitError
from ..models import ReceiptKey, utcnow

FORMAT_VERSION = 1
ALGORITHM = "EdDSA"
RECEIPT_MAX = 2048  # characters; a real receipt is about 550
_SEAL_INFO = b"consentkit receipt signing key v1"


class InvalidReceipt(ConsentKitError):
    """A receipt is malformed, signed by a key this site does not have, or its signature is wrong."""


@dataclass(frozen=True, slots=True)
class Claims:
    """What a receipt says: one consent record, as the server stored it."""

    site: str
    consent_id: str
    seq: int
    recorded_at: str
    choices: dict[str, bool]
    method: str
    revision: int
    revision_hash: str
    language: str
    gpc: bool

    def payload(self) -> dict[str, Any]:
        """The JSON payload (field names of docs/receipts.md)."""
        return {"v": FORMAT_VERSION, "site": self.site, "id": self.consent_id, "seq": self.seq,
                "at": self.recorded_at, "choices": self.choices, "method": self.method,
                "rev": self.revision, "rh": self.revision_hash, "lang": self.language,
                "gpc": self.gpc}

    @classmethod
    def from_payload(cls, data: Any) -> Claims:
        """Claims from a decoded payload; raises InvalidReceipt for any field of the wrong shape."""
        try:
            if data["v"] != FORMAT_VERSION:
                raise InvalidReceipt(f"receipt format {data['v']!r} is not {FORMAT_VERSION}")
            claims = cls(data["site"], data["id"], data["seq"], data["at"], data["choices"],
                         data["method"], data["rev"], data["rh"], data["lang"], data["gpc"])
        except (KeyError, TypeError) as exc:
            raise InvalidReceipt(f"receipt payload lacks or mistypes a field ({exc})") from None
        if not (isinstance(claims.seq, int) and isinstance(claims.consent_id, str)
                and isinstance(claims.site, str) and isinstance(claims.choices, dict)):
            raise InvalidReceipt("receipt payload has fields of the wrong type")
        return claims


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise InvalidReceipt("a receipt part is not base64url") from None


def _canonical(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def sign(private_key: Ed25519PrivateKey, kid: str, claims: Claims) -> str:
    """The compact JWS of `claims`. Ed25519 is deterministic: the same record gives the same receipt."""
    signing_input = (b64url(_canonical({"alg": ALGORITHM, "kid": kid})) + "."
                     + b64url(_canonical(claims.payload())))
    signature = private_key.sign(signing_input.encode("ascii"))
    return signing_input + "." + b64url(signature)


def split(receipt: str) -> tuple[dict[str, Any], Any, bytes, bytes]:
    """(header, payload, signing input, signature) of a compact JWS, unverified."""
    if not isinstance(receipt, str) or len(receipt) > RECEIPT_MAX or receipt.count(".") != 2:
        raise InvalidReceipt("a receipt is three base64url parts joined by dots")
    head, body, signature = receipt.split(".")
    try:
        header = json.loads(b64url_decode(head))
        payload = json.loads(b64url_decode(body))
    except (ValueError, UnicodeDecodeError):
        raise InvalidReceipt("a receipt's header and payload must be JSON") from None
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or not isinstance(
            header.get("kid"), str):
        raise InvalidReceipt(f'a receipt\'s header must name "alg": "{ALGORITHM}" and a "kid"')
    return header, payload, f"{head}.{body}".encode("ascii"), b64url_decode(signature)


def verify_with(receipt: str, public_keys: dict[str, Ed25519PublicKey]) -> Claims:
    """Check the signature with the key its header names (from `public_keys`) and return the claims."""
    header, payload, signing_input, signature = split(receipt)
    key = public_keys.get(header["kid"])
    if key is None:
        raise InvalidReceipt(f"no published key has kid {header['kid']!r}")
    try:
        key.verify(signature, signing_input)
    except InvalidSignature:
        raise InvalidReceipt("the receipt's signature does not match its content") from None
    return Claims.from_payload(payload)


def public_key_from_b64(text: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(b64url_decode(text))


def jwk(key: ReceiptKey | Any) -> dict[str, Any]:
    """One public key as a JWK (RFC 8037 OKP), with when it was made and retired."""
    entry = {"kty": "OKP", "crv": "Ed25519", "x": key.public_key, "kid": key.kid, "alg": ALGORITHM,
             "use": "sig", "created_at": key.created_at.isoformat(timespec="seconds") + "Z"}
    if key.retired_at is not None:
        entry["retired_at"] = key.retired_at.isoformat(timespec="seconds") + "Z"
    return entry


def keys_from_jwks(data: Any) -> dict[str, Ed25519PublicKey]:
    """The Ed25519 keys of a JWK set (what `/v1/sites/KEY/receipt-key` publishes), by kid."""
    entries = data.get("keys") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise InvalidReceipt('a key set is a JSON object with a "keys" list')
    found = {}
    for entry in entries:
        if isinstance(entry, dict) and entry.get("kty") == "OKP" and entry.get("crv") == "Ed25519":
            found[str(entry.get("kid"))] = public_key_from_b64(str(entry.get("x", "")))
    return found


# ---- the server's keys ----------------------------------------------------------------------

def _sealing_key(secret: str) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(
        secret.encode())
    return AESGCM(derived)


def _seal(secret: str, kid: str, private_key: Ed25519PrivateKey) -> str:
    raw = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    nonce = os.urandom(12)
    return b64url(nonce + _sealing_key(secret).encrypt(nonce, raw, kid.encode()))


def _unseal(secret: str, kid: str, sealed: str) -> Ed25519PrivateKey | None:
    """The private key, or None when it was sealed under another SECRET_KEY."""
    blob = b64url_decode(sealed)
    try:
        raw = _sealing_key(secret).decrypt(blob[:12], blob[12:], kid.encode())
    except InvalidTag:
        return None
    return Ed25519PrivateKey.from_private_bytes(raw)


_KEYS = ReceiptKey.__table__.c


class ReceiptKeys:
    """Each site's signing key and every published public key, cached in the process.

    Public keys never change, so they are cached for good; a site's signing key is read (or made,
    in a transaction of its own) on first use. A warm consent POST touches no database here. Two
    processes that make a site's first key at the same moment both publish theirs: every receipt
    still verifies, and the newest key signs after the next restart.
    """

    def __init__(self, secret: str, engine: Engine) -> None:
        self._secret = secret
        self._engine = engine
        self._signing: dict[int, tuple[str, Ed25519PrivateKey]] = {}
        self._public: dict[str, tuple[int, Ed25519PublicKey]] = {}
        self._lock = threading.Lock()

    def signing_key(self, site_id: int) -> tuple[str, Ed25519PrivateKey]:
        """(kid, private key) of the site's current key, making one when it has none we can open."""
        cached = self._signing.get(site_id)
        if cached is not None:
            return cached
        with self._lock, self._engine.begin() as conn:
            rows = conn.execute(select(_KEYS.kid, _KEYS.sealed_private_key).where(
                _KEYS.site_id == site_id, _KEYS.retired_at.is_(None)).order_by(_KEYS.id.desc())).all()
            for row in rows:
                private_key = _unseal(self._secret, row.kid, row.sealed_private_key)
                if private_key is not None:
                    self._signing[site_id] = (row.kid, private_key)
                    return self._signing[site_id]
            self._signing[site_id] = _create(conn, self._secret, site_id, [row.kid for row in rows])
            return self._signing[site_id]

    def public_key(self, site_id: int, kid: str) -> Ed25519PublicKey | None:
        """The site's public key with this kid, or None (unknown kid, or another site's key)."""
        cached = self._public.get(kid)
        if cached is None:
            with self._engine.connect() as conn:
                row = conn.execute(select(_KEYS.site_id, _KEYS.public_key).where(_KEYS.kid == kid)).first()
            if row is None:
                return None
            cached = self._public[kid] = (row.site_id, public_key_from_b64(row.public_key))
        return cached[1] if cached[0] == site_id else None

    def sign(self, site_id: int, claims: Claims) -> str:
        kid, private_key = self.signing_key(site_id)
        return sign(private_key, kid, claims)

    def verify(self, site_id: int, site_key: str, receipt: str) -> Claims:
        """The claims of a receipt signed by one of this site's keys; raises InvalidReceipt."""
        header, _payload, _input, _signature = split(receipt)
        key = self.public_key(site_id, header["kid"])
        if key is None:
            raise InvalidReceipt("the receipt was not signed by this site's key")
        claims = verify_with(receipt, {header["kid"]: key})
        if claims.site != site_key:
            raise InvalidReceipt("the receipt is for another site")
        return claims

    def forget(self, site_id: int) -> None:
        """Drop the cached signing key (after the site's keys were rotated in this process)."""
        self._signing.pop(site_id, None)


def _create(conn: Connection, secret: str, site_id: int,
            unusable: list[str]) -> tuple[str, Ed25519PrivateKey]:
    """A new pair for the site; keys sealed under an old secret are retired (still published)."""
    private_key = Ed25519PrivateKey.generate()
    public = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    kid = b64url(hashlib.sha256(public).digest()[:12])
    if unusable:
        conn.execute(update(ReceiptKey).where(_KEYS.kid.in_(unusable)).values(retired_at=utcnow()))
    conn.execute(insert(ReceiptKey).values(site_id=site_id, kid=kid, public_key=b64url(public),
                                           sealed_private_key=_seal(secret, kid, private_key),
                                           created_at=utcnow()))
    return kid, private_key


def claims_for(site_key: str, consent_id: str, seq: int, recorded_at: datetime,
               choices: dict[str, bool], method: str, revision: int, revision_hash: str,
               language: str, gpc: bool) -> Claims:
    """The claims of a stored record (times are naive UTC, written with a Z and milliseconds)."""
    return Claims(site_key, consent_id, seq, recorded_at.isoformat(timespec="milliseconds") + "Z",
                  dict(choices), method, revision, revision_hash, language, gpc)


def published_keys(conn: Connection, site_id: int) -> list[dict[str, Any]]:
    """Every public key of the site as JWKs, newest first (retired ones too: old receipts use them)."""
    rows = conn.execute(select(ReceiptKey.__table__).where(_KEYS.site_id == site_id)
                        .order_by(_KEYS.id.desc())).all()
    return [jwk(row) for row in rows]
