"""Inputs and outputs of the vision check: plain dataclasses with a JSON form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

TransportMode = Literal["sea", "air", "road"]
Decision = Literal["release", "inspect", "retake_photo"]
ImageSource = bytes | str | Path


class VisionInputError(ValueError):
    """The photo cannot be checked at all (not an image, hostile, too large).

    ``code`` is a stable machine-readable reason; callers map it to a 4xx answer or to a
    ``retake_photo`` decision. :func:`vision.check` itself never raises it: it turns it into a
    ``retake_photo`` result.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FilingReference:
    """An approved packaging filing from the compliance library.

    The label regime: ``provision`` (``fully_regulated`` | ``section_ib`` | ``small_battery``
    / ``sp188_small`` / ``section_ii``) with the UN numbers and transport mode gives the
    expected marks through :func:`vision.regime.expected_marks`. ``expected_marks`` /
    ``forbidden_marks`` override it when the filing stored them. ``requires_9a`` is the
    pre-regime flag (deprecated): ``True`` = fully regulated, ``False`` = small battery.
    ``reference_photos`` are rectified faces (see :mod:`vision.rectify`).
    """

    id: str
    un_numbers: Sequence[str]
    transport_mode: TransportMode
    provision: str = "fully_regulated"
    expected_marks: frozenset[str] | None = None
    forbidden_marks: frozenset[str] | None = None
    packing_instruction: str | None = None
    reference_photos: Mapping[str, ImageSource] = field(default_factory=dict)
    requires_9a: bool | None = None

    def marks(self) -> tuple[frozenset[str], frozenset[str]]:
        """(required, forbidden) marks; raises ``vision.regime.RegimeError`` when the
        filing's combination has no rule."""
        from vision import regime

        if self.expected_marks is not None:
            return frozenset(self.expected_marks), frozenset(self.forbidden_marks or ())
        if self.requires_9a is not None:
            r = regime.regime_from_legacy(self.un_numbers, self.transport_mode, self.requires_9a)
        else:
            r = regime.expected_marks(self.un_numbers, self.transport_mode, self.provision)
        return r.required, r.forbidden

    @classmethod
    def from_json(cls, data: Mapping[str, Any], base_dir: Path | None = None) -> FilingReference:
        """Build from the CLI's FILING.json form; photo paths are relative to ``base_dir``."""
        photos: dict[str, ImageSource] = {}
        for face, value in dict(data.get("reference_photos") or {}).items():
            path = Path(str(value))
            if base_dir is not None and not path.is_absolute():
                path = base_dir / path
            photos[str(face)] = path
        expected = data.get("expected_marks")
        forbidden = data.get("forbidden_marks")
        legacy = data.get("requires_9a")
        return cls(
            id=str(data["id"]),
            un_numbers=tuple(normalise_un(u) for u in data.get("un_numbers", [])),
            transport_mode=data.get("transport_mode", "sea"),
            provision=str(data.get("provision") or "fully_regulated"),
            expected_marks=frozenset(expected) if expected is not None else None,
            forbidden_marks=frozenset(forbidden) if forbidden is not None else None,
            packing_instruction=data.get("packing_instruction"),
            reference_photos=photos,
            requires_9a=(bool(legacy) if legacy is not None and "provision" not in data
                         else None),
        )


@dataclass(frozen=True)
class DeclaredData:
    """What the declaration's pre-screening data says about the packing."""

    un_numbers: Sequence[str] = ()
    transport_mode: TransportMode | None = None
    package_count: int | None = None
    gross_weight_kg: float | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DeclaredData:
        return cls(
            un_numbers=tuple(normalise_un(u) for u in data.get("un_numbers", [])),
            transport_mode=data.get("transport_mode"),
            package_count=data.get("package_count"),
            gross_weight_kg=data.get("gross_weight_kg"),
        )


@dataclass(frozen=True)
class Reason:
    """Why a photo was not released: a stable code and a sentence a person understands."""

    code: str
    message: str
    stage: str = ""
    photos: tuple[int, ...] = ()  # indexes of the declaration's photos it comes from

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "stage": self.stage,
                "photos": list(self.photos)}


@dataclass
class Box:
    """A detected mark or label; ``quad`` in pixels of the upright full-resolution photo."""

    kind: str
    quad: list[tuple[float, float]]
    text: str = ""
    ok: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "quad": [list(p) for p in self.quad], "text": self.text,
                "ok": self.ok}


@dataclass
class VisionResult:
    """The outcome of checking one packing photo."""

    decision: Decision
    reasons: list[Reason]
    scores: dict[str, float]
    phash: str
    evidence_png: bytes | None = None
    seconds: float = 0.0
    detections: list[Box] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    model_version: str = ""
    calibration_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (without the evidence image bytes)."""
        return {
            "decision": self.decision,
            "model_version": self.model_version,
            "calibration_version": self.calibration_version,
            "reasons": [r.to_dict() for r in self.reasons],
            "scores": {k: round(float(v), 4) for k, v in self.scores.items()},
            "phash": self.phash,
            "seconds": round(self.seconds, 3),
            "detections": [d.to_dict() for d in self.detections],
            "stage_seconds": {k: round(v, 3) for k, v in self.stage_seconds.items()},
        }


def normalise_un(value: str) -> str:
    """'un 3480' / '3480' / 'UN3480' -> 'UN3480'."""
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    return f"UN{digits}" if digits else str(value).strip().upper()


@dataclass
class DeclarationResult:
    """The outcome of checking all packing photos of one declaration together.

    ``decision``: ``retake_photo`` when any photo cannot be judged, else ``inspect`` when any
    reason exists, else ``release``. Each reason's ``photos`` names the photo indexes it
    comes from (empty for declaration-level reasons such as a filing mismatch; all judged
    photos for a required mark that none of them shows). ``photos`` holds the per-photo
    results (their own reasons, scores, phash, evidence)."""

    decision: Decision
    reasons: list[Reason]
    photos: list[VisionResult]
    model_version: str
    calibration_version: str
    required_marks: list[str] = field(default_factory=list)
    forbidden_marks: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "reasons": [r.to_dict() for r in self.reasons],
            "model_version": self.model_version,
            "calibration_version": self.calibration_version,
            "required_marks": list(self.required_marks),
            "forbidden_marks": list(self.forbidden_marks),
            "seconds": round(self.seconds, 3),
            "photos": [p.to_dict() for p in self.photos],
        }
