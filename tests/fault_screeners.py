"""Stand-in vision checks for the fault tests, loaded by the real processes through
CLEARLANE_SCREENING_ENGINE=custom and CLEARLANE_CUSTOM_SCREENER=tests.fault_screeners:slow.

`slow` takes FAULT_SCREEN_SECONDS per photo (so a test can kill a process mid-screening),
releases every photo, and finds an anomaly in photos whose SHA-256 is in FAULT_BAD_SHA256."""

import hashlib
import os
import time
from collections.abc import Sequence
from datetime import date

from customs.screening import DeclaredSnapshot, FilingSnapshot, PhotoVerdict
from models import VisionDecision


def slow(photo: bytes, filing: FilingSnapshot | None, declared: DeclaredSnapshot,
         history: Sequence[str], today: date) -> PhotoVerdict:
    time.sleep(float(os.environ.get("FAULT_SCREEN_SECONDS", "2")))
    sha256 = hashlib.sha256(photo).hexdigest()
    if sha256 in os.environ.get("FAULT_BAD_SHA256", "").split(","):
        return PhotoVerdict(VisionDecision.inspect, [
            {"code": "missing_lithium_mark", "message": "no lithium battery mark on this face"}],
            phash=sha256[:64])
    return PhotoVerdict(VisionDecision.release, [], {"design_match": 1.0}, phash=sha256[:64])
