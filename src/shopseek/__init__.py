"""shopseek: cross-modal semantic product search for e-commerce."""

import os

# OpenMP threads (the text encoder's, torch's, FAISS's: three runtimes in one process) spin 3 ms after each parallel
# region by default and take the cores the others need: on busy cores a word search took 925 ms instead of 44 ms, and
# ingest's media threads slowed the text encoder fourfold. Waiting fully passive costs a quiet machine a sleep and
# wake per hand-off inside one forward pass (text encoder 7 -> 23 ms per query). So threads spin 1,000 rounds (about
# 10 µs, libgomp's own measure: 100,000 per ms), enough to bridge hand-offs within one pass, then sleep
# (benchmarks.stages; docs/benchmarks.md). Set before any runtime loads; a value the caller chose is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GOMP_SPINCOUNT", "1000")

__version__ = "0.1.0"
