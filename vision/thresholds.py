"""Decision thresholds of every stage, in one place.

How they were set is written next to each value and in ``vision/README.md``: values were
chosen on the calibration split (``synth --seed 1001``), never on the held-out split
(``--seed 2002``), with the rule "no anomalous calibration photo may pass the stage that is
meant to catch it, then keep as many clean photos as possible".
"""

# quality gate -------------------------------------------------------------------------------
MIN_SHORT_SIDE_PX = 720
MIN_FOCUS = 60.0
MIN_BRIGHTNESS = 35.0
MAX_BRIGHTNESS = 225.0
MAX_CLIPPED = 0.30

# reuse ------------------------------------------------------------------------------------------
MAX_REUSE_HAMMING = 59  # of 256 bits: copies <= 50, other photos of the same carton >= 68

# design match -----------------------------------------------------------------------------------
MIN_INLIERS = 25
MIN_COVERAGE = 0.30
MIN_DESIGN_NCC = 0.85

# appearance anomaly -----------------------------------------------------------------------------
MAX_ANOMALY_SCORE = 0.9
