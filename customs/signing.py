"""The Ed25519 key that signs e-certificates: created on first use, kept under the data dir."""

import base64
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def canonical_json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Signer:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._private = private_key
        self.public_key: Ed25519PublicKey = private_key.public_key()
        raw = self.public_key.public_bytes(serialization.Encoding.Raw,
                                           serialization.PublicFormat.Raw)
        self.key_id = hashlib.sha256(raw).hexdigest()[:16]

    def sign(self, payload: dict[str, Any]) -> str:
        return base64.b64encode(self._private.sign(canonical_json(payload))).decode()

    def verify(self, payload: dict[str, Any], signature: str) -> bool:
        try:
            self.public_key.verify(base64.b64decode(signature), canonical_json(payload))
        except (InvalidSignature, ValueError):
            return False
        return True

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
