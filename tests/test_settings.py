"""Index settings: one table of signals, weights for each, overrides checked against it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shopseek.config import DEFAULT_WEIGHTS, SIGNALS, Settings
from shopseek.search.rank import FEATURES


def test_every_signal_has_a_default_weight_and_ranker_features() -> None:
    assert set(DEFAULT_WEIGHTS) == set(SIGNALS)
    assert FEATURES[: len(SIGNALS)] == [f"{signal}_score" for signal in SIGNALS]


def test_weight_overrides_must_name_a_signal() -> None:
    assert Settings(weights={"lexical": 1.0}).fusion_weights()["lexical"] == 1.0
    with pytest.raises(ValidationError):
        Settings.model_validate({"weights": {"lexcial": 1.0}})
