"""The analysis of a run: one view of its results for full and summary-mode runs, the outlook, comparisons, scores."""
