"""Content-addressed file store: a file's name is the SHA-256 of its bytes.

Writes go to a temporary file in the same directory and are renamed into place, so a reader
never sees half a file and the same bytes stored twice are one file.
"""

import hashlib
import os
import re
import tempfile
from pathlib import Path

from customs.errors import NotFound

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise NotFound("no such file")
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes) -> tuple[str, bool]:
        """Stores bytes; returns (sha256, created) where created is False if already present."""
        sha256 = hashlib.sha256(data).hexdigest()
        target = self.path_for(sha256)
        if target.exists():
            return sha256, False
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha256, True

    def get(self, sha256: str) -> bytes:
        path = self.path_for(sha256)
        if not path.exists():
            raise NotFound("no such file")
        return path.read_bytes()

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)

    def count(self) -> int:
        return sum(1 for p in self.root.rglob("*") if p.is_file()) if self.root.exists() else 0
