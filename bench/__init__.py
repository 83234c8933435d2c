"""Benchmarks: each ``*_bench.py`` prints ratios against a baseline measured in the same run."""
