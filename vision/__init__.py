"""ClearLane vision engine: packing-photo compliance check (pure: no database, no HTTP).

    from vision import check, FilingReference, DeclaredData
    result = check(photo_bytes, filing, DeclaredData(un_numbers=["UN3480"], transport_mode="sea"))
    result.decision  # 'release' | 'inspect' | 'retake_photo'
"""

from vision.params import MODEL_VERSION, CalibrationParams
from vision.phash import hamming, perceptual_hash
from vision.pipeline import check, check_declaration, warm_up
from vision.regime import LabelRegime, RegimeError, expected_marks
from vision.schema import (
    Box,
    DeclarationResult,
    DeclaredData,
    FilingReference,
    Reason,
    VisionInputError,
    VisionResult,
)

__all__ = [
    "MODEL_VERSION",
    "Box",
    "CalibrationParams",
    "DeclarationResult",
    "DeclaredData",
    "FilingReference",
    "LabelRegime",
    "Reason",
    "RegimeError",
    "VisionInputError",
    "VisionResult",
    "check",
    "check_declaration",
    "expected_marks",
    "hamming",
    "perceptual_hash",
    "warm_up",
]
