"""An optional offline base map: tiles from a local MBTiles file under the route maps."""

import io
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from customs.map_tiles import tile_of
from routes.pages import charts
from tests.api.conftest import PASSWORD, World, make_settings, running_app

pytestmark = pytest.mark.usefixtures("port_morning")

OFFICE = (24.48, 118.03)  # the test world's office


def _png(shade: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (256, 256), (shade, shade, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def write_mbtiles(path: Path, zooms: range, around: tuple[float, float], radius: int = 3
                  ) -> None:
    """A small MBTiles file (TMS rows) covering `radius` tiles around a point."""
    connection = sqlite3.connect(path)
    connection.executescript("CREATE TABLE metadata (name TEXT, value TEXT);"
                             "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, "
                             "tile_row INTEGER, tile_data BLOB);")
    connection.executemany("INSERT INTO metadata VALUES (?, ?)",
                           [("name", "test"), ("format", "png")])
    for zoom in zooms:
        cx, cy = (int(v) for v in tile_of(*around, zoom))
        for x in range(cx - radius, cx + radius + 1):
            for y in range(cy - radius, cy + radius + 1):
                connection.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                                   (zoom, x, 2**zoom - 1 - y, _png(zoom * 10)))
    connection.commit()
    connection.close()


@pytest.fixture
def tiled_world(database_url: str, tmp_path: Path) -> Iterator[World]:
    tiles = tmp_path / "xiamen.mbtiles"
    write_mbtiles(tiles, range(8, 15), OFFICE)
    settings = make_settings(database_url, tmp_path / "data", map_tiles_mbtiles=tiles)
    with running_app(settings) as client:
        yield World(client, settings)


def test_the_route_map_is_drawn_over_the_offline_tiles(tiled_world: World) -> None:
    world = tiled_world
    world.screened(remote_inspection_ok=False, inspection_latitude=24.50,
                   inspection_longitude=118.00)
    plan = world.officer.post("/dispatch/plans?wait=true", json={"time_limit_s": 1}).json()
    world.client.post("/login", data={"username": "officer", "password": PASSWORD})
    html = world.client.get(f"/officer/dispatch/{plan['id']}").text
    hrefs = re.findall(r'<image href="(/officer/tiles/\d+/\d+/\d+)"', html)
    assert hrefs and len(hrefs) <= charts.MAX_TILES
    tile = world.client.get(hrefs[0])
    assert tile.status_code == 200 and tile.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(tile.content)).size == (256, 256)
    assert world.client.get("/officer/tiles/14/0/0").status_code == 404
    assert world.client.get("/officer/tiles/3/0/0").status_code == 404  # below the file's zooms


def test_without_a_tile_file_there_is_no_tile_layer(world: World) -> None:
    world.client.post("/login", data={"username": "officer", "password": PASSWORD})
    assert world.client.get("/officer/tiles/12/3000/1700").status_code == 404


def test_each_tile_is_placed_where_its_corners_fall_on_the_map() -> None:
    depot = {"id": "office-1", "name": "Haicang", "lat": OFFICE[0], "lon": OFFICE[1]}
    stop = {"task_id": "T1", "sequence": 1, "mode": "onsite", "lat": 24.55, "lon": 118.10,
            "priority": {"class": "normal"}}
    plan = {"problem": {"depots": [depot]},
            "routes": [{"officer_id": "o", "depot_id": "office-1", "stops": [stop]}]}
    drawn = charts.route_map(plan, tile_zoom=(8, 14))
    office_xy = drawn["depots"][0]["xy"]
    covering = [t for t in drawn["tiles"]
                if t["x"] <= office_xy[0] <= t["x"] + t["width"]
                and t["y"] <= office_xy[1] <= t["y"] + t["height"]]
    assert len(covering) == 1
    zoom, x, y = (int(v) for v in covering[0]["href"].rsplit("/", 3)[1:])
    assert (x, y) == tuple(int(v) for v in tile_of(*OFFICE, zoom))
    assert 128 <= covering[0]["width"] <= 512  # the zoom whose tiles are about 256 px wide
