"""Evidence image: the photo with marks boxed (green ok, red not), the registered face
outlined (blue matches the filing, red does not) and the anomaly heat map blended in."""

from __future__ import annotations

import cv2
import numpy as np

from vision.imageio import resize_long

EVIDENCE_LONG_SIDE = 1024
GREEN, RED, BLUE, YELLOW = (40, 200, 60), (230, 30, 30), (40, 110, 240), (250, 200, 0)


def render(work: np.ndarray, boxes: list[tuple[np.ndarray, str, bool]],
           face_quad: np.ndarray | None, face_ok: bool,
           heat: np.ndarray | None, heat_homography: np.ndarray | None,
           heat_threshold: float) -> bytes:
    """``boxes`` and ``face_quad`` in ``work`` pixels; ``heat`` in reference pixels with
    ``heat_homography`` mapping reference -> work pixels."""
    img = resize_long(work, EVIDENCE_LONG_SIDE).copy()
    k = img.shape[1] / work.shape[1]
    if heat is not None and heat_homography is not None:
        scale = np.diag([k, k, 1.0])
        hm = scale @ heat_homography
        norm = np.clip(heat / max(heat_threshold, 1e-6), 0, 2) / 2
        warped = np.nan_to_num(cv2.warpPerspective(norm.astype(np.float32), hm,
                                                   (img.shape[1], img.shape[0])))  # degenerate
        # homographies of failed registrations (permissive bench runs) can warp to NaN
        cover = cv2.warpPerspective(np.ones_like(norm, np.float32), hm,
                                    (img.shape[1], img.shape[0]))
        colour = cv2.applyColorMap((warped * 255).astype(np.uint8), cv2.COLORMAP_JET)
        colour = cv2.cvtColor(colour, cv2.COLOR_BGR2RGB)
        alpha = (0.45 * np.clip(warped * 1.6, 0.15, 1.0) * (cover > 0.5))[..., None]
        img = (img * (1 - alpha) + colour * alpha).astype(np.uint8)
    thick = max(2, img.shape[1] // 400)
    if face_quad is not None:
        cv2.polylines(img, [(face_quad * k).astype(np.int32)], True,
                      BLUE if face_ok else RED, thick)
    for quad, label, ok in boxes:
        q = (quad * k).astype(np.int32)
        cv2.polylines(img, [q], True, GREEN if ok else RED, thick)
        x, y = int(q[:, 0].min()), int(q[:, 1].min()) - 6
        cv2.putText(img, label[:40], (x, max(12, y)), cv2.FONT_HERSHEY_SIMPLEX,
                    0.45 * thick / 2, GREEN if ok else RED, max(1, thick // 2), cv2.LINE_AA)
    ok, data = cv2.imencode(".png", cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_PNG_COMPRESSION, 1])
    return data.tobytes() if ok else b""
