"""Each stage of the packing-photo check on crafted cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import cv2
import numpy as np

from vision import DeclaredData, FilingReference, check, hamming, marks, perceptual_hash
from vision.pipeline import marks_on_face
from vision.synth.design import CartonDesign, FaceVariant

PhotoMaker = Callable[..., bytes]

AFTER = date(2027, 1, 15)
BEFORE = date(2026, 6, 1)


def codes(result: object) -> list[str]:
    return [r.code for r in result.reasons]  # type: ignore[attr-defined]


def test_clean_photo_of_the_filed_design_is_released(
        clean_photo: bytes, filing: FilingReference, declared: DeclaredData) -> None:
    result = check(clean_photo, filing, declared, today=AFTER)
    assert result.decision == "release", result.to_dict()
    assert result.reasons == []
    assert result.evidence_png and result.evidence_png.startswith(b"\x89PNG")
    assert len(result.phash) == 64
    assert {"design_inliers", "anomaly", "reuse_hamming"} <= set(result.scores)


def test_the_same_photo_gets_the_same_scores_whatever_ran_before(
        clean_photo: bytes, filing: FilingReference, declared: DeclaredData) -> None:
    """Screening is reproducible: FLANN's randomised k-d trees draw from OpenCV's RNG, which
    whatever ran before in the process (another check, a GrabCut) has moved on."""
    first = check(clean_photo, filing, declared, today=AFTER).scores
    cv2.setRNGSeed(987)
    cv2.randu(np.zeros((64, 64), np.float32), 0, 1)
    again = check(clean_photo, filing, declared, today=AFTER).scores
    assert again == first


def test_blurred_photo_asks_for_a_retake(make_photo: PhotoMaker, filing: FilingReference,
                                         declared: DeclaredData) -> None:
    result = check(make_photo(blur=9.0), filing, declared, today=AFTER)
    assert result.decision == "retake_photo"
    assert "blurred" in codes(result)
    assert "focus" in result.reasons[0].message


def test_mark_reading_un3481_against_un3480_declaration_is_inspected(
        make_photo: PhotoMaker, filing: FilingReference, declared: DeclaredData) -> None:
    photo = make_photo(FaceVariant(mark_un_numbers=("UN3481",)))
    result = check(photo, filing, declared, today=AFTER)
    assert result.decision == "inspect"
    reason = next(r for r in result.reasons if r.code == "un_number_mismatch")
    assert "UN3481" in reason.message and "UN3480" in reason.message


def test_exact_reupload_for_another_declaration_is_flagged(
        clean_photo: bytes, filing: FilingReference, declared: DeclaredData) -> None:
    earlier = perceptual_hash(clean_photo)
    result = check(clean_photo, filing, declared, history_hashes=[earlier], today=AFTER)
    assert result.decision == "inspect"
    assert "reused_photo" in codes(result)
    # the check hashes its working copy (2000 -> 1000 -> 512 px), perceptual_hash decodes
    # straight to 512 px: a coefficient next to the median may flip (seen once in a full run)
    assert hamming(result.phash, earlier) <= 4


def test_another_photo_of_the_same_design_is_not_a_reuse(
        make_photo: PhotoMaker, clean_photo: bytes, filing: FilingReference,
        declared: DeclaredData) -> None:
    other = perceptual_hash(make_photo(seed=8))
    result = check(clean_photo, filing, declared, history_hashes=[other], today=AFTER)
    assert "reused_photo" not in codes(result)


def test_different_carton_design_is_inspected(
        make_photo: PhotoMaker, filing: FilingReference, declared: DeclaredData) -> None:
    other = CartonDesign.random(99, un_numbers=("UN3480",), transport_mode="sea")
    result = check(make_photo(other_design=other), filing, declared, today=AFTER)
    assert result.decision == "inspect"
    assert "design_mismatch" in codes(result)


def test_missing_mark_is_inspected_when_the_filing_is_for_small_batteries(
        make_photo: PhotoMaker, filing: FilingReference, declared: DeclaredData) -> None:
    sp188 = replace(filing, provision="small_battery", requires_9a=None)
    # the shot has a red brick with white mortar just past the face's edge; it passed for a
    # small lithium mark (unreadable) until marks had to be of a label's size on the face
    result = check(make_photo(FaceVariant(mark=None, class_label=None)), sp188, declared,
                   today=AFTER)
    assert result.decision == "inspect"
    assert "missing_lithium_mark" in codes(result)
    assert result.reasons[-1].photos == (0,)


def test_fully_regulated_sea_package_needs_no_lithium_battery_mark(
        make_photo: PhotoMaker, filing: FilingReference, declared: DeclaredData) -> None:
    result = check(make_photo(FaceVariant(mark=None)), filing, declared, today=AFTER)
    assert "missing_lithium_mark" not in codes(result)
    assert "missing_9a_label" not in codes(result)


def test_plain_class9_where_9a_is_required_is_inspected(
        make_photo: PhotoMaker, filing: FilingReference, declared: DeclaredData) -> None:
    result = check(make_photo(FaceVariant(class_label="9")), filing, declared, today=AFTER)
    assert result.decision == "inspect"
    assert "missing_9a_label" in codes(result)


def test_obsolete_mark_with_telephone_number_is_refused_after_2026(
        make_photo: PhotoMaker, filing: FilingReference, declared: DeclaredData) -> None:
    photo = make_photo(FaceVariant(mark="obsolete"))
    after = check(photo, filing, declared, today=AFTER)
    assert "obsolete_lithium_mark" in codes(after)
    before = check(photo, filing, declared, today=BEFORE)
    assert "obsolete_lithium_mark" not in codes(before)


def test_no_approved_filing_means_inspection(clean_photo: bytes,
                                             declared: DeclaredData) -> None:
    result = check(clean_photo, None, declared, today=AFTER)
    assert result.decision == "inspect"
    assert "no_approved_filing" in codes(result)


def test_exif_rotated_photo_is_read_upright(make_photo: PhotoMaker, filing: FilingReference,
                                            declared: DeclaredData) -> None:
    result = check(make_photo(exif_rotate=True), filing, declared, today=AFTER)
    assert result.decision == "release", result.to_dict()


def test_result_json_form(clean_photo: bytes, filing: FilingReference,
                          declared: DeclaredData) -> None:
    d = check(clean_photo, filing, declared, today=AFTER).to_dict()
    assert d["decision"] in {"release", "inspect", "retake_photo"}
    assert isinstance(d["seconds"], float)
    assert all({"code", "message"} <= set(r) for r in d["reasons"])


def _png(rgb: object) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")  # type: ignore[arg-type]
    return buf.getvalue()


def test_declaration_is_judged_over_all_photos_mark_on_one_face_label_on_another(
        design: CartonDesign, declared: DeclaredData) -> None:
    from vision import CalibrationParams, check_declaration
    from vision.synth.design import render_face
    from vision.synth.scene import encode_jpeg, render_photo

    mark_face, label_face = FaceVariant(class_label=None), FaceVariant(mark=None)
    filing = FilingReference(id="F2", un_numbers=("UN3480",), transport_mode="sea",
                             provision="section_ib", expected_marks=frozenset(
                                 {"lithium_battery_mark", "class9a_label"}),
                             reference_photos={"front": _png(render_face(design, 2.0, mark_face)),
                                               "side": _png(render_face(design, 2.0,
                                                                        label_face))})
    photos = [encode_jpeg(render_photo(design, v, 7, size=(2000, 1500))[0], 90)
              for v in (mark_face, label_face)]
    # each face carries only half of the labels: fewer features, so a lower coverage floor
    params = CalibrationParams(version="test-sparse-faces", min_coverage=0.2)
    both = check_declaration(photos, filing, declared, today=AFTER, params=params)
    assert both.decision == "release", both.to_dict()
    assert both.calibration_version == "test-sparse-faces" and both.model_version
    only_mark = check_declaration(photos[:1], filing, declared, today=AFTER, params=params)
    reason = next(r for r in only_mark.reasons if r.code == "missing_9a_label")
    assert reason.photos == (0,)


def test_class9_label_on_a_small_battery_filing_is_inspected(
        clean_photo: bytes, filing: FilingReference, declared: DeclaredData) -> None:
    sp188 = replace(filing, provision="sp188_small", requires_9a=None)
    result = check(clean_photo, sp188, declared, today=AFTER)
    assert "unexpected_class9_label" in codes(result)
    assert "missing_class9_label" not in codes(result)


def _found(kind: str, centre: tuple[float, float], side: float) -> marks.Found:
    x, y, h = centre[0], centre[1], side / 2
    return marks.Found(kind, np.array([[x - h, y - h], [x + h, y - h], [x + h, y + h],
                                       [x - h, y + h]], np.float32))


def test_only_marks_on_the_located_face_and_of_a_labels_size_count() -> None:
    face = np.array([[100, 100], [1100, 100], [1100, 800], [100, 800]], np.float32)
    label = _found("class9a", (400, 500), 150)  # 15 % of the face's long side
    barcode_end = _found("class9a", (700, 600), 40)  # 4 %: print, not a label
    background = _found("class9a", (1700, 500), 150)  # past the face and its margin
    near_edge = _found("lithium_mark", (1150, 450), 120)  # within the margin
    kept = marks_on_face([label, barcode_end, background, near_edge], face)
    assert kept == [label, near_edge]
    assert marks_on_face([barcode_end, background], None) == [barcode_end, background]
