"""The ingest → index → search pipeline with the fake encoder: modalities, filters, updates, reopen."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from shopseek.app import ShopSeek
from shopseek.catalog.readers import read_catalog
from shopseek.catalog.schema import Product
from shopseek.catalog.store import Filters
from shopseek.config import Signal
from shopseek.encoders.base import ENCODERS
from shopseek.errors import BadQuery
from shopseek.search.engine import Query

from .conftest import write_image


def ids(shop: ShopSeek, query: Query) -> list[str]:
    return [hit.product.id for hit in shop.search(query).hits]


def shop_of(tmp_path: Path, products: list[Product]) -> ShopSeek:
    """A shop with the fake encoder holding these products."""
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.add_products(products)
    return shop


def test_text_query_finds_the_matching_product_first(fake_shop: ShopSeek) -> None:
    result = fake_shop.search(Query("red shirt", k=3))
    assert result.hits[0].product.id == "p1"
    assert {"lexical", "dense"} <= set(result.hits[0].signals)


def test_chinese_query_finds_english_products(fake_shop: ShopSeek) -> None:
    assert ids(fake_shop, Query("红色衬衫", k=1)) == ["p1"]
    assert ids(fake_shop, Query("手机", k=1)) == ["p6"]


def test_text_only_product_is_findable(fake_shop: ShopSeek) -> None:
    assert ids(fake_shop, Query("leather wallet", k=1)) == ["p4"]


def test_image_only_product_is_findable_by_photo(fake_shop: ShopSeek, tmp_path: Path) -> None:
    photo = Image.open(write_image(tmp_path / "q.png", "red", (224, 224)))
    found = ids(fake_shop, Query(image=photo, k=3))
    assert found[0] in {"p1", "p5"} and "p5" in found


def test_text_and_photo_together(fake_shop: ShopSeek, tmp_path: Path) -> None:
    photo = Image.open(write_image(tmp_path / "q.png", "red", (224, 224)))
    result = fake_shop.search(Query("shirt", image=photo, k=1))
    assert result.hits[0].product.id == "p1"
    assert {"lexical", "dense", "image"} <= set(result.hits[0].signals)


def test_filters_restrict_results(fake_shop: ShopSeek) -> None:
    assert set(ids(fake_shop, Query("shirt shoes jeans", k=10, filters=Filters(brand="acme")))) == {
        "p1",
        "p3",
    }
    cheap = ids(fake_shop, Query("shirt shoes jeans phone", k=10, filters=Filters(price_max=50)))
    assert "p6" not in cheap and "p3" not in cheap
    assert ids(fake_shop, Query("anything", filters=Filters(category="no-such-category"))) == []


def test_pagination_windows_do_not_overlap(fake_shop: ShopSeek) -> None:
    first = ids(fake_shop, Query("shirt jeans shoes wallet", k=2, offset=0))
    second = ids(fake_shop, Query("shirt jeans shoes wallet", k=2, offset=2))
    assert len(first) == 2 and not set(first) & set(second)


def test_empty_query_is_an_error(fake_shop: ShopSeek) -> None:
    with pytest.raises(BadQuery):
        fake_shop.search(Query("   "))


def test_reingesting_an_id_updates_it(fake_shop: ShopSeek, tmp_path: Path) -> None:
    path = tmp_path / "update.jsonl"
    path.write_text(json.dumps({"id": "p4", "title": "Purple velvet hat", "category": "hats"}) + "\n")
    fake_shop.ingest(read_catalog(path))
    assert fake_shop.count() == 6
    assert ids(fake_shop, Query("velvet hat", k=1)) == ["p4"]
    old_words = {hit.product.id: hit.signals for hit in fake_shop.search(Query("leather wallet", k=6)).hits}
    assert "lexical" not in old_words.get("p4", {})


def test_delete_removes_from_every_signal(fake_shop: ShopSeek) -> None:
    assert fake_shop.delete("p1")
    assert not fake_shop.delete("p1")
    assert "p1" not in ids(fake_shop, Query("red shirt", k=10))
    assert fake_shop.count() == 5


def test_index_reopens_without_reencoding(fake_shop: ShopSeek) -> None:
    before = ids(fake_shop, Query("blue jeans", k=3))
    folder = fake_shop.folder
    fake_shop.close()

    class Refuses(ENCODERS["fake"]):  # type: ignore[misc, valid-type]
        def encode_image_batch(self, images):  # type: ignore[no-untyped-def]
            assert len(images) <= 1, "reopening must not re-encode the catalogue"
            return super().encode_image_batch(images)

    reopened = ShopSeek(folder, encoder=Refuses())
    assert ids(reopened, Query("blue jeans", k=3)) == before
    assert ids(reopened, Query("blue jeans", k=1, signals=frozenset({"lexical"}))) == ["p2"]
    assert reopened.count() == 6
    reopened.close()


def test_bad_media_is_reported_and_the_product_kept_when_it_has_text(tmp_path: Path) -> None:
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "c.jsonl").write_text(
        "\n".join(
            json.dumps(p)
            for p in [
                {"id": "a", "title": "Yellow raincoat", "images": ["broken.jpg"]},
                {"id": "b", "images": ["missing.jpg"]},
            ]
        )
    )
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    report = shop.ingest(read_catalog(folder / "c.jsonl"))
    reasons = " ".join(p.reason for p in report.problems)
    assert report.added == 1
    assert "corrupt" in reasons or "not an image" in reasons
    assert "file not found" in reasons and "skipped" in reasons
    assert shop.count() == 1
    shop.close()


def test_similar_products_exclude_the_product_itself(fake_shop: ShopSeek) -> None:
    similar = [hit.product.id for hit in fake_shop.similar("p1", k=3)]
    assert "p1" not in similar and "p5" in similar


class Projection:
    """A stand-in cross-modal space: fixed random projections of the fake encoder's vectors."""

    def __init__(self, seed: int) -> None:
        import numpy as np

        rng = np.random.default_rng(seed)
        self.joint_dim = 8
        self.version = f"projection-{seed}"
        self._text = rng.standard_normal((64, 8)).astype("float32")
        self._image = rng.standard_normal((48, 8)).astype("float32")

    def text(self, vectors):  # type: ignore[no-untyped-def]
        from shopseek.encoders.base import normalize

        return normalize(vectors @ self._text)

    def image(self, vectors):  # type: ignore[no-untyped-def]
        from shopseek.encoders.base import normalize

        return normalize(vectors @ self._image)

    def match(self, text, images):  # type: ignore[no-untyped-def]
        return images @ text


def test_new_heads_recompute_joint_vectors_without_reencoding(tmp_path: Path, tiny_catalog: Path) -> None:
    import numpy as np

    encoder = ENCODERS["fake"]()
    encoder.cross_modal = Projection(1)
    shop = ShopSeek(tmp_path / "index", encoder=encoder)
    shop.ingest(read_catalog(tiny_catalog))
    key = shop.store.key_of("p1")
    assert key is not None
    before = shop.indexes.joint_image.vector(key)
    shop.close()

    upgraded = ENCODERS["fake"]()
    upgraded.cross_modal = Projection(2)
    reopened = ShopSeek(tmp_path / "index", encoder=upgraded)
    after = reopened.indexes.joint_image.vector(key)
    expected = upgraded.cross_modal.image(reopened.indexes.image.vector(key)[None, :])[0]
    assert before is not None and after is not None
    assert not np.allclose(before, after) and np.allclose(after, expected, atol=1e-5)
    assert reopened.settings.joint_version == "projection-2"
    assert any("cross_modal" in hit.signals for hit in reopened.search(Query("red shirt", k=6)).hits)
    reopened.close()


def test_rrf_gives_tied_scores_the_same_rank() -> None:
    from shopseek.search.fuse import reciprocal_rank

    fused = dict(reciprocal_rank({"a": [(1, 0.5), (2, 0.5), (3, 0.1)]}, {}))
    assert fused[1] == fused[2] > fused[3]


@pytest.mark.parametrize("fusion", ["rrf", "weighted"])
def test_a_list_added_to_a_fusion_scores_as_fusing_all_at_once(fusion: str) -> None:
    from shopseek.search.fuse import FUSERS, adding

    fuser = FUSERS[fusion]
    lists = {"a": [(1, 0.9), (2, 0.5), (3, 0.1)], "b": [(3, 0.8), (4, 0.7), (1, 0.7)]}
    weights = {"a": 2.0, "b": 0.5}
    added = adding(fuser, fuser({"a": lists["a"]}, weights), lists["b"], weights["b"])
    at_once = fuser(lists, weights)
    assert [key for key, _ in added] == [key for key, _ in at_once]
    assert [score for _, score in added] == pytest.approx([score for _, score in at_once])


def test_words_find_image_only_products_through_visual_words(fake_shop: ShopSeek) -> None:
    result = fake_shop.search(Query("red", k=6, signals=frozenset({"visual_words"})))
    assert {hit.product.id for hit in result.hits[:2]} == {"p1", "p5"}  # p5 has no text at all
    assert all("visual_words" in hit.signals for hit in result.hits[:2])


def test_a_new_image_encoder_re_encodes_the_stored_photos(tmp_path: Path, tiny_catalog: Path) -> None:
    encoder = ENCODERS["fake"]()
    encoder.visual_words_version = encoder.image_version = ""
    shop = ShopSeek(tmp_path / "index", encoder=encoder)
    shop.ingest(read_catalog(tiny_catalog))
    assert shop.indexes.visual_words.export()[0].size == 0
    shop.close()

    reopened = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    keys = {reopened.store.key_of(pid) for pid in ("p1", "p2", "p3", "p5")}
    assert set(reopened.indexes.visual_words.export()[0].tolist()) == keys
    assert reopened.settings.image_version == "fake-4x4+fake-colour-names"
    reopened.close()


def test_re_encoding_keeps_the_vectors_of_products_without_stored_photos(tmp_path: Path) -> None:
    from shopseek.app import IngestReport
    from shopseek.pipeline import encode_products

    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    encoded = encode_products(shop.encoder, [Product(id="bare", title="hat")], [[Image.new("RGB", (8, 8), "red")]])
    encoded.copies = [[]]  # written with its vectors but no photo copy (as a bulk load might)
    shop.write_encoded(encoded, IngestReport())
    shop.settings.image_version = "an older image encoder"
    shop.save()
    shop.close()

    reopened = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())  # re-encodes stored photos: none here
    key = reopened.store.key_of("bare")
    assert reopened.indexes.visual_words.held(np.array([key]))[0] and reopened.indexes.image.held(np.array([key]))[0]
    reopened.close()


def test_a_word_in_the_title_outweighs_the_same_word_in_a_description(tmp_path: Path) -> None:
    filler = "sturdy and light for every day"
    shop = shop_of(
        tmp_path,
        [
            Product(id="bag", title="Shoulder bag", description=f"room for a phone, {filler}"),
            Product(id="phone", title="Smart phone", description=f"a big screen, {filler}"),
        ],
    )
    hits = shop.search(Query("phone", signals=frozenset({"lexical"}))).hits
    assert [hit.product.id for hit in hits] == ["phone", "bag"]
    shop.close()


def test_word_matches_of_only_the_query_modifiers_leave_the_bm25_list(tmp_path: Path) -> None:
    from shopseek.search.head_words import head_of, holding_head
    from shopseek.search.synonyms import SynonymGroups

    shop = shop_of(
        tmp_path,
        [
            Product(id="perfume", title="Fog scent perfume", description="long lasting"),
            Product(id="top", title="Tank top for women"),
            Product(id="bag", title="Shoulder bag for women"),
        ],
    )
    lexical: frozenset[Signal] = frozenset({"lexical"})
    assert ids(shop, Query("scent for women", signals=lexical)) == ["perfume"]
    women = {hit.product.id for hit in shop.search(Query("women", signals=lexical)).hits}
    assert women == {"top", "bag"}  # the word is its own head: every match holds it
    sofa = {hit.product.id for hit in shop.search(Query("sofa for women", signals=lexical)).hits}
    assert sofa == {"top", "bag"}  # no match holds "sofa": the list is left as it was
    assert holding_head([(1, 2.0), (2, 1.0)], set()) == [(1, 2.0), (2, 1.0)]
    assert head_of("yellow t-shirt") == "tshirt" and head_of("laptop bag - black") == "bag"
    shop.add_products([Product(id="mist", title="Body mist for women")])
    assert ids(shop, Query("scent for women", signals=lexical)) == ["perfume"]
    shop.synonyms.replace(SynonymGroups(groups=[["scent", "mist"]]))  # the shop's own synonyms name the head too
    shop.engine.forget_results()
    found = {hit.product.id for hit in shop.search(Query("scent for women", signals=lexical)).hits}
    assert found == {"perfume", "mist"}
    shop.close()


def test_the_first_result_brings_the_products_like_it(tmp_path: Path) -> None:
    shop = shop_of(
        tmp_path,
        [
            Product(id="box", title="Groceries", description="rice beans flour oil"),
            Product(id="rice", title="Rice", description="rice beans flour oil"),
            Product(id="lamp", title="Desk lamp", description="bright warm light"),
        ],
    )
    lists, _ = shop.engine.candidates(Query("groceries"))
    like = [shop.store.get_many([key])[key].product.id for key, _ in lists["like_first"]]
    assert like[:2] == ["box", "rice"]  # only the box says "groceries"; the rice is like it, the lamp is not
    assert "like_first" not in shop.engine.candidates(Query("red groceries"))[0]  # its neighbours need not be red
    without = frozenset({"lexical", "dense"})
    assert "like_first" not in shop.engine.candidates(Query("groceries", signals=without))[0]
    shop.close()


def test_a_catalogue_word_written_as_two_finds_its_products(tmp_path: Path) -> None:
    shop = shop_of(tmp_path, [Product(id="links", title="Silver cufflinks"), Product(id="shirt", title="Cuff shirt")])
    lexical: frozenset[Signal] = frozenset({"lexical"})
    assert ids(shop, Query("cuff links", signals=lexical)) == ["links"]
    shop.close()


def test_a_shoppers_synonym_finds_the_word_the_catalogue_uses(tmp_path: Path) -> None:
    shop = shop_of(tmp_path, [Product(id="glasses", title="Polarised sunglasses"), Product(id="tie", title="Silk tie")])
    lexical: frozenset[Signal] = frozenset({"lexical"})
    assert ids(shop, Query("shades", signals=lexical)) == ["glasses"]
    assert ids(shop, Query("necktie", signals=lexical)) == ["tie"]
    shop.close()


def test_word_matches_that_only_mention_the_head_noun_pass_most_of_their_say_to_dense(tmp_path: Path) -> None:
    shop = shop_of(
        tmp_path,
        [
            Product(id="bag", title="Shoulder bag for women", description="room for your phone and keys"),
            Product(id="galaxy", title="Galaxy S9", description="an android flagship with a big screen"),
            Product(id="charger", title="Car charger", description="fast charging on the road"),
            Product(id="earrings", title="Pearl earrings", description="accessories for every outfit"),
        ],
    )
    lexical: frozenset[Signal] = frozenset({"lexical"})
    found = {hit.product.id for hit in shop.search(Query("car accessories", signals=lexical)).hits}
    assert found == {"charger", "earrings"}  # a head only mentioned in passing keeps the other words' matches
    base = shop.settings.fusion_weights()
    kept = shop.settings.mentioned_say
    assert 0 < kept < 1

    def weights(query: str) -> dict[str, float]:
        recalled = shop.engine.recall(Query(query), None)
        return shop.engine._words_named(recalled.head_only_mentioned, recalled.lists, base)

    said = weights("phone")  # the bag only mentions a phone: its title names another thing
    assert said["lexical"] == pytest.approx(base["lexical"] * kept)
    assert said["dense"] == pytest.approx(base["dense"] + base["lexical"] * (1 - kept))
    assert weights("手机")["lexical"] == pytest.approx(base["lexical"] * kept)  # the same in Chinese
    assert weights("women's bag") == base  # a match names the head in its title
    assert weights("sofa for women") == base  # no match holds the head: the words matched are modifiers
    assert weights("teapot") == base  # no word matches at all
    shop.close()


def test_an_index_that_read_other_words_re_reads_its_products_on_opening(tmp_path: Path, tiny_catalog: Path) -> None:
    from shopseek.catalog.schema import SEARCHABLE_TEXT_VERSION

    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tiny_catalog))
    lexical: frozenset[Signal] = frozenset({"lexical"})
    expected = [(hit.product.id, hit.score) for hit in shop.search(Query("cotton shirt", signals=lexical)).hits]
    assert expected and shop.settings.lexical_version == SEARCHABLE_TEXT_VERSION
    keys = shop.indexes.lexical.held_keys()
    shop.indexes.lexical.add(keys, ["words of an older recipe"] * len(keys))  # as an index built before the change
    shop.settings.lexical_version = "an older text"
    shop.save()
    shop.close()

    reopened = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    found = [(hit.product.id, hit.score) for hit in reopened.search(Query("cotton shirt", signals=lexical)).hits]
    assert found == expected and reopened.settings.lexical_version == SEARCHABLE_TEXT_VERSION
    assert sorted(reopened.indexes.lexical.held_keys()) == sorted(keys)
    reopened.close()

    again = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())  # the re-read words were snapshotted
    assert [(hit.product.id, hit.score) for hit in again.search(Query("cotton shirt", signals=lexical)).hits] == found
    again.close()


def test_searches_from_many_threads_go_on_while_an_upgrade_re_reads_the_words(
    tmp_path: Path, tiny_catalog: Path
) -> None:
    import threading

    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tiny_catalog))
    shop.settings.lexical_version = "an older text"
    shop.save()
    shop.close()

    reopened = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"](), defer_recovery=True)
    failures: list[BaseException] = []
    found: list[set[str]] = []

    def search() -> None:
        for _ in range(40):
            try:
                found.append({hit.product.id for hit in reopened.search(Query("jeans", k=3)).hits})
            except BaseException as exc:  # any failure is the finding
                failures.append(exc)

    threads = [threading.Thread(target=search) for _ in range(6)]
    for thread in threads:
        thread.start()
    reopened.finish_opening()
    for thread in threads:
        thread.join()
    assert not failures and reopened.ready.is_set()
    assert all("p2" in ids for ids in found)  # the old index and the rebuilt one both answer
    reopened.close()


def test_a_colour_word_is_answered_by_the_photo_when_titles_do_not_say_it(tmp_path: Path) -> None:
    lines = []
    for colour in ("red", "blue", "green", "black"):
        image = write_image(tmp_path / "img" / f"{colour}.png", colour, (300, 400))
        lines.append(json.dumps({"id": f"tee-{colour}", "title": "Classic cotton t-shirt", "images": [image]}))
    lines.append(json.dumps({"id": "mug", "title": "Coffee mug", "images": [write_image(tmp_path / "m.png", "red")]}))
    (tmp_path / "variants.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tmp_path / "variants.jsonl"))
    assert ids(shop, Query("red t-shirt", k=1)) == ["tee-red"]
    assert ids(shop, Query("蓝色T恤", k=1)) == ["tee-blue"]
    colour_ranked = shop.search(Query("green t-shirt", k=5, signals=frozenset({"lexical", "colour"}))).hits
    assert colour_ranked[0].product.id == "tee-green" and "mug" not in {hit.product.id for hit in colour_ranked}
    shop.close()


def test_photo_signals_get_more_say_for_a_colour_the_best_word_matches_do_not_name(tmp_path: Path) -> None:
    from shopseek.search.trust import unnamed_colour_say

    assert unnamed_colour_say(0.0, 4.0) == 4.0 and unnamed_colour_say(1.0, 4.0) == 1.0
    assert unnamed_colour_say(0.5, 4.0) == pytest.approx(2.5)
    lines = []
    for colour in ("red", "blue"):
        image = write_image(tmp_path / "img" / f"{colour}.png", colour)
        lines.append(json.dumps({"id": f"tee-{colour}", "title": "Classic cotton t-shirt", "images": [image]}))
        lines.append(json.dumps({"id": f"cap-{colour}", "title": f"{colour} cap", "images": [image]}))
    green = write_image(tmp_path / "img" / "green.png", "green")
    lines.append(json.dumps({"id": "tee-green", "title": "Green cotton t-shirt", "images": [green]}))
    (tmp_path / "variants.jsonl").write_text("\n".join(lines))
    shop = ShopSeek(tmp_path / "index", encoder=ENCODERS["fake"]())
    shop.ingest(read_catalog(tmp_path / "variants.jsonl"))
    shop.settings.unnamed_colour_say = 4.0
    base = shop.settings.fusion_weights()
    # "red t-shirt": the tees match (the caps are no t-shirts); the green tee names a colour (1 of 3): 1 + 3 * 2/3
    for query, factor in (("red t-shirt", 3.0), ("红色T恤", 3.0), ("red cap", 1.0), ("t-shirt", 1.0)):
        lists = shop.engine.recall(Query(query), None).lists
        said = shop.engine._colour_said(query, lists, base)
        assert said["cross_modal"] == pytest.approx(base["cross_modal"] * factor), query
        assert said["colour"] == pytest.approx(base["colour"] * factor) and said["lexical"] == base["lexical"]
    shop.close()


def test_trained_heads_lose_their_say_when_visual_words_disagree_with_their_picks() -> None:
    from shopseek.search.trust import agreement_gap, head_trust

    reference = [(1, 0.90), (2, 0.89), (3, 0.70), (4, 0.69)]  # its top two stand 0.1 above its mean
    assert agreement_gap([(2, 0.5), (1, 0.4)], reference, top=2) == pytest.approx(0.0)
    gap = agreement_gap([(3, 0.5), (4, 0.4)], reference, top=2)
    assert gap == pytest.approx(2.0)  # 0.2 below its top, twice its spread
    crowded = [(key, 0.9 - (0.9 - score) / 10) for key, score in reference]  # the same order, scores ten times closer
    assert agreement_gap([(3, 0.5), (4, 0.4)], crowded, top=2) == pytest.approx(gap)
    assert agreement_gap([(1, 0.5)], [(1, 0.8), (2, 0.8)], top=2) is None  # scores that do not spread tell nothing
    assert head_trust(0.0, 0.1) == 1.0 and head_trust(0.075, 0.1) == pytest.approx(0.5) and head_trust(gap, 0.1) == 0.0
    assert head_trust(None, 0.1) == 1.0 and head_trust(gap, 0.0) == 1.0


def test_trained_heads_keep_their_say_when_sure_of_their_picks_or_when_visual_words_is_not() -> None:
    from shopseek.search.trust import photo_trust, ramp, standout, top_mean

    sure = [(key, 0.95 if key < 10 else 0.70) for key in range(20)]  # visual words: ten products stand out
    unsure = [(key, 0.80 - key / 10_000) for key in range(20)]
    assert top_mean(sure) == pytest.approx(0.95) and standout(sure) == pytest.approx(0.125)
    assert ramp(0.5, 0.4, 0.6) == pytest.approx(0.5) and ramp(0.1, 0.4, 0.6) == 0.0 and ramp(0.9, 0.4, 0.6) == 1.0
    doubtful = [(key, 0.35) for key in range(10, 20)]  # the heads pick what visual words ranks low, scoring it low
    assert photo_trust(doubtful, sure, 0.1, 0.05, 0.5) == 0.0
    assert photo_trust(doubtful, unsure, 0.1, 0.05, 0.5) == 1.0  # visual words cannot tell: the heads keep it
    assert photo_trust([(key, 0.6) for key in range(10, 20)], sure, 0.1, 0.05, 0.5) == 1.0  # the heads are sure
    assert photo_trust(doubtful, [], 0.1, 0.05, 0.5) is None


def test_trained_heads_lose_their_say_when_their_picks_hold_none_of_the_words_the_catalogue_has() -> None:
    from shopseek.search.trust import lexical_share, share_trust

    best = [(7, 3.5), (8, 1.0)]  # the sofa, and a product naming it once
    assert lexical_share([], best) == 0.0 and share_trust(0.0, 0.2) == 0.0  # the heads picked shoes
    assert lexical_share([(8, 1.0)], best, top=2) == pytest.approx(1.0 / 4.5)
    assert share_trust(lexical_share([(8, 1.0)], best, top=2), 0.2) == 1.0
    assert share_trust(0.1, 0.2) == pytest.approx(0.5) and share_trust(0.0, 0.0) == 1.0
    assert lexical_share([], []) is None and share_trust(None, 0.2) == 1.0  # no word matches: words say nothing


def test_an_id_given_twice_in_one_batch_is_written_once_as_its_last_version(fake_shop: ShopSeek) -> None:
    report = fake_shop.add_products([Product(id="dup", title="first"), Product(id="dup", title="second")])
    assert report.added == 1
    stored = fake_shop.store.get("dup")
    assert stored is not None and stored.product.title == "second"


def test_an_update_replaces_each_index_entry_and_leaves_the_side_a_product_lost(
    fake_shop: ShopSeek, tiny_catalog: Path
) -> None:
    key = fake_shop.store.key_of("p1")
    assert key is not None
    assert fake_shop.encoder.cross_modal is None  # the fake encoder has no heads: its joint spaces stay empty
    assert not fake_shop.indexes.joint_text.count() and not fake_shop.indexes.joint_image.count()

    def held() -> tuple[bool, bool, bool, bool]:
        indexes = fake_shop.indexes  # a checkpoint swaps in the spaces it read back
        lexical = key in indexes.lexical.held_keys()
        return lexical, *(bool(i.held(np.array([key]))[0]) for i in (indexes.text, indexes.image, indexes.visual_words))

    def update(product: dict) -> None:
        path = tiny_catalog.parent / "update.jsonl"
        path.write_text(json.dumps(product))
        fake_shop.ingest(read_catalog(path))

    update({"id": "p1", "title": "Blue linen shirt", "images": [str(tiny_catalog.parent / "img" / "p1.png")]})
    assert held() == (True, True, True, True)
    assert ids(fake_shop, Query("linen", k=1)) == ["p1"] and "p1" not in ids(fake_shop, Query("cotton", k=6))
    update({"id": "p1", "title": "Blue linen shirt"})  # the photo is gone
    assert held() == (True, True, False, False)
    update({"id": "p1", "images": [str(tiny_catalog.parent / "img" / "p1.png")]})  # the words are gone
    assert held() == (False, False, True, True)
    assert fake_shop.count() == 6
