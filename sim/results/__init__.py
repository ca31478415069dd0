"""Results: per-future measures on plain arrays, mergeable counts, the Dataset layout and its files."""
