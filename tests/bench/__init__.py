"""Benchmarks of speed and memory targets, run by `make bench` (not by `make test`)."""
