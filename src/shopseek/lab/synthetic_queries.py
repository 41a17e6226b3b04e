"""Training queries generated from product attributes, in English and Chinese, from the engine's vocabulary."""

from __future__ import annotations

import random

from shopseek.lab.fashion import FashionProduct
from shopseek.language import stem, vocabulary

GENDER_WORDS = {
    "Men": (["men", "men's", "for men", "male"], ["男士", "男款", "男式", "男"]),
    "Women": (["women", "women's", "for women", "ladies"], ["女士", "女款", "女式", "女"]),
    "Boys": (["boys", "boy's", "for boys", "kids"], ["男童", "男孩", "儿童"]),
    "Girls": (["girls", "girl's", "for girls", "kids"], ["女童", "女孩", "儿童"]),
    "Unisex": (["unisex", ""], ["男女通用", "中性", ""]),
}


def chinese_terms(english: str) -> list[str]:
    """Chinese words for an English attribute value: the whole phrase, else its longest known parts."""
    words = [stem(w) for w in english.lower().replace("-", " ").split()]
    table = vocabulary().english_to_chinese
    if tuple(words) in table:
        return table[tuple(words)]
    for size in range(len(words) - 1, 0, -1):
        for start in range(len(words) - size + 1):
            if tuple(words[start : start + size]) in table:
                return table[tuple(words[start : start + size])]
    return []


def english_query(product: FashionProduct, rng: random.Random) -> str:
    """An English shopper query for a product's type, colour and gender."""
    kind, colour = product.article_type.lower(), product.colour.lower()
    gender = rng.choice(GENDER_WORDS.get(product.gender, ([""], [""]))[0])
    pattern = rng.choice(["{c} {t}", "{g} {c} {t}", "{c} {t} {g}", "{g} {t}", "{t} {c}", "{t}"])
    return " ".join(pattern.format(c=colour, t=kind, g=gender).split())


def chinese_query(product: FashionProduct, rng: random.Random) -> str:
    """A Chinese shopper query; types without a Chinese word keep their English name (mixed queries)."""
    kind = rng.choice(chinese_terms(product.article_type) or [product.article_type.lower()])
    colour = rng.choice(chinese_terms(product.colour) or [product.colour.lower()])
    gender = rng.choice(GENDER_WORDS.get(product.gender, ([""], [""]))[1])
    pattern = rng.choice(["{c}{t}", "{g}{c}{t}", "{g} {c}{t}", "{g}{t}", "{c}的{t}", "{t}"])
    return pattern.format(c=colour, t=kind, g=gender).strip()


def queries_for(product: FashionProduct, count: int, seed: int) -> list[str]:
    """`count` queries for a product, alternating English and Chinese."""
    rng = random.Random(f"{seed}-{product.id}")
    return [english_query(product, rng) if n % 2 == 0 else chinese_query(product, rng) for n in range(count)]
