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

APPEARANCE = {"damaged_carton", "covered_label", "torn_label"}


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
    # appearance: damaged / covered / torn vs clean, threshold just below the lowest anomaly
    # score among appearance anomalies that no other stage catches
    caught_elsewhere = {"missing_lithium_mark", "un_number_unreadable", "missing_9a_label",
                        "missing_class9_label", "design_mismatch", "un_number_mismatch"}
    uncaught = [r["scores"]["anomaly"] for r in rows if r["anomaly"] in APPEARANCE
                and "anomaly" in r["scores"] and not set(r["codes"]) & caught_elsewhere]
    ok = _scores(rows, "anomaly", clean)
    out["anomaly"] = {"uncaught_appearance_min": min(uncaught) if uncaught else None,
                      "n_uncaught_appearance": len(uncaught),
                      "clean_p95": float(np.percentile(ok, 95)) if ok.size else None,
                      "clean_p99": float(np.percentile(ok, 99)) if ok.size else None,
                      "clean_max": float(ok.max()) if ok.size else None}
    if uncaught:
        thr = 0.9 * min(uncaught)
        out["MAX_ANOMALY_SCORE"] = round(thr, 3)
        out["anomaly"]["clean_pass_at_threshold"] = float((ok <= thr).mean()) if ok.size else None
    return out


def main(rows_path: Path) -> dict[str, Any]:
    data = json.loads(rows_path.read_text())
    return suggest(data["rows"])
