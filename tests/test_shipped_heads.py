"""The shipped cross-modal heads on held-out fashion products: words find image-only products, in both languages."""

from __future__ import annotations

import json
import tarfile

import pytest

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.eval.metrics import evaluate
from shopseek.lab.attribute_queries import build_queries, qrels_for
from shopseek.lab.fashion import load_products, split_of
from shopseek.search.engine import Query

from .conftest import SHARED_DATA, needs_shared_data

pytestmark = [pytest.mark.models, needs_shared_data()]
FASHION = SHARED_DATA / "fashion"


@pytest.fixture(scope="module")
def images_only_shop(tmp_path_factory: pytest.TempPathFactory) -> ShopSeek:
    folder = tmp_path_factory.mktemp("heads")
    kinds = {"Tshirts", "Shirts", "Jeans", "Watches", "Handbags", "Sports Shoes", "Heels", "Sunglasses"}
    test = [p for p in load_products(FASHION) if split_of(p.id) == "test" and p.article_type in kinds][:400]
    wanted = {f"images/{p.id}.jpg" for p in test}
    with tarfile.open(FASHION / "images.tar.gz") as archive:
        members = [m for m in archive if m.name in wanted]
        archive.extractall(folder, members=members, filter="data")
    lines = [json.dumps({"id": p.id, "images": [f"images/{p.id}.jpg"]}) for p in test]
    (folder / "c.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(folder / "index")
    shop.ingest(read_catalog(folder / "c.jsonl"))
    shop.test_products = test  # type: ignore[attr-defined]
    return shop


def test_words_find_image_only_products_in_english_and_chinese(images_only_shop: ShopSeek) -> None:
    products = images_only_shop.test_products  # type: ignore[attr-defined]
    queries = build_queries(products, 20, seed=4)
    qrels = qrels_for(queries, products)
    scores = {}
    for language in ("en", "zh"):
        subset = [q for q in queries if q.language == language]
        run = {
            q.qid: {h.product.id: h.score for h in images_only_shop.search(Query(q.text, k=50)).hits} for q in subset
        }
        scores[language] = evaluate({q.qid: qrels[q.qid] for q in subset}, run, ["nDCG@10"])["nDCG@10"]
    assert scores["en"] > 0.35, scores
    assert scores["zh"] > 0.85 * scores["en"], scores
