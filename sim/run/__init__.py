"""Running an ensemble: executors (local processes, Dask), the block store, progress."""
