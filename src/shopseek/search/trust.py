"""How far to trust the fashion-trained cross-modal heads for one query: do general signals agree with their picks?

The heads were trained on fashion photos; on other goods they pick wrongly (shoes for "phone"), scoring lower.
The visual-words signal knows 1,000 everyday object classes. When the products the heads rank first score far
below the visual-words signal's own best (far for visual words' own spread of scores) while visual words is sure of
its picks (its top stands out of its list) and the heads are not sure of theirs (their top picks score low), the
query is outside what the heads know and their weight shrinks. The same holds when the query's words occur in the
catalogue and the heads' picks hold hardly any of them ("沙发" in a shop of clothes and one sofa).
"""

from __future__ import annotations

from shopseek.index.base import Hits

TOP = 10
CONFIDENCE_RAMP = 0.05  # the heads' say grows from nothing to full over this much of their top picks' mean score
HEAD_SIGNALS = ("cross_modal", "match")  # trained on fashion: they know its types and colours
GENERAL_SIGNALS = ("visual_words", "colour")  # measured on any photo: they take the say the heads lose
COLOUR_SIGNALS = ("cross_modal", "match", "colour")  # they read the colour off the photo


def agreement_gap(picks: Hits, reference: Hits, top: int = TOP) -> float | None:
    """How far the picks' top products score below the reference's own top products in the reference's list, as a
    share of how far that top stands out of the whole list (0: the same picks; 1: picks as good as the list's mean).

    Measured on the reference's own spread, so a signal whose scores crowd together (visual words over a few
    products of each kind) counts as strongly as one whose scores spread. Picks the reference did not list count at
    its lowest listed score; None without a reference or when its scores do not spread at all.
    """
    if not picks or not reference:
        return None
    spread = standout(reference, top)
    if spread <= 0:
        return None
    scores = dict(reference)
    floor = min(scores.values())
    chosen = picks[:top]
    return (top_mean(reference, top) - sum(scores.get(key, floor) for key, _ in chosen) / len(chosen)) / spread


def top_mean(hits: Hits, top: int = TOP) -> float:
    """Mean score of the first `top` hits (0 without hits)."""
    chosen = hits[:top]
    return sum(score for _, score in chosen) / len(chosen) if chosen else 0.0


def standout(hits: Hits, top: int = TOP) -> float:
    """How far the top hits score above the whole list's mean: how sure a signal is of its own picks."""
    return top_mean(hits, top) - top_mean(hits, len(hits)) if hits else 0.0


def ramp(value: float, low: float, high: float) -> float:
    """0 at or below `low`, 1 at or above `high`, linear between."""
    if high <= low:
        return float(value >= high)
    return max(0.0, min(1.0, (value - low) / (high - low)))


def head_trust(gap: float | None, limit: float) -> float:
    """1 up to a gap of half the limit, falling linearly to 0 at the limit (always 1 when the limit is 0 or the gap
    is unknown)."""
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


def photo_trust(picks: Hits, reference: Hits, gap_limit: float, sure_at: float, confident_at: float) -> float | None:
    """The heads' say judged by photos: full while their own top picks score `confident_at`, or visual words agrees
    (gap up to half `gap_limit`), or visual words is unsure (its top stands out by less than half `sure_at`); None
    without visual words to compare with."""
    if not picks or not reference:
        return None
    agreement = head_trust(agreement_gap(picks, reference), gap_limit)
    if sure_at > 0:
        agreement = max(agreement, 1.0 - ramp(standout(reference), sure_at / 2, sure_at))
    return max(ramp(top_mean(picks), confident_at - CONFIDENCE_RAMP, confident_at), agreement)


def unnamed_colour_say(named: float, say: float) -> float:
    """The photo signals' weight factor for a query's colour: `say` when none of the best word matches name a colour
    (`named`, their share that do, is 0), falling linearly to 1 when all of them do."""
    return 1.0 + (say - 1.0) * (1.0 - named)
