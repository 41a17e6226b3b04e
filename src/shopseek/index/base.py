"""What every index answers: (product key, score) pairs, best first."""

from __future__ import annotations

Hits = list[tuple[int, float]]
