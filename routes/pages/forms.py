"""Reading HTML forms into the API's own request schemas (so validation is the schema's)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from routes.pages.i18n import N_

REASON_TITLES = {
    "no_vision_result": N_("No automated photo check ran"),
    "vision_error": N_("The photo check failed"),
    "unreadable_file": N_("The file could not be read"),
    "corrupt_image": N_("The file could not be read"),
    "check_failed": N_("The photo check failed"),
    "reused_photo": N_("A photo from another shipment was reused"),
    "no_approved_filing": N_("No approved packaging filing"),
    "declaration_filing_mismatch": N_("The declaration does not match the filing"),
    "transport_mode_mismatch": N_("Transport mode differs from the filing"),
    "design_mismatch": N_("Packaging differs from the filed design"),
    "no_reference_photos": N_("The filing has no reference photos"),
    "missing_lithium_mark": N_("Lithium battery mark missing"),
    "un_number_unreadable": N_("UN number unreadable"),
    "un_number_mismatch": N_("UN number differs from the declaration"),
    "obsolete_lithium_mark": N_("Obsolete lithium battery mark"),
    "missing_9a_label": N_("Class 9A label missing"),
    "missing_class9_label": N_("Class 9 label missing"),
    "missing_cargo_aircraft_only": N_("“Cargo Aircraft Only” label missing"),
    "appearance_anomaly": N_("Unusual appearance"),
    "low_resolution": N_("Resolution too low"),
    "blurred": N_("Photo is blurred"),
    "underexposed": N_("Photo is too dark"),
    "overexposed": N_("Photo is too bright"),
}


def errors_of(exc: ValidationError) -> list[str]:
    """One line per problem, naming the field the way the form does."""
    lines = []
    for error in exc.errors()[:20]:
        where = ".".join(str(part) for part in error.get("loc", ()))
        lines.append(f"{where}: {error.get('msg', 'invalid')}")
    return lines


def text(value: object) -> str:
    return str(value or "").strip()


def optional_float(value: object) -> float | str | None:
    raw = text(value)
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        return raw  # the schema rejects it with a message naming the field


def local_to_utc(value: object, timezone: str) -> datetime | str | None:
    """An `<input type=datetime-local>` value, read in the port's time zone."""
    raw = text(value)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(timezone))
    except ValueError:
        return raw
