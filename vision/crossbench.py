"""Cross-source bench: fit thresholds on one photo source, measure on another.

    python -m vision synth --out var/srcA --n 200 --seed 3003          # source A
    python -m vision synth2 --out var/srcB --n 240 --seed 5005         # source B
    python -m vision crossbench --a var/srcA --b var/srcB [--real ../shared/data]

Each set is run once through the engine with *permissive* parameters (every stage runs,
nothing is cut off), keeping every photo's scores and its threshold-free reasons; a
decision under any calibration is then replayed from them (:func:`vision.calibrate.replay`),
so one run serves every fit/test pair. Rows are cached next to the set (``rows.json``).

Metrics per test set: clean release, false release (anomalous photos released), each
anomaly type caught *for its own reason*, retake asked for bad-quality photos, and latency
(end to end, with the evidence image) per photo at the set's size (12 MP).
"""

from __future__ import annotations

import functools
import json
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from vision.calibrate import Outcome, propose, replay, upper_bound_95
from vision.params import MODEL_VERSION, CalibrationParams
from vision.phash import perceptual_hash
from vision.pipeline import check, warm_up
from vision.reuse import files_history
from vision.schema import DeclaredData, FilingReference

PERMISSIVE = CalibrationParams(
    version="permissive-replay", min_short_side_px=0, max_blur_px=1e9, min_brightness=-1.0,
    max_brightness=1e9, max_clipped=2.0, min_highlight=-1.0,
    max_reuse_hamming=-1, min_inliers=0,
    min_coverage=-1.0, min_design_ncc=-2.0, min_design_layout=-2.0, max_face_colour_level=1e9,
    min_label_ncc=-2.0, min_label_region=-2.0,
    max_anomaly_score=1e9)

OWN_REASONS: dict[str, set[str]] = {
    "missing_mark": {"missing_lithium_mark"},
    "wrong_un_number": {"un_number_mismatch"},
    "obsolete_mark": {"obsolete_lithium_mark"},
    "missing_9a": {"missing_9a_label"},
    "unexpected_class9": {"unexpected_class9_label"},
    "missing_cao": {"missing_cargo_aircraft_only"},
    "covered_label": {"label_damaged_or_covered", "appearance_anomaly"},
    "torn_label": {"label_damaged_or_covered", "appearance_anomaly"},
    "damaged_carton": {"appearance_anomaly", "label_damaged_or_covered"},
    "different_design": {"design_mismatch"},
    "reused_photo": {"reused_photo"},
}


def _reference_faces(filing: Mapping[str, Any], base: Path, out_dir: Path,
                     corrected: bool = False
                     ) -> tuple[dict[str, bytes], dict[str, float], list[str]]:
    """The filing's faces as design matching sees them: photos are rectified like the
    filing page does: with the detected quad as it is (``corrected=False``), or with the
    corners the exporter dragged into place (``corrected=True``: the true quad). Returns the
    detected quad's corner errors when the truth is known (share of the face diagonal) and the
    faces whose detected outline the filing page asks the exporter to check."""
    from vision.rectify import Quad, corner_error, detect_face_quad, rectify_face

    faces: dict[str, bytes] = {}
    errors: dict[str, float] = {}
    unsure: list[str] = []
    for face, rel in filing["reference_photos"].items():
        data = (base / rel).read_bytes()
        if filing.get("reference_kind") != "photo":
            faces[face] = data
            continue
        truth = (filing.get("reference_quads") or {}).get(face)
        tag = "corrected" if corrected and truth is not None else "rectified"
        out = out_dir / f"{filing['id']}_{face}_{tag}.png"  # for looking at, not reused
        quad = detect_face_quad(data)
        # rectified again every run: a cached face would outlive a change of the detector
        use = Quad.from_points(truth) if tag == "corrected" else quad
        faces[face] = rectify_face(data, use)
        out.write_bytes(faces[face])
        if truth is not None:
            errors[face] = corner_error(quad.array(), truth)
        if quad.needs_check:
            unsure.append(face)
    return faces, errors, unsure


def filing_reference(filing: Mapping[str, Any], faces: Mapping[str, bytes]
                     ) -> FilingReference:
    """A manifest's filing as the engine sees it, with these (rectified) faces."""
    base = FilingReference.from_json({k: v for k, v in filing.items()
                                      if k != "reference_photos"})
    return replace(base, reference_photos=dict(faces))


def warned_filings(data: Path) -> dict[str, list[str]]:
    """The filings the filing page asks the exporter to check: a face whose outline the
    detector was unsure of, or faces, flattened from the detected corners, that do not show
    every label the regime requires (which also holds the officer's approval). In the
    product these corners get corrected before any packing photo is judged against them.
    Filing id -> the reasons: ``outline_to_check`` and the missing labels."""
    from vision.filed_faces import labels_seen, missing_labels

    manifest = json.loads((data / "manifest.json").read_text())
    warned = {}
    for fid, f in manifest["filings"].items():
        faces, _errors, unsure = _reference_faces(f, data / "filings", data / "rectified")
        required, _forbidden = filing_reference(f, faces).marks()
        reasons = ["outline_to_check"] if unsure else []
        reasons += missing_labels(required, (labels_seen(face) for face in faces.values()))
        if reasons:
            warned[fid] = reasons
    return warned


def collect(data: Path, limit: int | None = None, refresh: bool = False,
            corrected: bool = False) -> dict[str, Any]:
    """Run a set once with permissive parameters; cached in ``data/rows.json`` (or
    ``rows-corrected.json`` with exporter-corrected reference quads)."""
    cache = data / ("rows-corrected.json" if corrected else "rows.json")
    if cache.exists() and not refresh:
        cached = json.loads(cache.read_text())
        if cached.get("model_version") == MODEL_VERSION and (limit is None or
                                                             cached.get("limit") == limit):
            return cached
    manifest = json.loads((data / "manifest.json").read_text())
    today = date.fromisoformat(manifest.get("today", "2027-01-15"))
    (data / "rectified").mkdir(exist_ok=True)
    filings: dict[str, FilingReference] = {}
    quad_errors: list[float] = []
    for fid, f in manifest["filings"].items():
        faces, errors, _unsure = _reference_faces(f, data / "filings", data / "rectified",
                                                  corrected)
        quad_errors += errors.values()
        filings[fid] = filing_reference(f, faces)
    warm_up()

    @functools.cache
    def hash_of(path: Path) -> str:
        return perceptual_hash(path.read_bytes())

    rows = []
    for s in manifest["samples"][:limit] if limit else manifest["samples"]:
        history, earlier = files_history([data / h for h in s["history"]], hash_of)
        photo = (data / s["photo"]).read_bytes()
        t = time.perf_counter()
        res = check(photo, filings.get(s["filing"]), DeclaredData.from_json(s["declared"]),
                    history, today, params=PERMISSIVE, history_photo=earlier)
        rows.append({"photo": s["photo"], "filing": s.get("filing"), "anomaly": s["anomaly"],
                     "decision": res.decision,
                     "codes": [r.code for r in res.reasons],
                     "seconds": time.perf_counter() - t, "scores": res.scores})
    out = {"set": str(data), "source": manifest.get("source", "A"), "limit": limit,
           "model_version": MODEL_VERSION, "rows": rows, "reference_quad_errors": quad_errors}
    cache.write_text(json.dumps(out))
    return out


def outcomes(rows: Sequence[Mapping[str, Any]]) -> list[Outcome]:
    """Truth as the officer would give it: the reasons that are right for each photo."""
    def own(kind: str | None) -> frozenset[str]:
        if kind == "bad_quality":
            return frozenset({"blurred", "underexposed", "overexposed"})
        return frozenset(OWN_REASONS.get(kind or "", set()))

    return [Outcome(r["scores"], r["codes"], r["anomaly"] is not None, r["anomaly"],
                    own(r["anomaly"]), r.get("filing")) for r in rows]


def evaluate(rows: Sequence[Mapping[str, Any]], params: CalibrationParams) -> dict[str, Any]:
    clean = released_clean = bad = released_bad = bq = bq_retake = clean_retake = 0
    by_type: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    clean_codes: dict[str, int] = defaultdict(int)
    for r in rows:
        decision, codes = replay(r["scores"], r["codes"], params)
        kind = r["anomaly"]
        if kind is None:
            clean += 1
            released_clean += decision == "release"
            clean_retake += decision == "retake_photo"
            for c in codes:
                clean_codes[c] += 1
        elif kind == "bad_quality":
            bq += 1
            bq_retake += decision == "retake_photo"
        else:
            bad += 1
            released_bad += decision == "release"
            own = OWN_REASONS.get(kind, set())
            by_type[kind][0] += 1
            by_type[kind][1] += bool(codes & own)
    lat = np.array([r["seconds"] for r in rows]) if rows else np.zeros(1)
    return {
        "photos": len(rows), "clean": clean, "anomalous": bad, "bad_quality": bq,
        "clean_release": released_clean / clean if clean else None,
        "clean_retake": clean_retake / clean if clean else None,
        "false_release": released_bad / bad if bad else None, "false_releases": released_bad,
        "false_release_upper_95": upper_bound_95(released_bad, bad),
        "own_reason": {k: v[1] / max(1, v[0]) for k, v in sorted(by_type.items())},
        "own_reason_n": {k: v[0] for k, v in sorted(by_type.items())},
        "retake_on_bad_quality": bq_retake / max(1, bq) if bq else None,
        "clean_not_released": dict(sorted(clean_codes.items(), key=lambda kv: -kv[1])),
        "latency_p50_s": float(np.percentile(lat, 50)),
        "latency_p95_s": float(np.percentile(lat, 95)),
    }


def fit(rows: Sequence[Mapping[str, Any]], version: str,
        current: CalibrationParams | None = None) -> CalibrationParams:
    return propose(outcomes(rows), current, version=version).params


def wrong_versions() -> dict[str, CalibrationParams]:
    """Versions in force that are wrong in a known direction: a fit should repair them where
    its own labelled photos show the fault; the repair table shows what that does to the
    other source."""
    d = CalibrationParams()
    return {"appearance limit 0.5 -> 0.3 (too strict)": replace(d, max_anomaly_score=0.3),
            "appearance limit 0.5 -> 1.0 (too loose)": replace(d, max_anomaly_score=1.0),
            "layout floor 0.70 -> 0.95 (too strict)": replace(d, min_design_layout=0.95),
            "label floors 0.75 / 0.5 -> 0.3 / 0.2 (too loose)": replace(
                d, min_label_ncc=0.3, min_label_region=0.2)}


def repair_table(rows_a: Sequence[Mapping[str, Any]], rows_b: Sequence[Mapping[str, Any]]
                 ) -> str:
    """From each wrong version in force, fit on one source and test on the other. Cells:
    clean release / false releases / lowest own-reason rate."""
    def cell(m: Mapping[str, Any]) -> str:
        own = min(m["own_reason"].values(), default=1.0)
        return (f"{_pct(m['clean_release'])} / {m['false_releases']}/{m['anomalous']} / "
                f"{_pct(own)}")

    lines = ["| version in force | fit on → test on | in force | after the fit |",
             "|---|---|---|---|"]
    for label, wrong in wrong_versions().items():
        for name, fit_rows, test_rows in (("A → B", rows_a, rows_b), ("B → A", rows_b, rows_a)):
            fitted = fit(fit_rows, "repair", wrong)
            lines.append(f"| {label} | {name} | {cell(evaluate(test_rows, wrong))} | "
                         f"{cell(evaluate(test_rows, fitted))} |")
    return "\n".join(lines)


def _pct(v: float | None) -> str:
    return "n/a" if v is None else f"{100 * v:.1f} %"


def table(results: Sequence[tuple[str, str, dict[str, Any]]]) -> str:
    kinds = sorted({k for _f, _t, m in results for k in m["own_reason"]})
    head = ["fit on → test on", "clean release", "false release (95 % bound)",
            "retake on bad quality", "p50 s/photo", *[f"caught: {k}" for k in kinds]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for fit_on, test_on, m in results:
        cells = [f"{fit_on} → {test_on}", _pct(m["clean_release"]),
                 f"{_pct(m['false_release'])} ({m['false_releases']}/{m['anomalous']}; "
                 f"≤ {_pct(m['false_release_upper_95'])})",
                 _pct(m["retake_on_bad_quality"]), f"{m['latency_p50_s']:.2f}"]
        for k in kinds:
            n = m["own_reason_n"].get(k)
            cells.append(f"{_pct(m['own_reason'][k])} (n={n})" if n else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(a: Path, b: Path, real: Path | None = None, limit: int | None = None,
        corrected: bool = False) -> dict[str, Any]:
    rows_a = collect(a, limit)["rows"]
    rows_b = collect(b, limit)["rows"]
    warned: dict[str, list[str]] | None = None
    if corrected:
        # the product's flow: the filing page warns about these faces and their corners
        # are dragged into place before any packing photo is judged (or labelled) with them
        rows_bc = collect(b, limit, corrected=True)["rows"]
        warned = warned_filings(b)
        rows_b = [c if d["filing"] in warned else d for d, c in zip(rows_b, rows_bc, strict=True)]
    tag = "B (warned faces corrected)" if corrected else "B (detected quads)"
    fit_a, fit_b = fit(rows_a, "fit-A"), fit(rows_b, "fit-B")
    fit_ab = fit(list(rows_a) + list(rows_b), "fit-A+B")
    results = [("A", tag, evaluate(rows_b, fit_a)),
               ("defaults", tag, evaluate(rows_b, CalibrationParams())),
               ("B", "A", evaluate(rows_a, fit_b)),
               ("defaults", "A", evaluate(rows_a, CalibrationParams()))]
    if corrected:
        results += [("A", "B (every face corrected)", evaluate(rows_bc, fit_a))]
    unknown: list[dict[str, Any]] = []
    if real is not None:
        from vision.realset import collect_real

        real_rows = collect_real(real)
        known = [r for r in real_rows if r.get("truth_known", True)]
        results += [("A+B", "real", evaluate(known, fit_ab)),
                    ("defaults", "real", evaluate(known, CalibrationParams()))]
        for r in real_rows:
            if r.get("truth_known", True):
                continue
            decision, codes = replay(r["scores"], r["codes"], fit_ab)
            unknown.append({"photo": r["photo"], "decision": decision, "codes": sorted(codes),
                            "scores": {k: round(v, 3) for k, v in r["scores"].items()
                                       if k.startswith(("design", "anomaly", "label"))}})
    return {"table": table(results), "results": results,
            "repair_table": repair_table(rows_a, rows_b),
            "warned_filings_B": warned,
            "params": {"A": fit_a.to_dict(), "B": fit_b.to_dict(), "A+B": fit_ab.to_dict()},
            "real_truth_unknown": unknown,
            "reference_quad_errors_B": collect(b, limit).get("reference_quad_errors", [])}
