"""Themes and weak signals in what inhabitants say: French first, offline, at scale.

``analyze_themes(texts, dates=..., territories=..., profiles=...)`` returns a
:class:`ThemeAnalysis` of plain dataclasses and numpy arrays; nothing here imports Django.
"""

from .embeddings import available_cores, sentence_encoder
from .pipeline import analyze_themes
from .places import is_place_name
from .results import (
    DuplicateGroup,
    ModelSelection,
    Theme,
    ThemeAnalysis,
    TooFewTextsError,
    WeakSignal,
    WeakSignalReport,
)
from .signals import emergence_maps, kleinberg_bursts, log_likelihood, quadrants

__all__ = [
    "DuplicateGroup",
    "ModelSelection",
    "Theme",
    "ThemeAnalysis",
    "TooFewTextsError",
    "WeakSignal",
    "WeakSignalReport",
    "analyze_themes",
    "available_cores",
    "emergence_maps",
    "is_place_name",
    "kleinberg_bursts",
    "log_likelihood",
    "quadrants",
    "sentence_encoder",
]
