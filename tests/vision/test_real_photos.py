"""The real photos in ``shared/data/cartons`` as screening cases: parcels photographed two to
four times give real filings (the first photo, its face's corners set by hand) with real
clean packing photos, and every other parcel is a foreign design against them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import cv2
import pytest

from vision.pipeline import check
from vision.realset import SAME_CARTON, SameCarton, real_cases, same_carton_filing
from vision.schema import DeclaredData

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
DECLARED = DeclaredData(un_numbers=("UN3481",), transport_mode="road")
TODAY = date(2027, 1, 15)

pytestmark = pytest.mark.skipif(not (DATA / "cartons").exists(),
                                reason="shared/data/cartons is not available")


def _group(reference: str) -> SameCarton:
    return next(g for g in SAME_CARTON if g.reference == reference)


def test_every_hand_set_face_lies_inside_its_reference_photo() -> None:
    for group in SAME_CARTON:
        photo = next((DATA / "cartons").glob(f"{group.reference}*.jpg"))
        h, w = cv2.imread(str(photo)).shape[:2]
        assert all(0 <= x < w and 0 <= y < h for x, y in group.corners), group.reference


def test_a_parcels_other_photos_are_clean_and_every_other_parcel_is_a_foreign_design() -> None:
    cases = [c for c in real_cases(DATA) if c[1].startswith("real-")]
    packing = sum(len(g.packing) for g in SAME_CARTON)
    assert len(cases) == len(SAME_CARTON) * packing
    clean = [(p.name, f) for p, f, kind, _ in cases if kind is None]
    assert len(clean) == packing
    assert all(p.startswith(tuple(_group(f.removeprefix("real-")).packing)) for p, f in clean)
    assert all(known for *_rest, known in cases)


def test_a_clean_photo_of_a_real_filed_parcel_is_released() -> None:
    group = _group("package_2")
    filing = same_carton_filing(DATA / "cartons", group)
    photo = next((DATA / "cartons").glob("package_1_*.jpg")).read_bytes()
    result = check(photo, filing, DECLARED, (), TODAY)
    assert result.decision == "release", [r.code for r in result.reasons]


def test_a_parcel_photographed_from_across_the_doorway_is_found_and_released() -> None:
    """IMG_6821: the box covers about 5 % of the frame; the first look at the registration
    scale finds no match, the second at the working resolution does."""
    filing = same_carton_filing(DATA / "cartons", _group("IMG_6820"))
    photo = next((DATA / "cartons").glob("IMG_6821_*.jpg")).read_bytes()
    result = check(photo, filing, DECLARED, (), TODAY)
    assert result.scores["design_fine_look"] == 2.0  # ran, and kept
    assert result.decision == "release", [r.code for r in result.reasons]


def test_another_real_parcel_is_not_released_against_that_filing() -> None:
    filing = same_carton_filing(DATA / "cartons", _group("package_2"))
    photo = next((DATA / "cartons").glob("PXL_20201107_191147*.jpg")).read_bytes()
    result = check(photo, filing, DECLARED, (), TODAY)
    assert result.decision == "inspect"
    assert "design_mismatch" in {r.code for r in result.reasons}
