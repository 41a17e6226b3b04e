"""Attribute queries (type + colour + gender) in English and Chinese with graded relevance judgements.

The Chinese wording here is written independently of the bilingual vocabulary the engine uses, with
several phrasings per word, so measured Chinese quality is not the vocabulary grading itself.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from shopseek.lab.fashion import FashionProduct

TYPES: dict[str, tuple[list[str], list[str]]] = {
    "Tshirts": (["t-shirt", "tshirt", "tee"], ["T恤", "短袖T恤", "t恤"]),
    "Shirts": (["shirt"], ["衬衫", "衬衣"]),
    "Casual Shoes": (["casual shoes", "sneakers"], ["休闲鞋", "板鞋"]),
    "Watches": (["watch", "wrist watch"], ["手表", "腕表"]),
    "Sports Shoes": (["sports shoes", "running shoes"], ["运动鞋", "跑鞋"]),
    "Kurtas": (["kurta"], ["库尔塔", "印度长衫"]),
    "Tops": (["top"], ["上衣"]),
    "Handbags": (["handbag", "bag"], ["手提包", "手袋"]),
    "Heels": (["heels", "high heels"], ["高跟鞋"]),
    "Sunglasses": (["sunglasses"], ["太阳镜", "墨镜"]),
    "Wallets": (["wallet"], ["钱包"]),
    "Flip Flops": (["flip flops", "slippers"], ["人字拖", "拖鞋"]),
    "Sandals": (["sandals"], ["凉鞋"]),
    "Briefs": (["briefs"], ["内裤", "三角内裤"]),
    "Belts": (["belt"], ["腰带", "皮带"]),
    "Backpacks": (["backpack"], ["双肩包", "背包"]),
    "Socks": (["socks"], ["袜子"]),
    "Formal Shoes": (["formal shoes", "leather shoes"], ["皮鞋", "正装鞋"]),
    "Jeans": (["jeans"], ["牛仔裤"]),
    "Trousers": (["trousers", "pants"], ["裤子", "长裤"]),
    "Shorts": (["shorts"], ["短裤"]),
    "Flats": (["flats", "flat shoes"], ["平底鞋"]),
    "Dresses": (["dress"], ["连衣裙", "裙子"]),
    "Track Pants": (["track pants"], ["运动裤"]),
    "Sweatshirts": (["sweatshirt"], ["卫衣"]),
    "Sweaters": (["sweater"], ["毛衣"]),
    "Jackets": (["jacket"], ["夹克", "外套"]),
    "Caps": (["cap"], ["帽子", "棒球帽"]),
    "Earrings": (["earrings"], ["耳环"]),
    "Skirts": (["skirt"], ["半身裙", "短裙"]),
}

COLOURS: dict[str, tuple[list[str], list[str]]] = {
    "Black": (["black"], ["黑色", "黑"]),
    "White": (["white"], ["白色", "白"]),
    "Blue": (["blue"], ["蓝色", "蓝"]),
    "Brown": (["brown"], ["棕色", "咖啡色"]),
    "Grey": (["grey", "gray"], ["灰色"]),
    "Red": (["red"], ["红色", "红"]),
    "Green": (["green"], ["绿色"]),
    "Pink": (["pink"], ["粉色", "粉红色"]),
    "Navy Blue": (["navy blue", "navy"], ["藏青色", "深蓝色"]),
    "Purple": (["purple"], ["紫色"]),
    "Silver": (["silver"], ["银色"]),
    "Yellow": (["yellow"], ["黄色"]),
    "Beige": (["beige"], ["米色"]),
    "Gold": (["gold", "golden"], ["金色"]),
    "Maroon": (["maroon"], ["酒红色", "栗色"]),
    "Orange": (["orange"], ["橙色"]),
}

GENDERS: dict[str, tuple[list[str], list[str]]] = {
    "Men": (["men's", "men", "for men"], ["男士", "男款", "男"]),
    "Women": (["women's", "women", "for women"], ["女士", "女款", "女"]),
}


@dataclass(frozen=True)
class AttributeQuery:
    """A query with the attributes it asks for and its language."""

    qid: str
    text: str
    language: str
    article_type: str
    colour: str
    gender: str | None


def relevance(query: AttributeQuery, product: FashionProduct) -> int:
    """Graded gain: 3 type+colour+gender, 2 type+colour, 1 type+gender, else 0."""
    if product.article_type != query.article_type:
        return 0
    gender_ok = query.gender is None or product.gender in (query.gender, "Unisex")
    colour_ok = product.colour == query.colour
    return 3 if colour_ok and gender_ok else 2 if colour_ok else 1 if gender_ok else 0


def _english(rng: random.Random, kind: str, colour: str, gender: str | None) -> str:
    noun, adjective = rng.choice(TYPES[kind][0]), rng.choice(COLOURS[colour][0])
    if gender is None:
        return f"{adjective} {noun}"
    word = rng.choice(GENDERS[gender][0])
    return f"{adjective} {noun} {word}" if word.startswith("for") else f"{word} {adjective} {noun}"


def _chinese(rng: random.Random, kind: str, colour: str, gender: str | None) -> str:
    noun, adjective = rng.choice(TYPES[kind][1]), rng.choice(COLOURS[colour][1])
    prefix = rng.choice(GENDERS[gender][1]) if gender else ""
    separator = rng.choice(["", " "])
    return f"{prefix}{separator}{adjective}{noun}" if prefix else f"{adjective}{noun}"


def build_queries(products: Iterable[FashionProduct], count: int, seed: int = 0) -> list[AttributeQuery]:
    """Pairs of English and Chinese queries for attribute combinations that have ≥3 exact matches."""
    combos = Counter(
        (p.article_type, p.colour, p.gender)
        for p in products
        if p.article_type in TYPES and p.colour in COLOURS and p.gender in GENDERS
    )
    eligible = sorted(c for c, n in combos.items() if n >= 3)
    rng = random.Random(seed)
    chosen = rng.sample(eligible, min(count, len(eligible)))
    queries: list[AttributeQuery] = []
    for number, (kind, colour, gender) in enumerate(chosen):
        asked_gender = gender if rng.random() < 0.7 else None
        queries.append(
            AttributeQuery(f"en{number}", _english(rng, kind, colour, asked_gender), "en", kind, colour, asked_gender)
        )
        queries.append(
            AttributeQuery(f"zh{number}", _chinese(rng, kind, colour, asked_gender), "zh", kind, colour, asked_gender)
        )
    return queries


def qrels_for(queries: list[AttributeQuery], products: list[FashionProduct]) -> dict[str, dict[str, int]]:
    """Graded judgements of every product for every query (zeros left out)."""
    judgements: dict[str, dict[str, int]] = {}
    for query in queries:
        gains = {p.id: relevance(query, p) for p in products if p.article_type == query.article_type}
        judgements[query.qid] = {pid: gain for pid, gain in gains.items() if gain}
    return judgements
