"""Drawing helpers for inline SVG: the dispatch route map and the statistics charts.

Pure presentation: coordinates in, shapes out. No tile server; the map is drawn from the
plan's own coordinates (depots, stops) on an equirectangular projection.
"""

import math
from typing import Any

COLOURS = ["#0b4f8a", "#c2410c", "#15803d", "#7e22ce", "#be123c", "#0e7490", "#a16207"]
MAP_W, MAP_H, PAD = 900, 460, 36


def office_maps(plan: dict[str, Any], only: str | None = None) -> list[dict[str, Any]]:
    """One map per customs office, fitted to that office's routes: offices far apart (e.g.
    200 km) would otherwise squeeze every stop under the office icons."""
    depots = [d for d in plan.get("problem", {}).get("depots", [])]
    used = {r["depot_id"] for r in plan.get("routes", []) if only in (None, r["officer_id"])
            and r["stops"]}
    maps = []
    for depot in depots:
        if depot["id"] in used:
            drawn = route_map(plan, only, depot=depot["id"])
            maps.append({**drawn, "office": depot.get("name") or depot["id"]})
    return maps


def route_map(plan: dict[str, Any], only: str | None = None, depot: str | None = None
              ) -> dict[str, Any]:
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
        return {"width": MAP_W, "height": MAP_H, "routes": [], "depots": []}
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
    return {"width": MAP_W, "height": MAP_H, "routes": drawn,
            "depots": [{"xy": xy(d["lat"], d["lon"]), "name": d.get("name") or d["id"]}
                       for key, d in depots.items() if key in shown]}


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
