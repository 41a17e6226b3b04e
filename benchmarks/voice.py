"""Voice search on the demo catalogue: spoken queries (espeak-ng) → transcript → search, with and without the
catalogue-word bias. Reports word error rate (jiwer) and top-10 precision (a hit is relevant when its title or
category holds the query's product word and, when asked, its colour and gender). The number of bias words is
chosen on the 10 dev phrases (and whether to hear the audio a second time biased by catalogue phrases); the 30
test phrases are measured once.

Run: .venv/bin/pip install -e '.[bench]' && .venv/bin/python -m benchmarks.voice   (needs espeak-ng)
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import jiwer

from benchmarks.common import write_result
from shopseek.app import SearchRequest, ShopSeek

DEMO_INDEX = Path(".shopseek/demo-index")
DEV = [
    "green shirt", "laptop bag", "white sneakers", "blue dress", "mens watch", "red lipstick", "sofa",
    "smartphone", "black handbag", "kids shoes",
]  # fmt: skip
TEST = [
    "red shirt for men", "blue jeans for women", "perfume", "laptop", "womens watch", "black shoes", "sunglasses",
    "white t shirt", "phone", "brown belt", "pink top", "grey trousers", "yellow shirt", "leather wallet",
    "sports shoes for men", "green kurta", "navy blue shirt", "silver ring", "black jeans", "purple dress",
    "red heels", "mens shorts", "white socks", "blue backpack", "kitchen knife", "motorcycle", "skin care",
    "womens sandals", "black sunglasses", "orange t shirt",
]  # fmt: skip
COLOURS = {"red", "blue", "black", "white", "green", "pink", "grey", "yellow", "brown", "purple", "navy", "orange",
           "silver"}  # fmt: skip
GENDERS = {"men": ("men", "boys"), "mens": ("men", "boys"), "women": ("women", "girls"), "womens": ("women", "girls")}
STOP = {"for", "t", "navy"}


def spoken(text: str, folder: Path) -> bytes:
    """A wav of espeak-ng saying the text."""
    path = folder / f"{text.replace(' ', '_')}.wav"
    subprocess.run(["espeak-ng", "-w", str(path), text], check=True)
    return path.read_bytes()


def relevant(query: str, title: str, category: str, gender: str) -> bool:
    """Whether a hit answers the spoken query: its product word, and the colour and gender asked for."""
    words = query.split()
    text = f"{title} {category}".lower()
    colours = [w for w in words if w in COLOURS]
    genders = [GENDERS[w] for w in words if w in GENDERS]
    things = [w for w in words if w not in COLOURS and w not in GENDERS and w not in STOP]
    gender_ok = all(any(g in f"{gender} {text}".lower().split() for g in options) for options in genders)
    return all(c in text for c in colours) and gender_ok and all(t.rstrip("s") in text for t in things)


def measure(shop: ShopSeek, phrases: list[str], setting: tuple[int, int, int], folder: Path) -> dict[str, float]:
    """WER and precision@10 of spoken phrases with this many bias words, this beam and this many bias phrases
    (heard a second time with those; the transcript with more catalogue words wins)."""
    hotwords, beam, phrase_count = setting
    biases = [shop.terms.frequent(hotwords)] + ([shop.terms.frequent_phrases(phrase_count)] if phrase_count else [])
    heard, precision = [], []
    for phrase in phrases:
        transcript = shop.transcriber.transcribe(spoken(phrase, folder), biases, shop.terms.known_words, beam)
        heard.append(transcript.lower().replace(",", "").replace("'", ""))
        hits = shop.search_for(SearchRequest(transcript, k=10, logged=False)).hits
        gender = [str(h.product.attributes.get("gender", "")) for h in hits]
        good = [relevant(phrase, h.product.title, h.product.category, g) for h, g in zip(hits, gender, strict=True)]
        precision.append(sum(good) / 10)
    return {"WER": round(jiwer.wer(phrases, heard), 4), "P@10": round(sum(precision) / len(precision), 4)}


def main() -> None:
    """Choose the bias size and beam on dev, then measure test with no bias and with the chosen setting."""
    shop = ShopSeek(DEMO_INDEX)
    result: dict[str, dict[str, dict[str, float]]] = {"dev": {}, "test": {}}
    settings = {f"{n} bias words, beam {beam}": (n, beam, 0) for beam in (1, 5) for n in (0, 10, 20, 40, 80)}
    settings |= {f"80 bias words or {n} bias phrases, beam 5": (80, 5, n) for n in (20, 40)}
    with tempfile.TemporaryDirectory() as folder:
        for name, setting in settings.items():
            result["dev"][name] = measure(shop, DEV, setting, Path(folder))
            print("dev", name, result["dev"][name], flush=True)
        best = min(result["dev"], key=lambda name: (result["dev"][name]["WER"], -result["dev"][name]["P@10"]))
        for name in ("0 bias words, beam 1", best):
            result["test"][name] = measure(shop, TEST, settings[name], Path(folder))
            print("test", name, result["test"][name], flush=True)
    print(write_result("voice", result))


if __name__ == "__main__":
    main()
