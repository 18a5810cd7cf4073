"""Decision thresholds of every stage, in one place.

Set on the calibration split (``python -m vision synth --seed 1001 --n 200``; then ``bench
--json`` and ``python -m vision calibrate``), never on the held-out split (``--seed 2002``).
Rule: no anomalous calibration photo of the kind a stage is meant to catch may pass it, with
a margin; then keep as many clean photos as possible. Values and evidence are in
``vision/README.md``.
"""

# quality gate -------------------------------------------------------------------------------
MIN_SHORT_SIDE_PX = 720
# Laplacian variance (sharpest quarter of tiles at 1000 px). Clean synthetic photos >= 834;
# the 29 real photos of shared/data (cartons, TAMPAR) >= 302; a 12 MP photo blurred with
# sigma 4 px scores ~200, 6 px ~50.
MIN_FOCUS = 150.0
MIN_BRIGHTNESS = 35.0  # clean calibration photos: mean 85..183
MAX_BRIGHTNESS = 225.0
MAX_CLIPPED = 0.30  # clean calibration photos: <= 0.215

# reuse ------------------------------------------------------------------------------------------
# of 256 bits: re-encoded/cropped copies <= 50, other photos of the same carton >= 68
MAX_REUSE_HAMMING = 59

# design match -----------------------------------------------------------------------------------
MIN_INLIERS = 25  # sanity floor only: shared hazard labels give foreign designs many inliers
MIN_COVERAGE = 0.344  # different designs <= 0.28, clean >= 0.41 (midpoint)
MIN_DESIGN_NCC = 0.874  # different designs <= 0.838, clean >= 0.911 (midpoint)

# label integrity (photo crop vs reference crop of each filed label, NCC) ---------------------
MIN_LABEL_NCC = 0.75  # clean >= 0.85 (minus 0.1); covered <= 0.55; torn <= 0.74

# appearance anomaly -----------------------------------------------------------------------------
# 0.9 x the lowest score of a damaged/covered/torn calibration photo that no other stage
# catches (1.04); clean calibration photos: p95 0.89, 4 of 101 above
MAX_ANOMALY_SCORE = 0.937
