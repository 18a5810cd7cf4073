"""Renders an e-certificate as a one-page PDF with a QR code pointing at its verify URL."""

import io
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF

_FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
)


def _font(pdf: FPDF) -> str:
    for path in _FONT_CANDIDATES:
        if path.exists():
            pdf.add_font("cert", fname=str(path))
            return "cert"
    return "helvetica"


def _text(font: str, value: object) -> str:
    text = str(value)
    return text if font != "helvetica" else text.encode("latin-1", "replace").decode("latin-1")


def render_pdf(payload: dict[str, Any], signature: str, key_id: str, verify_url: str) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(f"Release certificate {payload['certificate_no']}")
    pdf.set_creator("ClearLane")
    pdf.add_page()
    font = _font(pdf)
    pdf.set_font(font, size=18)
    pdf.cell(0, 12, _text(font, "Customs release certificate"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=10)
    rows = [
        ("Certificate no.", payload["certificate_no"]),
        ("Declaration no.", payload["declaration_no"]),
        ("Exporter", f"{payload['exporter']} ({payload['customs_code']})"),
        ("Port / vessel / voyage", f"{payload['port']} / {payload['vessel']} / "
                                   f"{payload['voyage']}"),
        ("Containers", ", ".join(payload["containers"]) or "-"),
        ("Channel", payload["channel"]),
        ("Released at (UTC)", payload["released_at"]),
        ("Issued at (UTC)", payload["issued_at"]),
    ]
    for label, value in rows:
        pdf.cell(55, 7, _text(font, label))
        pdf.multi_cell(0, 7, _text(font, value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(font, size=11)
    pdf.cell(0, 8, _text(font, "Goods"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(font, size=9)
    for line in payload["goods"]:
        pdf.multi_cell(0, 6, _text(font, (
            f"{line['line_no']}. HS {line['hs_code']} {line.get('un_number') or ''} "
            f"{line['description']} - {line['quantity']} packages, "
            f"{line['gross_weight_kg']} kg")), new_x="LMARGIN", new_y="NEXT")
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.ln(4)
    y = pdf.get_y()
    pdf.image(qr, x=pdf.l_margin, y=y, w=40, h=40)
    pdf.set_xy(pdf.l_margin + 45, y)
    pdf.multi_cell(0, 5, _text(font, (
        f"Scan to verify, or open:\n{verify_url}\n\nEd25519 signature (key {key_id}):\n"
        f"{signature}")), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
