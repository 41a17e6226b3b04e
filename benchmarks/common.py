"""Shared set-up for benchmarks: the held-out fashion test split, indexed once and cached."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.config import Settings
from shopseek.eval.runner import EvalQuery
from shopseek.lab.attribute_queries import build_queries, qrels_for
from shopseek.lab.fashion import FashionProduct, extract_images, load_products, split_of, write_catalog

ROOT = Path(__file__).resolve().parents[1]
FASHION = ROOT.parent / "shared" / "data" / "fashion"
CACHE = ROOT / ".shopseek" / "bench"
RESULTS = ROOT / "benchmarks" / "results"


def split_products(split: str = "test") -> list[FashionProduct]:
    """One split of the fashion set (test is held out; dev is for tuning)."""
    return [p for p in load_products(FASHION) if split_of(p.id) == split]


def test_products() -> list[FashionProduct]:
    """The held-out test split of the fashion set."""
    return split_products("test")


def images_dir() -> Path:
    """Unpacked fashion images (thumbnails and 224px photos)."""
    return extract_images(FASHION, CACHE / "fashion-images")


def test_index(
    name: str = "fashion-test", *, text: bool = True, split: str = "test", settings: Settings | None = None
) -> ShopSeek:
    """A split ingested with titles (or images only); built on first use, timing saved beside it."""
    folder = CACHE / name
    if not (folder / "catalog.sqlite").exists():
        products = split_products(split)
        catalog = write_catalog(products, images_dir(), CACHE / f"{name}.jsonl", text=text)
        shop = ShopSeek(folder, settings=settings)
        started = time.perf_counter()
        report = shop.ingest(read_catalog(catalog))
        seconds = time.perf_counter() - started
        timing = {"products": report.added, "images": report.images, "seconds": round(seconds, 1)}
        (folder / "ingest-timing.json").write_text(json.dumps(timing))
        return shop
    return ShopSeek(folder)


def attribute_queries(
    products: list[FashionProduct], count: int, seed: int
) -> tuple[list[EvalQuery], dict[str, dict[str, int]]]:
    """`count` shopper-phrased attribute query pairs (EN + ZH) about these products, and their graded judgements."""
    asked = build_queries(products, count, seed=seed)
    return [EvalQuery(q.qid, q.text, None, q.language) for q in asked], qrels_for(asked, products)


def phrased_queries(
    asks: Iterable[tuple[dict[str, int], dict[str, Sequence[str]]]],
) -> tuple[list[EvalQuery], dict[str, dict[str, int]]]:
    """Each ask's phrasings per language as queries ("en3-1": ask 3, second English phrasing), judged by the ask's
    relevant products; an ask with none is skipped and keeps its number."""
    queries: list[EvalQuery] = []
    qrels: dict[str, dict[str, int]] = {}
    for number, (relevant, phrasings) in enumerate(asks):
        if not relevant:
            continue
        for language, texts in phrasings.items():
            for variant, text in enumerate(texts):
                qid = f"{language}{number}-{variant}"
                queries.append(EvalQuery(qid, text, None, language))
                qrels[qid] = relevant
    return queries, qrels


def write_result(name: str, payload: dict) -> Path:
    """Write a benchmark result as JSON under benchmarks/results/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


def split_main(name: str, measure: Callable[[str], dict]) -> None:
    """Measure the split asked for (`--split dev|test`, test by default), write benchmarks/results/<name>.json (or
    <name>_dev.json) and print nDCG@10 per catalogue, mode and language."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=["dev", "test"], default="test")
    split = parser.parse_args().split
    result = measure(split)
    path = write_result(name if split == "test" else f"{name}_dev", result)
    for catalogue, modes in result.items():
        for mode, per_language in modes.items() if isinstance(modes, dict) else ():
            cells = "  ".join(f"{lang}={v['nDCG@10']:.3f}" for lang, v in per_language.items())
            print(f"{catalogue:38s} {mode:13s} nDCG@10 {cells}")
    print(f"written to {path}")
