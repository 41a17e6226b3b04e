"""English synonyms read from WordNet's noun files."""

from shopseek.thesaurus import synonyms


def test_a_noun_brings_the_other_words_of_its_most_common_sense() -> None:
    assert "sunglasses" in synonyms("shades")
    assert "wallet" in synonyms("billfold")
    assert synonyms("jewelry") == ("jewellery",)
    assert "shades" not in synonyms("shades")


def test_an_inflected_noun_is_looked_up_by_its_stem() -> None:
    assert "couch" in synonyms("sofas")


def test_a_noun_of_many_meanings_stands_only_for_its_other_spellings() -> None:
    assert synonyms("plate") == ()  # fifteen senses, the first a baseball's home plate
    assert synonyms("gray") == ("grey",)


def test_words_wordnet_lacks_have_no_synonyms() -> None:
    assert synonyms("xqzt") == ()
    assert synonyms("") == ()
