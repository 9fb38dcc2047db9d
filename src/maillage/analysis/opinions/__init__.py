"""Polis-grade opinion mapping: groups, representative and consensus statements.

Django-free: plain arrays in (``VoteTable`` or an openData folder), dataclasses out
(``OpinionAnalysis``). The formulas follow ``compdemocracy/polis`` ``math/`` and are documented
on each function.
"""

from maillage.analysis.opinions.matrix import VoteMatrix, VoteTable, build_vote_matrix
from maillage.analysis.opinions.opendata import (
    OpenDataConversation,
    OpenDataError,
    Statements,
    read_opendata,
)
from maillage.analysis.opinions.pipeline import MODES, OpinionAnalysis, analyze, in_conversation
from maillage.analysis.opinions.statistics import ConsensusStatement, RepresentativeStatement

__all__ = [
    "MODES",
    "ConsensusStatement",
    "OpenDataConversation",
    "OpenDataError",
    "OpinionAnalysis",
    "RepresentativeStatement",
    "Statements",
    "VoteMatrix",
    "VoteTable",
    "analyze",
    "build_vote_matrix",
    "in_conversation",
    "read_opendata",
]
