"""``python -m vision check | bench | synth | calibrate``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from vision.learned.net import WEIGHTS

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def _load_filing(value: object, base: Path) -> object:
    from vision.schema import FilingReference

    if value is None:
        return None
    if isinstance(value, str):
        path = Path(value) if Path(value).is_absolute() else base / value
        return FilingReference.from_json(json.loads(path.read_text()), path.parent)
    if isinstance(value, dict):
        return FilingReference.from_json(value, base)
    raise ValueError("'filing' must be an object or the path of a FILING.json")


def _batch_case(line: str, base: Path, today: date | None) -> dict[str, object]:
    from vision.pipeline import check_declaration
    from vision.reuse import files_history
    from vision.schema import DeclaredData

    case = json.loads(line)
    if not isinstance(case, dict):
        raise ValueError("each line must be a JSON object")
    photos = case.get("photos") or ([case["photo"]] if "photo" in case else [])
    if not photos:
        raise ValueError("'photo' (a path) or 'photos' (a list of paths) is required")
    declared_raw = case.get("declared") or {}
    if isinstance(declared_raw, str):
        declared_raw = json.loads((base / declared_raw).read_text())
    declared = DeclaredData.from_json(declared_raw)
    history, earlier = files_history(base / h for h in case.get("history") or [])
    day = date.fromisoformat(case["today"]) if case.get("today") else today
    data = [(base / p).read_bytes() for p in photos]
    res = check_declaration(data, _load_filing(case.get("filing"), base), declared,  # type: ignore[arg-type]
                            history, day, with_evidence=False, history_photo=earlier)
    out = res.to_dict()
    for item, path in zip(out["photos"], photos, strict=True):
        item["photo"] = path
    return {"id": case.get("id"), "photo": photos[0] if len(photos) == 1 else photos, **out}


def _batch(args: argparse.Namespace) -> int:
    from vision.pipeline import warm_up

    path = Path(args.batch)
    base = path.parent
    today = date.fromisoformat(args.today) if args.today else None
    warm_up()  # models load once for the whole batch; reference features are cached
    failures = 0
    with path.open() as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                item = _batch_case(line, base, today)
            except (ValueError, KeyError, OSError, json.JSONDecodeError) as exc:
                failures += 1
                item = {"line": n, "error": f"{type(exc).__name__}: {exc}"}
            sys.stdout.write(json.dumps(item) + "\n")
            sys.stdout.flush()
    return 1 if failures else 0


def _check(args: argparse.Namespace) -> int:
    if args.batch:
        return _batch(args)
    if not args.declared or not args.photos:
        raise SystemExit("check needs --declared and at least one PHOTO (or --batch)")
    from vision.pipeline import check
    from vision.reuse import files_history
    from vision.schema import DeclaredData, FilingReference

    filing = None
    if args.filing:
        fpath = Path(args.filing)
        filing = FilingReference.from_json(json.loads(fpath.read_text()), fpath.parent)
    declared = DeclaredData.from_json(json.loads(Path(args.declared).read_text()))
    history, earlier = files_history(
        p for p in (sorted(Path(args.history).iterdir()) if args.history else [])
        if p.suffix.lower() in IMAGE_SUFFIXES)
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
        res = check(data, filing, declared, history, today, history_photo=earlier)
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
    try:
        m = generate(Path(args.out), args.n, args.seed, size=(w, h), workers=args.workers,
                     anomaly_fraction=args.anomalies)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"out": args.out, "photos": len(m["samples"]),
                      "filings": len(m["filings"])}))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from vision.calibrate import main as calibrate

    print(json.dumps(calibrate(Path(args.rows)), indent=1))
    return 0


def _synth2(args: argparse.Namespace) -> int:
    from vision.synth2.dataset import generate

    w, h = (int(v) for v in args.size.lower().split("x"))
    try:
        m = generate(Path(args.out), args.n, args.seed, size=(w, h), workers=args.workers,
                     n_filings=args.filings, anomaly_share=args.anomalies)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps({"out": args.out, "photos": len(m["samples"]),
                      "filings": len(m["filings"])}))
    return 0


def _crossbench(args: argparse.Namespace) -> int:
    from vision.crossbench import run

    out = run(Path(args.a), Path(args.b), Path(args.real) if args.real else None, args.limit,
              corrected=args.corrected)
    print(out["table"])
    print("\nFrom a wrong version in force (clean release / false releases / lowest own "
          "reason):\n")
    print(out["repair_table"])
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str))
    return 0


def _rectify(args: argparse.Namespace) -> int:
    from vision.rectify import detect_face_quad, rectify_face

    data = Path(args.photo).read_bytes()
    quad = detect_face_quad(data)
    Path(args.out).write_bytes(rectify_face(data, quad))
    print(json.dumps({"photo": args.photo, "out": args.out, **quad.to_dict()}))
    return 0


def _tampar(args: argparse.Namespace) -> int:
    from vision.realcheck import run

    print(json.dumps(run(Path(args.data), Path(args.out)), indent=1))
    return 0


def _train(args: argparse.Namespace) -> int:
    from vision.learned.train import train

    print(json.dumps(train(Path(args.out), args.steps, args.batch, args.seed)))
    return 0


def _detbench(args: argparse.Namespace) -> int:
    from vision.learned.harness import run

    print(run(args.n, args.seed, Path(args.weights), Path(args.real) if args.real else None))
    return 0


def _facebench(args: argparse.Namespace) -> int:
    from vision.facebench import run, table

    print(table(run(args.seed, args.n, args.workers), args.seed))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m vision")
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="check packing photos against a filing")
    c.add_argument("--filing")
    c.add_argument("--declared")
    c.add_argument("--batch", help="JSONL file: one case per line (photo, filing, declared, "
                                   "history); prints one JSON result per line")
    c.add_argument("--history", help="folder of earlier photos of other declarations")
    c.add_argument("--evidence-dir")
    c.add_argument("--today", help="YYYY-MM-DD (default: today)")
    c.add_argument("photos", nargs="*")
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
    s.add_argument("--anomalies", type=float, default=0.5,
                   help="share of photos with one anomaly (default 0.5; a set made to bound "
                        "false release asks for more)")
    s.set_defaults(func=_synth)
    k = sub.add_parser("calibrate", help="suggest thresholds from calibration bench rows")
    k.add_argument("--rows", required=True, help="bench --json output of the calibration split")
    k.set_defaults(func=_calibrate)
    s2 = sub.add_parser("synth2", help="write a labelled set from the second, independent "
                                       "source (photographed reference faces)")
    s2.add_argument("--out", required=True)
    s2.add_argument("--n", type=int, required=True)
    s2.add_argument("--seed", type=int, required=True)
    s2.add_argument("--size", default="4000x3000")
    s2.add_argument("--filings", type=int, default=12)
    s2.add_argument("--workers", type=int, default=2)
    s2.add_argument("--anomalies", type=float, default=0.42,
                    help="share of photos with one anomaly (default 0.42; at most 0.92, as "
                         "0.08 are bad quality)")
    s2.set_defaults(func=_synth2)
    x = sub.add_parser("crossbench", help="fit on one source, test on the other (and real)")
    x.add_argument("--a", required=True, help="a set from `vision synth`")
    x.add_argument("--b", required=True, help="a set from `vision synth2`")
    x.add_argument("--real", help="shared/data (tampar/ and cartons/)")
    x.add_argument("--limit", type=int)
    x.add_argument("--corrected", action="store_true",
                   help="B with the warned filings' corners corrected, as the filing page "
                        "has the exporter do (the true quads): an outline the detector was "
                        "unsure of, or faces missing a required label")
    x.add_argument("--json")
    x.set_defaults(func=_crossbench)
    r = sub.add_parser("rectify", help="find the carton face in a photo and rectify it")
    r.add_argument("photo")
    r.add_argument("--out", required=True)
    r.set_defaults(func=_rectify)
    t = sub.add_parser("tampar", help="register the real TAMPAR parcel photos to its reference")
    t.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"
                                         / "tampar"))
    t.add_argument("--out", default=str(Path(__file__).resolve().parent / "docs"))
    t.set_defaults(func=_tampar)
    tr = sub.add_parser("train", help="train the learned label detector's head (CPU)")
    tr.add_argument("--out", default=str(WEIGHTS))
    tr.add_argument("--steps", type=int, default=2400)
    tr.add_argument("--batch", type=int, default=8)
    tr.add_argument("--seed", type=int, default=1)
    tr.set_defaults(func=_train)
    d = sub.add_parser("detbench", help="learned vs classical label detection on fresh "
                                        "source-B renders")
    d.add_argument("--n", type=int, default=160)
    d.add_argument("--seed", type=int, required=True)
    d.add_argument("--weights", default=str(WEIGHTS))
    d.add_argument("--real", help="shared/data: count detections on its label-free photos")
    d.set_defaults(func=_detbench)
    f = sub.add_parser("facebench", help="detected vs true corners of the face in fresh "
                                         "source-B filing photos")
    f.add_argument("--seed", type=int, required=True)
    f.add_argument("--n", type=int, default=48)
    f.add_argument("--workers", type=int, default=2)
    f.set_defaults(func=_facebench)
    args = p.parse_args(argv)
    return int(args.func(args))
