"""How far to trust the fashion-trained cross-modal heads for one query: do general signals agree with their picks?

The heads were trained on fashion photos; on other goods they pick confidently and wrongly (shoes for "phone").
The visual-words signal knows 1,000 everyday object classes. When the products the heads rank first score far
below the visual-words signal's own best, the query is outside what the heads know and their weight shrinks. The
same holds when the query's words occur in the catalogue and the heads' picks hold hardly any of them ("沙发" in a shop
of clothes and one sofa).
"""

from __future__ import annotations

from shopseek.index.base import Hits

TOP = 10
HEAD_SIGNALS = ("cross_modal", "match")  # trained on fashion: they know its types and colours
GENERAL_SIGNALS = ("visual_words", "colour")  # measured on any photo: they take the say the heads lose


def agreement_gap(picks: Hits, reference: Hits, top: int = TOP) -> float | None:
    """Mean reference score of the reference's own top products minus that of the picks' top products.

    Picks the reference did not list count at the reference's lowest listed score; None without a reference.
    """
    if not picks or not reference:
        return None
    scores = dict(reference)
    floor = min(scores.values())
    best = sum(score for _, score in reference[:top]) / min(top, len(reference))
    chosen = picks[:top]
    return best - sum(scores.get(key, floor) for key, _ in chosen) / len(chosen)


def head_trust(gap: float | None, limit: float) -> float:
    """1 up to a gap of half the limit, falling linearly to 0 at the limit (always 1 when the limit is 0)."""
    if gap is None or limit <= 0:
        return 1.0
    return max(0.0, min(1.0, 2.0 - 2.0 * gap / limit))


def lexical_share(picked: Hits, best: Hits, top: int = TOP) -> float | None:
    """BM25 score of the picks (`picked`: their own lexical hits) as a share of the best `top` lexical matches.

    None when no product matches the words: then words say nothing about the picks.
    """
    ceiling = sum(score for _, score in best[:top])
    if ceiling <= 0:
        return None
    return min(1.0, sum(score for _, score in picked[:top]) / ceiling)


def share_trust(share: float | None, limit: float) -> float:
    """0 when the picks hold none of the words, rising linearly to 1 at the limit share (always 1 at limit 0)."""
    if share is None or limit <= 0:
        return 1.0
    return min(1.0, share / limit)
