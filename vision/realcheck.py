"""Real-photo check on the TAMPAR sample: register real parcel photos to the flat reference
(the unfolded surface, like a filed design's reference faces) and write comparison images.

    python -m vision tampar --data ../shared/data/tampar --out vision/docs
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vision import anomaly
from vision.imageio import load_rgb, resize_long
from vision.registration import features, load_reference, register


def _jpeg(path: Path, rgb: np.ndarray, quality: int = 80) -> None:
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                [cv2.IMWRITE_JPEG_QUALITY, quality])


def face_tiles(rgb: np.ndarray, grid: int = 3) -> dict[str, np.ndarray]:
    """The faces of an unfolded (cross-layout) surface: grid tiles that are not background."""
    h, w = rgb.shape[:2]
    tiles = {}
    for r in range(grid):
        for c in range(grid):
            tile = rgb[r * h // grid:(r + 1) * h // grid, c * w // grid:(c + 1) * w // grid]
            if (tile.min(2) < 235).mean() > 0.5:
                tiles[f"r{r}c{c}"] = tile
    return tiles


def _png(rgb: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()


def run(data: Path, out: Path) -> list[dict[str, Any]]:
    """Register every real photo to every face of the flat reference; keep the best face."""
    out.mkdir(parents=True, exist_ok=True)
    flat = load_rgb(data / "id_01_uvmap.png", 1200)
    refs = {name: load_reference(name, _png(tile), tilts=(1.0, 2 ** 0.5, 2.0, 2.83))
            for name, tile in face_tiles(flat).items()}
    results = []
    for photo_path in sorted(data.glob("id_01_2023*.jpg")):
        work = load_rgb(photo_path)
        small = resize_long(work, 1600)
        gray = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
        pts, desc = features(gray, nfeatures=0)
        regs = {name: register(gray, pts, desc, small, ref) for name, ref in refs.items()}
        best_name = max(regs, key=lambda n: regs[n].inliers)
        reg = regs[best_name]
        item: dict[str, Any] = {
            "photo": photo_path.name, "best_face": best_name, "inliers": reg.inliers,
            "coverage": round(reg.coverage, 3), "ncc": round(reg.ncc, 3),
            "inliers_per_face": {n: r.inliers for n, r in regs.items()}}
        stem = photo_path.stem
        if reg.homography is not None and reg.rectified is not None and reg.valid is not None:
            vis = small.copy()
            for name, other in regs.items():
                if other.quad is not None and other.inliers >= 25:
                    cv2.polylines(vis, [other.quad.astype(np.int32)], True,
                                  (40, 110, 240) if name == best_name else (250, 200, 0), 4)
            amap = anomaly.score(reg.rectified, reg.valid, reg.reference.rgb)
            heat = np.clip(amap.heat / max(float(amap.heat.max()), 1e-6), 0, 1)  # relative
            colour = cv2.cvtColor(cv2.applyColorMap((heat * 255).astype(np.uint8),
                                                    cv2.COLORMAP_JET), cv2.COLOR_BGR2RGB)
            a = (0.45 * reg.valid)[..., None]
            over = (reg.rectified * (1 - a) + colour * a).astype(np.uint8)
            strip = np.concatenate([reg.rectified, reg.reference.rgb, over], 1)
            _jpeg(out / f"tampar_{stem}_registered.jpg", resize_long(vis, 1000))
            _jpeg(out / f"tampar_{stem}_comparison.jpg", resize_long(strip, 1500))
            item["anomaly_score"] = round(amap.score, 3)
            item["images"] = [f"tampar_{stem}_registered.jpg", f"tampar_{stem}_comparison.jpg"]
        results.append(item)
    (out / "tampar_registration.json").write_text(json.dumps(results, indent=1))
    return results
