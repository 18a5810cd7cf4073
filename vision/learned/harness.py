"""``python -m vision detbench``: the learned and the classical label detectors on the same
fresh source-B photos, whose labels' true positions are known.

Source B (``vision.synth2``) is what the learned detector never saw: other artwork, fonts,
camera and floors. Each photo is one B carton at any in-plane turn, up to 45 degrees off-axis,
its smallest label 3-25 % of the photo wide, in B's uneven light and JPEG. A detection counts
when it is of the right class and its centre lies within half the label's side of the true
centre; any other detection is a false one. The classical detectors run as the pipeline runs
them, with their rules between labels (marks of one size, no class 9 inside a mark) but
before the face outline filter (the learned one has no outline either), and without OCR.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from vision import marks
from vision.imageio import decode_photo, read_source, resize_long
from vision.learned import confirm
from vision.learned.net import MIN_SCORE, Detection, LabelNet, detect, load
from vision.pipeline import SMALL_LONG_SIDE, _cao_min_side
from vision.synth2.artwork import default_state, label_boxes, render_face_b
from vision.synth2.camera import encode, packing_shot, render_box
from vision.synth2.dataset import PHOTO_PPM, RENDER, make_design

SHARE_BINS = ((0.03, 0.06), (0.06, 0.12), (0.12, 0.25), (0.25, 1.0))  # side / photo width
TILT_BINS = ((0, 25), (25, 46))  # degrees off-axis
CURVE = (0.2, 0.5, 0.7)  # the learned score floors reported beside its default
_KIND = {"lithium_mark": "mark", "class9": "class9", "class9a": "class9",
         "cargo_aircraft_only": "cao"}


@dataclass(frozen=True)
class Label:
    cls: str
    x: float
    y: float
    side: float
    share: float  # side / photo width
    tilt: float


@dataclass
class Tally:
    hits: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (detector, key)
    false: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def add(self, detector: str, key: str, hit: bool) -> None:
        h = self.hits.setdefault((detector, key), [0, 0])
        h[0] += hit
        h[1] += 1


def photo(seed: int, index: int) -> tuple[bytes, list[Label]]:
    """One source-B photo (JPEG) and its labels."""
    r = random.Random(seed * 7919 + index)
    design = make_design(seed, index)
    state = default_state(design)
    if design.has_mark and r.random() < 0.25:
        state.mark = "obsolete"
    shot = packing_shot(r)
    tilt, az = r.uniform(0, 45), r.uniform(0, 2 * np.pi)
    shot.yaw_deg = float(np.clip(tilt * np.cos(az), -44, 44))
    shot.pitch_deg = float(abs(tilt * np.sin(az)))
    shot.roll_deg = r.uniform(-180, 180)
    share = float(np.exp(r.uniform(np.log(0.03), np.log(0.25))))
    shot.fill = min(0.95, share * design.face_mm[0] / 100)  # the mark's share, roughly
    face = render_face_b(design, PHOTO_PPM, state)
    depth = random.Random(design.seed).uniform(200, 400)
    rgb, quad = render_box(face, design.face_mm, depth, design.board_rgb, shot, RENDER,
                           seed * 7919 + index)
    th, tw = face.shape[:2]
    hom = cv2.getPerspectiveTransform(
        np.array([[0, 0], [tw - 1, 0], [tw - 1, th - 1], [0, th - 1]], np.float32), quad)
    w, h = RENDER
    found = []
    for key, (x, y, bw, bh) in label_boxes(design, state).items():
        corners = np.array([[x, y], [x + bw, y], [x + bw, y + bh], [x, y + bh]],
                           np.float32) * PHOTO_PPM
        q = cv2.perspectiveTransform(corners[None], hom)[0]
        cx, cy = q.mean(0)
        side = float(np.sqrt(cv2.contourArea(q)))
        if 0 <= cx < w and 0 <= cy < h:
            found.append(Label(key, float(cx), float(cy), side, side / w, tilt))
    return encode(rgb, shot.jpeg_quality), found


def classical(work: np.ndarray, confirmed_by: LabelNet | None = None) -> list[Detection]:
    """The classical finders; ``confirmed_by``: with vision-2.13's class 9 proposals of this
    learned detector confirmed by the classical finder (``learned.confirm``) where it found
    none."""
    small = resize_long(work, SMALL_LONG_SIDE)
    all9 = marks.find_class9_labels(work)
    lith = marks.lithium_marks_among(marks.find_lithium_marks(small, work, read=False), all9)
    labels9 = marks.class9_beside_marks(all9, lith)
    if confirmed_by is not None and not labels9:
        labels9 = marks.class9_beside_marks(
            confirm.confirmed_class9(work, [*all9, *lith], confirmed_by), lith)
    found = [*lith, *labels9,
             *marks.find_cargo_aircraft_only(small, work, _cao_min_side(lith, small, work))]
    return [Detection(_KIND[f.kind], float(f.quad[:, 0].mean()), float(f.quad[:, 1].mean()),
                      float(np.sqrt(cv2.contourArea(f.quad.astype(np.float32)))), 1.0)
            for f in found]


def match(labels: list[Label], found: list[Detection]) -> tuple[list[bool], int]:
    """(for each label: found?, count of detections that match no label)."""
    used: set[int] = set()
    hits = []
    for lab in labels:
        best = None
        for i, d in enumerate(found):
            if i in used or d.cls != lab.cls:
                continue
            dist = np.hypot(d.x - lab.x, d.y - lab.y)
            if dist < 0.5 * lab.side and (best is None or dist < best[0]):
                best = (dist, i)
        if best is not None:
            used.add(best[1])
        hits.append(best is not None)
    return hits, len(found) - len(used)


def _bin(value: float, bins: tuple[tuple[float, float], ...]) -> str:
    for lo, hi in bins:
        if lo <= value < hi:
            return f"{lo:g}–{hi:g}"
    return f"< {bins[0][0]:g}"


def run(n: int, seed: int, weights: Path, real: Path | None = None) -> str:
    net = load(weights)
    tally = Tally()
    for i in range(n):
        jpeg, labels = photo(seed, i)
        work = decode_photo(jpeg).rgb
        for name, found in _all_detections(net, work, tally).items():
            hits, false = match(labels, found)
            tally.false[name] = tally.false.get(name, 0) + false
            for lab, hit in zip(labels, hits, strict=True):
                for key in ("all", f"class {lab.cls}", f"width {_bin(lab.share, SHARE_BINS)}",
                            f"tilt {_bin(lab.tilt, TILT_BINS)}"):
                    tally.add(name, key, hit)
    names = list(tally.false)
    rows = [f"source-B photos: {n} (seed {seed}), labels: {tally.hits[(names[0], 'all')][1]}",
            "", f"| found | {' | '.join(names)} |", "|---" * (len(names) + 1) + "|"]
    keys = sorted({k for _d, k in tally.hits}, key=lambda k: (k != "all", k))
    for key in keys:
        cells = []
        for name in names:
            hit, total = tally.hits.get((name, key), [0, 0])
            cells.append(f"{100 * hit / total:.1f} % ({hit}/{total})" if total else "–")
        rows.append(f"| {key} | {' | '.join(cells)} |")
    rows.append("| false detections per photo | " + " | ".join(
        f"{tally.false[name] / n:.2f}" for name in names) + " |")
    rows.append("| p50 s per photo (2000 px) | " + " | ".join(
        f"{float(np.median(tally.seconds[name])):.2f}" if name in tally.seconds else "″"
        for name in names) + " |")
    if real is not None:
        rows.append(_label_free(real, net, names))
    return "\n".join(rows)


def _all_detections(net: LabelNet, work: np.ndarray, tally: Tally | None = None
                    ) -> dict[str, list[Detection]]:
    """The classical detections, and the learned ones at its default score floor and at
    the other floors of its operating curve (one pass, filtered)."""
    t0 = time.perf_counter()
    out = {"classical": classical(work)}
    t1 = time.perf_counter()
    out["classical + confirmed 9"] = classical(work, confirmed_by=net)
    t2 = time.perf_counter()
    learned = detect(net, work, min(CURVE))
    t3 = time.perf_counter()
    if tally is not None:
        for name, seconds in (("classical", t1 - t0), ("classical + confirmed 9", t2 - t1),
                              (f"learned ≥ {MIN_SCORE:g}", t3 - t2)):
            tally.seconds.setdefault(name, []).append(seconds)
    for floor in sorted({MIN_SCORE, *CURVE}):
        out[f"learned ≥ {floor:g}"] = [d for d in learned if d.score >= floor]
    return out


def _label_free(real: Path, net: LabelNet, names: list[str]) -> str:
    """Detections on real photos that carry no dangerous-goods label: all false."""
    parts = []
    for folder, note in (("tampar", "TAMPAR (unseen)"),
                         ("cartons", "cartons (the learned one's training floors)")):
        paths = sorted((real / folder).glob("*.jpg"))
        counts = dict.fromkeys(names, 0)
        for p in paths:
            for name, found in _all_detections(net, decode_photo(read_source(p)).rgb).items():
                counts[name] += len(found)
        parts.append(f"| false detections, {note}, {len(paths)} photos | " + " | ".join(
            str(counts[name]) for name in names) + " |")
    return "\n".join(parts)
