"""Renders an e-certificate as a one-page PDF with a QR code pointing at its verify URL.

The signed contents and their Ed25519 signature travel inside the PDF as an attachment
(`SIGNATURE_ATTACHMENT`), so `python -m customs verify-pdf FILE.pdf` can check a certificate
offline against the published key.
"""

import contextlib
import io
import json
import re
import zlib
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import segno
from fpdf import FPDF

_CJK_FONT_PACKAGE = ("cvttf_NotoSansCJK_Regular", "NotoSansCJKtc-Regular.otf")
_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)


def _font_path() -> Path | None:
    """Noto Sans CJK from its PyPI package (a dependency, so no system font is assumed); the
    system candidates only if that package is missing."""
    with contextlib.suppress(ModuleNotFoundError):
        packaged = Path(str(resources.files(_CJK_FONT_PACKAGE[0]) / _CJK_FONT_PACKAGE[1]))
        if packaged.is_file():
            return packaged
    return next((p for p in _FONT_CANDIDATES if p.exists()), None)


def _font(pdf: FPDF) -> str:
    path = _font_path()
    if path is None:
        return "helvetica"
    pdf.add_font("cert", fname=str(path))
    return "cert"


def _local_time(value: str, timezone: str) -> str:
    """An ISO instant as a time in the port's zone, e.g. '2026-12-01 18:05 (Asia/Shanghai)'."""
    try:
        moment = datetime.fromisoformat(value).astimezone(ZoneInfo(timezone))
    except ValueError:
        return value
    return f"{moment:%Y-%m-%d %H:%M} ({timezone})"


def _text(font: str, value: object) -> str:
    text = str(value)
    return text if font != "helvetica" else text.encode("latin-1", "replace").decode("latin-1")


SIGNATURE_ATTACHMENT = "clearlane-signature.json"


CHANNELS = {"green": "绿色通道，免检直放 Green channel, released without inspection",
            "red": "查验后放行 Released after inspection"}


def render_pdf(payload: dict[str, Any], signature: str, key_id: str, verify_url: str,
               signed_envelope: bytes | None = None, timezone: str = "UTC") -> bytes:
    """Bilingual (zh-CN / en) certificate; times in the port's time zone."""
    pdf = FPDF(format="A4")
    pdf.set_title(f"Release certificate {payload['certificate_no']}")
    pdf.set_creator("ClearLane")
    pdf.add_page()
    font = _font(pdf)
    pdf.set_font(font, size=18)
    pdf.cell(0, 12, _text(font, "海关放行证书 Customs release certificate"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=10)
    rows = [
        ("证书编号 Certificate no.", payload["certificate_no"]),
        ("签发机关 Issued by", payload.get("issuer", "-")),
        ("报关单号 Declaration no.", payload["declaration_no"]),
        ("出口商 Exporter", f"{payload['exporter']} ({payload['customs_code']})"),
        ("口岸/船名/航次 Port / vessel / voyage", f"{payload['port']} / {payload['vessel']} / "
                                                 f"{payload['voyage']}"),
        ("集装箱 Containers", ", ".join(payload["containers"]) or "-"),
        ("通道 Channel", CHANNELS.get(payload["channel"], payload["channel"])),
        ("放行时间 Released at", _local_time(payload["released_at"], timezone)),
        ("签发时间 Issued at", _local_time(payload["issued_at"], timezone)),
    ]
    for label, value in rows:
        pdf.cell(70, 7, _text(font, label))
        pdf.multi_cell(0, 7, _text(font, value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(font, size=11)
    pdf.cell(0, 8, _text(font, "货物 Goods"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=9)
    for line in payload["goods"]:
        pdf.multi_cell(0, 6, _text(font, (
            f"{line['line_no']}. HS {line['hs_code']} {line.get('un_number') or ''} "
            f"{line['description']} - {line['quantity']} 件 packages, "
            f"{line['gross_weight_kg']} kg")), new_x="LMARGIN", new_y="NEXT")
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.ln(4)
    y = pdf.get_y()
    pdf.image(qr, x=pdf.l_margin, y=y, w=40, h=40)
    pdf.set_xy(pdf.l_margin + 45, y)
    pdf.multi_cell(0, 5, _text(font, (
        f"扫码验证 Scan to verify, or open:\n{verify_url}\n\n"
        f"Ed25519 签名 signature (key {key_id}):\n"
        f"{signature}")), new_x="LMARGIN", new_y="NEXT")
    if signed_envelope is not None:
        pdf.embed_file(bytes=signed_envelope, basename=SIGNATURE_ATTACHMENT,
                       mime_type="application/json", compress=False,
                       desc="signed certificate contents (Ed25519)")
    return bytes(pdf.output())


_ENVELOPE_MARKER = b'{"alg":"Ed25519","format":"clearlane-certificate/1"'
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)


def extract_envelope(pdf: bytes) -> dict[str, Any]:
    """The signed envelope attached to a certificate PDF (also inside Flate streams, for a PDF
    a tool has re-saved). Raises ValueError when there is none."""
    candidates = [pdf]
    for match in _STREAM.finditer(pdf):
        with contextlib.suppress(zlib.error):
            candidates.append(zlib.decompress(match.group(1)))
    for data in candidates:
        start = data.find(_ENVELOPE_MARKER)
        if start >= 0:
            value, _ = json.JSONDecoder().raw_decode(data[start:].decode("ascii", "replace"))
            if isinstance(value, dict):
                return value
    raise ValueError("this PDF carries no ClearLane signature; is it a ClearLane certificate?")
