"""Reading an upload with a hard size cap, before anything is decoded or stored.

Upload endpoints are plain `def` (run in the thread pool): the spooled file may be on disk,
and the use case behind them does database work, none of which may block the event loop.
"""

from fastapi import UploadFile

from customs.errors import UploadTooLarge

_CHUNK = 1024 * 1024


def read_capped(file: UploadFile, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := file.file.read(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadTooLarge(
                f"the file is over the {max_bytes:,}-byte limit; send a smaller photo")
        chunks.append(chunk)
    return b"".join(chunks)
