"""Closed vocabularies shared by tables, schemas and the domain rules."""

from enum import StrEnum


class Role(StrEnum):
    exporter = "exporter"
    officer = "officer"
    port_operator = "port_operator"
    admin = "admin"


class CreditLevel(StrEnum):
    advanced = "advanced"
    general = "general"
    discredited = "discredited"


class TransportMode(StrEnum):
    sea = "sea"
    air = "air"
    road = "road"
    rail = "rail"


class FilingStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class DeclarationStatus(StrEnum):
    draft = "DRAFT"
    submitted = "SUBMITTED"
    screening = "SCREENING"
    photos_rejected = "PHOTOS_REJECTED"
    inspection_required = "INSPECTION_REQUIRED"
    inspection_scheduled = "INSPECTION_SCHEDULED"
    inspected = "INSPECTED"
    released = "RELEASED"
    rejected = "REJECTED"
    loaded = "LOADED"
    cancelled = "CANCELLED"


class GoodsCategory(StrEnum):
    """Drives dispatch priority: the first three ride the green channel."""

    perishable = "perishable"
    live_animals = "live_animals"
    fresh_food = "fresh_food"
    dangerous_goods = "dangerous_goods"
    general = "general"


class Channel(StrEnum):
    green = "green"
    red = "red"


class InspectionMode(StrEnum):
    onsite = "onsite"
    remote = "remote"


class InspectionStatus(StrEnum):
    open = "open"
    scheduled = "scheduled"
    done = "done"
    cancelled = "cancelled"


class InspectionOutcome(StrEnum):
    passed = "pass"
    failed = "fail"


class VisionDecision(StrEnum):
    release = "release"
    inspect = "inspect"
    retake_photo = "retake_photo"


class JobStatus(StrEnum):
    pending = "pending"
    running = "running"
    done = "done"
    failed = "failed"


class SealEventKind(StrEnum):
    applied = "applied"
    departed = "departed"
    arrived = "arrived"
    opened = "opened"
    tampered = "tampered"
