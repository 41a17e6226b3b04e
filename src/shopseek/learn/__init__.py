"""Learning: data splits, cross-modal alignment heads, ranking models. Never runs at import time."""
