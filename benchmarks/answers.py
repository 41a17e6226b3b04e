"""Answers for customer service on DummyJSON-2024 (descriptions, attributes and 582 reviews): 60 questions, half in
English and half in Chinese, on the 10 test products below; P@1 = the first answer comes from the source that holds
the answer (the attribute asked about, the description, or a review).

Run: .venv/bin/python -m benchmarks.answers
"""

from __future__ import annotations

import json
import shutil

from benchmarks.common import CACHE, write_result
from benchmarks.general import SHARED
from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog

PRODUCTS = [2, 6, 12, 20, 30, 44, 60, 78, 96, 120]  # even ids: the test half of DummyJSON-2024
QUESTIONS = [  # (English, Chinese, where the answer is)
    ("What warranty does it come with?", "保修期是多久？", "attribute warrantyInformation"),
    ("How fast will it ship?", "多久能发货？", "attribute shippingInformation"),
    ("Can I send it back if I don't like it?", "可以退货吗？", "attribute returnPolicy"),
]
FIELDS = ("warrantyInformation", "shippingInformation", "returnPolicy", "availabilityStatus")


def rows() -> list[dict]:
    """The chosen products with their description, service attributes and reviews."""
    data = json.loads((SHARED / "dummyjson-2024" / "products.json").read_text())
    chosen = [raw for raw in data if raw["id"] in PRODUCTS]
    return [
        {
            "id": f"dj24-{raw['id']}",
            "title": raw["title"],
            "description": raw["description"],
            "category": raw["category"],
            "reviews": [r["comment"] for r in raw.get("reviews") or []],
            **{field: raw[field] for field in FIELDS if raw.get(field)},
        }
        for raw in chosen
    ]


def main() -> None:
    """Ask every question of every product; P@1 per language."""
    folder = CACHE / "answers"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    catalogue = folder / "catalogue.jsonl"
    catalogue.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows()), encoding="utf-8")
    shop = ShopSeek(folder / "index")
    shop.ingest(read_catalog(catalogue))
    right: dict[str, list[bool]] = {"en": [], "zh": []}
    misses = []
    for row in rows():
        for english, chinese, source in QUESTIONS:
            for language, question in (("en", english), ("zh", chinese)):
                first = shop.answers(row["id"], question, 1)[0]
                right[language].append(first.source == source)
                if first.source != source:
                    misses.append({"product": row["id"], "question": question, "got": first.source, "text": first.text})
    result = {
        "questions": sum(len(v) for v in right.values()),
        "P@1": {
            "all": round(sum(right["en"] + right["zh"]) / len(right["en"] + right["zh"]), 4),
            **{language: round(sum(v) / len(v), 4) for language, v in right.items()},
        },
        "misses": misses[:10],
    }
    print(json.dumps(result, indent=1, ensure_ascii=False))
    print(write_result("answers", result))


if __name__ == "__main__":
    main()
