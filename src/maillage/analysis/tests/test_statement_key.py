"""The duplicate key of a statement (no database)."""

from maillage.analysis.opinions.duplicates import statement_key


def test_case_accents_spacing_and_punctuation_do_not_make_a_new_statement():
    same = [
        "Il faut plus d'arbres sur la place.",
        "  il FAUT plus d’arbres   sur la PLACE ",
        "Il faut plus d'arbres sur la place !",
        "Il faut plus d arbres sur la plâce",
    ]
    assert len({statement_key(text) for text in same}) == 1


def test_different_words_keep_different_keys():
    assert statement_key("Plus d'arbres") != statement_key("Moins d'arbres")
    assert statement_key("") == ""
