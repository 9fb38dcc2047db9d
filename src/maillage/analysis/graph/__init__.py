"""The cooperation graph: who cooperates with whom across the je, the nous and the dans.

Plain node and edge records go in (:class:`Node`, :class:`Edge`, or arrays), dataclasses come
out: hybridization across sectors, bridges, Leiden communities, loops of pooling, the
participation loop per campaign, the snowball of invitations and pooling versus co-production.
Pooling and co-production are kept apart in every measure (the seed: pooling does not
necessarily develop cooperation).

Why igraph rather than rustworkx: igraph's C core has everything measured here in one
well-kept library: subset betweenness from sampled sources, biconnected components and
articulation points, strongly connected components, modularity, reciprocity and a Leiden
implementation by Leiden's own author, plus GraphML reading for tests. rustworkx has fast
betweenness and articulation points but no community detection (Leiden would need a second
stack anyway, and leidenalg is built on igraph). On our 2-million-edge synthetic region
igraph's built-in ``community_leiden`` ran in ~12 s where leidenalg's ``find_partition`` on
the same graph took ~150 s, so communities use the former (same algorithm, Traag et al. 2019).
"""

from .analyze import GraphAnalysis, analyze, to_jsonable
from .bridges import Bridges, approximate_betweenness, bridges, pivot_count, sampling_error
from .communities import Communities, communities
from .edgelist import EdgeList, EdgeListError, read_edge_list
from .export import write_csv, write_gexf, write_graphml
from .hybridization import Hybridization, hybridization
from .loops import Loops, loops
from .model import (
    CooperationGraph,
    Edge,
    EdgeKind,
    GraphInputError,
    Node,
    NodeKind,
    Sector,
)
from .participation import LoopEvent, LoopStage, ParticipationLoops, participation_loops
from .pooling import PoolingBalance, pooling_balance
from .snowball import Snowball, snowball

__all__ = [
    "Bridges",
    "Communities",
    "CooperationGraph",
    "Edge",
    "EdgeKind",
    "EdgeList",
    "EdgeListError",
    "GraphAnalysis",
    "GraphInputError",
    "Hybridization",
    "LoopEvent",
    "LoopStage",
    "Loops",
    "Node",
    "NodeKind",
    "ParticipationLoops",
    "PoolingBalance",
    "Sector",
    "Snowball",
    "analyze",
    "approximate_betweenness",
    "bridges",
    "communities",
    "hybridization",
    "loops",
    "participation_loops",
    "pivot_count",
    "pooling_balance",
    "read_edge_list",
    "sampling_error",
    "snowball",
    "to_jsonable",
    "write_csv",
    "write_gexf",
    "write_graphml",
]
