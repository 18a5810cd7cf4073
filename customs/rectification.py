"""Reference faces are photos: the carton face is found in each filed photo (a quad) and
flattened; the exporter can correct the corners. Wraps the pure `vision.rectify`."""

import logging
import math
from dataclasses import dataclass
from typing import Any

from customs.errors import Invalid

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DetectedFace:
    quad: dict[str, Any]  # {"corners": [[x, y] × 4], "score", "method"}
    rectified_png: bytes
    labels_seen: list[str] | None  # required-label kinds seen whole on the flattened face


def labels_on(face_image: bytes) -> list[str] | None:
    """The required-label kinds the photo check sees whole on a flattened face; None when
    the engine could not look (the filing page then says the face was not checked)."""
    try:
        from vision.filed_faces import labels_seen

        return labels_seen(face_image)
    except Exception:
        log.exception("could not look for labels on a flattened reference face")
        return None


def detect(photo: bytes) -> DetectedFace | None:
    """The detected face and its flattened image; None when the engine is unavailable or the
    photo can't be read by it (the original photo is then the reference, as before)."""
    try:
        from vision.rectify import detect_face_quad, rectify_face

        quad = detect_face_quad(photo)
        rectified = rectify_face(photo, quad)
    except Exception:
        log.exception("could not find the carton face in a reference photo")
        return None
    return DetectedFace(quad.to_dict(), rectified, labels_on(rectified))


def from_corners(photo: bytes, corners: list[list[float]], width: int, height: int
                 ) -> DetectedFace:
    """The quad from the exporter's corners and the face flattened from it; 422 for corners
    that aren't a face outline inside the photo."""
    from vision.rectify import Quad, rectify_face
    from vision.schema import VisionInputError

    bound = max(width, height)
    points = []
    for point in corners:
        if len(point) != 2 or not all(math.isfinite(v) for v in point):
            raise Invalid("each corner is [x, y] in pixels of the photo", code="invalid_quad")
        x, y = point
        if not (-0.05 * bound <= x <= 1.05 * bound and -0.05 * bound <= y <= 1.05 * bound):
            raise Invalid(f"corner [{x:.0f}, {y:.0f}] lies outside the {width}×{height} photo",
                          code="invalid_quad")
        points.append((float(x), float(y)))
    quad = Quad.from_points(points, score=1.0, method="exporter")
    if _area(quad.corners) < 0.01 * width * height:
        raise Invalid("the corners enclose almost nothing: drag them onto the carton face's "
                      "four corners", code="invalid_quad")
    try:
        rectified = rectify_face(photo, quad)
    except VisionInputError as exc:
        raise Invalid(exc.message, code="invalid_quad") from exc
    return DetectedFace(quad.to_dict(), rectified, labels_on(rectified))


def _area(corners: tuple[tuple[float, float], ...]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
                   in zip(corners, corners[1:] + corners[:1], strict=True))) / 2
