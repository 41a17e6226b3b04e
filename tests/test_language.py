"""Chinese + English tokenisation and the bilingual vocabulary."""

from __future__ import annotations

from shopseek.language import dictionary, language_of, to_english, tokenize
from shopseek.search.head_words import head_of
from shopseek.search.understand import understand


def test_chinese_is_segmented_into_words() -> None:
    assert tokenize("红色衬衫") == ["红色", "衬衫"]
    assert "手提包" in tokenize("女士黑色手提包")
    assert "牛仔裤" in tokenize("蓝色牛仔裤")


def test_english_is_stemmed_and_hyphens_joined() -> None:
    assert tokenize("Red T-Shirts") == ["red", "t", "shirt", "tshirt"]
    assert tokenize("the dresses") == ["dress"]


def test_mixed_script_and_model_numbers_survive() -> None:
    tokens = tokenize("红米Note12T 手机")
    assert "note12t" in tokens and "手机" in tokens
    assert to_english("红米Note12T") == "红米 note12t"


def test_chinese_renders_in_english() -> None:
    assert to_english("男士 藏青色 衬衫") == "men navy blue shirt"
    assert to_english("红色T恤") == "red tshirt"
    assert to_english("女士黑色手提包") == "women black handbag"


def test_languages_are_told_apart() -> None:
    assert language_of("红色衬衫") == "zh"
    assert language_of("red shirt") == "en"
    assert language_of("red 衬衫") == "mixed"


def test_understanding_expands_both_ways() -> None:
    chinese = understand("蓝色牛仔裤")
    assert {"blue", "jean"} <= set(chinese.tokens)
    assert chinese.renditions == ["蓝色牛仔裤", "blue jean"]
    english = understand("phone")
    assert "smartphon" in english.tokens and "手机" in english.tokens


def test_words_outside_the_product_vocabulary_come_from_cc_cedict() -> None:
    assert to_english("吊灯") == "hanging lamp"
    assert to_english("充电器") == "battery charger"
    assert to_english("古董") == "antique curio"
    assert to_english("零食") == "grocery"  # the product vocabulary keeps priority
    assert "smartphon" in understand("智能手机").tokens


def test_dictionary_senses_are_plain_words() -> None:
    english = dictionary()
    assert english["沙发"] == "sofa"  # "(loanword)" and the slang sense are dropped
    assert english["手机"] == "mobile phone cell phone"  # no measure words ("CL:"); the first sense last


def test_an_unknown_word_of_known_characters_is_read_character_by_character() -> None:
    assert to_english("男鞋") == "men shoe"  # neither jieba nor CC-CEDICT knows the word; the vocabulary its characters
    assert to_english("女表") == "women watch"
    assert to_english("红米Note12T") == "红米 note12t"  # 米 is not known: the brand stays whole, never "red 米"
    assert to_english("新品") == "新品"  # a lone character of the general dictionary is too ambiguous to use


def test_words_jieba_splits_are_read_whole_where_the_dictionary_has_them() -> None:
    assert to_english("平板电脑") == "tablet computer"  # not "slab plate" and "computer"
    assert to_english("充电宝").endswith("portable charger")


def test_the_last_character_of_a_phrase_is_its_head_and_is_translated() -> None:
    assert to_english("保温杯").endswith("trophy cup cup")  # 保温 + 杯: the cup is the thing
    assert to_english("不锈钢锅").endswith("pan pot")


def test_a_phrase_ends_in_the_first_sense_of_its_head() -> None:
    assert head_of("健身球") == "ball"  # 球 is "ball", then "sphere"
    assert head_of("跑步机") == "treadmil"  # not "running machine"
    assert head_of("手机壳") == "shell"  # not "carapace"
    assert to_english("红米") == "红米"  # the rest unknown: a brand, left whole
