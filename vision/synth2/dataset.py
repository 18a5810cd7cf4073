"""Source B labelled sets, written in the manifest form of ``vision synth`` (so ``bench``
reads both) with two differences: the filings' reference faces are *photos* (the carton
photographed up to 30 degrees off-axis with floor around it, in other light than the
packing photos; the bench rectifies them like the filing page does) and every filing
carries its label ``provision`` (fully regulated, section IB, small battery)."""

from __future__ import annotations

import json
import random
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from vision.synth2.artwork import DesignB, FaceState, default_state, label_boxes, render_face_b
from vision.synth2.camera import (
    encode,
    packing_shot,
    reference_shot,
    render_box,
    to_sensor,
)

TODAY = "2027-01-15"
TAMPAR_UVMAP = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "tampar" / \
    "id_01_uvmap.png"
RENDER = (2000, 1500)
REGIMES = (
    (("UN3480",), "sea", "fully_regulated"), (("UN3481",), "sea", "small_battery"),
    (("UN3090",), "road", "fully_regulated"), (("UN3091",), "road", "small_battery"),
    (("UN3480",), "air", "fully_regulated"), (("UN3481",), "air", "small_battery"),
    (("UN3480",), "sea", "small_battery"), (("UN3090",), "air", "section_ib"),
    (("UN3481",), "sea", "fully_regulated"), (("UN3091",), "air", "fully_regulated"),
    (("UN3480",), "road", "small_battery"), (("UN3480",), "sea", "fully_regulated"),
)
ANOMALIES = ("missing_mark", "wrong_un_number", "obsolete_mark", "missing_9a",
             "unexpected_class9", "missing_cao", "covered_label", "torn_label",
             "damaged_carton", "different_design", "reused_photo")
WRONG_UN = {"UN3480": "UN3481", "UN3481": "UN3480", "UN3090": "UN3091", "UN3091": "UN3090"}
REF_PPM = 2.0
PHOTO_PPM = 2.6


def make_design(seed: int, index: int) -> DesignB:
    un, mode, prov = REGIMES[index % len(REGIMES)]
    return DesignB.random(seed * 1000 + index, un, mode, prov)


def applicable(design: DesignB, anomaly: str) -> bool:
    return {"missing_mark": design.provision in ("small_battery", "section_ib"),
            "wrong_un_number": design.has_mark, "obsolete_mark": design.has_mark,
            "missing_9a": design.has_9a, "unexpected_class9": design.provision == "small_battery",
            "missing_cao": design.has_cao}.get(anomaly, True)


def state_for(design: DesignB, anomaly: str | None, seed: int) -> FaceState:
    s = default_state(design)
    s.seed = seed
    r = random.Random(seed)
    if anomaly == "missing_mark":
        s.mark = None
    elif anomaly == "wrong_un_number":
        s.mark_un = tuple(WRONG_UN[u] for u in design.un_numbers)
    elif anomaly == "obsolete_mark":
        s.mark = "obsolete"
    elif anomaly == "missing_9a":
        s.class9 = r.choice(["9", None])
    elif anomaly == "unexpected_class9":
        s.class9 = "9A"
    elif anomaly == "missing_cao":
        s.cao = False
    elif anomaly in ("covered_label", "torn_label"):
        target = r.choice([k for k in design.label_order if k != "cao"] or ["mark"])
        if anomaly == "covered_label":
            s.cover = target
        else:
            s.torn = target
    elif anomaly == "damaged_carton":
        s.damage = True
    return s


def _with_class9(design: DesignB, r: random.Random) -> DesignB:
    """The design with a class 9A label stuck on beside its label row (the 'unexpected class 9
    label' anomaly), wholly on the face: a sticker cannot hang past the carton's edge. Where
    neither side of the row has room it goes over the row's far end."""
    boxes = label_boxes(design, default_state(design))
    start = min(x for x, _y, _w, _h in boxes.values())
    end = max(x + w for x, _y, w, _h in boxes.values())
    size, gap, edge = 141.0, 10.0, 5.0
    sides = [x for x in (end + gap, start - gap - size)
             if edge <= x <= design.face_mm[0] - edge - size]
    x = r.choice(sides) if sides else design.face_mm[0] - edge - size
    return replace(design, label_order=(*design.label_order, "class9"), class9_x=x)


def _photo(design: DesignB, state: FaceState, shot_seed: int, size: tuple[int, int],
           reference: bool = False, quality: str | None = None) -> tuple[bytes, np.ndarray]:
    r = random.Random(shot_seed)
    shot = reference_shot(r) if reference else packing_shot(r)
    if quality == "blurred":
        shot.focus_blur_px = r.uniform(5.0, 9.0)
    elif quality == "motion":
        shot.motion_blur_px = r.uniform(25, 45)
    elif quality == "dark":
        shot.exposure = r.uniform(0.08, 0.16)
    elif quality == "bright":
        shot.exposure = r.uniform(2.6, 3.6)
    face = render_face_b(design, REF_PPM if reference else PHOTO_PPM, state)
    depth = random.Random(design.seed).uniform(200, 400)
    rgb, quad = render_box(face, design.face_mm, depth, design.board_rgb, shot, RENDER,
                           shot_seed)
    k = size[0] / RENDER[0]
    return encode(to_sensor(rgb, size, shot_seed), shot.jpeg_quality), quad * k


def _reencode(jpeg: bytes, r: random.Random) -> bytes:
    img = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    h, w = img.shape[:2]
    c = r.uniform(0.0, 0.04)
    img = img[int(h * c):int(h * (1 - c)), int(w * c):int(w * (1 - c))]
    s = r.uniform(0.6, 0.9)
    img = cv2.resize(img, (int(img.shape[1] * s), int(img.shape[0] * s)))
    _ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, r.randint(70, 90)])
    return data.tobytes()


def photo_task(args: tuple[int, int, int, str | None, tuple[int, int], str]) -> dict[str, Any]:
    """Photo `index` of the set (seed, index, filing index, anomaly, size, out dir): the same
    photo whatever else is made, so one can be made again alone."""
    seed, index, fidx, kind, size, out = args
    out_dir = Path(out)
    design = make_design(seed, fidx)
    photo_seed = seed * 1_000_003 + index * 17
    r = random.Random(photo_seed)
    rec: dict[str, Any] = {"index": index, "anomaly": kind}
    shown, quality = design, None
    if kind == "different_design":
        shown = DesignB.random(seed * 1000 + 700 + index, design.un_numbers,
                               design.transport_mode, design.provision)
    if kind == "unexpected_class9":
        shown = _with_class9(design, random.Random(photo_seed + 9))
    if kind == "bad_quality":
        quality = r.choice(["blurred", "motion", "dark", "bright"])
        rec["quality"] = quality
    state = state_for(shown, kind if kind not in ("different_design", "bad_quality") else None,
                      photo_seed)
    jpeg, quad = _photo(shown, state, photo_seed, size, quality=quality)
    name = f"{index:06d}.jpg"
    if kind == "reused_photo":
        (out_dir / "history" / name).write_bytes(jpeg)
        rec["reused_from"] = f"history/{name}"
        jpeg = _reencode(jpeg, r)
    (out_dir / "photos" / name).write_bytes(jpeg)
    rec["quad"] = np.round(quad, 1).tolist()
    return rec


def reference_photo(design: DesignB, shot_seed: int, size: tuple[int, int]
                    ) -> tuple[bytes, np.ndarray]:
    """A filing photo with the whole face in the frame. Up to 30 degrees off-axis at a fill
    of 0.6-0.85 can put a corner past the frame (15 % of the shots); an exporter takes such a
    photo again, and no corner can be dragged past the photo's edge."""
    margin = 0.01 * size[0]
    for attempt in range(20):
        jpeg, quad = _photo(design, default_state(design), shot_seed + attempt * 104729, size,
                            reference=True)
        if (quad >= margin).all() and (quad <= np.array(size) - margin).all():
            break
    return jpeg, quad


def _filing_task(args: tuple[int, int, str, tuple[int, int]]) -> dict[str, Any]:
    seed, i, out, size = args
    design = make_design(seed, i)
    fid = f"B{seed}-{i:03d}"
    ref = f"{fid}_front.jpg"
    jpeg, quad = reference_photo(design, seed * 7919 + i, size)
    (Path(out) / "filings" / ref).write_bytes(jpeg)
    filing = {"id": fid, "un_numbers": list(design.un_numbers),
              "transport_mode": design.transport_mode, "provision": design.provision,
              "packing_instruction": None, "reference_photos": {"front": ref},
              "reference_kind": "photo", "reference_quads": {"front": np.round(quad, 1).tolist()},
              "face_mm": list(design.face_mm)}
    (Path(out) / "filings" / f"{fid}.json").write_text(json.dumps(filing, indent=1))
    return filing


BAD_QUALITY_SHARE = 0.08
ANOMALY_SHARE = 0.42


def photo_kinds(n: int, r: random.Random, anomaly_share: float = ANOMALY_SHARE
                ) -> list[str | None]:
    """What each of ``n`` photos shows: 8 % bad quality, ``anomaly_share`` one anomaly each
    (cycled over the types), the rest clean, shuffled. A set made to bound false release
    asks for most photos to be anomalies."""
    if not 0.0 <= anomaly_share <= 1.0 - BAD_QUALITY_SHARE:
        raise ValueError(f"anomaly share must be between 0 and {1 - BAD_QUALITY_SHARE:.2f} "
                         f"({BAD_QUALITY_SHARE:.0%} of the photos are bad quality)")
    kinds: list[str | None] = ["bad_quality"] * round(BAD_QUALITY_SHARE * n)
    kinds += [ANOMALIES[k % len(ANOMALIES)] for k in range(round(anomaly_share * n))]
    kinds += [None] * (n - len(kinds))
    r.shuffle(kinds)
    return kinds


def generate(out: Path, n: int, seed: int, size: tuple[int, int] = (4000, 3000),
             workers: int = 2, n_filings: int = 12, anomaly_share: float = ANOMALY_SHARE
             ) -> dict[str, Any]:
    r = random.Random(seed)
    plan = [r.randrange(n_filings) for _ in range(n)]
    kinds = photo_kinds(n, r, anomaly_share)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("filings", "photos", "history", "declared"):
        (out / sub).mkdir(exist_ok=True)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        filing_list = list(pool.map(_filing_task, [(seed, i, str(out), size)
                                                   for i in range(n_filings)]))
        filings = {f["id"]: f for f in filing_list}
        tasks = []
        for i, (fidx, kind) in enumerate(zip(plan, kinds, strict=True)):
            design = make_design(seed, fidx)
            if kind is not None and kind != "bad_quality" and not applicable(design, kind):
                options = [a for a in ANOMALIES if applicable(design, a)]
                kind = options[i % len(options)]
            tasks.append((seed, i, fidx, kind, size, str(out)))
        records = list(pool.map(photo_task, tasks, chunksize=2))
    samples = []
    by_filing: dict[int, list[str]] = {}
    for task, rec in zip(tasks, records, strict=True):
        fidx = task[2]
        fid = f"B{seed}-{fidx:03d}"
        photo = f"photos/{rec['index']:06d}.jpg"
        declared = {"un_numbers": filings[fid]["un_numbers"],
                    "transport_mode": filings[fid]["transport_mode"]}
        (out / "declared" / f"{rec['index']:06d}.json").write_text(json.dumps(declared))
        earlier = by_filing.setdefault(fidx, [])
        history = list(earlier[-5:])
        if rec.get("reused_from"):
            history.append(rec["reused_from"])
        samples.append({"photo": photo, "filing": fid, "declared": declared,
                        "anomaly": rec["anomaly"], "history": history, "quad": rec["quad"],
                        "quality": rec.get("quality")})
        if rec["anomaly"] != "bad_quality":
            earlier.append(photo)
    manifest = {"source": "B", "seed": seed, "today": TODAY, "size": list(size),
                "filings": filings, "samples": samples,
                "anomaly_types": [*ANOMALIES, "bad_quality"]}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest
