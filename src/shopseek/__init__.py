"""shopseek: cross-modal semantic product search for e-commerce."""

import os

# OpenMP threads of FAISS and torch otherwise spin for a while after each parallel region, taking the cores the
# text encoder's own threads need: on 2 loaded cores a word search went from 44 ms to 925 ms (benchmarks.live_scale).
# Set before faiss or torch load OpenMP; a value the caller chose is kept.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

__version__ = "0.1.0"
