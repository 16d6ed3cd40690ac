"""Benchmark scripts: each measures the real server and records its numbers in BENCHMARKS.md."""
