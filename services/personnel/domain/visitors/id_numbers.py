"""Visitors' ID numbers: encrypted at rest (AES-256-GCM), searchable by exact value through a keyed digest
(HMAC-SHA256), shown only masked.

Both keys are derived from ``PERSONNEL_ID_KEY`` with HKDF, so the database alone reveals nothing: the
ciphertext needs the encryption key, and the digest cannot be brute-forced over the (small) space of
ID numbers without the search key. The digest is salted with the school, so the same person cannot be
linked across schools. The associated data binds a ciphertext to its visit: copied onto another row it
no longer decrypts.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import uuid
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from personnel.settings import get_personnel_settings

VERSION = b"\x01"
NONCE_BYTES = 12
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_RESIDENT_ID = re.compile(r"^[1-9]\d{16}[\dX]$")


def normalise(id_number: str) -> str:
    """Upper case, without spaces or hyphens (as people type them)."""
    return re.sub(r"[\s-]", "", id_number).upper()


def is_valid_resident_id(id_number: str) -> bool:
    """An 18-character PRC resident identity number with a correct check character (GB 11643)."""
    if not _RESIDENT_ID.match(id_number):
        return False
    total = sum(int(c) * w for c, w in zip(id_number[:17], _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11] == id_number[17]


def mask(id_number: str) -> str:
    """What a screen may show: the first three and last four characters of a long number, less of a short
    one (``110***********123X``)."""
    n = len(id_number)
    if n >= 12:
        keep_head, keep_tail = 3, 4
    elif n >= 6:
        keep_head, keep_tail = 1, 2
    else:
        keep_head, keep_tail = 0, 1 if n > 2 else 0
    return id_number[:keep_head] + "*" * (n - keep_head - keep_tail) + id_number[n - keep_tail :]


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"safecampus-personnel", info=purpose).derive(
        secret.encode()
    )


class IdNumberVault:
    """Encrypts, digests and (for lawful export only) decrypts ID numbers with keys derived from one secret."""

    def __init__(self, secret: str) -> None:
        self._aead = AESGCM(_derive(secret, b"visitor id-number encryption v1"))
        self._search_key = _derive(secret, b"visitor id-number search v1")

    @staticmethod
    def _aad(school_id: uuid.UUID, visit_id: uuid.UUID) -> bytes:
        return school_id.bytes + visit_id.bytes

    def encrypt(self, id_number: str, *, school_id: uuid.UUID, visit_id: uuid.UUID) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, id_number.encode(), self._aad(school_id, visit_id))

    def decrypt(self, blob: bytes, *, school_id: uuid.UUID, visit_id: uuid.UUID) -> str:
        """Raises ``cryptography.exceptions.InvalidTag`` with a wrong key or a ciphertext of another visit."""
        if blob[:1] != VERSION:
            raise ValueError("unknown ciphertext version")
        nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
        return self._aead.decrypt(nonce, body, self._aad(school_id, visit_id)).decode()

    def digest(self, id_number: str, *, school_id: uuid.UUID) -> bytes:
        """The exact-match search key of ``id_number`` within one school."""
        return hmac.new(
            self._search_key, school_id.bytes + normalise(id_number).encode(), hashlib.sha256
        ).digest()


@lru_cache(maxsize=1)
def default_vault() -> IdNumberVault:
    """The process's vault, keyed from ``PERSONNEL_ID_KEY``."""
    return IdNumberVault(get_personnel_settings().id_key)
