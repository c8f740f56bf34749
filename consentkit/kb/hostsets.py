"""Compact sets of host names for the banner: every tracker host of the knowledge base, in a few KB.

Why: auto-blocking must know every host the knowledge base lists as a tracker (about a thousand),
also on a site never scanned, yet the served consent.js has a size budget. Spelled out and gzipped
the list costs about 5.3 KB; as a set of 32-bit hashes, sorted and Golomb-Rice coded, about 3 KB.

Format (`docs/contracts.md`, config field `trackers`): `"<k>:<base64>"`. The set holds the FNV-1a
32-bit hash of each lower-case host name (ASCII; an IDN is in its punycode form). Sorted ascending,
each value is written as its difference to the previous one (the first as itself): the quotient
`d >> k` in unary (that many 1 bits, then a 0), then the low `k` bits, most significant bit first;
the last byte is padded with 0 bits. A page's host matches when it, or one of its parent domains,
hashes into the set: a host that is not a tracker hits by chance with odds of about 1 in 4 million.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193


def fnv1a(text: str) -> int:
    """FNV-1a over the UTF-8 bytes of `text`, 32 bits (the banner computes the same, in hostsets.js)."""
    value = FNV_OFFSET
    for byte in text.encode():
        value = ((value ^ byte) * FNV_PRIME) & 0xFFFFFFFF
    return value


def encode(hosts: Iterable[str]) -> str:
    """The coded set of these host names; "" for none."""
    hashes = sorted({fnv1a(host.lower()) for host in hosts})
    if not hashes:
        return ""
    deltas = [hashes[0]] + [b - a for a, b in zip(hashes, hashes[1:], strict=False)]
    k = min(range(33), key=lambda bits: sum((d >> bits) + 1 + bits for d in deltas))
    return f"{k}:{base64.b64encode(_rice(deltas, k)).decode('ascii')}"


def _rice(deltas: list[int], k: int) -> bytes:
    parts = []
    for delta in deltas:
        parts.append("1" * (delta >> k) + "0")
        if k:
            parts.append(format(delta & ((1 << k) - 1), f"0{k}b"))
    bits = "".join(parts)
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""


def decode(coded: str) -> set[int]:
    """The hashes of a coded set (the banner's decoder, in Python, for tests and tools)."""
    if not coded:
        return set()
    k_text, _, data = coded.partition(":")
    k = int(k_text)
    raw = base64.b64decode(data)
    bits = "".join(format(byte, "08b") for byte in raw)
    values, value, pos = set(), 0, 0
    while pos < len(bits):
        quotient = 0
        while pos < len(bits) and bits[pos] == "1":
            quotient += 1
            pos += 1
        pos += 1
        if pos + k > len(bits):
            break
        value += (quotient << k) + (int(bits[pos:pos + k], 2) if k else 0)
        pos += k
        values.add(value)
    return values


def contains(coded_hashes: set[int], host: str) -> bool:
    """Whether `host` or one of its parent domains is in the set."""
    labels = host.lower().split(".")
    return any(fnv1a(".".join(labels[i:])) in coded_hashes for i in range(len(labels) - 1))
