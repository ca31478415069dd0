"""The month's event likelihood of every particle, compiled: the filter evaluates it for every particle
of every month, where numpy's temporaries cost more than the arithmetic (observation.py says what it is)."""

from __future__ import annotations

import math

import numba
import numpy as np

jit = numba.njit(cache=True, nogil=True)


@jit
def subset_factors(hits: int, tracks: int, breadth: float) -> np.ndarray:
    """For each non-empty subset P (a bit mask) of the `hits` tracks seen: P(every other seen track joined
    a package of P, no unseen track joined any) = (1 − stay^|P|)^(hits − |P|) · stay^(|P|·(tracks − hits))."""
    stay = 1.0 - breadth
    out = np.zeros(1 << hits)
    for mask in range(1, 1 << hits):
        size = 0
        for j in range(hits):
            size += (mask >> j) & 1
        out[mask] = (1.0 - stay**size) ** (hits - size) * stay ** (size * (tracks - hits))
    return out


@jit
def add_packages(out, log_rate, rows, seen, share, breadth):
    """Add log P(the set of tracks the month's recorded packages hit is `seen`) to out (n,), summing over
    the primary tracks that may have caused it; rows[t] is the row of track t's primary events, recorded
    with probability 1 − exp(−rate·dt·share)."""
    tracks, n = rows.size, log_rate.shape[1]
    for t in range(tracks):  # log P(no recorded primary on the unseen tracks)
        if not seen[t]:
            for i in range(n):
                out[i] -= math.exp(log_rate[rows[t], i]) * share
    hit = np.flatnonzero(seen)
    if hit.size == 0:
        return
    factor = subset_factors(hit.size, tracks, breadth)
    q = np.empty(hit.size)  # P(a recorded primary) on each seen track
    for i in range(n):
        for j in range(hit.size):
            q[j] = -math.expm1(-math.exp(log_rate[rows[hit[j]], i]) * share)
        total = 0.0
        for mask in range(1, 1 << hit.size):
            p = factor[mask]
            for j in range(hit.size):
                p *= q[j] if (mask >> j) & 1 else 1.0 - q[j]
            total += p
        out[i] += math.log(max(total, 1e-300))


@jit
def add_events(out, log_rate, rows, recorded, occurred):
    """Add the log-likelihood of one-row events to out (n,): for each row in `rows`, recorded with
    probability 1 − exp(−rate·dt·recorded[j]): log of that where it occurred[j], −rate·dt·recorded[j] where not."""
    for j in range(rows.size):
        for i in range(out.size):
            rate = math.exp(log_rate[rows[j], i]) * recorded[j]
            out[i] += math.log(-math.expm1(-rate)) if occurred[j] else -rate
