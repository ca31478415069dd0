"""Global sensitivity and scenario discovery: which assumptions decide the outlook.

config: the study's validated parameter space; indices: Sobol and Morris designs and indices
(SALib); ensemble: a whole design as one vectorised ensemble with common random numbers;
prim: scenario discovery; study: the study end to end (`python -m sim.sensitivity`);
throughput: the design's speed against one engine call per point (`python -m sim.bench --design`).
"""
