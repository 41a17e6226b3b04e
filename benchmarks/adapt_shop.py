"""Adapting the cross-modal heads to one shop (`shopseek train alignment --index`), before vs after.

Two shops the heads were not trained for:
- fashion, leave categories out: heads trained without Footwear and Accessories (`--exclude-category`), then a
  shop of the test split's Footwear and Accessories products; attribute queries (EN + ZH) judged by type, colour
  and gender;
- DummyJSON: the 100 products with photos (shipped heads), category queries of the test phrasing.
Adaptation reads only each shop's own text ↔ photo pairs, never the queries or judgements. Each shop is measured
with titles and photos and with photos only (the same photos, the heads adapted on the first).

Run: .venv/bin/python -m benchmarks.adapt_shop [--shops dummyjson fashion]   (needs ../shared/data; the fashion
shop trains the left-out heads once: image features of all 36k products, then about 4 minutes of training)
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from benchmarks.common import CACHE, FASHION, RESULTS, ROOT, attribute_queries, images_dir, split_products, write_result
from benchmarks.general import catalogue, dummyjson_rows, queries_for
from shopseek.app import SHOP_HEADS, ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.eval.runner import EvalQuery, evaluate_modes
from shopseek.lab.fashion import write_catalog
from shopseek.learn.adapt import AdaptConfig, adapt
from shopseek.learn.alignment import write_card

LEFT_OUT = ("Footwear", "Accessories")
LEFT_OUT_HEADS = CACHE / "heads-without-footwear-accessories" / "alignment.pt"
MODES = ("cross_modal", "hybrid+match")


def left_out_heads() -> Path:
    """Heads trained on the fashion train split without the left-out categories (trained on first use)."""
    if not LEFT_OUT_HEADS.exists():
        from shopseek.learn.cli import alignment

        excluded = list(LEFT_OUT)
        alignment(data=FASHION, out=LEFT_OUT_HEADS, exclude_category=excluded, cache=ROOT / ".shopseek/cache/alignment")
    return LEFT_OUT_HEADS


def build(folder: Path, records_path: Path, heads: Path | None) -> ShopSeek:
    """A fresh index of a catalogue file, starting from the given heads (None: the shipped ones)."""
    shutil.rmtree(folder, ignore_errors=True)
    if heads is not None:
        (folder / SHOP_HEADS).parent.mkdir(parents=True)
        shutil.copy(heads, folder / SHOP_HEADS)
    shop = ShopSeek(folder)
    shop.ingest(read_catalog(records_path))
    return shop


def measure(
    full: Path, photos_only: Path, queries: list[EvalQuery], qrels: dict, heads: Path | None
) -> dict[str, object]:
    """Before/after nDCG@10 of both views, and what adapting on the full view cost and reported."""
    out: dict[str, object] = {}
    shops = {"titles+photos": build(full.parent / "full", full, heads)}
    shops["photos only"] = build(photos_only.parent / "photos", photos_only, heads)
    out["before"] = {name: pick(evaluate_modes(shop, queries, qrels)) for name, shop in shops.items()}
    started = time.perf_counter()
    adapted, card = adapt(shops["titles+photos"], AdaptConfig())
    out["adapt_seconds"] = round(time.perf_counter() - started, 1)
    out["own_photo"] = {"before": card["before"], "after": card["after"], "best_epoch": card["best_epoch"]}
    reopened = {}
    for name, shop in shops.items():
        path = shop.folder / SHOP_HEADS
        path.parent.mkdir(parents=True, exist_ok=True)
        adapted.save(path)
        write_card(path, card)
        shop.close()
        reopened[name] = ShopSeek(shop.folder)
    out["after"] = {name: pick(evaluate_modes(shop, queries, qrels)) for name, shop in reopened.items()}
    for shop in reopened.values():
        shop.close()
    return out


def pick(results: dict[str, dict[str, dict[str, float]]]) -> dict[str, dict[str, float]]:
    """nDCG@10 per language of the modes adaptation changes."""
    return {mode: {lang: v["nDCG@10"] for lang, v in results[mode].items()} for mode in MODES}


def fashion_left_out() -> dict[str, object]:
    """The leave-categories-out fashion shop."""
    products = [p for p in split_products("test") if p.master_category in LEFT_OUT]
    folder = CACHE / "adapt" / "fashion-left-out"
    folder.mkdir(parents=True, exist_ok=True)
    full = write_catalog(products, images_dir(), folder / "full.jsonl")
    photos = write_catalog(products, images_dir(), folder / "photos.jsonl", text=False)
    queries, qrels = attribute_queries(products, 100, seed=1)
    return {"products": len(products), **measure(full, photos, queries, qrels, left_out_heads())}


def dummyjson() -> dict[str, object]:
    """The DummyJSON shop (all 100 products with photos), category queries of the test phrasing."""
    rows = dummyjson_rows()
    folder = CACHE / "adapt" / "dummyjson"
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for view, signals in (("full", "title+description+images"), ("photos", "images")):
        paths[view] = folder / f"{view}.jsonl"
        paths[view].write_text("".join(json.dumps(r) + "\n" for r in catalogue(rows, signals)), encoding="utf-8")
    queries, qrels = queries_for(rows, "test")
    return {"products": len(rows), **measure(paths["full"], paths["photos"], queries, qrels, None)}


def main() -> None:
    """Measure the shops asked for (`--shops dummyjson fashion`) and write benchmarks/results/adapt_shop.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--shops", nargs="+", choices=list(SHOPS), default=list(SHOPS))
    path = RESULTS / "adapt_shop.json"
    result = json.loads(path.read_text()) if path.exists() else {}  # shops measured earlier are kept
    for name in parser.parse_args().shops:
        label, measure_shop = SHOPS[name]
        result[label] = measure_shop()
        print(json.dumps(result[label], indent=1, ensure_ascii=False), flush=True)
    print(write_result("adapt_shop", result))


SHOPS = {
    "dummyjson": ("dummyjson", dummyjson),
    "fashion": ("fashion without footwear+accessories", fashion_left_out),
}


if __name__ == "__main__":
    main()
