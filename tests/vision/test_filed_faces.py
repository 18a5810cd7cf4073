"""A filing's flattened faces must show the labels its regime requires: a face flattened from
wrong corners cuts them off, and damage outside it is never compared."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
from PIL import Image

from vision.crossbench import warned_filings
from vision.filed_faces import labels_seen, missing_labels
from vision.regime import CAO, CLASS9A, LITHIUM_MARK, PSN, UN_MARKING
from vision.synth.dataset import make_filing
from vision.synth.design import FaceVariant, render_face


def _png(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG")
    return buffer.getvalue()


def _face() -> np.ndarray:
    design = make_filing(1, 2)  # UN3090 by road, fully regulated: 9A label and the mark
    return render_face(design, 2.0, FaceVariant(class_label="9A"))


def test_a_whole_face_shows_its_9a_label_and_lithium_mark() -> None:
    assert labels_seen(_png(_face())) == [CLASS9A, LITHIUM_MARK]


def test_a_face_cut_short_by_wrong_corners_loses_its_labels() -> None:
    face = _face()
    assert labels_seen(_png(face[:, int(face.shape[1] * 0.45):])) == []


def test_a_label_cut_by_corners_set_inside_the_cartons_edge_is_not_whole() -> None:
    """The lithium mark (the face's leftmost label, x 36-243 of 1000 px) cut by a tenth and
    by a half: the detector still finds it, reaching past the face's edge."""
    face = _face()
    for cut in (57, 140):
        assert labels_seen(_png(face[:, cut:])) == [CLASS9A]
    assert labels_seen(_png(face[:, 20:])) == [CLASS9A, LITHIUM_MARK]


def test_a_required_label_counts_as_shown_when_any_filed_face_shows_it() -> None:
    required = [CLASS9A, UN_MARKING, PSN, CAO]
    assert missing_labels(required, [[LITHIUM_MARK], [CLASS9A]]) == [CAO]
    assert missing_labels(required, [[CLASS9A, CAO], []]) == []


def test_text_marks_and_labels_the_regime_does_not_require_are_not_judged() -> None:
    assert missing_labels([UN_MARKING, PSN], [[]]) == []
    assert missing_labels([LITHIUM_MARK], [[CLASS9A]]) == [LITHIUM_MARK]


def test_the_bench_counts_a_filing_whose_faces_lack_a_required_label_as_warned(
        tmp_path: Path) -> None:
    """The cross-source bench models the filing page: a warned filing gets its corners
    corrected before packing photos are judged against it."""
    (tmp_path / "filings").mkdir()
    face = _face()
    (tmp_path / "filings" / "whole.png").write_bytes(_png(face))
    (tmp_path / "filings" / "cut.png").write_bytes(_png(face[:, int(face.shape[1] * 0.45):]))
    base = {"un_numbers": ["UN3090"], "transport_mode": "road", "provision": "fully_regulated"}
    manifest = {"filings": {"W": {**base, "id": "W", "reference_photos": {"front": "whole.png"}},
                            "C": {**base, "id": "C", "reference_photos": {"front": "cut.png"}}}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert warned_filings(tmp_path) == {"C": [CLASS9A]}
