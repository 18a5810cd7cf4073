"""Storing uploaded images: checked, content-addressed, and never half-written.

The blob is written before the row; if the transaction then fails, `discard_on_failure`
removes a blob this upload created, so a failed upload leaves neither file nor row.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from customs.image_privacy import without_metadata
from customs.settings import Settings
from customs.storage import BlobStore
from customs.uploads import CheckedImage, check_image


def check_upload(data: bytes, settings: Settings) -> CheckedImage:
    """Decoded and checked, then re-encoded without metadata: what is stored and shown."""
    return without_metadata(check_image(
        data, max_bytes=settings.max_upload_bytes, max_pixels=settings.max_image_pixels,
        min_side=settings.min_image_side))


@contextmanager
def stored_blob(store: BlobStore, data: bytes) -> Iterator[str]:
    sha256, created = store.put(data)
    try:
        yield sha256
    except BaseException:
        if created:
            store.delete(sha256)
        raise
