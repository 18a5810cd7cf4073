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


def test_cli_batch_prints_one_result_per_case_and_reports_bad_lines(
        tmp_path: Path, clean_photo: bytes, reference_png: bytes,
        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "front.png").write_bytes(reference_png)
    (tmp_path / "photo.jpg").write_bytes(clean_photo)
    (tmp_path / "old.jpg").write_bytes(clean_photo)
    filing = {"id": "F1", "un_numbers": ["UN3480"], "transport_mode": "sea",
              "provision": "fully_regulated", "reference_photos": {"front": "front.png"}}
    (tmp_path / "filing.json").write_text(json.dumps(filing))
    declared = {"un_numbers": ["UN3480"], "transport_mode": "sea"}
    cases = [
        {"id": "clean", "photo": "photo.jpg", "filing": "filing.json", "declared": declared},
        {"id": "reused", "photo": "photo.jpg", "filing": filing, "declared": declared,
         "history": ["old.jpg"]},
        {"id": "no-photo", "filing": filing, "declared": declared},
    ]
    batch = tmp_path / "cases.jsonl"
    batch.write_text("\n".join(json.dumps(c) for c in cases) + "\n\nnot json\n")
    rc = main(["check", "--batch", str(batch), "--today", "2027-01-15"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 1  # two lines could not be checked
    assert len(lines) == 4
    assert lines[0]["id"] == "clean" and lines[0]["decision"] == "release", lines[0]
    assert lines[0]["model_version"] and lines[0]["calibration_version"]
    assert lines[0]["photos"][0]["photo"] == "photo.jpg"
    reused = lines[1]
    assert reused["decision"] == "inspect"
    reason = next(r for r in reused["reasons"] if r["code"] == "reused_photo")
    assert reason["photos"] == [0]
    assert "photo" in lines[2]["error"] and lines[2]["line"] == 3
    assert lines[3]["line"] == 5 and "JSONDecodeError" in lines[3]["error"]


@pytest.mark.slow
def test_cli_synth2_writes_a_set_with_photographed_references(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["synth2", "--out", str(tmp_path / "b"), "--n", "3", "--seed", "9",
               "--filings", "1", "--size", "1000x750", "--workers", "1"])
    assert rc == 0
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    filing = next(iter(manifest["filings"].values()))
    assert filing["reference_kind"] == "photo" and filing["provision"]
    assert (tmp_path / "b" / "filings" / filing["reference_photos"]["front"]).is_file()
    assert len(manifest["samples"]) == 3


def test_cli_synth_refuses_an_anomaly_share_it_cannot_make_and_writes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command, share in (("synth2", "0.95"), ("synth", "1.5")):
        rc = main([command, "--out", str(tmp_path / command), "--n", "3", "--seed", "9",
                   "--anomalies", share])
        assert rc == 2
        assert "anomaly share must be between 0 and" in capsys.readouterr().err
        assert not (tmp_path / command).exists()
