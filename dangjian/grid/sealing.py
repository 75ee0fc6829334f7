"""Fernet encryption of many values at once, for bulk imports.

`cryptography.fernet.Fernet.encrypt` costs about 18 µs a value here, most of it building a fresh
cipher, padder and HMAC object per call; an import of 100,000 residents seals 200,000 values (ID
and phone). `seal_many` makes the same tokens — Fernet spec: 0x80 ‖ timestamp ‖ IV ‖
AES-128-CBC(PKCS7(value)) ‖ HMAC-SHA256 — but runs the CBC chain for all values together: block j
of every value is XORed with its previous cipher block (or IV) and the whole column goes through
one AES call. Each value still gets its own random IV, so the tokens are ordinary Fernet tokens
that `lib.crypto.decrypt` (Fernet.decrypt) reads; tests check that round trip.

The values are stored through `SealedTextField` (an EncryptedTextField that stores a `Sealed`
value as it is instead of encrypting it a second time).
"""

from __future__ import annotations

import base64
import hmac
import os
import struct
import time
from collections.abc import Sequence
from functools import cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

from dangjian.lib import crypto
from dangjian.lib.crypto import EncryptedTextField

_BLOCK = 16


class Sealed(str):
    """A Fernet token made by seal_many: store as is."""

    __slots__ = ()


class SealedTextField(EncryptedTextField):
    """EncryptedTextField that passes values sealed in bulk (`Sealed`) straight to the database."""

    def get_prep_value(self, value):
        if isinstance(value, Sealed):
            return str(value)
        return super().get_prep_value(value)


@cache
def _keys(pii_key: str) -> tuple[bytes, bytes]:
    # The same key lib.crypto gives Fernet: HKDF(PII_KEY, "encrypt"), first half signs, second encrypts.
    raw = crypto._derive(b"encrypt")
    return raw[:16], raw[16:]


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


def seal_many(values: Sequence[str]) -> list[Sealed]:
    """Fernet tokens for the values (an empty value stays empty, as EncryptedTextField stores it)."""
    signing_key, encryption_key = _keys(settings.PII_KEY)
    todo = [(i, v.encode()) for i, v in enumerate(values) if v]
    out: list[Sealed] = [Sealed("")] * len(values)
    if not todo:
        return out
    padded = []
    for _, data in todo:
        pad = _BLOCK - len(data) % _BLOCK
        padded.append(data + bytes([pad]) * pad)
    ivs = os.urandom(_BLOCK * len(todo))
    previous = [ivs[k * _BLOCK:(k + 1) * _BLOCK] for k in range(len(todo))]
    cipher_blocks: list[list[bytes]] = [[] for _ in todo]
    # ECB over one block per value is exactly one CBC step: C_j = AES(P_j XOR C_{j-1}).
    ecb = Cipher(algorithms.AES(encryption_key), modes.ECB()).encryptor()  # noqa: S305
    longest = max(len(p) for p in padded) // _BLOCK
    for j in range(longest):
        active = [k for k, p in enumerate(padded) if len(p) > j * _BLOCK]
        plain = b"".join(padded[k][j * _BLOCK:(j + 1) * _BLOCK] for k in active)
        chain = b"".join(previous[k] for k in active)
        encrypted = ecb.update(_xor(plain, chain))
        for n, k in enumerate(active):
            block = encrypted[n * _BLOCK:(n + 1) * _BLOCK]
            cipher_blocks[k].append(block)
            previous[k] = block
    head = b"\x80" + struct.pack(">Q", int(time.time()))
    for k, (i, _) in enumerate(todo):
        body = head + ivs[k * _BLOCK:(k + 1) * _BLOCK] + b"".join(cipher_blocks[k])
        token = body + hmac.digest(signing_key, body, "sha256")
        out[i] = Sealed(base64.urlsafe_b64encode(token).decode())
    return out
