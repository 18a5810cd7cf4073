"""Choose the stage thresholds on the calibration split (``synth --seed 1001``).

    python -m vision bench --data var/vision-calib --json var/calib.json
    python -m vision calibrate --rows var/calib.json

Rule, per threshold: no anomalous calibration photo of the kind the stage is meant to catch
may pass it, with a safety margin; within that, keep as many clean photos as possible. The
printed values are copied into ``vision/thresholds.py`` (reviewed by a person, not applied
silently); the held-out split (``--seed 2002``) is only used by ``bench`` afterwards.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

APPEARANCE = ("damaged_carton", "covered_label", "torn_label")


def _scores(rows: list[dict[str, Any]], key: str, kinds: set[str | None]) -> np.ndarray:
    return np.array([r["scores"][key] for r in rows
                     if r["anomaly"] in kinds and key in r["scores"]], float)


def suggest(rows: list[dict[str, Any]]) -> dict[str, Any]:
    clean = {None}
    out: dict[str, Any] = {}
    # reuse: re-encoded copies vs other photos of the same design
    reused = _scores(rows, "reuse_hamming", {"reused_photo"})
    others = _scores(rows, "reuse_hamming", clean)
    out["reuse"] = {"reused_max": float(reused.max()) if reused.size else None,
                    "clean_min": float(others.min()) if others.size else None}
    if reused.size and others.size:
        out["MAX_REUSE_HAMMING"] = int((reused.max() + others.min()) // 2)
    # design: different design vs clean
    for key, name in (("design_ncc", "MIN_DESIGN_NCC"), ("design_coverage", "MIN_COVERAGE"),
                      ("design_inliers", "MIN_INLIERS")):
        diff = _scores(rows, key, {"different_design"})
        ok = _scores(rows, key, clean)
        out[key] = {"different_max": float(diff.max()) if diff.size else None,
                    "clean_p01": float(np.percentile(ok, 1)) if ok.size else None,
                    "clean_min": float(ok.min()) if ok.size else None}
        if diff.size and ok.size:
            out[name] = float((diff.max() + ok.min()) / 2) if ok.min() > diff.max() else float(
                diff.max() * 1.02)
    # label integrity and appearance, jointly: the label check first (clean minimum with a
    # margin), then the appearance threshold at 0.9 x the lowest score among the anomalous
    # photos that no other stage catches
    li_clean = _scores(rows, "label_integrity", clean)
    li = round(float(li_clean.min()) - 0.1, 2) if li_clean.size else 0.5
    out["MIN_LABEL_NCC"] = li
    out["label_integrity"] = {"clean_min": float(li_clean.min()) if li_clean.size else None,
                              **{k: float(_scores(rows, "label_integrity", {k}).max())
                                 for k in APPEARANCE if _scores(rows, "label_integrity", {k}).size}}

    def caught(r: dict[str, Any]) -> bool:
        codes = set(r["codes"]) - {"appearance_anomaly", "label_damaged_or_covered"}
        s = r["scores"]
        return bool(codes) or s.get("label_integrity", 1.0) < li or r["decision"] == \
            "retake_photo"

    uncaught = [r["scores"]["anomaly"] for r in rows
                if r["anomaly"] is not None and not caught(r) and "anomaly" in r["scores"]]
    ok = _scores(rows, "anomaly", clean)
    out["anomaly"] = {"uncaught_min": min(uncaught) if uncaught else None,
                      "n_uncaught": len(uncaught),
                      "clean_p95": float(np.percentile(ok, 95)) if ok.size else None,
                      "clean_max": float(ok.max()) if ok.size else None}
    if uncaught:
        thr = 0.9 * min(uncaught)
        out["MAX_ANOMALY_SCORE"] = round(thr, 3)
        out["anomaly"]["clean_pass_at_threshold"] = float((ok <= thr).mean()) if ok.size else None
    return out


def main(rows_path: Path) -> dict[str, Any]:
    data = json.loads(rows_path.read_text())
    return suggest(data["rows"])
