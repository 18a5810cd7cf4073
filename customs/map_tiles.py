"""An optional offline base map: raster tiles read from a local MBTiles file (SQLite).

MBTiles stores tiles by (zoom, column, row) with rows counted from the south (TMS); web maps
count from the north, so `tile` flips the row. The file is opened read-only; nothing is
fetched from the internet. `CLEARLANE_MAP_TILES_MBTILES` points at the file.
"""

import math
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from customs.errors import NotFound

MEDIA_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
               "webp": "image/webp"}


@dataclass(frozen=True)
class TileSource:
    path: Path
    media_type: str
    min_zoom: int
    max_zoom: int

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)

    def tile(self, zoom: int, x: int, y: int) -> bytes:
        """The tile at web-map coordinates (y from the north)."""
        if not (self.min_zoom <= zoom <= self.max_zoom) or not (0 <= x < 2**zoom
                                                                 and 0 <= y < 2**zoom):
            raise NotFound(f"no tile {zoom}/{x}/{y}: the map has zoom {self.min_zoom}–"
                           f"{self.max_zoom}")
        with self._connect() as connection:
            row = connection.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? "
                "AND tile_row=?", (zoom, x, 2**zoom - 1 - y)).fetchone()
        if row is None:
            raise NotFound(f"the offline map has no tile {zoom}/{x}/{y}")
        return bytes(row[0])


@lru_cache(maxsize=4)
def open_source(path: Path) -> TileSource:
    """Reads the file's metadata (format, zoom range); a missing or broken file says so."""
    if not path.is_file():
        raise FileNotFoundError(f"CLEARLANE_MAP_TILES_MBTILES={path}: no such file")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        metadata = dict(connection.execute("SELECT name, value FROM metadata").fetchall())
        low, high = connection.execute(
            "SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
    except sqlite3.DatabaseError as exc:
        raise ValueError(f"{path} is not an MBTiles file: {exc}") from exc
    finally:
        connection.close()
    kind = str(metadata.get("format", "png")).lower()
    if kind not in MEDIA_TYPES:
        raise ValueError(f"{path} holds {kind} tiles; only raster png/jpg/webp can be drawn")
    if low is None:
        raise ValueError(f"{path} has no tiles")
    return TileSource(path, MEDIA_TYPES[kind], int(low), int(high))


def tile_of(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Fractional web-mercator tile coordinates of a point."""
    n = 2**zoom
    lat_r = math.radians(max(-85.0511, min(85.0511, lat)))
    return ((lon + 180.0) / 360.0 * n,
            (1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)


def corner_of(x: float, y: float, zoom: int) -> tuple[float, float]:
    """(lat, lon) of the north-west corner of tile (x, y)."""
    n = 2**zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lat, lon
