"""Benchmark on a labelled synthetic set: false-release rate by anomaly type, clean release
rate, anomaly-score AUROC, latency percentiles."""

from __future__ import annotations

import functools
import json
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from vision.phash import perceptual_hash
from vision.pipeline import check, warm_up
from vision.reuse import files_history
from vision.schema import DeclaredData, FilingReference


def auroc(neg: list[float], pos: list[float]) -> float:
    """Probability that a random anomalous score exceeds a random clean one (ties half)."""
    if not neg or not pos:
        return float("nan")
    n = np.asarray(neg)[:, None]
    p = np.asarray(pos)[None, :]
    return float(((p > n).sum() + 0.5 * (p == n).sum()) / (n.size * p.size))


def run(data: Path, limit: int | None = None, evidence: bool = True) -> dict[str, Any]:
    manifest = json.loads((data / "manifest.json").read_text())
    today = date.fromisoformat(manifest.get("today", "2027-01-15"))
    filings = {fid: FilingReference.from_json(f, data / "filings")
               for fid, f in manifest["filings"].items()}
    warm_up()

    @functools.cache
    def hash_of(path: Path) -> str:
        return perceptual_hash(path.read_bytes())

    rows = []
    samples = manifest["samples"][:limit] if limit else manifest["samples"]
    for s in samples:
        history, earlier = files_history([data / h for h in s["history"]], hash_of)
        photo = (data / s["photo"]).read_bytes()
        t = time.perf_counter()
        res = check(photo, filings.get(s["filing"]), DeclaredData.from_json(s["declared"]),
                    history, today, with_evidence=evidence, history_photo=earlier)
        seconds = time.perf_counter() - t
        rows.append({"photo": s["photo"], "anomaly": s["anomaly"], "decision": res.decision,
                     "codes": [r.code for r in res.reasons], "seconds": seconds,
                     "scores": res.scores})
    return summarise(rows)


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    clean = [r for r in rows if r["anomaly"] is None]
    bad = [r for r in rows if r["anomaly"] is not None]
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    for r in bad:
        by_type[r["anomaly"]][r["decision"]] += 1
    lat = np.array([r["seconds"] for r in rows]) if rows else np.zeros(1)
    neg = [r["scores"].get("anomaly", 1.0) for r in clean]
    appearance_types = {"damaged_carton", "covered_label", "torn_label"}
    pos = [r["scores"].get("anomaly", 1.0) for r in bad if r["anomaly"] in appearance_types]
    released_bad = sum(r["decision"] == "release" for r in bad)
    return {
        "photos": len(rows), "clean": len(clean), "anomalous": len(bad),
        "false_release_rate": released_bad / max(1, len(bad)),
        "false_releases": released_bad,
        "false_release_by_type": {k: {"n": sum(v.values()), "released": v["release"],
                                      "rate": v["release"] / max(1, sum(v.values()))}
                                  for k, v in sorted(by_type.items())},
        "clean_release_rate": sum(r["decision"] == "release" for r in clean) / max(1, len(clean)),
        "clean_not_released_codes": dict(Counter(c for r in clean if r["decision"] != "release"
                                                 for c in r["codes"])),
        "anomaly_auroc_appearance": auroc(neg, pos),
        "anomaly_auroc_all": auroc(neg, [r["scores"].get("anomaly", 1.0) for r in bad]),
        "latency_p50_s": float(np.percentile(lat, 50)),
        "latency_p95_s": float(np.percentile(lat, 95)),
        "false_released_photos": [r["photo"] for r in bad if r["decision"] == "release"],
        "rows": rows,
    }


def table(summary: dict[str, Any]) -> str:
    lines = ["| anomaly type | photos | released (false release) | rate |", "|---|---|---|---|"]
    for k, v in summary["false_release_by_type"].items():
        lines.append(f"| {k} | {v['n']} | {v['released']} | {100 * v['rate']:.1f} % |")
    lines += [
        f"| **all anomalous** | {summary['anomalous']} | {summary['false_releases']} | "
        f"**{100 * summary['false_release_rate']:.2f} %** |",
        "",
        "| metric | value |", "|---|---|",
        f"| clean photos | {summary['clean']} |",
        f"| clean release rate | **{100 * summary['clean_release_rate']:.1f} %** |",
        f"| anomaly-score AUROC (clean vs damaged/covered/torn) | "
        f"{summary['anomaly_auroc_appearance']:.3f} |",
        f"| anomaly-score AUROC (clean vs all anomalies) | {summary['anomaly_auroc_all']:.3f} |",
        f"| latency p50 / p95 per photo | {summary['latency_p50_s']:.2f} s / "
        f"{summary['latency_p95_s']:.2f} s |",
    ]
    return "\n".join(lines)
