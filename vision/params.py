"""Decision parameters of every stage, passed into the engine (it reads no settings).

``CalibrationParams()`` holds the defaults (the values of ``thresholds.py``, set on the
synthetic calibration split, see ``vision/README.md``). A deployment stores calibration
versions (proposed by :func:`vision.calibrate.propose`, applied by an admin) and passes the
active one to :func:`vision.check_declaration`; every result records ``params.version`` and
:data:`MODEL_VERSION`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from vision import thresholds as T

# bump when detectors, features or the decision logic change (invalidates calibrations)
MODEL_VERSION = "vision-2.16"
# engine versions whose scores are on this version's scales, so that their calibrations and
# labelled outcomes still hold (2.5 added the pixel check for copied photos, 2.6 counts only
# marks of a label's size on the located face, and class 9 labels of a label's size beside the
# lithium mark, on photos and reference faces; 2.7 seeds the design matcher's randomised
# k-d trees, so a photo's scores no longer depend on what ran before it; 2.8 drops a class 9
# candidate that is a lithium mark seen as a diamond, and a registration that folds the face
# onto a line; 2.9 computes gradient magnitudes with numpy, the same bits on every call;
# 2.10 asks for a readable UN number on any lithium mark found, required or not; 2.11 looks
# for the filed face again at the working resolution when the first look does not match it,
# with coverage, NCC and layout still measured in the reference's frame; 2.12 drops a lithium
# mark candidate under half the side of the largest mark on its face; 2.13 has the classical
# finder confirm a class 9 label the learned detector proposes where it found none; 2.14 finds
# the face in a filed photo past edges along the photo's frame and hue-only colour edges,
# drops mark candidates with no print inside (letters on a brand band) or inside a class 9
# label, and finds a mark cut by the frame; no score's scale moved). 2.15 starts new scales:
# its appearance score adds new straight lines (creases, folds, tear edges), so an earlier
# version's labelled outcomes would ask a fit to lower the appearance limit for damage that
# 2.15 now scores above it. 2.16 starts new scales again: it compares ridges direction by
# direction, so a crease across print is found whole (longer lines), and the line scale moved
SAME_SCALES = frozenset({MODEL_VERSION})


@dataclass(frozen=True)
class CalibrationParams:
    version: str = "default-2026-12"
    min_short_side_px: int = T.MIN_SHORT_SIDE_PX
    max_blur_px: float = T.MAX_BLUR_PX
    min_brightness: float = T.MIN_BRIGHTNESS
    max_brightness: float = T.MAX_BRIGHTNESS
    max_clipped: float = T.MAX_CLIPPED
    min_highlight: float = T.MIN_HIGHLIGHT
    max_reuse_hamming: int = T.MAX_REUSE_HAMMING
    min_inliers: int = T.MIN_INLIERS
    min_coverage: float = T.MIN_COVERAGE
    min_design_ncc: float = T.MIN_DESIGN_NCC
    min_design_layout: float = T.MIN_DESIGN_LAYOUT
    max_face_colour_level: float = T.MAX_FACE_COLOUR_LEVEL
    min_label_ncc: float = T.MIN_LABEL_NCC
    min_label_region: float = T.MIN_LABEL_REGION
    max_anomaly_score: float = T.MAX_ANOMALY_SCORE

    def design_match(self, inliers: float, coverage: float, ncc: float, layout: float
                     ) -> tuple[bool, bool]:
        """(located, design ok): the filed face is found in the photo and most of its layout
        agrees, so the label and appearance stages can compare the two; and it looks like
        the filed one (before the appearance stage's whole-face colour check)."""
        matched = inliers >= self.min_inliers and coverage >= self.min_coverage
        located = matched and layout >= min(T.MIN_LOCATED_LAYOUT, self.min_design_layout)
        return located, (matched and ncc >= self.min_design_ncc
                         and layout >= self.min_design_layout)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CalibrationParams:
        """Unknown keys are ignored, missing keys keep their defaults."""
        known = {f.name: f.type for f in fields(cls)}
        base = cls()
        values = {k: type(getattr(base, k))(v) for k, v in data.items() if k in known}
        return replace(base, **values)


DEFAULT_PARAMS = CalibrationParams()
