"""Turn raw contributions into lemma ids: tokenization, lemmatization, stop words, language.

The hot path is one regular-expression pass per chunk of distinct texts plus one hash-table
factorization of its tokens; everything per token type (lemma, stop word, language cue) is computed once per type and
then applied with numpy.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
import simplemma
from stop_words import get_stop_words

# Words that carry a stance: a stop-word list drops them, but "pas de taxe" and "taxe" say
# opposite things, so they stay in the vocabulary.
FRENCH_STANCE_WORDS: frozenset[str] = frozenset(
    [
        "pas",
        "ne",
        "non",
        "sans",
        "contre",
        "rien",
        "aucun",
        "aucune",
        "aucuns",
        "aucunes",
        "jamais",
        "plus",
        "moins",
        "trop",
        "ni",
        "nul",
        "nulle",
        "guère",
    ]
)
ENGLISH_STANCE_WORDS: frozenset[str] = frozenset(
    ["not", "no", "nor", "never", "against", "without", "none", "nothing", "more", "less", "too"]
)

SUPPORTED_LANGUAGES: tuple[str, ...] = ("fr", "en")
# Function words of these languages reveal a text that is neither French nor English.
_OTHER_LANGUAGES: dict[str, str] = {
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "nl": "dutch",
}
UNDETERMINED = "und"

# Letters (accents included) with inner hyphens; apostrophes, digits and punctuation split.
TOKEN_PATTERN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_APOSTROPHES: tuple[str, ...] = ("’", "ʼ", "`")
# A character no token contains separates texts when a whole chunk is tokenized at once.
_SEPARATOR = "\x00"
_CHUNK_PATTERN = re.compile(TOKEN_PATTERN.pattern + "|" + _SEPARATOR)
# Web addresses and email addresses are no words of a theme ("www", "http" would otherwise
# rise as signals whenever people paste links).
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def strip_addresses(text: str) -> str:
    """Return ``text`` without its web and email addresses (cheap when it has none)."""
    if "http" in text or "www." in text or "@" in text:
        return _ADDRESS.sub(" ", text)
    return text


def normalize_text(text: str) -> str:
    """Return ``text`` in NFC, lower case, with typographic apostrophes made plain."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    # Three str.replace calls are many times faster than str.translate with a dict.
    for typographic in _APOSTROPHES:
        if typographic in text:
            text = text.replace(typographic, "'")
    return text.lower()


@lru_cache(maxsize=8)
def stop_words_for(language: str) -> frozenset[str]:
    """Return the stop words of ``language`` ("fr" or "en") minus its stance words.

    Source: the ``stop-words`` package lists, with apostrophe variants split the way
    :data:`TOKEN_PATTERN` splits them (``qu'il`` gives ``qu`` and ``il``).
    """
    names = {"fr": "french", "en": "english"}
    stance = FRENCH_STANCE_WORDS if language == "fr" else ENGLISH_STANCE_WORDS
    words: set[str] = set()
    for word in get_stop_words(names[language]):
        words.update(TOKEN_PATTERN.findall(normalize_text(word)))
    if language == "fr":
        # Elided forms and single letters that the package list lacks.
        words.update(
            [
                "c",
                "d",
                "j",
                "l",
                "m",
                "qu",
                "s",
                "t",
                "y",
                "à",
                "a",
                "au",
                "aux",
                "du",
                "des",
                "ça",
                "cela",
                "ceci",
                "être",
                "avoir",
                "faire",
            ]
        )
    return frozenset(words - stance)


_LANGUAGE_CODES: tuple[str, ...] = ("fr", "en", *_OTHER_LANGUAGES)


@lru_cache(maxsize=1)
def _function_words() -> dict[str, set[str]]:
    """Return language code -> its function words (its stop-word list, single letters out)."""
    lists = {"fr": "french", "en": "english", **_OTHER_LANGUAGES}
    return {
        code: {
            token
            for word in get_stop_words(name)
            for token in TOKEN_PATTERN.findall(normalize_text(word))
            if len(token) > 1
        }
        for code, name in lists.items()
    }


@dataclass
class TokenizedCorpus:
    """Distinct normalized texts as flat arrays of token-type ids.

    ``text_of_row[r]`` is the index of row ``r``'s distinct text (-1 for an empty row);
    ``tokens[offsets[u]:offsets[u + 1]]`` are the token-type ids of distinct text ``u``;
    ``types`` lists the token types (lower-case surface words).
    """

    text_of_row: np.ndarray
    unique_texts: list[str]
    counts: np.ndarray
    tokens: np.ndarray
    offsets: np.ndarray
    types: list[str]
    languages: list[str] = field(default_factory=list)


def tokenize_corpus(texts: list[str]) -> TokenizedCorpus:
    """Return the distinct normalized texts of ``texts`` and their token-type ids.

    Identical texts (after normalization) are tokenized once: campaigns paste the same text
    many times, and short answers repeat verbatim.
    """
    index_of: dict[str, int] = {}
    # Raw texts repeat (verbatim answers, pasted campaigns): normalize each raw text once.
    position_of_raw: dict[str, int] = {}
    text_of_row = np.empty(len(texts), dtype=np.int64)
    unique_texts: list[str] = []
    for row, raw in enumerate(texts):
        position = position_of_raw.get(raw)
        if position is None:
            # The separator is no token character: dropping it from a text changes no token.
            normalized = (
                strip_addresses(normalize_text(raw)).replace(_SEPARATOR, " ") if raw else ""
            )
            if not normalized.strip():
                position = -1
            else:
                position = index_of.get(normalized)
                if position is None:
                    position = index_of[normalized] = len(unique_texts)
                    unique_texts.append(normalized)
            position_of_raw[raw] = position
        text_of_row[row] = position
    del position_of_raw
    counts = np.bincount(text_of_row[text_of_row >= 0], minlength=len(unique_texts))

    type_ids: dict[str, int] = {}
    chunks: list[np.ndarray] = []
    lengths = np.empty(len(unique_texts), dtype=np.int64)
    for start in range(0, len(unique_texts), 20_000):
        block = unique_texts[start : start + 20_000]
        # One regular-expression pass and one hash-table factorization per chunk: a Python
        # call per text or per token costs more than the matching itself.
        words = _CHUNK_PATTERN.findall(_SEPARATOR.join(block) + _SEPARATOR)
        codes, uniques = pd.factorize(np.array(words, dtype=object), sort=False)
        setdefault = type_ids.setdefault
        global_ids = np.fromiter(
            (-1 if w == _SEPARATOR else setdefault(w, len(type_ids)) for w in uniques),
            dtype=np.int64,
            count=len(uniques),
        )
        ids = global_ids[codes]
        ends = np.flatnonzero(ids < 0)
        lengths[start : start + len(block)] = np.diff(np.r_[-1, ends]) - 1
        chunks.append(ids[ids >= 0].astype(np.int32))
    tokens = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
    offsets = np.zeros(len(unique_texts) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    types = list(type_ids)
    corpus = TokenizedCorpus(text_of_row, unique_texts, counts, tokens, offsets, types)
    corpus.languages = detect_languages(corpus)
    return corpus


def detect_languages(corpus: TokenizedCorpus) -> list[str]:
    """Return a language code per distinct text from its function words.

    Each language scores the number of the text's tokens on its stop-word list; the best
    score wins, and a text with no function word or a tie is ``"und"`` (undetermined).
    Cheap by design: one table lookup per token, no model.
    """
    words = _function_words()
    membership = np.array(
        [[word in words[code] for code in _LANGUAGE_CODES] for word in corpus.types],
        dtype=np.int64,
    ).reshape(len(corpus.types), len(_LANGUAGE_CODES))
    n_texts = len(corpus.unique_texts)
    doc_of_token = np.repeat(np.arange(n_texts), np.diff(corpus.offsets))
    tally = np.zeros((n_texts, len(_LANGUAGE_CODES)), dtype=np.int64)
    for column in range(len(_LANGUAGE_CODES)):
        tally[:, column] = np.bincount(
            doc_of_token, weights=membership[corpus.tokens, column], minlength=n_texts
        )
    best = tally.argmax(axis=1)
    top = tally.max(axis=1)
    tied = (tally == top[:, None]).sum(axis=1) > 1
    labels = np.array(_LANGUAGE_CODES, dtype=object)[best]
    labels[(top == 0) | tied] = UNDETERMINED
    return labels.tolist()


def fold_accents(word: str) -> str:
    """Return ``word`` without diacritics: "agées", "âgées" and "âgees" are one word."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def lemmatize_types(types: list[str], language: str) -> list[str | None]:
    """Return the accent-folded lemma of each token type, None for stop words and letters.

    Lemmas come from simplemma (Barbaresi 2021). Folding accents after lemmatization merges
    the spellings typed without accents; the most frequent written form is shown later. Each
    type is lemmatized once, which is what makes lemmatization cheap on a million texts.
    """
    stops = stop_words_for(language)
    folded_stops = {fold_accents(word) for word in stops}
    lemmatize = simplemma.lemmatize
    lemmas: list[str | None] = []
    for word in types:
        if language == "fr" and word == "n":
            # The elided negation "n'" is "ne", a stance word.
            lemmas.append("ne")
            continue
        if len(word) < 2 or word in stops:
            lemmas.append(None)
            continue
        lemma = fold_accents(lemmatize(word, lang=language).lower())
        # Inflected stop words ("sont" -> "être") and unaccented ones ("etre") go too.
        lemmas.append(
            None if lemma in folded_stops or fold_accents(word) in folded_stops else lemma
        )
    return lemmas
