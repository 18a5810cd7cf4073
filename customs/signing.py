"""The Ed25519 keys that sign e-certificates.

The current private key is created on first use under the data dir. Earlier keys stay
verifiable: put their public PEMs in `keys/retired/`; every key is published (as a JWK set at
`/.well-known/clearlane-keys.json`) under its key id, the first 16 hex digits of the SHA-256 of
its raw public key, so keys can rotate without breaking certificates already issued.
"""

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ENVELOPE_FORMAT = "clearlane-certificate/1"


def canonical_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public_key)).hexdigest()[:16]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def verify_with(public_key: Ed25519PublicKey, payload: dict[str, Any], signature: str) -> bool:
    try:
        public_key.verify(base64.b64decode(signature, validate=True), canonical_json(payload))
    except (InvalidSignature, ValueError):
        return False
    return True


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    key: Ed25519PublicKey
    status: str  # "current" or "retired"

    def jwk(self) -> dict[str, str]:
        """RFC 8037 OKP key, with the key id and whether it still signs new certificates."""
        return {"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
                "kid": self.key_id, "x": _b64url(_raw(self.key)), "status": self.status}


def public_key_from_jwk(jwk: dict[str, Any]) -> PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError(f"key {jwk.get('kid')!r} is not an Ed25519 key")
    x = str(jwk["x"])
    key = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
    key_id = key_id_of(key)
    if jwk.get("kid") not in (None, key_id):
        raise ValueError(f"key id {jwk.get('kid')!r} does not match its key ({key_id})")
    return PublicKey(key_id, key, str(jwk.get("status", "current")))


class Signer:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self.public_key: Ed25519PublicKey = private_key.public_key()
        self.key_id = key_id_of(self.public_key)

    def sign(self, payload: dict[str, Any]) -> str:
        return base64.b64encode(self._private.sign(canonical_json(payload))).decode()

    def verify(self, payload: dict[str, Any], signature: str) -> bool:
        return verify_with(self.public_key, payload, signature)

    def public_pem(self) -> str:
        return self.public_key.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo
                                            ).decode()


@lru_cache(maxsize=8)
def load_signer(path: Path) -> Signer:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} does not hold an Ed25519 private key")
        return Signer(key)
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return Signer(key)


def retired_keys(directory: Path) -> list[PublicKey]:
    keys = []
    for pem in sorted(directory.glob("*.pem")) if directory.is_dir() else []:
        key = serialization.load_pem_public_key(pem.read_bytes())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"{pem} does not hold an Ed25519 public key")
        keys.append(PublicKey(key_id_of(key), key, "retired"))
    return keys


def key_ring(signing_key_path: Path, retired_dir: Path) -> dict[str, PublicKey]:
    """Every key a certificate may be signed with, by key id: the current one first."""
    signer = load_signer(signing_key_path)
    ring = {signer.key_id: PublicKey(signer.key_id, signer.public_key, "current")}
    for key in retired_keys(retired_dir):
        ring.setdefault(key.key_id, key)
    return ring


def jwk_set(ring: dict[str, PublicKey]) -> dict[str, Any]:
    return {"keys": [key.jwk() for key in ring.values()]}


def envelope(payload: dict[str, Any], signature: str, key_id: str, verify_url: str) -> bytes:
    """What a certificate PDF carries as an attachment: the signed contents, the signature and
    the QR code's verify URL (with its token; not part of what is signed)."""
    return json.dumps({"format": ENVELOPE_FORMAT, "alg": "Ed25519", "key_id": key_id,
                       "signature": signature, "payload": payload, "verify_url": verify_url},
                      sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()
