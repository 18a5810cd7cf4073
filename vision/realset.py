"""Bench rows from the real photos in ``shared/data`` (no synthetic pixel in them).

What the real photos can and cannot tell (there is no real lithium-battery packing photo):

* ``tampar/``: a real parcel with its flat reference surface and three real photos. The
  filing is that parcel (faces cut from the unfolded surface, no marks expected: it is not
  a battery package). The three photos' truth (tampered or not) is not given with the
  sample, so they are run and their scores reported, not counted as clean or anomalous.
* ``cartons/``: 26 real photos of *other* parcels. Against the TAMPAR filing each is a
  ``different_design`` (truth certain): it must not be released, and it must not be asked
  for a retake either (they are sharp, well exposed phone photos).
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path
from typing import Any

import cv2

from vision.params import MODEL_VERSION
from vision.pipeline import check, warm_up
from vision.schema import DeclaredData, FilingReference


def _png(rgb: Any) -> bytes:
    ok, data = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()


def tampar_filing(tampar: Path) -> FilingReference:
    from vision.imageio import load_rgb
    from vision.realcheck import face_tiles

    flat = load_rgb(tampar / "id_01_uvmap.png", 1200)
    faces = {name: _png(tile) for name, tile in face_tiles(flat).items()}
    return FilingReference(id="TAMPAR-id_01", un_numbers=("UN3481",), transport_mode="road",
                           expected_marks=frozenset(), forbidden_marks=frozenset(),
                           reference_photos=faces)


def collect_real(data: Path, refresh: bool = False) -> list[dict[str, Any]]:
    cache = Path("var") / "real-rows.json"
    if cache.exists() and not refresh:
        cached = json.loads(cache.read_text())
        if cached.get("model_version") == MODEL_VERSION:
            return list(cached["rows"])
    from vision.crossbench import PERMISSIVE

    warm_up()
    filing = tampar_filing(data / "tampar")
    declared = DeclaredData(un_numbers=("UN3481",), transport_mode="road")
    rows = []
    photos = [(p, "unknown") for p in sorted((data / "tampar").glob("id_01_2023*.jpg"))]
    photos += [(p, "different_design") for p in sorted((data / "cartons").glob("*.jpg"))]
    for path, kind in photos:
        t = time.perf_counter()
        res = check(path.read_bytes(), filing, declared, (), date(2027, 1, 15),
                    params=PERMISSIVE)
        rows.append({"photo": f"{path.parent.name}/{path.name}",
                     "anomaly": None if kind == "unknown" else kind, "truth_known":
                     kind != "unknown", "decision": res.decision,
                     "codes": [r.code for r in res.reasons],
                     "seconds": time.perf_counter() - t, "scores": res.scores})
    cache.parent.mkdir(exist_ok=True)
    cache.write_text(json.dumps({"model_version": MODEL_VERSION, "rows": rows}))
    return rows
