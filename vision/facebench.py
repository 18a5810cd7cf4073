"""How well the carton face is found in filed reference photos: fresh source-B filing photos
(whole face in the frame, up to 30 degrees off-axis, floors and walls of every kind), the
detected corners against the rendered ones, and how many outlines the filing page asks the
exporter to check (the detector was unsure of them), among the ones off and the right ones.

``python -m vision facebench --seed S --n 48`` prints a table. A corner off by more than 5 %
of the face's diagonal moves the flattened face enough to fail design matching on clean
packing photos; the exporter then has to drag it on the filing page."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from vision.rectify import corner_error, detect_face_quad
from vision.synth2.dataset import make_design, reference_photo

SIZE = (4000, 3000)  # a 12 MP phone photo
OFF = (0.05, 0.10)  # corner error shares reported


@dataclass(frozen=True)
class FaceResult:
    index: int
    error: float  # largest corner distance / the face's diagonal
    method: str
    seconds: float
    check: bool  # the filing page asks the exporter to check this outline


def measure(seed: int, index: int) -> FaceResult:
    photo, truth = reference_photo(make_design(seed, index), seed * 7919 + index, SIZE)
    t = time.perf_counter()
    quad = detect_face_quad(photo)
    seconds = time.perf_counter() - t
    return FaceResult(index, corner_error(quad.array(), truth), quad.method, seconds,
                      quad.needs_check)


def run(seed: int, n: int, workers: int = 2) -> list[FaceResult]:
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(measure, [seed] * n, range(n)))


def table(results: list[FaceResult], seed: int) -> str:
    errors = np.array([r.error for r in results])
    lines = [f"filing photos (source B, seed {seed}) | {len(results)}",
             f"median corner error (share of the diagonal) | {np.median(errors):.3f}"]
    for off in OFF:
        bad = [r.index for r in results if r.error > off]
        lines.append(f"off by > {off:.0%} | {len(bad)} ({len(bad) / len(results):.1%})"
                     f"{': ' + ', '.join(f'{i:03d}' for i in bad) if bad else ''}")
    off, right = ([r for r in results if (r.error > OFF[0]) == wrong] for wrong in (True, False))
    lines.append(f"asked to check: off by > {OFF[0]:.0%} | {sum(r.check for r in off)} of "
                 f"{len(off)}")
    lines.append(f"asked to check: right | {sum(r.check for r in right)} of {len(right)}")
    lines.append(f"p50 s per photo | {np.median([r.seconds for r in results]):.2f}")
    return "\n".join(["| measure | value |", "|---|---|",
                      *(f"| {line} |" for line in lines)])
