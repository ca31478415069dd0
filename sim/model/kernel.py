"""The engine's compiled code (numba): the monthly step of one block and what each event does.

The tracks move by drift, implementation toward their commitments and noise, the drivers D, X, S,
R, subsidy and the relations climate Z follow their own processes, then the stochastic events
happen with the probabilities of the state just reached (competing hazards, hazards.py) and act.
A block is done in chunks of trajectories small enough to stay in the processor's cache: the
chunk's random numbers are drawn from the block's numpy Generator, then each stage is a loop over
the chunk that the compiler vectorises, instead of dozens of whole-array numpy passes with
temporaries. An event touches the few trajectories where it happens: numpy's indexed updates cost
tens of nanoseconds per touched element, these compiled functions a few. Numpy keeps what its
vector instructions do fastest, whole-array: I^η.

Every term a model does not use (a coefficient that is 0 for all trajectories, an event kind it
has no row for) is skipped, and random numbers are drawn only for the noises and event rows the
model has, so a model without commitments, climate or track events (model=reference) draws the
same numbers and gives the same bytes as the engine that knew only that model.

The engine's compiled code and the constants it is compiled with live in this one file:
numba's cache is renewed when this file changes, not when another module does.

`st` is a block's state as a tuple of its arrays (state.State.arrays): (y, drivers, counts, last,
tally, transitioned, months_since_crisis, c, hits, track_events). `p` is an event kind's
parameters (hazards.py), and the other coefficients are laid out as coefficients.py says: 2-D
arrays (rows, 1 or n), one row per value or track, with one column for all trajectories or one per
trajectory.
"""

from __future__ import annotations

import math

import numba
import numpy as np

jit = numba.njit(cache=True, nogil=True)
inline = numba.njit(inline="always")  # merged into the caller: a call that passes arrays costs more than an event

# Every event type the engine and calendar count, in the order of the results' `event` axis.
EVENT_TYPES = (
    "dispute", "crisis", "rally", "hedge", "sanctions", "detente", "commodity",
    "transition", "consolidation", "pivot", "programme", "deadline_met", "deadline_missed",
    "election", "subsidy_cut", "multi_vector", "step", "setback",
)
# The kinds of stochastic event; a model has one row of uniforms per event of a kind it uses
# (one per track for steps and setbacks), in this order (hazards.Rates).
KINDS = ("dispute", "crisis", "sanctions", "detente", "commodity", "transition", "step", "setback")
DRIVERS = ("D", "X", "S", "R", "subsidy", "Z")  # rows of State.drivers
LOGIT_BOUND = 15.0  # numerical guard: levels stay within 3e-7 of 0 and 1, representable in float32
SUB_MOST = 0.999  # numerical guard: the subsidy's share paid, 1 − subsidy, stays above 0 in logs

D, X, S, R, SUBSIDY, Z = range(len(DRIVERS))
(DISPUTE, CRISIS, RALLY, HEDGE, SANCTIONS, DETENTE, COMMODITY, TRANSITION, CONSOLIDATION, PIVOT,
 STEP, SETBACK) = (EVENT_TYPES.index(name) for name in (
    "dispute", "crisis", "rally", "hedge", "sanctions", "detente", "commodity",
    "transition", "consolidation", "pivot", "step", "setback"))
K_DISPUTE, K_CRISIS, K_SANCTIONS, K_DETENTE, K_COMMODITY, K_TRANSITION, K_STEP, K_SETBACK = range(len(KINDS))

NONE, SHARED, OWN = range(3)  # a slope 0 for all trajectories, one for all, one per trajectory (hazards.spread)

CHUNK = 512  # trajectories per pass: the rows a chunk touches (about 120 kB) stay in cache

# Rows of the drivers' parameters (engine.Dynamics.use), with the sign they enter (D_STRESS is −stress).
(D_BASE, D_PRESSURE, D_SUBSIDY, D_STRESS, D_REVERSION, D_VOLATILITY, X_DECAY,
 S_REVERSION, S_MEAN, S_VOLATILITY, S_FLOOR, R_REVERSION, R_MEAN, R_VOLATILITY, R_FLOOR, NOISE_INSTABILITY,
 Z_REVERSION, Z_BASE, Z_PRESSURE, Z_VOLATILITY, SUB_ADJUST, SUB_BASE, SUB_STRESS, SUB_PASS) = range(24)


# What each event does to trajectory i; v is its branch uniform, k the track of a track event.


@inline
def at(values, row, i):
    """Trajectory i's value of a parameter row: its own column, or the one shared column."""
    return values[row, i if values.shape[1] > 1 else 0]


@inline
def shift(y, effect, i):
    """Add a per-track logit jump to trajectory i, within ±LOGIT_BOUND."""
    for track in range(y.shape[0]):
        y[track, i] = min(max(y[track, i] + at(effect, track, i), -LOGIT_BOUND), LOGIT_BOUND)


@inline
def tick(st, kind, month, i):
    """Record an event of type `kind` this month in trajectory i (tally: trajectories per month)."""
    counts, last, tally = st[2], st[3], st[4]
    counts[kind, i] += 1
    if last[kind, i] != month:
        last[kind, i] = month
        tally[kind, month] += 1


@inline
def dispute(st, p, i, v, month, k):
    effect, subsidy_cut = p
    shift(st[0], effect, i)
    drivers = st[1]
    drivers[SUBSIDY, i] = max(drivers[SUBSIDY, i] - at(subsidy_cut, 0, i), 0.0)
    tick(st, DISPUTE, month, i)


@inline
def crisis(st, p, i, v, month, k):
    """Instability jumps; Minsk rallies to Moscow (more likely under Western pressure) or hedges,
    moving the tracks and the relations climate."""
    instability_jump, rally_odds, rally_pressure, reference_pressure, rally, hedge, rally_climate, hedge_climate = p
    drivers = st[1]
    drivers[S, i] += at(instability_jump, 0, i)
    st[6][i] = 0
    odds = at(rally_odds, 0, i) + at(rally_pressure, 0, i) * (drivers[X, i] - at(reference_pressure, 0, i))
    if v < 1.0 / (1.0 + math.exp(-odds)):
        shift(st[0], rally, i)
        drivers[Z, i] += at(rally_climate, 0, i)
        tick(st, RALLY, month, i)
    else:
        shift(st[0], hedge, i)
        drivers[Z, i] -= at(hedge_climate, 0, i)
        tick(st, HEDGE, month, i)
    tick(st, CRISIS, month, i)


@inline
def sanctions(st, p, i, v, month, k):
    jump, interdependence = p
    drivers = st[1]
    drivers[X, i] += at(jump, 0, i)
    drivers[D, i] = min(max(drivers[D, i] + at(interdependence, 0, i), 0.0), 1.0)
    tick(st, SANCTIONS, month, i)


@inline
def detente(st, p, i, v, month, k):
    (cut,) = p
    st[1][X, i] *= 1.0 - at(cut, 0, i)
    tick(st, DETENTE, month, i)


@inline
def commodity(st, p, i, v, month, k):
    jump, passed = p
    drivers = st[1]
    drivers[R, i] += at(jump, 0, i)
    pass_on(drivers, i, at(passed, 0, i) * at(jump, 0, i))
    tick(st, COMMODITY, month, i)


@inline
def pass_on(drivers, i, rise):
    """A price fixed in dollars while the oil-indexed reference moves: R rising by `rise` (oil
    falling) scales the share paid, 1 − subsidy, by exp(rise)."""
    if rise != 0.0:
        drivers[SUBSIDY, i] = min(max(1.0 - (1.0 - drivers[SUBSIDY, i]) * np.exp(rise), 0.0), 1.0)


@inline
def transition(st, p, i, v, month, k):
    """At most once per trajectory: a designated successor keeps the course, or the successor
    turns to Moscow (consolidation) or to the West (pivot)."""
    instability_jump, continuity, pro_moscow, consolidation, pivot, consolidation_climate, pivot_climate = p
    transitioned = st[5]
    if transitioned[i]:
        return
    transitioned[i] = True
    st[1][S, i] += at(instability_jump, 0, i)
    kept, to_moscow = at(continuity, 0, i), at(pro_moscow, 0, i)
    if kept <= v < kept + to_moscow:
        shift(st[0], consolidation, i)
        st[1][Z, i] += at(consolidation_climate, 0, i)
        tick(st, CONSOLIDATION, month, i)
    elif v >= kept + to_moscow:
        shift(st[0], pivot, i)
        st[1][Z, i] -= at(pivot_climate, 0, i)
        tick(st, PIVOT, month, i)
    tick(st, TRANSITION, month, i)


@inline
def magnitude(cumulative, i, v):
    """The coded magnitude (1, 2 or 3) an event's branch uniform picks, and the uniform rescaled
    within its interval (again uniform, for the next branch)."""
    first, second = at(cumulative, 0, i), at(cumulative, 1, i)
    if v < first:
        return 1, v / first
    if v < second:
        return 2, (v - first) / (second - first)
    return 3, (v - second) / (1.0 - second)


@inline
def hit(st, p, i, k, m, direction):
    """Track k of trajectory i takes a step (direction 0: its commitment rises) or a setback
    (direction 1: its level falls, part of its commitment with it) of coded magnitude m.
    p = (weights by magnitude, cumulative magnitude probabilities, breadth, climate, permanent share,
    subsidy cut by track), the same layout for both directions."""
    y, drivers, c, hits, track_events = st[0], st[1], st[7], st[8], st[9]
    weights, _, _, climate, permanent, subsidy_cut = p
    w = at(weights, m - 1, i)
    if direction == 0:
        c[k, i] = min(c[k, i] + w, LOGIT_BOUND)
        drivers[Z, i] += at(climate, 0, i)
    else:
        y[k, i] = max(y[k, i] - w, -LOGIT_BOUND)
        c[k, i] = max(c[k, i] - at(permanent, 0, i) * w, -LOGIT_BOUND)
        drivers[Z, i] -= at(climate, 0, i)
        drivers[SUBSIDY, i] = max(drivers[SUBSIDY, i] - at(subsidy_cut, k, i), 0.0)
    hits[direction, k, i] = max(hits[direction, k, i], m)
    track_events[direction, k, i] += 1


@inline
def package(st, p, i, v, month, k, direction):
    """A step or setback whose primary track is k: its magnitude, then each other track joins with
    probability `breadth` (a package of several tracks, as the record codes many of its rows)."""
    cumulative, breadth = p[1], p[2]
    m, v = magnitude(cumulative, i, v)
    q = at(breadth, 0, i)
    for track in range(st[0].shape[0]):
        if track == k:
            hit(st, p, i, track, m, direction)
        elif v < q:
            v = v / q
            hit(st, p, i, track, m, direction)
        else:
            v = (v - q) / (1.0 - q)
    tick(st, STEP if direction == 0 else SETBACK, month, i)


@inline
def step_event(st, p, i, v, month, k):
    package(st, p, i, v, month, k, 0)


@inline
def setback_event(st, p, i, v, month, k):
    package(st, p, i, v, month, k, 1)


@jit
def force(kind, st, params, idx, v, month):
    """An event of kind `kind` (an index into KINDS; not a track event) in trajectories idx, with
    branch uniforms v: a scenario's scripted event or a recorded one. `params`: every kind's parameters."""
    for j in range(idx.shape[0]):
        i, u = idx[j], v[j]
        if kind == K_DISPUTE:
            dispute(st, params[0], i, u, month, -1)
        elif kind == K_CRISIS:
            crisis(st, params[1], i, u, month, -1)
        elif kind == K_SANCTIONS:
            sanctions(st, params[2], i, u, month, -1)
        elif kind == K_DETENTE:
            detente(st, params[3], i, u, month, -1)
        elif kind == K_COMMODITY:
            commodity(st, params[4], i, u, month, -1)
        elif kind == K_TRANSITION:
            transition(st, params[5], i, u, month, -1)


@jit
def force_hits(st, p, magnitudes, direction):
    """Recorded steps (direction 0) or setbacks (1): magnitudes (tracks, n), 0 where none."""
    for k in range(magnitudes.shape[0]):
        for i in range(magnitudes.shape[1]):
            if magnitudes[k, i] > 0:
                hit(st, p, i, k, magnitudes[k, i], direction)


@jit
def tick_each(st, kind, month, idx):
    """Record an event of type `kind` this month in the trajectories idx."""
    for i in idx:
        tick(st, kind, month, i)


@jit
def shift_each(y, effect, idx):
    """Add a per-track logit jump to the trajectories idx."""
    for i in idx:
        shift(y, effect, i)


# The monthly step.


@inline
def zero(values, row):
    """A coefficient that is 0 for every trajectory: its term is skipped."""
    return values.shape[1] == 1 and values[row, 0] == 0.0


@inline
def none(values, row):
    """A coefficient that is 0 for every trajectory, shared or not: a feature the model does not use."""
    for c in range(values.shape[1]):
        if values[row, c] != 0.0:
            return False
    return True


@inline
def add(out, values, row, start):
    """out += values[row] over the chunk. One coefficient per loop, shared or per trajectory
    decided outside it: the compiler vectorises both loops."""
    if values.shape[1] == 1:
        value = values[row, 0]
        for c in range(out.shape[0]):
            out[c] += value
    else:
        own = values[row, start:start + out.shape[0]]
        for c in range(out.shape[0]):
            out[c] += own[c]


@inline
def add_times(out, values, row, x, start):
    """out += values[row] · x over the chunk."""
    if values.shape[1] == 1:
        value = values[row, 0]
        for c in range(out.shape[0]):
            out[c] += value * x[c]
    else:
        own = values[row, start:start + out.shape[0]]
        for c in range(out.shape[0]):
            out[c] += own[c] * x[c]


@inline
def clip(out, low, high):
    """out within [low, high] over the chunk."""
    for c in range(out.shape[0]):
        out[c] = min(max(out[c], low), high)


@inline
def relax(out, rate, row, target, start):
    """out += rate·(target − out) over the chunk (target an array of the chunk)."""
    if rate.shape[1] == 1:
        value = rate[row, 0]
        for c in range(out.shape[0]):
            out[c] += value * (target[c] - out[c])
    else:
        own = rate[row, start:start + out.shape[0]]
        for c in range(out.shape[0]):
            out[c] += own[c] * (target[c] - out[c])


@inline
def move_tracks(y, c, powered, drivers, z, tracks, p, scale, start, stop):
    """dy = (κ·(c − y) + μ + a_H·H − r·A·I^η + loadings·drivers)·dt + σ·(1 + ν·S)·chol·z·√dt, within
    ±LOGIT_BOUND; dc = −ε·(c − floor)·dt + σ_c·√dt·z_c. tracks = (constant (μ + a_H·H)·dt,
    drag −r·A·dt, loadings·dt, σ·chol·√dt, feedback, κ·dt, ε·dt, floor, σ_c·√dt); the commitments'
    noises are the last rows of z."""
    constant, drag, loadings, diffusion, _, implement, erode, floor, wander = tracks
    k = y.shape[0]
    scale[:] = 1.0
    add_times(scale, p, NOISE_INSTABILITY, drivers[S, start:stop], start)
    for j in range(k):
        zj = z[j, :stop - start]
        for n in range(zj.shape[0]):
            zj[n] *= scale[n]
    for t in range(k):
        yt = y[t, start:stop]
        if not none(implement, t):
            relax(yt, implement, t, c[t, start:stop], start)
        if not none(erode, t):
            ct = c[t, start:stop]
            for n in range(ct.shape[0]):
                scale[n] = at(floor, t, start + n)
            relax(ct, erode, t, scale, start)
        if not none(wander, t):
            add_times(c[t, start:stop], wander, t, z[z.shape[0] - k + t, :stop - start], start)
        add(yt, constant, t, start)
        if not zero(drag, t):
            add_times(yt, drag, t, powered[t, start:stop], start)
        for j in range(drivers.shape[0]):
            if not zero(loadings[t], j):
                add_times(yt, loadings[t], j, drivers[j, start:stop], start)
        for j in range(t + 1):  # the Cholesky factor is lower-triangular
            add_times(yt, diffusion[t], j, z[j, :stop - start], start)
        clip(yt, -LOGIT_BOUND, LOGIT_BOUND)


@inline
def move_drivers(level, drivers, z, feedback, p, gap, start, stop):
    """D mean-reverts to D* = base + feedback·I + pressure·X + subsidy·sub − stress·R within [0, 1];
    the climate Z reverts to base + pressure·X; where the subsidy adjusts continuously, the share paid
    log(1 − sub) is renegotiated toward log(1 − (base − stress·R)) and passes on R's move of the month
    (a price held in dollars against an oil-indexed reference); X decays; S and R mean-revert above
    their floors. Each driver moves from the others' previous values."""
    k = level.shape[0]
    n = stop - start
    d, x, r = drivers[D, start:stop], drivers[X, start:stop], drivers[R, start:stop]
    for c in range(gap.shape[0]):
        gap[c] = -d[c]
    add(gap, p, D_BASE, start)
    add_times(gap, p, D_PRESSURE, x, start)
    add_times(gap, p, D_SUBSIDY, drivers[SUBSIDY, start:stop], start)
    add_times(gap, p, D_STRESS, r, start)
    for t in range(k):
        add_times(gap, feedback, t, level[t, start:stop], start)
    add_times(d, p, D_REVERSION, gap, start)
    add_times(d, p, D_VOLATILITY, z[k, :n], start)
    clip(d, 0.0, 1.0)
    if not none(p, Z_REVERSION):
        climate = drivers[Z, start:stop]
        for c in range(gap.shape[0]):
            gap[c] = 0.0
        add(gap, p, Z_BASE, start)
        add_times(gap, p, Z_PRESSURE, x, start)
        relax(climate, p, Z_REVERSION, gap, start)
        if z.shape[0] > k + 3:  # the climate's own noise, where the model gives it one
            add_times(climate, p, Z_VOLATILITY, z[k + 3, :n], start)
    subsidy = drivers[SUBSIDY, start:stop]
    adjusts = not none(p, SUB_ADJUST)
    if adjusts:  # the share paid, log(1 − subsidy), is renegotiated toward 1 − (base − stress·R)
        for c in range(gap.shape[0]):
            gap[c] = 0.0
        add(gap, p, SUB_BASE, start)
        add_times(gap, p, SUB_STRESS, r, start)
        for c in range(gap.shape[0]):
            gap[c] = np.log(1.0 - min(max(gap[c], 0.0), SUB_MOST))
            subsidy[c] = np.log(1.0 - min(subsidy[c], SUB_MOST))
        relax(subsidy, p, SUB_ADJUST, gap, start)
        for c in range(subsidy.shape[0]):  # the price paid, held in dollars while R moves below
            subsidy[c] -= at(p, SUB_PASS, start + c) * r[c]
    for c in range(x.shape[0]):
        x[c] *= at(p, X_DECAY, start + c)
    for row, first, noise in ((S, S_REVERSION, k + 1), (R, R_REVERSION, k + 2)):
        v = drivers[row, start:stop]
        for c in range(gap.shape[0]):
            gap[c] = -v[c]
        add(gap, p, first + 1, start)  # mean
        add_times(v, p, first, gap, start)  # reversion
        add_times(v, p, first + 2, z[noise, :n], start)  # volatility
        for c in range(v.shape[0]):  # the floor
            v[c] = max(v[c], at(p, first + 3, start + c))
    if adjusts:
        add_times(subsidy, p, SUB_PASS, r, start)
        for c in range(subsidy.shape[0]):
            subsidy[c] = min(max(1.0 - np.exp(subsidy[c]), 0.0), 1.0)


@inline
def log_rates(u, drivers, months_since_crisis, rates, out, found, candidates, recorded, start, stop):
    """log(rate·dt) of every event row in the chunk (intercept + slopes · drivers, + the log multiplier
    in the months after a crisis) where the event may happen, −inf where it surely does not:
    u ≥ rate·dt ≥ p when u·(1 + y + y²/2 + y³/6 + y⁴/24) ≥ 1 with y = −log(rate·dt) > 0, since
    that sum is below e^y. This rules out most trajectories without an exponential, in loops the
    compiler vectorises. Row h's trajectories where it may happen are listed in candidates[h, :found[h]].
    A filter (rates = (…, thin)) first keeps the unthinned log-rates in `recorded` and then draws
    only the events the record does not hold: each row's rate times 1 − recording probability."""
    slopes, sloped, intercepts, after_crisis, thin = rates
    since = months_since_crisis[start:stop]
    keep = recorded.shape[1] > 0
    for h in range(out.shape[0]):
        row, uh = out[h, :stop - start], u[h, :stop - start]
        row[:] = 0.0
        add(row, intercepts, h, start)
        for j in range(drivers.shape[0]):
            if sloped[h, j] == SHARED:  # one slope for all: read once, not from a column per trajectory
                add_times(row, slopes[h, :, :1], j, drivers[j, start:stop], start)
            elif sloped[h, j] == OWN:
                add_times(row, slopes[h], j, drivers[j, start:stop], start)
        window = after_crisis[h]  # (months, log multiplier)
        if not zero(window, 1):
            for c in range(row.shape[0]):
                if since[c] < at(window, 0, start + c):
                    row[c] += at(window, 1, start + c)
        if keep:
            recorded[h, start:stop] = row
        if thin[h] != 0.0:
            for c in range(row.shape[0]):
                row[c] += thin[h]
        for c in range(row.shape[0]):
            y = max(-row[c], 0.0)
            series = 1.0 + y * (1.0 + y * 0.5 * (1.0 + y * (1.0 / 3.0) * (1.0 + y * 0.25)))
            row[c] = row[c] if uh[c] * series < 1.0 else -np.inf
        listed, mine = 0, candidates[h]
        for c in range(row.shape[0]):  # without a branch per trajectory
            mine[listed] = c
            listed += row[c] > -np.inf
        found[h] = listed


@inline
def branch(u, log_rate):
    """u/p if the event happens (u < p = 1 − exp(−rate·dt)), else −1; u/p is again uniform."""
    if log_rate == -np.inf:
        return -1.0
    bound = math.exp(log_rate)
    if u >= bound:
        return -1.0
    probability = -math.expm1(-bound)
    return u / probability if u < probability else -1.0


@inline
def happen(effect, h, k, u, log_rate, candidates, found, st, p, month, start):
    """Event row h (on track k, for track events) in every candidate trajectory of the chunk where it happens."""
    for j in range(found):
        c = candidates[j]
        v = branch(u[h, c], log_rate[h, c])
        if v >= 0.0:
            effect(st, p, start + c, v, month, k)


@inline
def draw_events(u, drivers, rates, rows, st, params, month, log_rate, found, candidates, recorded, start, stop):
    """Every event where it happens. The thinning screen leaves each event row a few trajectories
    where it may happen (listed by log_rates); the rows visit only those, row by row in the model's
    order (kind, then track), which keeps that order within each trajectory, as trajectories do not
    interact. rows = (kind, track) of each row."""
    months_since_crisis = st[6]
    log_rates(u, drivers, months_since_crisis, rates, log_rate, found, candidates, recorded, start, stop)
    kinds, tracks = rows
    for h in range(kinds.shape[0]):
        kind, k = kinds[h], tracks[h]
        if kind == K_DISPUTE:
            happen(dispute, h, k, u, log_rate, candidates[h], found[h], st, params[0], month, start)
        elif kind == K_CRISIS:
            happen(crisis, h, k, u, log_rate, candidates[h], found[h], st, params[1], month, start)
        elif kind == K_SANCTIONS:
            happen(sanctions, h, k, u, log_rate, candidates[h], found[h], st, params[2], month, start)
        elif kind == K_DETENTE:
            happen(detente, h, k, u, log_rate, candidates[h], found[h], st, params[3], month, start)
        elif kind == K_COMMODITY:
            happen(commodity, h, k, u, log_rate, candidates[h], found[h], st, params[4], month, start)
        elif kind == K_TRANSITION:
            happen(transition, h, k, u, log_rate, candidates[h], found[h], st, params[5], month, start)
        elif kind == K_STEP:
            happen(step_event, h, k, u, log_rate, candidates[h], found[h], st, params[6], month, start)
        else:
            happen(setback_event, h, k, u, log_rate, candidates[h], found[h], st, params[7], month, start)
    for i in range(start, stop):
        months_since_crisis[i] += 1


@inline
def draw(gen, normals, uniforms, m):
    """The random numbers of m trajectories for one month: one normal per noise (the tracks, D, S,
    R and, where the model has them, the climate and the commitments), one uniform per event row, row by row. Drawn a chunk at
    a time, they are still in cache when used; drawn in compiled code, they cost less than half of
    numpy's bulk calls (sim.bench)."""
    for r in range(normals.shape[0]):
        row = normals[r, :m]
        for c in range(m):
            row[c] = gen.standard_normal()
    for r in range(uniforms.shape[0]):
        row = uniforms[r, :m]
        for c in range(m):
            row[c] = gen.random()


@jit
def logistic(x):
    """1 / (1 + exp(−x)) elementwise: scipy's expit, the same operations, without a ufunc's overhead."""
    out = np.empty_like(x)
    for i in range(x.size):
        out.flat[i] = 1.0 / (1.0 + math.exp(-x.flat[i]))
    return out


@jit
def draw_only(gen, noises, events, n):
    """The floor: the random numbers `step` draws for n trajectories, `noises` normals and `events`
    uniforms each, without any model."""
    normals, uniforms = np.empty((noises, CHUNK)), np.empty((events, CHUNK))
    for start in range(0, n, CHUNK):
        draw(gen, normals, uniforms, min(CHUNK, n - start))


@jit
def step(gen, y, level, powered, drivers, st, tracks, driver_params, rates, rows, params, month, noises, recorded):
    """Advance every trajectory through one month, drawing its random numbers from `gen`; `powered`
    holds I^η, `rates` the event rows' slopes (and how each is read), this month's intercepts,
    after-crisis multipliers and thinning (hazards.Rates), `rows` their kinds and tracks, `params` the kinds' parameters;
    `noises` normals are drawn per trajectory; a filter gets the unthinned log-rates in `recorded`."""
    events = rows[0].shape[0]
    z, u, log_rate = np.empty((noises, CHUNK)), np.empty((events, CHUNK)), np.empty((events, CHUNK))
    scratch, candidates, found = np.empty(CHUNK), np.empty((events, CHUNK), np.int64), np.empty(events, np.int64)
    c = st[7]
    for start in range(0, y.shape[1], CHUNK):
        stop = min(start + CHUNK, y.shape[1])
        draw(gen, z, u, stop - start)
        move_tracks(y, c, powered, drivers, z, tracks, driver_params, scratch[:stop - start], start, stop)
        move_drivers(level, drivers, z, tracks[4], driver_params, scratch[:stop - start], start, stop)
        draw_events(u, drivers, rates, rows, st, params, month, log_rate, found, candidates, recorded, start, stop)
