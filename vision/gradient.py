"""Gradient magnitude that gives the same bits on every call."""

from __future__ import annotations

import cv2
import numpy as np


def sobel_magnitude(x: np.ndarray) -> np.ndarray:
    """The 3 x 3 Sobel gradient magnitude of a float32 image."""
    return magnitude(cv2.Sobel(x, cv2.CV_32F, 1, 0), cv2.Sobel(x, cv2.CV_32F, 0, 1))


def magnitude(gx: np.ndarray, gy: np.ndarray) -> np.ndarray:
    """√(gx² + gy²), elementwise, in the inputs' float type.

    OpenCV 5.1's ``cv2.magnitude`` returned results that differ in the last bits from one call
    to the next on the same arrays (seen: one call in three). That moved a thresholded edge
    pixel here and there, and through the detected corners of a reference face, design
    inliers and now and then a decision. IEEE multiply, add and square root round the same
    way in every code path."""
    return np.sqrt(gx * gx + gy * gy)
