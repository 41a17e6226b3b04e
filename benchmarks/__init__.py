"""Benchmarks: quality on held-out data and speed, each writing a results file under benchmarks/results/."""
