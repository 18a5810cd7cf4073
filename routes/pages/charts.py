"""Drawing helpers for inline SVG: the dispatch route map and the statistics charts.

Pure presentation: coordinates in, shapes out. The map is drawn from the plan's own
coordinates (depots, stops) on an equirectangular projection; with an offline MBTiles file
configured, its tiles are laid underneath (each placed by its corners, so at street zooms
the two projections agree to well under a pixel).
"""

import math
from typing import Any

from customs.map_tiles import corner_of, tile_of

COLOURS = ["#0b4f8a", "#c2410c", "#15803d", "#7e22ce", "#be123c", "#0e7490", "#a16207"]
MAP_W, MAP_H, PAD = 900, 460, 36
TILE_PX, MAX_TILES = 256, 48
TILE_URL = "/officer/tiles/{z}/{x}/{y}"


def office_maps(plan: dict[str, Any], only: str | None = None,
                tile_zoom: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    """One map per customs office, fitted to that office's routes: offices far apart (e.g.
    200 km) would otherwise squeeze every stop under the office icons."""
    depots = [d for d in plan.get("problem", {}).get("depots", [])]
    used = {r["depot_id"] for r in plan.get("routes", []) if only in (None, r["officer_id"])
            and r["stops"]}
    maps = []
    for depot in depots:
        if depot["id"] in used:
            drawn = route_map(plan, only, depot=depot["id"], tile_zoom=tile_zoom)
            maps.append({**drawn, "office": depot.get("name") or depot["id"]})
    return maps


def route_map(plan: dict[str, Any], only: str | None = None, depot: str | None = None,
              tile_zoom: tuple[int, int] | None = None) -> dict[str, Any]:
    """The routes of one office (or all) fitted to the map; `tile_zoom` (the offline tile
    file's zoom range) adds the base-map tiles that cover it."""
    depots = {d["id"]: d for d in plan.get("problem", {}).get("depots", [])
              if depot in (None, d["id"])}
    colour_of = {r["officer_id"]: COLOURS[k % len(COLOURS)]
                 for k, r in enumerate(plan.get("routes", []))}
    routes = [r for r in plan.get("routes", []) if only in (None, r["officer_id"])
              and depot in (None, r["depot_id"])]
    busy = [r for r in routes if any(s["mode"] == "onsite" for s in r["stops"])]
    shown = {r["depot_id"] for r in busy} or {r["depot_id"] for r in routes}
    # fit the map to where vehicles go: the on-site stops and their depots
    points = [(d["lat"], d["lon"]) for key, d in depots.items() if key in shown]
    points += [(s["lat"], s["lon"]) for r in busy for s in r["stops"] if s["mode"] == "onsite"]
    if not points:
        return {"width": MAP_W, "height": MAP_H, "routes": [], "depots": [], "tiles": []}
    lat0 = sum(p[0] for p in points) / len(points)
    scale_x = math.cos(math.radians(lat0))
    xs = [p[1] * scale_x for p in points]
    ys = [-p[0] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 0.01)
    factor = min((MAP_W - 2 * PAD) / max(max(xs) - min(xs), span * 0.3),
                 (MAP_H - 2 * PAD) / max(max(ys) - min(ys), span * 0.3))
    off_x = PAD + ((MAP_W - 2 * PAD) - (max(xs) - min(xs)) * factor) / 2
    off_y = PAD + ((MAP_H - 2 * PAD) - (max(ys) - min(ys)) * factor) / 2

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return (round(off_x + (lon * scale_x - min(xs)) * factor, 1),
                round(off_y + (-lat - min(ys)) * factor, 1))

    drawn = []
    for route in routes:
        office = depots.get(route["depot_id"])
        onsite = [s for s in route["stops"] if s["mode"] == "onsite"]
        if office is None or route["depot_id"] not in shown:
            continue
        home = xy(office["lat"], office["lon"])
        path = [home, *(xy(s["lat"], s["lon"]) for s in onsite), home] if onsite else []
        drawn.append({
            "officer": route["officer_id"], "vehicle": route.get("vehicle_id"),
            "colour": colour_of[route["officer_id"]],
            "points": " ".join(f"{x},{y}" for x, y in path),
            "stops": [{"xy": xy(s["lat"], s["lon"]), "sequence": s["sequence"],
                       "merged": s.get("merged", False),
                       "green": s["priority"]["class"] == "green",
                       "title": f"{s['sequence']}. {s.get('exporter') or ''} "
                                f"{s.get('declaration_no') or ''}"} for s in onsite],
            "remote": len(route["stops"]) - len(onsite),
        })
    def lat_lon(px: float, py: float) -> tuple[float, float]:
        return -((py - off_y) / factor + min(ys)), ((px - off_x) / factor + min(xs)) / scale_x

    tiles = [] if tile_zoom is None else _tiles(xy, lat_lon, factor * scale_x, tile_zoom)
    return {"width": MAP_W, "height": MAP_H, "routes": drawn, "tiles": tiles,
            "depots": [{"xy": xy(d["lat"], d["lon"]), "name": d.get("name") or d["id"]}
                       for key, d in depots.items() if key in shown]}


def _tiles(xy: Any, lat_lon: Any, px_per_degree: float, zoom_range: tuple[int, int]
           ) -> list[dict[str, Any]]:
    """The tiles covering the map at the zoom whose tiles come closest to 256 px wide."""
    zoom = round(math.log2(max(px_per_degree * 360 / TILE_PX, 1.0)))
    zoom = max(zoom_range[0], min(zoom_range[1], zoom))
    north, west = lat_lon(0, 0)
    south, east = lat_lon(MAP_W, MAP_H)
    while True:
        x0, y0 = (int(v) for v in tile_of(north, west, zoom))
        x1, y1 = (int(v) for v in tile_of(south, east, zoom))
        if (x1 - x0 + 1) * (y1 - y0 + 1) <= MAX_TILES or zoom <= zoom_range[0]:
            break
        zoom -= 1
    tiles = []
    for tx in range(x0, x1 + 1):
        for ty in range(y0, y1 + 1):
            left, top = xy(*corner_of(tx, ty, zoom))
            right, bottom = xy(*corner_of(tx + 1, ty + 1, zoom))
            tiles.append({"href": TILE_URL.format(z=zoom, x=tx, y=ty), "x": left, "y": top,
                          "width": round(right - left, 1), "height": round(bottom - top, 1)})
    return tiles[:MAX_TILES]


def bars(values: dict[str, float | None], colours: list[str] = COLOURS, width: int = 560,
         bar: int = 26, gap: int = 14, label_w: int = 190) -> dict[str, Any]:
    """Horizontal bars scaled to the largest value."""
    top = max((v for v in values.values() if v), default=0) or 1
    rows = []
    for index, (name, value) in enumerate(values.items()):
        length = 0 if not value else max(2, round((width - label_w - 70) * value / top))
        rows.append({"name": name, "value": value, "y": index * (bar + gap),
                     "width": length, "colour": colours[index % len(colours)]})
    return {"rows": rows, "height": len(rows) * (bar + gap), "width": width, "bar": bar,
            "label_w": label_w}


def donut(shares: dict[str, float], colours: list[str] = COLOURS, radius: int = 80,
          stroke: int = 34) -> dict[str, Any]:
    """Arcs as stroke-dasharray segments of one circle (no path maths in the template)."""
    circumference = 2 * math.pi * radius
    arcs, offset = [], 0.0
    for index, (name, share) in enumerate(shares.items()):
        length = circumference * share
        arcs.append({"name": name, "share": share, "colour": colours[index % len(colours)],
                     "dash": f"{length:.2f} {circumference - length:.2f}",
                     "offset": f"{-offset:.2f}"})
        offset += length
    return {"radius": radius, "stroke": stroke, "arcs": arcs, "size": 2 * (radius + stroke)}
