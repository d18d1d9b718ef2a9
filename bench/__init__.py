"""Benchmarks: performance scripts, run by hand or `make bench`, never timed in tests."""
