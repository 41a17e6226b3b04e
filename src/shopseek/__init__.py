"""shopseek: cross-modal semantic product search for e-commerce."""

import os

# OpenMP threads (the text encoder's, torch's, FAISS's: three runtimes in one process) otherwise spin after each
# parallel region and take the cores the others need: on busy cores a word search took 925 ms instead of 44 ms, and
# ingest's media threads slowed the text encoder fourfold. Passive waits cost a quiet machine about 10 ms per word
# search (benchmarks.stages). Set before any of them loads; a value the caller chose is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
