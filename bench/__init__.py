"""Benchmarks a user can run with `make bench`: one table, also written to bench/results.md."""
