"""Labelled synthetic sets: filings with flat reference faces, packing photos, a manifest.

Layout of ``OUT``::

    manifest.json            seed, today, filings, samples (truth for every photo)
    filings/F000.json        FILING.json in the CLI form (reference paths relative to it)
    filings/F000_front.png   flat reference face of the filed design
    photos/000000.jpg        packing photos (about half with exactly one anomaly)
    history/000000.jpg       earlier photos of other declarations (the reuse stage's input)
    declared/000000.json     DECLARED.json for the photo

Every photo is a pure function of (seed, index): sets with different seeds share nothing, so
the held-out split (its own seed) is never seen by calibration.
"""

from __future__ import annotations

import io
import json
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from vision.synth.design import CartonDesign, FaceVariant, render_face
from vision.synth.scene import encode_jpeg, render_photo

ANOMALIES = ("missing_mark", "wrong_un_number", "obsolete_mark", "missing_9a", "covered_label",
             "torn_label", "damaged_carton", "different_design", "reused_photo")
UN_CHOICES = (("UN3480",), ("UN3481",), ("UN3090",), ("UN3091",))
WRONG_UN = {"UN3480": "UN3481", "UN3481": "UN3480", "UN3090": "UN3091", "UN3091": "UN3090"}
TODAY = "2027-01-15"
REFERENCE_PPM = 2.0


def make_filing(seed: int, index: int) -> CartonDesign:
    r = random.Random(seed * 100_003 + index)
    un = r.choice(UN_CHOICES)
    mode = r.choice(["sea", "sea", "air", "road"])
    # requires_9a=False is the small-battery exemption (SP188 / Section II): mark only, no
    # class 9 label. Section II does not exist for batteries alone by air (PI 965/968).
    small = r.random() >= 0.8 and not (mode == "air" and un[0] in ("UN3480", "UN3090"))
    return CartonDesign.random(seed=seed * 1000 + index, un_numbers=un, transport_mode=mode,
                               requires_9a=not small)


def provision(design: CartonDesign) -> str:
    return "fully_regulated" if design.requires_9a else "small_battery"


def regime_anomaly(design: CartonDesign, anomaly: str | None) -> str | None:
    """The anomaly as the label regime sees it: a missing lithium mark is no fault on a
    fully regulated package (IMDG requires the 9A label, not the mark), so there it becomes
    a missing 9A label; a 'missing 9A' on a small-battery package (which must not carry a
    class 9 label) becomes an unexpected class 9 label."""
    if anomaly == "missing_mark" and design.requires_9a:
        return "missing_9a"
    if anomaly == "missing_9a" and not design.requires_9a:
        return "unexpected_class9"
    return anomaly


def variant_for(design: CartonDesign, anomaly: str | None, rng_seed: int) -> FaceVariant:
    r = random.Random(rng_seed)
    v = FaceVariant(class_label="9A" if design.requires_9a else None, rng_seed=rng_seed)
    if anomaly == "missing_mark":
        v.mark = None
    elif anomaly == "wrong_un_number":
        v.mark_un_numbers = tuple(WRONG_UN[u] for u in design.un_numbers)
    elif anomaly == "obsolete_mark":
        v.mark = "obsolete"
    elif anomaly == "missing_9a":
        v.class_label = r.choice(["9", None])
    elif anomaly == "unexpected_class9":
        v.class_label = "9A"
    elif anomaly == "covered_label":
        v.cover = r.choice(["mark", "class_label"]) if design.requires_9a else "mark"
    elif anomaly == "torn_label":
        v.torn = r.choice(["mark", "class_label"]) if design.requires_9a else "mark"
    elif anomaly == "damaged_carton":
        v.damage = True
    return v


def _reencode(jpeg: bytes, r: random.Random) -> bytes:
    img = ImageOps.exif_transpose(Image.open(io.BytesIO(jpeg))).convert("RGB")
    w, h = img.size
    c = r.uniform(0.0, 0.03)
    img = img.crop((int(w * c), int(h * c), int(w * (1 - c)), int(h * (1 - c))))
    s = r.uniform(0.75, 1.0)
    img = img.resize((int(img.width * s), int(img.height * s)), Image.Resampling.BILINEAR)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=r.randint(75, 92))
    return buf.getvalue()


def _sample_task(args: tuple[int, int, int, str | None, tuple[int, int], str]) -> dict[str, Any]:
    seed, index, filing_index, anomaly, size, out = args
    out_dir = Path(out)
    design = make_filing(seed, filing_index)
    anomaly = regime_anomaly(design, anomaly)
    r = random.Random(seed * 7_000_003 + index)
    photo_seed = seed * 1_000_000 + index
    record: dict[str, Any] = {"index": index, "anomaly": anomaly}
    shown = design
    if anomaly == "different_design":
        other = CartonDesign.random(seed=seed * 1000 + 500 + index, un_numbers=design.un_numbers,
                                    transport_mode=design.transport_mode,
                                    requires_9a=design.requires_9a)
        shown = other
    variant = variant_for(shown, anomaly, photo_seed)
    rgb, quad = render_photo(shown, variant, photo_seed, size=size)
    jpeg = encode_jpeg(rgb, quality=r.randint(80, 95), exif_rotate=r.random() < 0.1)
    name = f"{index:06d}.jpg"
    if anomaly == "reused_photo":
        (out_dir / "history" / name).write_bytes(jpeg)
        record["reused_from"] = f"history/{name}"
        jpeg = _reencode(jpeg, r)
    (out_dir / "photos" / name).write_bytes(jpeg)
    record["quad"] = np.round(quad, 1).tolist()
    record["variant"] = {k: v for k, v in asdict(variant).items() if k != "extra"}
    return record


def generate(out: Path, n: int, seed: int, size: tuple[int, int] = (4000, 3000),
             workers: int = 2, anomaly_fraction: float = 0.5) -> dict[str, Any]:
    """Write a labelled set of ``n`` photos to ``out`` and return its manifest."""
    if not 0.0 <= anomaly_fraction <= 1.0:
        raise ValueError("anomaly share must be between 0 and 1")
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("filings", "photos", "history", "declared"):
        (out / sub).mkdir(exist_ok=True)
    r = random.Random(seed)
    n_filings = max(4, n // 25)
    filings: dict[str, dict[str, Any]] = {}
    for i in range(n_filings):
        design = make_filing(seed, i)
        fid = f"F{seed}-{i:03d}"
        ref_name = f"{fid}_front.png"
        filed = FaceVariant(class_label="9A" if design.requires_9a else None)
        Image.fromarray(render_face(design, REFERENCE_PPM, filed)).save(
            out / "filings" / ref_name)
        filing = {"id": fid, "un_numbers": list(design.un_numbers),
                  "transport_mode": design.transport_mode, "provision": provision(design),
                  "packing_instruction": "P903", "reference_photos": {"front": ref_name}}
        (out / "filings" / f"{fid}.json").write_text(json.dumps(filing, indent=1))
        filings[fid] = filing
    n_anom = round(n * anomaly_fraction)
    kinds: list[str | None] = [ANOMALIES[k % len(ANOMALIES)] for k in range(n_anom)]
    kinds += [None] * (n - n_anom)
    r.shuffle(kinds)
    tasks = [(seed, i, r.randrange(n_filings), kinds[i], size, str(out)) for i in range(n)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        records = list(pool.map(_sample_task, tasks, chunksize=4))
    samples = []
    by_filing: dict[int, list[str]] = {}
    for task, rec in zip(tasks, records, strict=True):
        fidx = task[2]
        fid = f"F{seed}-{fidx:03d}"
        photo = f"photos/{rec['index']:06d}.jpg"
        declared = {"un_numbers": filings[fid]["un_numbers"],
                    "transport_mode": filings[fid]["transport_mode"]}
        (out / "declared" / f"{rec['index']:06d}.json").write_text(json.dumps(declared))
        earlier = by_filing.setdefault(fidx, [])
        history = list(earlier[-5:])
        if rec.get("reused_from"):
            history.append(rec["reused_from"])
        samples.append({"photo": photo, "filing": fid, "declaration": f"D{seed}-{rec['index']:06d}",
                        "declared": declared, "anomaly": rec["anomaly"], "history": history,
                        "quad": rec["quad"], "variant": rec["variant"]})
        earlier.append(photo)
    manifest = {"seed": seed, "today": TODAY, "size": list(size), "filings": filings,
                "samples": samples, "anomaly_types": list(ANOMALIES)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest
