"""``python -m vision check`` prints one JSON object per photo and writes evidence."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from vision.cli import main


def test_cli_check_prints_json_and_writes_evidence(
        tmp_path: Path, clean_photo: bytes, reference_png: bytes,
        write: Callable[[str, bytes], Path], capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "front.png").write_bytes(reference_png)
    filing = write("filing.json", json.dumps({
        "id": "F1", "un_numbers": ["UN3480"], "transport_mode": "sea", "requires_9a": True,
        "packing_instruction": "P903", "reference_photos": {"front": "refs/front.png"}}).encode())
    declared = write("declared.json", json.dumps(
        {"un_numbers": ["UN3480"], "transport_mode": "sea"}).encode())
    photo = write("photo.jpg", clean_photo)
    bad = write("bad.jpg", b"garbage")
    history = tmp_path / "history"
    history.mkdir()
    (history / "old.jpg").write_bytes(clean_photo)
    rc = main(["check", "--filing", str(filing), "--declared", str(declared),
               "--history", str(history), "--evidence-dir", str(tmp_path / "ev"),
               "--today", "2027-01-15", str(photo), str(bad)])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["photo"] for o in out] == [str(photo), str(bad)]
    for o in out:
        assert {"photo", "decision", "reasons", "seconds"} <= set(o)
        assert all({"code", "message"} <= set(r) for r in o["reasons"])
    assert out[0]["decision"] == "inspect"  # same photo is in the history folder
    assert "reused_photo" in [r["code"] for r in out[0]["reasons"]]
    assert Path(out[0]["evidence"]).read_bytes().startswith(b"\x89PNG")
    assert out[1]["decision"] == "retake_photo"


def test_cli_synth_writes_a_labelled_set(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["synth", "--out", str(tmp_path / "set"), "--n", "4", "--seed", "5",
               "--size", "800x600", "--workers", "1"])
    assert rc == 0
    manifest = json.loads((tmp_path / "set" / "manifest.json").read_text())
    assert len(manifest["samples"]) == 4
    assert sum(s["anomaly"] is not None for s in manifest["samples"]) == 2
    for s in manifest["samples"]:
        assert (tmp_path / "set" / s["photo"]).is_file()
