"""Which terms read as meaning: a theme label's phrase or a weak signal, never a filler word.

A stop word is dropped before counting, but stance words ("pas", "sans") stay in the
vocabulary because "pas de taxe" and "taxe" say opposite things; generic verbs ("vouloir",
"falloir") and adverbs ("juste", "souvent") are content words to a stop list yet say nothing
of a theme. A phrase that starts or ends with one of them is a fragment ("suffisant pas",
"veux juste me sentir"); a single word of them is noise as a signal ("pas", "midi").
"""

from __future__ import annotations

from functools import lru_cache

from .text import (
    ENGLISH_STANCE_WORDS,
    FRENCH_STANCE_WORDS,
    TOKEN_PATTERN,
    fold_accents,
    lemmatize_types,
    normalize_text,
    stop_words_for,
)

# Lemmas, accent-folded (as lemmatize_types returns them). Never at a phrase's edge.
FRENCH_GENERIC_WORDS: frozenset[str] = frozenset(
    [
        # verbs that carry a wish, a modality or a saying, not a subject
        "vouloir", "pouvoir", "devoir", "falloir", "aller", "venir", "dire", "mettre", "voir",
        "savoir", "penser", "croire", "trouver", "sembler", "paraitre", "laisser", "rester",
        "prendre", "donner", "parler", "demander", "aimer", "souhaiter", "sentir", "permettre",
        "passer", "arriver", "essayer", "continuer", "commencer", "chercher", "esperer",
        "hesiter",
        # adverbs and quantifiers
        "juste", "vraiment", "souvent", "toujours", "bien", "mal", "tres", "aussi", "encore",
        "deja", "peu", "beaucoup", "assez", "tellement", "surtout", "parfois", "ici",
        "maintenant", "aujourd'hui", "aujourd", "hui", "vite", "seulement", "simplement", "notamment",
        "ainsi",
        "alors", "donc", "enfin", "meme", "autre", "tout", "chaque", "certain", "vrai",
        "actuellement", "egalement", "davantage", "forcement", "absolument", "totalement",
        "completement", "plutot", "possible", "necessaire", "important", "oui", "etc",
        # nouns that stand for anything
        "chose", "truc", "gens", "fois", "exemple", "cas", "niveau", "facon", "maniere", "part",
        "cote", "sorte", "genre", "type", "besoin", "envie", "question", "avis",
    ]
)  # fmt: skip
ENGLISH_GENERIC_WORDS: frozenset[str] = frozenset(
    [
        "want", "can", "could", "should", "would", "need", "get", "go", "come", "say", "make",
        "think", "like", "just", "really", "very", "also", "still", "always", "often", "thing",
        "way", "lot", "much", "many", "well", "even", "yes", "etc", "maybe", "feel",
    ]
)  # fmt: skip
# Fine inside a phrase ("sécurité le soir"), meaningless alone as a signal or a label.
FRENCH_VAGUE_ALONE: frozenset[str] = frozenset(
    [
        "midi", "matin", "soir", "soiree", "nuit", "jour", "journee", "semaine", "mois", "an",
        "annee", "heure", "moment", "temps", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
        "samedi", "dimanche", "monde", "personne", "lieu", "endroit", "place", "ville",
    ]
)  # fmt: skip
ENGLISH_VAGUE_ALONE: frozenset[str] = frozenset(
    ["morning", "evening", "night", "day", "week", "month", "year", "time", "people", "place"]
)


@lru_cache(maxsize=4)
def _edge_blockers(language: str) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Return (words never at an edge, lemmas never at an edge, lemmas never alone)."""
    french = language != "en"
    stance = FRENCH_STANCE_WORDS if french else ENGLISH_STANCE_WORDS
    generic = FRENCH_GENERIC_WORDS if french else ENGLISH_GENERIC_WORDS
    vague = FRENCH_VAGUE_ALONE if french else ENGLISH_VAGUE_ALONE
    words = {fold_accents(w) for w in stop_words_for("fr" if french else "en") | stance}
    return frozenset(words), frozenset(generic | {fold_accents(w) for w in stance}), vague


def _words(phrase: str) -> list[str]:
    return [fold_accents(w) for w in TOKEN_PATTERN.findall(normalize_text(phrase))]


def is_meaningful_term(surface: str, lemma: str = "", language: str = "fr") -> bool:
    """Return whether the term can name a theme or be reported as a signal.

    ``surface`` is the term as people wrote it ("lire à midi"), ``lemma`` its lemmas
    ("lire midi"; looked up when empty). Rejected: a stop, stance or generic word at either
    edge of the written phrase or of its lemmas, and a single word too vague alone.
    """
    words = _words(surface)
    if not words:
        return False
    if not lemma:
        edges = words[:1] if len(words) == 1 else [words[0], words[-1]]
        lemma = " ".join(w for w in lemmatize_types(edges, language) if w is not None)
    lemmas = lemma.split()
    blocked_words, blocked_lemmas, vague = _edge_blockers(language)
    if words[0] in blocked_words or words[-1] in blocked_words:
        return False
    if not lemmas or lemmas[0] in blocked_lemmas or lemmas[-1] in blocked_lemmas:
        return False
    if words[0] in blocked_lemmas or words[-1] in blocked_lemmas:
        return False
    return not (len(words) == 1 and (lemmas[0] in vague or words[0] in vague))
