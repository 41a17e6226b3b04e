"""Logged searches: a shopper's impressions and engagement events grouped back into the searches they came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from shopseek.feedback.events import ENGAGEMENT, Event


@dataclass
class LoggedSearch:
    """One search as the log saw it: where each product was shown, and the strongest engagement it got."""

    user_id: str
    query: str
    at: float
    positions: dict[str, int] = field(default_factory=dict)
    gains: dict[str, int] = field(default_factory=dict)
    clicked: set[str] = field(default_factory=set)

    def clicked_positions(self) -> list[int]:
        """Positions of the shown products that were clicked, best first."""
        return sorted(self.positions[product] for product in self.clicked if product in self.positions)


def logged_searches(events: Iterable[tuple[float, Event]]) -> list[LoggedSearch]:
    """Group events (oldest first) into searches by one rule: an impression opens a new search for its shopper and
    query when none is open, when it is shown at position 1, or when its product was already shown in the open one;
    clicks, carts, purchases and likes join the open search of their shopper and query."""
    searches: list[LoggedSearch] = []
    open_searches: dict[tuple[str, str], LoggedSearch] = {}
    for at, event in events:
        key = (event.user_id, event.query or "")
        current = open_searches.get(key)
        if event.type == "impression":
            position = int(event.value or 0)
            if current is None or position == 1 or event.product_id in current.positions:
                current = open_searches[key] = LoggedSearch(event.user_id, event.query or "", at)
                searches.append(current)
            current.positions[event.product_id] = position or len(current.positions) + 1
        elif current is not None and event.type in ENGAGEMENT:
            current.gains[event.product_id] = max(current.gains.get(event.product_id, 0), ENGAGEMENT[event.type])
            if event.type == "click":
                current.clicked.add(event.product_id)
    return searches
