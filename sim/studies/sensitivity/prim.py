"""Scenario discovery with PRIM (Friedman & Fisher 1999): boxes of inputs where an outcome concentrates.

y may be 0/1 or a share in [0, 1] (e.g. the share of a point's trajectories that stagnate): the
density of a box is the mean of y inside it, its coverage the share of the total of y it holds,
its mass the share of points inside. Peeling cuts the `peel` fraction of the box's points off
one side of one input at a time, the cut that leaves the highest density, down to `min_mass`;
the analyst's trade-off is coverage against density along that trajectory. The chosen box is
the largest with coverage ≥ `min_coverage` whose density is within `tolerance` (0.01) of the
densest such box; it is pasted (grown back where that raises the density), and limits whose
lifting costs less than `tolerance` of density are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Box:
    """Limits per input (inclusive) and the box's statistics on the data it was found on."""

    low: np.ndarray
    high: np.ndarray
    density: float
    coverage: float
    mass: float

    def contains(self, x: np.ndarray) -> np.ndarray:
        return np.all((x >= self.low) & (x <= self.high), axis=1)

    def restricted(self, bounds: np.ndarray) -> list[int]:
        """Inputs whose limits are narrower than their full range."""
        return [i for i in range(self.low.size) if self.low[i] > bounds[i, 0] or self.high[i] < bounds[i, 1]]


def _box(x: np.ndarray, y: np.ndarray, low: np.ndarray, high: np.ndarray) -> Box:
    inside = np.all((x >= low) & (x <= high), axis=1)
    total = y.sum()
    density = float(y[inside].mean()) if inside.any() else 0.0
    return Box(low.copy(), high.copy(), density, float(y[inside].sum() / total) if total else 0.0,
               float(inside.mean()))


def peel(x: np.ndarray, y: np.ndarray, bounds: np.ndarray, alpha: float, min_mass: float) -> list[Box]:
    """The peeling trajectory from the full box (bounds (D, 2)) down to `min_mass`."""
    low, high = bounds[:, 0].astype(float).copy(), bounds[:, 1].astype(float).copy()
    boxes = [_box(x, y, low, high)]
    inside = np.ones(len(y), dtype=bool)
    while True:
        xin, yin = x[inside], y[inside]
        best = None
        for d in range(x.shape[1]):
            for side, cut in ((0, np.quantile(xin[:, d], alpha)), (1, np.quantile(xin[:, d], 1 - alpha))):
                keep = xin[:, d] >= cut if side == 0 else xin[:, d] <= cut
                if keep.all() or not keep.any():
                    continue
                score = (yin[keep].mean(), keep.sum())
                if best is None or score > best[0]:
                    best = (score, d, side, cut, keep)
        if best is None or best[0][1] < min_mass * len(y):
            return boxes
        _, d, side, cut, keep = best
        (low if side == 0 else high)[d] = cut
        inside[np.flatnonzero(inside)[~keep]] = False
        boxes.append(_box(x, y, low, high))


def paste(x: np.ndarray, y: np.ndarray, box: Box, bounds: np.ndarray, alpha: float) -> Box:
    """Grow the box, one side of one input at a time, while that raises its density."""
    while True:
        n_in = max(1, round(alpha * box.mass * len(y)))
        best = box
        for d in range(x.shape[1]):
            others = np.all(np.delete((x >= box.low) & (x <= box.high), d, axis=1), axis=1)
            for side in (0, 1):
                outside = x[others, d][x[others, d] < box.low[d]] if side == 0 else x[others, d][x[others, d] > box.high[d]]
                if outside.size == 0:
                    continue
                low, high = box.low.copy(), box.high.copy()
                if side == 0:
                    low[d] = max(bounds[d, 0], np.sort(outside)[-min(n_in, outside.size)])
                else:
                    high[d] = min(bounds[d, 1], np.sort(outside)[min(n_in, outside.size) - 1])
                grown = _box(x, y, low, high)
                if grown.density > best.density:
                    best = grown
        if best is box:
            return box
        box = best


def _lift(box: Box, bounds: np.ndarray, d: int, side: int) -> tuple[np.ndarray, np.ndarray]:
    low, high = box.low.copy(), box.high.copy()
    (low if side == 0 else high)[d] = bounds[d, side]
    return low, high


def prune(x: np.ndarray, y: np.ndarray, box: Box, bounds: np.ndarray, tolerance: float) -> Box:
    """Lift limits (one side of one input), least important first, while the density stays within
    `tolerance` of the box's: peeling takes small slices off inputs that do not matter."""
    while True:
        dims = range(box.low.size)
        sides = [(d, 0) for d in dims if box.low[d] > bounds[d, 0]] + [(d, 1) for d in dims if box.high[d] < bounds[d, 1]]
        lifted = [_box(x, y, *_lift(box, bounds, d, s)) for d, s in sides]
        best = max(lifted, key=lambda b: b.density, default=None)
        if best is None or best.density < box.density - tolerance:
            return box
        box = best


def discover(x: np.ndarray, y: np.ndarray, bounds: np.ndarray, alpha: float, min_mass: float,
             min_coverage: float, tolerance: float = 0.01) -> tuple[list[Box], Box]:
    """The peeling trajectory and the chosen box (see the module docstring)."""
    trajectory = peel(x, y, bounds, alpha, min_mass)
    eligible = [b for b in trajectory if b.coverage >= min_coverage] or trajectory[:1]
    top = max(b.density for b in eligible)
    chosen = next(b for b in eligible if b.density >= top - tolerance)  # the largest near the top
    chosen = paste(x, y, chosen, bounds, alpha)
    return trajectory, prune(x, y, chosen, bounds, tolerance)


def importance(x: np.ndarray, y: np.ndarray, box: Box, bounds: np.ndarray) -> dict[int, float]:
    """For each restricted input, how much density the box loses if that restriction is lifted."""
    out = {}
    for d in box.restricted(bounds):
        low, high = box.low.copy(), box.high.copy()
        low[d], high[d] = bounds[d]
        out[d] = box.density - _box(x, y, low, high).density
    return out
