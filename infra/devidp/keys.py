"""Signing keys: RS256 keys for access and ID tokens (rotatable), one HS512 key for refresh tokens.

Like Keycloak, refresh tokens and the SSO cookie are signed with the realm's HMAC key, so they verify
only here and never pass for access tokens at an API.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException

RSA_ALG = "RS256"
HMAC_ALG = "HS512"


class InvalidTokenError(Exception):
    """The token is malformed or its signature does not verify with a known key."""


@dataclass(frozen=True, slots=True)
class StoredKey:
    kid: str
    algorithm: str
    key: jwk.JWK


def generate_rsa_key() -> StoredKey:
    key = jwk.JWK.generate(kty="RSA", size=2048)
    kid = key.thumbprint()
    key = jwk.JWK(**{**key.export(as_dict=True), "kid": kid})
    return StoredKey(kid=kid, algorithm=RSA_ALG, key=key)


def generate_hmac_key() -> StoredKey:
    key = jwk.JWK.generate(kty="oct", size=512)
    kid = key.thumbprint()
    key = jwk.JWK(**{**key.export(as_dict=True), "kid": kid})
    return StoredKey(kid=kid, algorithm=HMAC_ALG, key=key)


class KeyRing:
    """The realm's keys, newest RS256 key first; the first ``published`` RS256 keys verify tokens."""

    def __init__(self, rsa_keys: Sequence[StoredKey], hmac_key: StoredKey, published: int) -> None:
        if not rsa_keys:
            raise ValueError("a key ring needs at least one RS256 key")
        self._rsa = list(rsa_keys)
        self._hmac = hmac_key
        self._published = published

    @property
    def active(self) -> StoredKey:
        return self._rsa[0]

    @property
    def published(self) -> list[StoredKey]:
        return self._rsa[: self._published]

    def add_active(self, key: StoredKey) -> None:
        self._rsa.insert(0, key)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for stored in self.published:
            public = stored.key.export_public(as_dict=True)
            keys.append(
                {
                    "kid": stored.kid,
                    "kty": "RSA",
                    "alg": RSA_ALG,
                    "use": "sig",
                    "n": public["n"],
                    "e": public["e"],
                }
            )
        return {"keys": keys}

    def public_key_der_b64(self) -> str:
        """The active public key as Keycloak's realm page shows it: base64 DER, no PEM armour."""
        pem = self.active.key.export_to_pem(private_key=False).decode("ascii")
        return "".join(line for line in pem.splitlines() if line and not line.startswith("-----"))

    def sign(self, claims: dict[str, Any], *, hmac: bool = False) -> str:
        stored = self._hmac if hmac else self.active
        header = {"alg": stored.algorithm, "typ": "JWT", "kid": stored.kid}
        token = jwt.JWT(header=header, claims=json.dumps(claims, separators=(",", ":")))
        token.make_signed_token(stored.key)
        return str(token.serialize())

    def verify(self, token: str, *, hmac: bool = False) -> dict[str, Any]:
        """The claims of ``token`` if its signature verifies (expiry is the caller's business)."""
        try:
            header = json.loads(base64.urlsafe_b64decode(_pad(token.split(".")[0])))
            kid = header.get("kid")
            if hmac:
                candidates = [self._hmac] if kid == self._hmac.kid else []
            else:
                candidates = [k for k in self.published if k.kid == kid]
            if not candidates or header.get("alg") != candidates[0].algorithm:
                raise InvalidTokenError("unknown key")
            parsed = jws.JWS()
            parsed.deserialize(token)
            parsed.verify(candidates[0].key, alg=candidates[0].algorithm)
            claims = json.loads(parsed.payload)
        except (JWException, ValueError, IndexError, TypeError, UnicodeDecodeError) as exc:
            raise InvalidTokenError(str(exc)) from exc
        if not isinstance(claims, dict):
            raise InvalidTokenError("claims are not an object")
        return claims


def _pad(segment: str) -> bytes:
    return (segment + "=" * (-len(segment) % 4)).encode("ascii")
