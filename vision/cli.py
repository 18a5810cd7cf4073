"""``python -m vision check | bench | synth | calibrate``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def _check(args: argparse.Namespace) -> int:
    from vision.phash import perceptual_hash
    from vision.pipeline import check
    from vision.schema import DeclaredData, FilingReference, VisionInputError

    filing = None
    if args.filing:
        fpath = Path(args.filing)
        filing = FilingReference.from_json(json.loads(fpath.read_text()), fpath.parent)
    declared = DeclaredData.from_json(json.loads(Path(args.declared).read_text()))
    history: list[str] = []
    if args.history:
        for p in sorted(Path(args.history).iterdir()):
            if p.suffix.lower() in IMAGE_SUFFIXES:
                try:
                    history.append(perceptual_hash(p.read_bytes()))
                except VisionInputError:
                    continue
    today = date.fromisoformat(args.today) if args.today else None
    evidence_dir = Path(args.evidence_dir) if args.evidence_dir else None
    if evidence_dir:
        evidence_dir.mkdir(parents=True, exist_ok=True)
    out = []
    for photo in args.photos:
        path = Path(photo)
        try:
            data = path.read_bytes()
        except OSError as exc:
            out.append({"photo": photo, "decision": "retake_photo", "seconds": 0.0,
                        "reasons": [{"code": "unreadable_file", "message": str(exc)}]})
            continue
        res = check(data, filing, declared, history, today)
        item = {"photo": photo, **res.to_dict()}
        if evidence_dir and res.evidence_png:
            ev = evidence_dir / f"{path.stem}.evidence.png"
            ev.write_bytes(res.evidence_png)
            item["evidence"] = str(ev)
        out.append(item)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


def _bench(args: argparse.Namespace) -> int:
    from vision.bench import run, table

    summary = run(Path(args.data), args.limit, evidence=not args.no_evidence)
    rows = summary.pop("rows")
    if args.json:
        Path(args.json).write_text(json.dumps({**summary, "rows": rows}, indent=1))
    print(table(summary))
    print(json.dumps({k: v for k, v in summary.items() if k != "false_release_by_type"},
                     indent=1))
    return 0


def _synth(args: argparse.Namespace) -> int:
    from vision.synth.dataset import generate

    w, h = (int(v) for v in args.size.lower().split("x"))
    m = generate(Path(args.out), args.n, args.seed, size=(w, h), workers=args.workers)
    print(json.dumps({"out": args.out, "photos": len(m["samples"]),
                      "filings": len(m["filings"])}))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from vision.calibrate import main as calibrate

    print(json.dumps(calibrate(Path(args.rows)), indent=1))
    return 0


def _tampar(args: argparse.Namespace) -> int:
    from vision.realcheck import run

    print(json.dumps(run(Path(args.data), Path(args.out)), indent=1))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m vision")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="check packing photos against a filing")
    c.add_argument("--filing")
    c.add_argument("--declared", required=True)
    c.add_argument("--history", help="folder of earlier photos of other declarations")
    c.add_argument("--evidence-dir")
    c.add_argument("--today", help="YYYY-MM-DD (default: today)")
    c.add_argument("photos", nargs="+")
    c.set_defaults(func=_check)
    b = sub.add_parser("bench", help="benchmark on a synth set")
    b.add_argument("--data", required=True)
    b.add_argument("--limit", type=int)
    b.add_argument("--json", help="write all rows here")
    b.add_argument("--no-evidence", action="store_true")
    b.set_defaults(func=_bench)
    s = sub.add_parser("synth", help="write a labelled synthetic set")
    s.add_argument("--out", required=True)
    s.add_argument("--n", type=int, required=True)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--size", default="4000x3000", help="photo size WxH (default 12 MP)")
    s.add_argument("--workers", type=int, default=2)
    s.set_defaults(func=_synth)
    k = sub.add_parser("calibrate", help="suggest thresholds from calibration bench rows")
    k.add_argument("--rows", required=True, help="bench --json output of the calibration split")
    k.set_defaults(func=_calibrate)
    t = sub.add_parser("tampar", help="register the real TAMPAR parcel photos to its reference")
    t.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"
                                         / "tampar"))
    t.add_argument("--out", default=str(Path(__file__).resolve().parent / "docs"))
    t.set_defaults(func=_tampar)
    args = p.parse_args(argv)
    return int(args.func(args))
