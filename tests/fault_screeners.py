"""Stand-in vision checks for the fault tests, loaded by the real processes through
CLEARLANE_SCREENING_ENGINE=custom and CLEARLANE_CUSTOM_SCREENER=tests.fault_screeners:slow.

`slow` takes FAULT_SCREEN_SECONDS per photo (so a test can kill a process mid-screening),
releases every photo, and finds an anomaly in photos whose SHA-256 is in FAULT_BAD_SHA256."""

import hashlib
import os
import time

from customs.screening import DeclarationVerdict, PhotoFinding, ScreeningRequest
from models import VisionDecision


def slow(request: ScreeningRequest) -> DeclarationVerdict:
    bad = set(os.environ.get("FAULT_BAD_SHA256", "").split(","))
    findings, reasons = [], []
    for photo in request.photos:
        time.sleep(float(os.environ.get("FAULT_SCREEN_SECONDS", "2")))
        sha256 = hashlib.sha256(photo.data).hexdigest()
        findings.append(PhotoFinding(photo.id, sha256[:64], {"design_match": 1.0}))
        if sha256 in bad:
            reasons.append({"code": "missing_lithium_mark", "photo_ids": [photo.id],
                            "message": "no lithium battery mark on this face"})
    decision = VisionDecision.inspect if reasons else VisionDecision.release
    return DeclarationVerdict(decision, reasons, findings, "fault-1", "fault-cal")
