"""Catalogues beyond fashion (the two DummyJSON sets) and category queries a shopper would type, EN + ZH.

Products are split by id parity: odd ids are the dev catalogue (for choosing settings), even ids the test
catalogue (for reporting). Each category has separate dev and test phrasings, written as shoppers ask, not
from the engine's vocabulary; relevance is 1 for a product of an asked category.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from benchmarks.common import CACHE, ROOT
from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.eval.runner import EvalQuery

SHARED = ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class Ask:
    """One category a shopper asks for, in dev and test phrasings per language."""

    categories: frozenset[str]
    en_dev: tuple[str, ...]
    zh_dev: tuple[str, ...]
    en_test: tuple[str, ...]
    zh_test: tuple[str, ...]


def _ask(categories: str, en_dev: str, zh_dev: str, en_test: str, zh_test: str) -> Ask:
    split = lambda text: tuple(text.split("|"))  # noqa: E731
    return Ask(frozenset(categories.split()), split(en_dev), split(zh_dev), split(en_test), split(zh_test))


ASKS = [
    _ask(
        "smartphones",
        "phone|smartphone|android phone|new phone",
        "手机|安卓手机|新手机",
        "mobile phone|cell phone",
        "智能手机|移动电话",
    ),
    _ask(
        "laptops",
        "laptop|ultrabook|computer for work",
        "笔记本电脑|轻薄本|办公电脑",
        "notebook computer|laptop computer",
        "手提电脑|笔记本",
    ),
    _ask(
        "fragrances",
        "perfume|eau de parfum|scent for women",
        "香水|香氛|女士香水",
        "fragrance|cologne",
        "男士香水|古龙水",
    ),
    _ask(
        "skincare skin-care",
        "skin care|moisturizer|face cream",
        "护肤品|面霜|保湿霜",
        "skincare products|face serum",
        "护肤|精华液",
    ),
    _ask("beauty", "makeup|lipstick|mascara", "化妆品|口红|睫毛膏", "cosmetics|beauty products", "美妆|彩妆"),
    _ask(
        "groceries",
        "groceries|pantry staples|cooking ingredients",
        "杂货|食材|调味品",
        "food|snacks and food",
        "食品|食物",
    ),
    _ask(
        "home-decoration",
        "home decor|room decoration|ornaments",
        "家居装饰|房间装饰|工艺品",
        "decoration for the house|wall decor",
        "装饰品|家居摆件",
    ),
    _ask(
        "furniture",
        "furniture|bedroom furniture|shelf",
        "家具|卧室家具|柜子",
        "home furniture|furnishings",
        "室内家具|家私",
    ),
    _ask("tops", "women's top|ladies top|tank top", "女士上衣|女式上衣|吊带衫", "blouse|crop top", "女装上衣|短上衣"),
    _ask("womens-dresses", "dress|summer dress|gown", "连衣裙|裙子|晚礼服", "women's dress|frock", "女装裙子|长裙"),
    _ask(
        "womens-shoes",
        "women's shoes|women's sneakers|sandals for women",
        "女鞋|女式运动鞋|女士凉鞋",
        "ladies shoes|heels",
        "女士鞋子|高跟鞋",
    ),
    _ask(
        "mens-shirts",
        "men's shirt|casual shirt for men|polo shirt",
        "男士衬衫|男士短袖|男式衬衣",
        "shirt for men|men's t-shirt",
        "男装衬衫|男式T恤",
    ),
    _ask(
        "mens-shoes",
        "men's shoes|men's trainers|loafers",
        "男鞋|男士皮鞋|男式休闲鞋",
        "shoes for men|sneakers for men",
        "男士鞋子|男士运动鞋",
    ),
    _ask(
        "mens-watches womens-watches",
        "watch|men's watch|ladies watch",
        "手表|男表|女表",
        "wristwatch|timepiece",
        "腕表|钟表",
    ),
    _ask("womens-bags", "handbag|shoulder bag|tote bag", "女包|单肩包|手袋", "women's bag|purse", "手提包|女士包包"),
    _ask("womens-jewellery", "jewelry|ring|bracelet", "首饰|戒指|手链", "jewellery|necklace and earrings", "珠宝|饰品"),
    _ask(
        "sunglasses",
        "sunglasses|eyewear for the sun|uv glasses",
        "太阳镜|眼镜|遮阳镜",
        "shades|sun glasses",
        "墨镜|太阳眼镜",
    ),
    _ask(
        "automotive",
        "car accessories|car care|things for my car",
        "汽车用品|车饰|汽车装饰",
        "auto parts|car accessory",
        "汽车配件|车载用品",
    ),
    _ask("motorcycle", "motorcycle|scooter|dirt bike", "摩托车|摩托|踏板车", "motorbike|motor bike", "机车|电单车"),
    _ask("lighting", "lamp|chandelier|led light", "灯具|台灯|灯", "lights|ceiling light", "照明灯|吊灯"),
    _ask(
        "kitchen-accessories",
        "kitchen tools|utensils|pots and pans",
        "厨房用具|厨房工具|锅具",
        "kitchenware|cookware",
        "厨具|炊具",
    ),
    _ask(
        "mobile-accessories",
        "phone accessories|phone case|earphones",
        "手机配件|手机壳|耳机",
        "mobile accessories|phone charger",
        "数码配件|充电器",
    ),
    _ask(
        "sports-accessories",
        "sports equipment|gym equipment|ball for sports",
        "运动器材|运动装备|篮球足球",
        "sports gear|fitness equipment",
        "体育用品|健身器材",
    ),
    _ask(
        "tablets",
        "tablet|android tablet|tablet pc",
        "平板电脑|安卓平板|平板电脑推荐",
        "tablet computer|ipad",
        "平板|iPad平板",
    ),
    _ask("vehicle", "car|suv|new car", "汽车|小汽车|SUV", "automobile|vehicle", "轿车|车辆"),
]


def dummyjson_rows() -> list[dict]:
    """The 100 DummyJSON products with photos (ids `dj-N`), as catalogue records with absolute image paths."""
    folder = SHARED / "dummyjson"
    data = json.loads((folder / "products.json").read_text())["products"]
    return [
        {
            "id": f"dj-{raw['id']}",
            "title": raw["title"],
            "description": raw["description"],
            "brand": raw["brand"],
            "category": raw["category"],
            "price": raw["price"],
            "images": [str(folder / path) for path in raw["images"] if not path.endswith("thumbnail.jpg")][:3],
        }
        for raw in data
    ]


def dummyjson_2024_rows() -> list[dict]:
    """The 194 text-only DummyJSON products (ids `dj24-N`) with their tags and reviews."""
    data = json.loads((SHARED / "dummyjson-2024" / "products.json").read_text())
    return [
        {
            "id": f"dj24-{raw['id']}",
            "title": raw["title"],
            "description": raw["description"],
            "brand": raw.get("brand") or "",
            "category": raw["category"],
            "price": raw["price"],
            "tags": " ".join(raw.get("tags") or []),
            "reviews": [r["comment"] for r in raw.get("reviews") or []],
        }
        for raw in data
    ]


def in_split(rows: list[dict], split: str) -> list[dict]:
    """The rows of one split: odd ids are dev, even ids are test."""
    return [row for row in rows if (int(str(row["id"]).rsplit("-", 1)[1]) % 2 == 1) == (split == "dev")]


def catalogue(rows: list[dict], signals: str) -> list[dict]:
    """Records keeping the signals asked for: `images`, `text` (all but images) or `title+description+images`
    (what a shop gives at least: no category or brand fields to match words against)."""
    if signals == "images":
        return [{"id": row["id"], "images": row["images"]} for row in rows]
    if signals == "text":
        return [{k: v for k, v in row.items() if k != "images"} for row in rows]
    kept = ("id", "title", "description", "price", "images")
    return [{k: v for k, v in row.items() if k in kept} for row in rows]


def index_of(name: str, records: list[dict]) -> ShopSeek:
    """An index of these records, built once under the benchmark cache."""
    folder = CACHE / "general" / name
    if not (folder / "catalog.sqlite").exists():
        path = CACHE / "general" / f"{name}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        shop = ShopSeek(folder)
        shop.ingest(read_catalog(path))
        return shop
    return ShopSeek(folder)


def queries_for(rows: list[dict], split: str) -> tuple[list[EvalQuery], dict[str, dict[str, int]]]:
    """The split's phrasings of every category present in `rows`, and their judgements."""
    queries: list[EvalQuery] = []
    qrels: dict[str, dict[str, int]] = {}
    for number, ask in enumerate(ASKS):
        relevant = {row["id"]: 1 for row in rows if row.get("category") in ask.categories}
        if not relevant:
            continue
        phrasings = {"en": ask.en_dev, "zh": ask.zh_dev} if split == "dev" else {"en": ask.en_test, "zh": ask.zh_test}
        for language, texts in phrasings.items():
            for variant, text in enumerate(texts):
                qid = f"{language}{number}-{variant}"
                queries.append(EvalQuery(qid, text, None, language))
                qrels[qid] = relevant
    return queries, qrels
