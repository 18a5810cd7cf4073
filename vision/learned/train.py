"""``python -m vision train``: train the label detector's head on fresh composites (CPU).

Reproducible: scene ``i`` of a run is ``composites.scene(seed * 1_000_000 + i)`` and torch is
seeded, so the same command gives the same weights on the same library versions. The default
(2400 steps of 8 scenes) takes about 35 minutes on 2 cores: scenes are drawn in one worker
process while the head trains in the other.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from vision.backbone import load_pretrained
from vision.learned.composites import Truth, scene
from vision.learned.net import CLASSES, STRIDE, WEIGHTS, LabelNet, to_tensor

SCENE = (384, 288)


def targets(truths: list[Truth], shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray]:
    """Gaussian centre maps (C x H x W), log-side map and its mask (H x W) on the output grid."""
    h, w = shape
    heat = np.zeros((len(CLASSES), h, w), np.float32)
    size = np.zeros((h, w), np.float32)
    mask = np.zeros((h, w), np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    for t in truths:
        cx, cy = t.x / STRIDE - 0.5, t.y / STRIDE - 0.5
        sigma = max(0.6, t.side / STRIDE / 6)
        g = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * sigma ** 2))
        ix, iy = round(cx), round(cy)
        if 0 <= ix < w and 0 <= iy < h:
            g[iy, ix] = 1.0  # the peak cell is the one positive
            near = (np.abs(xx - ix) <= 1) & (np.abs(yy - iy) <= 1)
            size[near] = np.log(t.side)
            mask[near] = 1.0
        heat[t.cls] = np.maximum(heat[t.cls], g)
    return heat, size, mask


class Scenes(IterableDataset):
    def __init__(self, seed: int, count: int) -> None:
        self.seed, self.count = seed, count

    def __iter__(self) -> Iterator[tuple[torch.Tensor, ...]]:
        info = get_worker_info()
        start, step = (info.id, info.num_workers) if info else (0, 1)
        grid = (SCENE[1] // STRIDE, SCENE[0] // STRIDE)
        for i in range(start, self.count, step):
            img, truths = scene(self.seed * 1_000_000 + i, SCENE)
            heat, size, mask = targets(truths, grid)
            yield to_tensor(img), torch.from_numpy(heat), torch.from_numpy(size), \
                torch.from_numpy(mask)


def focal_loss(logits: torch.Tensor, gt: torch.Tensor) -> torch.Tensor:
    """CenterNet's penalty-reduced focal loss, per positive."""
    p = torch.sigmoid(logits).clamp(1e-4, 1 - 1e-4)
    pos = gt.eq(1).float()
    pos_loss = -(torch.log(p) * (1 - p) ** 2 * pos).sum()
    neg_loss = -(torch.log(1 - p) * p ** 2 * (1 - gt) ** 4 * (1 - pos)).sum()
    return (pos_loss + neg_loss) / pos.sum().clamp(min=1)


def train(out: Path = WEIGHTS, steps: int = 2400, batch: int = 8, seed: int = 1,
          lr: float = 2e-3, workers: int = 1, log: bool = True) -> dict[str, float]:
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    net = LabelNet(load_pretrained())
    opt = torch.optim.AdamW(net.head.parameters(), lr=lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=steps, pct_start=0.05)
    loader = DataLoader(Scenes(seed, steps * batch), batch_size=batch, num_workers=workers)
    net.head.train()
    t0, running = time.monotonic(), 0.0
    for k, (x, heat, size, mask) in enumerate(loader, 1):
        logits, log_side = net(x)
        size_loss = (torch.abs(log_side[:, 0] - size) * mask).sum() / mask.sum().clamp(min=1)
        loss = focal_loss(logits, heat) + 0.5 * size_loss
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running = 0.98 * running + 0.02 * float(loss.detach()) if k > 1 else float(loss.detach())
        if log and (k % 50 == 0 or k == steps):
            print(f"step {k}/{steps} loss {running:.3f} {time.monotonic() - t0:.0f} s",
                  flush=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(net.head.state_dict(), out)
    return {"steps": float(steps), "loss": running, "seconds": time.monotonic() - t0}
