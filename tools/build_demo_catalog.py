"""Build the shipped demo catalogue from ../shared/data (run once by a developer; the output is committed)."""

from __future__ import annotations

import gzip
import io
import json
import random
import tarfile
from collections import defaultdict
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "shopseek" / "demo"
FASHION_COUNT = 2000
PHOTO_SIDE = 400


def shrink(source: Path | bytes, target: Path) -> None:
    """Save a JPEG copy no larger than PHOTO_SIDE on its long side."""
    image: Image.Image = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, (255, 255, 255))
        image.paste(rgba, mask=rgba.split()[-1])
    image = image.convert("RGB")
    image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, format="JPEG", quality=82)


def dummyjson_products() -> list[dict]:
    """The 100 DummyJSON products with shrunken photos."""
    data = json.loads((SHARED / "dummyjson" / "products.json").read_text())
    products = []
    for raw in data["products"]:
        images = []
        for number, relative in enumerate(raw["images"][:3]):
            target = OUT / "images" / "dummyjson" / str(raw["id"]) / f"{number}.jpg"
            shrink(SHARED / "dummyjson" / relative, target)
            images.append(str(target.relative_to(OUT)))
        products.append(
            {
                "id": f"dj-{raw['id']}",
                "title": raw["title"],
                "description": raw["description"],
                "brand": raw["brand"],
                "category": raw["category"],
                "price": raw["price"],
                "currency": "USD",
                "images": images,
                "rating": raw["rating"],
                "stock": raw["stock"],
            }
        )
    return products


def fashion_products() -> list[dict]:
    """A deterministic slice of the fashion set, spread over article types."""
    with gzip.open(SHARED / "fashion" / "products.jsonl.gz", "rt") as handle:
        rows = [json.loads(line) for line in handle]
    by_type: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_type[row["article_type"]].append(row)
    rng = random.Random(7)
    chosen: list[dict] = []
    for kind in sorted(by_type):
        group = by_type[kind]
        rng.shuffle(group)
        chosen += group[: max(2, round(FASHION_COUNT * len(group) / len(rows)))]
    chosen = sorted(chosen, key=lambda r: int(r["id"]))[:FASHION_COUNT]
    wanted = {f"images/{r['id']}.jpg": r for r in chosen}
    with tarfile.open(SHARED / "fashion" / "images.tar.gz") as archive:
        for member in archive:
            if member.name in wanted:
                extracted = archive.extractfile(member)
                if extracted:
                    target = OUT / "images" / "fashion" / f"{wanted[member.name]['id']}.jpg"
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(extracted.read())
    return [
        {
            "id": f"fa-{r['id']}",
            "title": r["title"],
            "category": r["article_type"],
            "images": [f"images/fashion/{r['id']}.jpg"],
            "gender": r["gender"],
            "colour": r["base_colour"],
            "usage": r["usage"],
            "season": r["season"],
        }
        for r in chosen
    ]


def main() -> None:
    """Write demo/catalog.jsonl and its images."""
    products = dummyjson_products() + fashion_products()
    with (OUT / "catalog.jsonl").open("w", encoding="utf-8") as handle:
        for product in products:
            handle.write(json.dumps(product, ensure_ascii=False) + "\n")
    print(f"wrote {len(products)} products to {OUT / 'catalog.jsonl'}")


if __name__ == "__main__":
    main()
