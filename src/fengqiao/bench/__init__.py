"""The city-scale benchmark: a generator for a whole city (``seed``) and the benchmark
runner (``run``), both behind ``fengqiao bench``. Results are kept in bench/README.md."""
