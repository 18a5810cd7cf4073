"""Which of the labels a filing requires are seen, whole, on its flattened reference faces.

Packing photos are compared with the filed faces: a label that the filed faces do not show
cannot be checked for cover, tears or damage there, and a face flattened from wrong corners
(cut through the middle of the carton) shows only part of the print, so damage on the rest
passes unseen. On source B seed 15151 one reference face detected 44 % off cut the 9A label
in half; 6 damaged or torn cartons of that filing were released. A required label missing
from every filed face is therefore told to the exporter (check the corners, or file the face
that carries it) and to the officer before approval.

A label found reaching past the flattened face's edge is not whole: a label lies on the face,
so the corners were set inside the carton's edge and cut it. The detector still finds such a
mark, its outline about 1-2.4 % of the face's long side past the cut (a mark cut by a tenth
to a half; source B seed 39494, one face detected 24 % off), while a label printed flush
with a correctly flattened edge stays inside it. Only required labels are warned about: on
that B face the cut mark was not required, and 4 of the filing's 5 clean photos were held
as a damaged label.

Only the labels the detectors can see are judged: the class 9A label, the lithium battery
mark and the Cargo Aircraft Only label; the UN number and proper shipping name are text.
Detection runs at the size registration keeps of a reference face, so "seen" here means the
label check of a packing photo can compare it."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from vision import marks
from vision.imageio import decode_photo
from vision.regime import CAO, CLASS9A, LITHIUM_MARK
from vision.registration import REF_LONG_SIDE
from vision.thresholds import MIN_LABEL_FACE_SIDE

DETECTABLE = (CLASS9A, LITHIUM_MARK, CAO)
PAST_EDGE = 0.005  # share of the face's long side a label's outline may reach past its edge
_KIND = {"class9a": CLASS9A, "lithium_mark": LITHIUM_MARK, "cargo_aircraft_only": CAO}


def labels_seen(face_image: bytes) -> list[str]:
    """The detectable labels found whole on one flattened face (regime names, sorted).

    Raises :class:`~vision.schema.VisionInputError` for bytes that are not an image."""
    rgb = decode_photo(face_image, long_side=REF_LONG_SIDE).rgb
    h, w = rgb.shape[:2]
    cao = marks.find_cargo_aircraft_only(rgb, rgb, MIN_LABEL_FACE_SIDE * max(h, w))
    slack = PAST_EDGE * max(h, w)
    low, high = np.array([-slack, -slack]), np.array([w - 1 + slack, h - 1 + slack])
    return sorted({_KIND[f.kind] for f in (*marks.face_labels(rgb), *cao)
                   if f.kind in _KIND and (low <= f.quad).all() and (f.quad <= high).all()})


def missing_labels(required: Iterable[str], seen_per_face: Iterable[Iterable[str]]
                   ) -> list[str]:
    """The required, detectable labels that no filed face shows."""
    seen = {label for face in seen_per_face for label in face}
    return [label for label in DETECTABLE if label in set(required) and label not in seen]
