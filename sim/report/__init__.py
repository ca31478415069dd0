"""Figures and the written report of a run or a comparison of runs."""
