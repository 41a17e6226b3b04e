"""Build the colour prototypes shipped in src/shopseek/data/colour-prototypes.json from the fashion train split.

Each colour's prototype is the mean colour histogram of the train products labelled with it minus the mean of
all train products: the direction in histogram space that tells that colour apart (a Rocchio classifier).
Run once by a developer (needs ../shared/data); the output is committed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

from shopseek.encoders.colour import colour_histogram
from shopseek.lab.fashion import extract_images, load_products, split_of

ROOT = Path(__file__).resolve().parents[1]
FASHION = ROOT.parent / "shared" / "data" / "fashion"
OUT = ROOT / "src" / "shopseek" / "data" / "colour-prototypes.json"
MIN_PRODUCTS = 20
NOT_A_COLOUR = {"Multi", "Metallic", "Skin", "Nude"}


def main() -> None:
    """Histogram every train product's thumbnail and write one prototype per colour name."""
    images = extract_images(FASHION, ROOT / ".shopseek" / "bench" / "fashion-images") / "images"
    by_colour: dict[str, list[np.ndarray]] = defaultdict(list)
    for product in load_products(FASHION):
        if split_of(product.id) == "train" and product.colour and product.colour not in NOT_A_COLOUR:
            path = images / f"{product.id}.jpg"
            if path.exists():
                by_colour[product.colour].append(colour_histogram(Image.open(path)))
    overall = np.mean([h for group in by_colour.values() for h in group], axis=0)
    prototypes = {
        name.lower(): [round(float(v), 5) for v in np.mean(group, axis=0) - overall]
        for name, group in sorted(by_colour.items())
        if len(group) >= MIN_PRODUCTS
    }
    counts = {name.lower(): len(group) for name, group in sorted(by_colour.items()) if len(group) >= MIN_PRODUCTS}
    payload = {"source": "fashion train split, mean histogram minus overall mean", "products": counts}
    OUT.write_text(json.dumps({**payload, "prototypes": prototypes}, indent=1) + "\n")
    print(f"{len(prototypes)} colours written to {OUT}")


if __name__ == "__main__":
    main()
