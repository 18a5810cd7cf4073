"""Travel-time providers behind one interface.

A provider turns a list of points (id, lat, lon) into a distance matrix (metres) and a
duration matrix (seconds), both integer numpy arrays, computed once per solve and vectorised.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .errors import ProblemError, TravelError
from .model import HaversineTravel, MatrixTravel, OsrmTravel

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class Point:
    key: str
    lat: float
    lon: float


class TravelProvider(Protocol):
    def matrices(self, points: list[Point]) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(distance_m, duration_s)``, int64 arrays of shape (n, n)."""
        ...


def haversine_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """All-pairs great-circle distance in metres (float64, vectorised)."""
    phi = np.radians(lat)[:, None]
    phi2 = np.radians(lat)[None, :]
    dphi = phi2 - phi
    dlmb = np.radians(lon)[None, :] - np.radians(lon)[:, None]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class HaversineProvider:
    def __init__(self, cfg: HaversineTravel) -> None:
        self.cfg = cfg

    def matrices(self, points: list[Point]) -> tuple[np.ndarray, np.ndarray]:
        lat = np.array([p.lat for p in points], dtype=float)
        lon = np.array([p.lon for p in points], dtype=float)
        dist = haversine_m(lat, lon) * self.cfg.road_factor
        dur = dist / (self.cfg.speed_kmh / 3.6)
        return np.rint(dist).astype(np.int64), np.rint(dur).astype(np.int64)


class MatrixProvider:
    def __init__(self, cfg: MatrixTravel) -> None:
        self.cfg = cfg
        n = len(cfg.locations)
        errors: list[str] = []
        dist = np.asarray(cfg.distances_km, dtype=float)
        dur = np.asarray(cfg.durations_minutes, dtype=float)
        if dist.shape != (n, n) or dur.shape != (n, n):
            errors.append(
                f"travel matrix: {n} locations need {n}x{n} matrices, got distances "
                f"{dist.shape} and durations {dur.shape}"
            )
        elif (
            (dist < 0).any()
            or (dur < 0).any()
            or not (np.isfinite(dist).all() and np.isfinite(dur).all())
        ):
            errors.append("travel matrix: entries must be finite and non-negative")
        if len(set(cfg.locations)) != n:
            errors.append("travel matrix: duplicate location ids")
        if errors:
            raise ProblemError(errors)
        self.index = {k: i for i, k in enumerate(cfg.locations)}
        self.dist_m = np.rint(dist * 1000).astype(np.int64)
        self.dur_s = np.rint(dur * 60).astype(np.int64)

    def missing(self, keys: list[str]) -> list[str]:
        return [k for k in keys if k not in self.index]

    def matrices(self, points: list[Point]) -> tuple[np.ndarray, np.ndarray]:
        missing = self.missing([p.key for p in points])
        if missing:
            raise ProblemError([f"travel matrix has no row for location '{k}'" for k in missing])
        idx = np.array([self.index[p.key] for p in points], dtype=np.int64)
        return self.dist_m[np.ix_(idx, idx)], self.dur_s[np.ix_(idx, idx)]


class OsrmProvider:
    """Client of OSRM's ``table`` service (one request, annotations=distance,duration)."""

    def __init__(self, cfg: OsrmTravel) -> None:
        self.cfg = cfg

    def url(self, points: list[Point]) -> str:
        coords = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        base = self.cfg.base_url.rstrip("/")
        return f"{base}/table/v1/{self.cfg.profile}/{coords}?annotations=distance,duration"

    def matrices(self, points: list[Point]) -> tuple[np.ndarray, np.ndarray]:
        try:
            with urllib.request.urlopen(self.url(points), timeout=self.cfg.timeout_s) as resp:
                body = json.loads(resp.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, ValueError, OSError) as exc:
            raise TravelError(f"OSRM table request failed: {exc}") from exc
        return self.parse(body, len(points))

    @staticmethod
    def parse(body: dict, n: int) -> tuple[np.ndarray, np.ndarray]:
        if body.get("code") != "Ok":
            raise TravelError(f"OSRM answered {body.get('code')}: {body.get('message', '')}")
        dist = np.array(body["distances"], dtype=float)
        dur = np.array(body["durations"], dtype=float)
        if dist.shape != (n, n) or dur.shape != (n, n):
            raise TravelError("OSRM table has the wrong shape")
        # OSRM reports null for unroutable pairs: make them effectively impossible.
        big = 10**9
        dist = np.where(np.isfinite(dist), dist, big)
        dur = np.where(np.isfinite(dur), dur, big)
        return np.rint(dist).astype(np.int64), np.rint(dur).astype(np.int64)


def provider_for(cfg: HaversineTravel | MatrixTravel | OsrmTravel) -> TravelProvider:
    if isinstance(cfg, HaversineTravel):
        return HaversineProvider(cfg)
    if isinstance(cfg, MatrixTravel):
        return MatrixProvider(cfg)
    return OsrmProvider(cfg)
