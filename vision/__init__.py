"""ClearLane vision engine: packing-photo compliance check (pure: no database, no HTTP).

    from vision import check, FilingReference, DeclaredData
    result = check(photo_bytes, filing, DeclaredData(un_numbers=["UN3480"], transport_mode="sea"))
    result.decision  # 'release' | 'inspect' | 'retake_photo'
"""

from vision.phash import hamming, perceptual_hash
from vision.pipeline import check, warm_up
from vision.schema import (
    Box,
    DeclaredData,
    FilingReference,
    Reason,
    VisionInputError,
    VisionResult,
)

__all__ = [
    "Box",
    "DeclaredData",
    "FilingReference",
    "Reason",
    "VisionInputError",
    "VisionResult",
    "check",
    "hamming",
    "perceptual_hash",
    "warm_up",
]
