"""Bench rows from the real photos in ``shared/data`` (no synthetic pixel in them).

What the real photos can and cannot tell (there is no real lithium-battery packing photo):

* ``tampar/``: a real parcel with its flat reference surface and three real photos. The
  filing is that parcel (faces cut from the unfolded surface, no marks expected: it is not
  a battery package). The three photos' truth (tampered or not) is not given with the
  sample, so they are run and their scores reported, not counted as clean or anomalous.
* ``cartons/``: 26 real photos of *other* parcels. Against the TAMPAR filing each is a
  ``different_design`` (truth certain): it must not be released, and it must not be asked
  for a retake either (they are sharp, well exposed phone photos).
* ``cartons/`` again, as filings: several parcels were photographed two to four times from
  where they lay (:data:`SAME_CARTON`). The first photo of each is filed as the reference
  photo, with the face's corners set by hand as an exporter drags them on the filing page;
  the parcel's other photos are *clean* packing photos of that filing (the one real source
  of clean release here), and every other group's photos are ``different_design`` against it.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class SameCarton:
    """One parcel photographed several times: ``reference`` (a file name prefix in
    ``cartons/``) is filed with ``corners`` (tl, tr, br, bl of the face in its pixels, set
    by hand by looking at the photo), ``packing`` are its other photos."""

    reference: str
    face: str
    corners: tuple[tuple[int, int], ...]
    packing: tuple[str, ...]


# Set by hand on 2026-12-07, before any of these photos was screened against a filing.
# Not used: IMG_6817-6819 and IMG_6824 (a small white box, ~3 % of the frame),
# PXL_20201103_* (poly mailers, not cartons), PXL_20201107_214721 (a single shot).
SAME_CARTON: tuple[SameCarton, ...] = (
    SameCarton("IMG_6820", "front with the moving-company print",
               ((355, 1367), (752, 1348), (756, 1724), (362, 1748)),
               ("IMG_6821", "IMG_6822", "IMG_6823")),
    SameCarton("PXL_20201101_154110", "long side with the handling arrows",
               ((396, 753), (542, 789), (536, 897), (398, 862)), ("PXL_20201101_154113",)),
    SameCarton("PXL_20201105_173148", "long side with the shipping label",
               ((479, 475), (737, 316), (730, 498), (489, 644)), ("PXL_20201105_173151",)),
    SameCarton("PXL_20201107_021341", "front of a Priority Mail box",
               ((475, 635), (1045, 545), (1030, 650), (485, 735)),
               ("PXL_20201107_021345", "PXL_20201107_021350")),
    SameCarton("PXL_20201107_191145", "front with the printed smile",
               ((452, 647), (570, 672), (565, 815), (450, 780)),
               ("PXL_20201107_191147", "PXL_20201107_191150")),
    SameCarton("package_2", "top with the tape and the shipping label",
               ((17, 746), (502, 283), (1295, 760), (840, 1296)),
               ("package_1", "package_3", "package_4")),
)
REAL_SET_VERSION = 2  # bump when the photos or corners above change (the cache keys on it)


def _photo(cartons: Path, prefix: str) -> Path:
    found = sorted(cartons.glob(f"{prefix}*.jpg"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one photo {prefix}*.jpg in {cartons}")
    return found[0]


def same_carton_filing(cartons: Path, group: SameCarton) -> FilingReference:
    """The group's reference photo filed as an exporter would: its face rectified with the
    corners they dragged into place; no marks expected (these are not battery packages)."""
    from vision.rectify import rectify_face

    face = rectify_face(_photo(cartons, group.reference).read_bytes(), group.corners)
    return FilingReference(id=f"real-{group.reference}", un_numbers=("UN3481",),
                           transport_mode="road", expected_marks=frozenset(),
                           forbidden_marks=frozenset(), reference_photos={"front": face})


def real_cases(data: Path) -> list[tuple[Path, str, str | None, bool]]:
    """(photo, filing id, anomaly, truth known) for every real screening case."""
    cases: list[tuple[Path, str, str | None, bool]] = [
        (p, "TAMPAR-id_01", None, False) for p in sorted((data / "tampar").glob("id_01_2023*.jpg"))]
    cases += [(p, "TAMPAR-id_01", "different_design", True)
              for p in sorted((data / "cartons").glob("*.jpg"))]
    for group in SAME_CARTON:
        for other in SAME_CARTON:
            for prefix in other.packing:
                cases.append((_photo(data / "cartons", prefix), f"real-{group.reference}",
                              None if other is group else "different_design", True))
    return cases


def collect_real(data: Path, refresh: bool = False) -> list[dict[str, Any]]:
    cache = Path("var") / "real-rows.json"
    if cache.exists() and not refresh:
        cached = json.loads(cache.read_text())
        if (cached.get("model_version"), cached.get("set_version")) == (MODEL_VERSION,
                                                                        REAL_SET_VERSION):
            return list(cached["rows"])
    from vision.crossbench import PERMISSIVE

    warm_up()
    filings = {"TAMPAR-id_01": tampar_filing(data / "tampar")}
    for group in SAME_CARTON:
        filing = same_carton_filing(data / "cartons", group)
        filings[filing.id] = filing
    declared = DeclaredData(un_numbers=("UN3481",), transport_mode="road")
    rows = []
    for path, filing_id, kind, known in real_cases(data):
        t = time.perf_counter()
        res = check(path.read_bytes(), filings[filing_id], declared, (), date(2027, 1, 15),
                    params=PERMISSIVE)
        rows.append({"photo": f"{path.parent.name}/{path.name}", "filing": filing_id,
                     "anomaly": kind, "truth_known": known, "decision": res.decision,
                     "codes": [r.code for r in res.reasons],
                     "seconds": time.perf_counter() - t, "scores": res.scores})
    cache.parent.mkdir(exist_ok=True)
    cache.write_text(json.dumps({"model_version": MODEL_VERSION,
                                 "set_version": REAL_SET_VERSION, "rows": rows}))
    return rows
