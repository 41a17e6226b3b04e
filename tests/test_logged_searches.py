"""Grouping the event log into searches: one rule, shared by the ranker and the experiment report."""

from __future__ import annotations

from shopseek.feedback.events import Event
from shopseek.feedback.searches import logged_searches


def _shown(user: str, product: str, position: int, query: str = "shirt") -> Event:
    return Event(user_id=user, product_id=product, type="impression", query=query, value=position)


def test_a_search_opens_at_position_one_or_when_a_product_repeats() -> None:
    events = [
        _shown("ann", "p1", 1),
        _shown("ann", "p2", 2),
        Event(user_id="ann", product_id="p2", type="click", query="shirt", value=2),
        Event(user_id="ann", product_id="p2", type="purchase", query="shirt"),
        _shown("ann", "p3", 1),  # a new page 1: a new search
        _shown("ann", "p4", 2),
        _shown("ann", "p4", 3),  # shown again without a position-1 impression: still a new search
        _shown("bob", "p1", 5),  # another shopper: their own search
        Event(user_id="bob", product_id="p9", type="click", query="other"),  # no open search: ignored
    ]
    searches = logged_searches((float(n), event) for n, event in enumerate(events))
    assert [(s.user_id, list(s.positions)) for s in searches] == [
        ("ann", ["p1", "p2"]),
        ("ann", ["p3", "p4"]),
        ("ann", ["p4"]),
        ("bob", ["p1"]),
    ]
    first = searches[0]
    assert first.gains == {"p2": 3} and first.clicked_positions() == [2]
    assert searches[1].gains == {} and searches[3].positions == {"p1": 5}
