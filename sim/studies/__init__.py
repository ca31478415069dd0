"""Studies above the run: backtest, calibration, sensitivity, sweeps and the benchmark."""
