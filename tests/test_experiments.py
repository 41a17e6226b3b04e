"""A/B experiments: stable assignment, variant settings applied to searches, reports and pages; analytics."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from shopseek.app import ShopSeek
from shopseek.feedback.events import Event
from shopseek.feedback.experiments import Experiment, Experiments, bucket
from shopseek.service.api import create_app

KEY = "k"
SPEC = {"variants": {"control": {"learned_ranking": False, "share": 50}, "ranker": {"share": 50}}}


def test_assignment_is_deterministic_and_balanced(tmp_path) -> None:  # type: ignore[no-untyped-def]
    experiments = Experiments(tmp_path / "e.json")
    experiments.put("ab", Experiment.model_validate(SPEC))
    first = [experiments.assign("ab", f"user{n}") for n in range(1000)]
    again = Experiments(tmp_path / "e.json")
    assert first == [again.assign("ab", f"user{n}") for n in range(1000)]
    assert 400 < first.count("control") < 600
    assert bucket("ab", "x") != bucket("other", "x") or bucket("ab", "y") != bucket("other", "y")


def test_shares_must_add_up() -> None:
    with pytest.raises(ValueError):
        Experiment.model_validate({"variants": {"a": {"share": 50}, "b": {"share": 40}}})


def test_report_counts_ctr_per_variant_and_renders(fake_shop: ShopSeek, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSEEK_API_KEY", KEY)
    client = TestClient(create_app(fake_shop))
    assert client.put("/experiments/ab", json=SPEC).status_code == 401
    assert client.put("/experiments/ab", json=SPEC, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
    users = [f"u{n}" for n in range(40)]
    for user in users:
        client.get("/search", params={"q": "shirt", "user": user}, headers={"Authorization": f"Bearer {KEY}"})
        variant = fake_shop.experiments.assign("ab", user)
        for position, product in enumerate(["p1", "p2", "p3"], start=1):
            fake_shop.record(Event(user_id=user, product_id=product, type="impression", query="shirt", value=position))
        clicks = 2 if variant == "ranker" else 1
        for position in range(1, clicks + 1):
            fake_shop.record(
                Event(user_id=user, product_id=f"p{position}", type="click", query="shirt", value=position)
            )
    report = client.get("/experiments/ab/report").json()
    control, ranker = report["variants"]["control"], report["variants"]["ranker"]
    assert control["users"] + ranker["users"] == 40
    assert ranker["ctr"] == pytest.approx(2 / 3, abs=1e-3)
    assert control["ctr"] == pytest.approx(1 / 3, abs=1e-3)
    assert control["ndcg_from_clicks"] == pytest.approx(1.0)
    assert report["ctr_chi2_p_value"] < 0.05
    page = client.get("/experiments/ab")
    assert page.status_code == 200 and "CTR by variant" in page.text and "data:image/png;base64" in page.text
    assert client.get("/experiments/nope/report").status_code == 404


def test_analytics_shows_top_and_zero_result_queries(fake_shop: ShopSeek, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHOPSEEK_API_KEY", KEY)
    client = TestClient(create_app(fake_shop))
    for user in ("a", "b", "c"):
        fake_shop.events.log_search("red shirt", 2, user)
    for _ in range(60):  # one client repeating a query is one shopper, however often
        client.get("/search", params={"q": "visit evil.example for deals"})
    fake_shop.events.log_search("unicorn saddle", 0)
    assert client.get("/analytics/data").status_code == 401
    assert client.get("/analytics", auth=("owner", "wrong")).status_code == 401
    data = client.get("/analytics/data", headers={"Authorization": f"Bearer {KEY}"}).json()
    assert data["top_queries"][0] == {"query": "red shirt", "shoppers": 3}
    assert {"query": "visit evil.example for deals", "shoppers": 1} in data["top_queries"]
    assert data["zero_result_queries"] == [{"query": "unicorn saddle", "shoppers": 1}]
    page = client.get("/analytics", auth=("owner", KEY))  # a browser asks for it with HTTP Basic
    assert page.status_code == 200 and "Top queries" in page.text


def test_experiment_weights_must_be_finite() -> None:
    import pydantic

    with pytest.raises(pydantic.ValidationError, match="finite"):
        Experiment.model_validate({"variants": {"a": {"weights": {"lexical": float("nan")}}, "b": {}}})
