"""The certificate PDF is bilingual, with a CJK font from an installed package and times in the
port's time zone."""

from customs.certificate_pdf import _font_path, _local_time, render_pdf

PAYLOAD = {
    "certificate_no": "CLCABCDEFGHJKLMNPQ", "issuer": "厦门海关海沧办事处",
    "declaration_no": "CL2026120100000001", "exporter": "厦门海沧锂电有限公司",
    "customs_code": "3502960ABC", "port": "CNXMN", "vessel": "COSCO XIAMEN", "voyage": "041E",
    "containers": ["CSQU3054383"], "channel": "green",
    "released_at": "2026-12-01T10:05:00+00:00", "issued_at": "2026-12-01T10:05:01+00:00",
    "goods": [{"line_no": 1, "hs_code": "8507600090", "un_number": "UN3480",
               "description": "锂离子电池组", "quantity": 120, "gross_weight_kg": 2400}],
}


def test_the_cjk_font_comes_from_an_installed_package_not_the_system() -> None:
    path = _font_path()
    assert path is not None and "site-packages" in str(path) and path.suffix == ".otf"


def test_the_certificate_embeds_the_cjk_font_subset() -> None:
    pdf = render_pdf(PAYLOAD, "c2lnbmF0dXJl", "key-1", "http://x/verify/CLC?t=1",
                     timezone="Asia/Shanghai")
    assert pdf.startswith(b"%PDF-") and b"NotoSansCJK" in pdf
    assert len(pdf) < 200_000  # a subset, not the 16 MB font


def test_times_are_shown_in_the_port_time_zone() -> None:
    assert _local_time("2026-12-01T10:05:00+00:00", "Asia/Shanghai") == \
        "2026-12-01 18:05 (Asia/Shanghai)"
