from datetime import datetime
from typing import Annotated, Any

from pydantic import StringConstraints, computed_field
from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from models.common import UtcDatetime, json_field, timestamp_field
from models.enums import FilingStatus, TransportMode

UN_NUMBER = r"^UN\d{4}$"
MAX_FILING_PHOTOS = 60
UnNumber = Annotated[str, StringConstraints(pattern=UN_NUMBER, max_length=6)]


class FilingBase(SQLModel):
    """A packaging design filed in advance (形式备案)."""

    title: str = Field(min_length=1, max_length=200)
    un_numbers: list[UnNumber] = Field(min_length=1, max_length=10,
                                  description='e.g. ["UN3480"]')
    proper_shipping_name: str = Field(default="", max_length=200)
    packing_instruction: str = Field(min_length=1, max_length=20, description="e.g. P903")
    package_type: str = Field(default="", max_length=60, description="e.g. fibreboard box")
    un_packaging_code: str = Field(default="", max_length=40, description="e.g. 4G/Y25/S/24")
    net_weight_min_kg: float | None = Field(default=None, ge=0)
    net_weight_max_kg: float | None = Field(default=None, ge=0)
    gross_weight_min_kg: float | None = Field(default=None, ge=0)
    gross_weight_max_kg: float | None = Field(default=None, ge=0)
    transport_mode: TransportMode = TransportMode.sea
    provision: str = Field(
        default="fully_regulated", max_length=30,
        description="label regime the exporter states: fully_regulated (class 9A label, UN "
                    "number, proper shipping name), small_battery (IMDG SP188 / IATA Section "
                    "II: lithium battery mark only) or section_ib (air, PI 965/968 IB)")
    replaces_filing_id: int | None = Field(
        default=None, foreign_key="filing.id", index=True,
        description="the exporter's earlier filing of this design, when filing it again (an "
                    "approved filing is locked: a wrong reference face is fixed by a new one)")


class FilingCreate(FilingBase):
    pass


class Filing(FilingBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    un_numbers: list[str] = json_field()
    status: FilingStatus = Field(default=FilingStatus.pending, max_length=20)
    review_note: str = Field(default="", max_length=1000)
    reviewed_by: int | None = Field(default=None, foreign_key="user.id")
    reviewed_at: datetime | None = timestamp_field(nullable=True)
    created_at: datetime = timestamp_field()


class FilingPhoto(SQLModel, table=True):
    """A reference photo of one face of the filed packaging."""

    id: int | None = Field(default=None, primary_key=True)
    filing_id: int = Field(foreign_key="filing.id", index=True)
    face: str = Field(max_length=20)
    sha256: str = Field(max_length=64)
    content_type: str = Field(max_length=40)
    width: int
    height: int
    # the carton face in the photo: {"corners": [[x, y] × 4 tl, tr, br, bl], "score", "method"}
    # and, when the photo check found it, "evidence" and "check" (unsure: exporter to look)
    quad: dict[str, Any] = json_field(dict)
    rectified_sha256: str = Field(default="", max_length=64)  # the flattened face (PNG)
    # the required-label kinds the photo check sees whole on the flattened face; None: not
    # looked for (photos filed before this was stored, or the engine could not read the face)
    labels_seen: list[str] | None = Field(default=None, sa_type=JSON)
    uploaded_at: datetime = timestamp_field()


# a corner this close to the photo's edge (share of its longer side) lies on it
EDGE_TOLERANCE = 0.01


class FilingPhotoPublic(SQLModel):
    id: int
    face: str
    sha256: str
    content_type: str
    width: int
    height: int
    quad: dict[str, Any] = {}
    rectified_sha256: str = ""
    labels_seen: list[str] | None = None
    uploaded_at: UtcDatetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outline_at_edge(self) -> bool:
        """A side of the face outline lies along the photo's edge: the face may run past the
        photo, and no corner can be dragged beyond it (the exporter takes the photo again)."""
        corners = self.quad.get("corners") or []
        if len(corners) != 4:
            return False
        tol = EDGE_TOLERANCE * max(self.width, self.height)

        def edges(x: float, y: float) -> set[str]:
            return {side for side, near in (("left", x <= tol), ("top", y <= tol),
                                            ("right", x >= self.width - tol),
                                            ("bottom", y >= self.height - tol)) if near}

        return any(edges(*corners[i]) & edges(*corners[(i + 1) % 4]) for i in range(4))

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outline_to_check(self) -> bool:
        """The photo check found the outline itself and was unsure of it (a side on weak or
        low-contrast edges, or a small outline): the exporter is asked to look at the
        corners, and drags them or confirms them as they are (corners a person set carry no
        ``check``)."""
        return bool(self.quad.get("check"))


class QuadUpdate(SQLModel):
    """The exporter's corrected corners of the carton face, in pixels of the upright photo,
    ordered top-left, top-right, bottom-right, bottom-left."""

    corners: list[list[float]] = Field(min_length=4, max_length=4)


class MarkExpectationPublic(SQLModel):
    mark: str
    required: bool  # False: the mark must NOT be on the package
    explanation: dict[str, str]  # language (en, zh-CN) → text
    sources: list[str]


class LabelRegimePublic(SQLModel):
    provision: str
    required: list[str]
    forbidden: list[str]
    items: list[MarkExpectationPublic]


class FilingPublic(FilingBase):
    id: int
    enterprise_id: int
    status: FilingStatus
    review_note: str
    reviewed_at: UtcDatetime | None
    created_at: UtcDatetime
    photos: list[FilingPhotoPublic] = []
    expected_marks: LabelRegimePublic | None = None
    labels_missing: list[str] | None = Field(
        default=None, description="labels the regime requires that no flattened face shows "
                                  "(wrong corners, or the face carrying them not filed); "
                                  "None while a face has not been looked at")


class FilingReview(SQLModel):
    note: str = Field(default="", max_length=1000)


class FilingApproval(FilingReview):
    """Approval names the reference photos the officer reviewed: if the filing's photos have
    changed since, approval is refused (409) and the filing must be reviewed again."""

    photo_ids: list[int] = Field(min_length=1, max_length=MAX_FILING_PHOTOS,
                                 description="ids of the filing's photos as reviewed")
    face_sha256s: list[str] | None = Field(
        default=None, max_length=MAX_FILING_PHOTOS,
        description="SHA-256 of the flattened faces as reviewed (rectified_sha256 of each "
                    "photo); when given, corners corrected since review also answer 409")
    accept_missing_labels: bool = Field(
        default=False, description="approve although the flattened faces do not show every "
                                   "label the regime requires (labels_missing); otherwise 409")
