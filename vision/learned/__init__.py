"""A small learned label detector, built to be compared with the classical detectors of
``vision.marks`` (issue 8, item 3: "use whichever wins on the measurement").

- ``composites``: domain-randomised training scenes: source A's label artwork (drawn to the
  specification by ``vision.synth.labels``) on the real carton photos of ``shared/data``,
  any turn, perspective up to 45 degrees, 3-25 % of the width, uneven light, blur, noise, JPEG;
- ``net``: a heat-map head on the frozen EfficientNet-Lite0 stages the appearance check
  already ships, and its decoding into detections;
- ``train``: ``python -m vision train``, CPU, seeded;
- ``harness``: ``python -m vision detbench``, both detectors on fresh source-B renders
  (artwork, fonts, camera and backgrounds the learned one never saw) with their true labels.
"""
