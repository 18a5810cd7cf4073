"""Reading HTML forms into the API's own request schemas (so validation is the schema's)."""

from datetime import datetime
from typing import Any
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
    "labels_too_small": N_("Labels too small in the photo"),
    "blurred": N_("Photo is blurred"),
    "underexposed": N_("Photo is too dark"),
    "overexposed": N_("Photo is too bright"),
}


# Pydantic's error types in Chinese; anything else gets the generic sentence.
VALIDATION_ZH = {
    "missing": "必填",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than": "须大于 {gt}",
    "greater_than_equal": "须不小于 {ge}",
    "less_than": "须小于 {lt}",
    "less_than_equal": "须不大于 {le}",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "bool_parsing": "须为是或否",
    "enum": "须为以下之一：{expected}",
    "literal_error": "须为以下之一：{expected}",
    "datetime_parsing": "日期时间格式不正确",
    "datetime_from_date_parsing": "日期时间格式不正确",
    "value_error": "值无效",
    "url_parsing": "网址格式不正确",
    "json_invalid": "不是有效的 JSON",
}


def validation_message(error: Any, lang: str) -> str:
    """'field: what is wrong', in Chinese unless the visitor chose English."""
    where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "query", "path"))
    where = where or "request"
    if lang == "en":
        return f"{where}: {error.get('msg', 'invalid')}"
    template = VALIDATION_ZH.get(str(error.get("type", "")), "值无效")
    try:
        problem = template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        problem = "值无效"
    return f"{where}：{problem}"


def errors_of(exc: ValidationError, lang: str = "en") -> list[str]:
    """One line per problem, naming the field the way the form does."""
    return [validation_message(error, lang) for error in exc.errors()[:20]]


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
