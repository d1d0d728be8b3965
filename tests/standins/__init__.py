"""Local HTTP stand-ins of messenger APIs for tests and benchmarks."""
