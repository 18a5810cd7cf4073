"""SQLModel tables and request/response schemas. Imports nothing of ours but itself."""

from models.audit import AuditEvent, AuditEventPublic
from models.certificate import Certificate, CertificateVerification
from models.clearance import ClearanceStatus
from models.common import ErrorBody, Page, UtcDatetime, as_utc, utcnow
from models.declaration import (
    Container,
    ContainerBase,
    Declaration,
    DeclarationCreate,
    DeclarationPublic,
    GoodsLine,
    GoodsLineBase,
    GoodsLinePublic,
    PackingPhoto,
    PackingPhotoPublic,
    PhotoFingerprint,
    Transition,
)
from models.dispatch_plan import DispatchPlanRecord
from models.enterprise import Enterprise, EnterpriseCreate, EnterprisePublic
from models.enums import (
    Channel,
    CreditLevel,
    DeclarationStatus,
    FilingStatus,
    GoodsCategory,
    InspectionMode,
    InspectionOutcome,
    InspectionStatus,
    JobStatus,
    Role,
    SealEventKind,
    TransportMode,
    VisionDecision,
)
from models.filing import (
    MAX_FILING_PHOTOS,
    Filing,
    FilingApproval,
    FilingCreate,
    FilingPhoto,
    FilingPhotoPublic,
    FilingPublic,
    FilingReview,
)
from models.inspection import (
    AppointmentBooking,
    AppointmentPublic,
    AppointmentSlotPublic,
    AppointmentUpdate,
    InspectionResult,
    InspectionTask,
    InspectionTaskPublic,
)
from models.job import Job, JobPublic, StuckScreening
from models.notifications import (
    WEBHOOK_EVENTS,
    WebhookDelivery,
    WebhookDeliveryPublic,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointCreated,
    WebhookEndpointPublic,
)
from models.screening import Reason, Screening, ScreeningPublic
from models.stats import DurationStats, ReleaseTimeStats
from models.text import SafeStr, unsafe_character
from models.transit import (
    ContainerSeal,
    SealEvent,
    SealEventIn,
    Transit,
    TransitCreate,
    TransitPublic,
    TransitSeal,
    TransitSealPublic,
)
from models.user import (
    LoginThrottle,
    Office,
    OfficeCreate,
    OfficePublic,
    PasswordChange,
    SecurityEvent,
    Token,
    User,
    UserCreate,
    UserPublic,
)
from models.vessel import BulkLoad, BulkLoadResult, BulkLoadRow, VesselContainer, VesselList

__all__ = [
    "MAX_FILING_PHOTOS", "WEBHOOK_EVENTS", "AppointmentBooking", "AppointmentPublic",
    "AppointmentSlotPublic", "AppointmentUpdate", "AuditEvent", "AuditEventPublic", "BulkLoad",
    "BulkLoadResult", "BulkLoadRow", "Certificate",
    "CertificateVerification", "Channel", "ClearanceStatus", "Container", "ContainerBase",
    "ContainerSeal", "CreditLevel", "Declaration", "DeclarationCreate", "DeclarationPublic",
    "DeclarationStatus", "DispatchPlanRecord", "DurationStats", "Enterprise",
    "EnterpriseCreate", "EnterprisePublic", "ErrorBody", "Filing", "FilingApproval",
    "FilingCreate", "FilingPhoto", "FilingPhotoPublic", "FilingPublic", "FilingReview",
    "FilingStatus", "GoodsCategory", "GoodsLine", "GoodsLineBase", "GoodsLinePublic",
    "InspectionMode", "InspectionOutcome", "InspectionResult", "InspectionStatus",
    "InspectionTask", "InspectionTaskPublic", "Job", "JobPublic", "JobStatus", "LoginThrottle",
    "Office", "OfficeCreate", "OfficePublic", "PackingPhoto", "PackingPhotoPublic", "Page",
    "PasswordChange", "PhotoFingerprint", "Reason", "ReleaseTimeStats", "Role", "SafeStr",
    "Screening", "ScreeningPublic", "SealEvent", "SealEventIn", "SealEventKind",
    "SecurityEvent", "StuckScreening", "Token", "Transit", "TransitCreate", "TransitPublic",
    "TransitSeal", "TransitSealPublic", "Transition", "TransportMode", "User", "UserCreate",
    "UserPublic", "UtcDatetime", "VesselContainer", "VesselList", "VisionDecision",
    "WebhookDelivery", "WebhookDeliveryPublic", "WebhookEndpoint", "WebhookEndpointCreate",
    "WebhookEndpointCreated", "WebhookEndpointPublic", "as_utc", "unsafe_character", "utcnow",
]
