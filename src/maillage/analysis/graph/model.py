"""The cooperation graph as plain arrays: node and edge records in, a filtered graph out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import igraph as ig
import numpy as np
import pandas as pd


class NodeKind(StrEnum):
    """The three levels of the seed: the je, the nous and the dans."""

    PERSON = "person"
    ORGANIZATION = "organization"
    TERRITORY = "territory"


class Sector(StrEnum):
    """The worlds whose hybridization the Liberty Living Lab values."""

    ACADEMIC = "academic"
    BUSINESS = "business"
    PUBLIC_BODY = "public_body"
    ASSOCIATION = "association"
    CITIZENS = "citizens"


class EdgeKind(StrEnum):
    """What two nodes did together; pooling and invitation keep their direction."""

    COPRODUCTION = "co-production"
    POOLING = "pooling"
    ENCOUNTER = "encounter"
    BELONGING = "belonging"
    INVITATION = "invitation"


NODE_KINDS: tuple[NodeKind, ...] = tuple(NodeKind)
SECTORS: tuple[Sector, ...] = tuple(Sector)
EDGE_KINDS: tuple[EdgeKind, ...] = tuple(EdgeKind)
DIRECTED_KINDS: frozenset[EdgeKind] = frozenset(
    {EdgeKind.POOLING, EdgeKind.BELONGING, EdgeKind.INVITATION}
)
PERSON = NODE_KINDS.index(NodeKind.PERSON)
ORGANIZATION = NODE_KINDS.index(NodeKind.ORGANIZATION)
TERRITORY = NODE_KINDS.index(NodeKind.TERRITORY)
COPRODUCTION = EDGE_KINDS.index(EdgeKind.COPRODUCTION)
POOLING = EDGE_KINDS.index(EdgeKind.POOLING)
ENCOUNTER = EDGE_KINDS.index(EdgeKind.ENCOUNTER)
BELONGING = EDGE_KINDS.index(EdgeKind.BELONGING)
INVITATION = EDGE_KINDS.index(EdgeKind.INVITATION)
UNKNOWN = -1
NAT = np.datetime64("NaT", "s")


class GraphInputError(ValueError):
    """Raised when node or edge records cannot form a graph; the message names them."""


@dataclass(frozen=True)
class Node:
    """A person, an organization or a territory; ``territory`` names where it acts."""

    id: str
    kind: NodeKind | str
    sector: Sector | str | None = None
    territory: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class Edge:
    """What ``source`` and ``target`` did together, when, and the record it was derived from.

    Directed kinds read source → target: the giver of a pooling, the member of a belonging,
    the inviter of an invitation.
    """

    source: str
    target: str
    kind: EdgeKind | str
    weight: float = 1.0
    time: dt.datetime | dt.date | str | None = None
    record: str | None = None


def to_datetime64(values: Iterable[dt.datetime | dt.date | str | None]) -> np.ndarray:
    """Return UTC ``datetime64[s]`` values (NaT for None); aware datetimes are converted to UTC."""
    out: list[np.datetime64] = []
    for value in values:
        if value is None or value == "":
            out.append(NAT)
        elif isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            out.append(np.datetime64(value, "s"))
        elif isinstance(value, dt.date):
            out.append(np.datetime64(value, "s"))
        else:
            out.append(np.datetime64(to_naive_utc(value), "s"))
    return np.array(out, dtype="datetime64[s]")


def to_naive_utc(text: str) -> dt.datetime:
    """Return an ISO 8601 date or datetime as a naive UTC datetime (ValueError if malformed)."""
    parsed = dt.datetime.fromisoformat(text.strip())
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
    return parsed


def _codes(values: Iterable[str | None], vocabulary: Sequence[str], what: str) -> np.ndarray:
    index = {str(v): i for i, v in enumerate(vocabulary)}
    codes = []
    for value in values:
        if value is None or value == "":
            codes.append(UNKNOWN)
            continue
        code = index.get(str(value))
        if code is None:
            raise GraphInputError(
                f"unknown {what} {value!r}; expected one of {', '.join(map(str, vocabulary))}"
            )
        codes.append(code)
    return np.array(codes, dtype=np.int8)


def _listing(items: np.ndarray, shown: int = 5) -> str:
    head = ", ".join(str(p) for p in items[:shown].tolist())
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return f"{head}{more}"


@dataclass(frozen=True, eq=False)
class CooperationGraph:
    """Nodes and edges as parallel arrays (edge endpoints index ``node_ids``).

    ``node_sector`` and ``node_territory`` are -1 when unknown; ``edge_time`` is NaT when the
    record has no date. Build one with :meth:`from_records` or :meth:`from_arrays`.
    """

    node_ids: np.ndarray
    node_kind: np.ndarray
    node_sector: np.ndarray
    node_territory: np.ndarray
    territories: tuple[str, ...]
    edge_source: np.ndarray
    edge_target: np.ndarray
    edge_kind: np.ndarray
    edge_weight: np.ndarray
    edge_time: np.ndarray
    edge_record: np.ndarray | None = None
    node_label: np.ndarray | None = None
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @property
    def node_count(self) -> int:
        """Return the number of nodes."""
        return len(self.node_ids)

    @property
    def edge_count(self) -> int:
        """Return the number of edges."""
        return len(self.edge_source)

    @classmethod
    def from_records(cls, nodes: Iterable[Node], edges: Iterable[Edge]) -> CooperationGraph:
        """Return the graph of these records, or raise GraphInputError naming the bad ones.

        Edges must join two distinct known nodes with a non-negative finite weight.
        """
        nodes = list(nodes)
        edges = list(edges)
        ids = np.array([n.id for n in nodes], dtype=object)
        territories = sorted({n.territory for n in nodes if n.territory})
        return cls.from_arrays(
            node_ids=ids,
            node_kind=_codes([str(n.kind) for n in nodes], NODE_KINDS, "node kind"),
            node_sector=_codes([n.sector for n in nodes], SECTORS, "sector"),
            node_territory=np.array(
                [territories.index(n.territory) if n.territory else UNKNOWN for n in nodes],
                dtype=np.int32,
            ),
            territories=tuple(territories),
            edge_source_ids=[e.source for e in edges],
            edge_target_ids=[e.target for e in edges],
            edge_kind=_codes([str(e.kind) for e in edges], EDGE_KINDS, "edge kind"),
            edge_weight=np.array([e.weight for e in edges], dtype=np.float64),
            edge_time=to_datetime64(e.time for e in edges),
            edge_record=np.array([e.record or "" for e in edges], dtype=object),
            node_label=np.array([n.label or "" for n in nodes], dtype=object),
        )

    @classmethod
    def from_arrays(
        cls,
        *,
        node_ids: np.ndarray,
        node_kind: np.ndarray,
        node_sector: np.ndarray,
        node_territory: np.ndarray,
        territories: tuple[str, ...],
        edge_source_ids: Sequence[str] | np.ndarray,
        edge_target_ids: Sequence[str] | np.ndarray,
        edge_kind: np.ndarray,
        edge_weight: np.ndarray,
        edge_time: np.ndarray,
        edge_record: np.ndarray | None = None,
        node_label: np.ndarray | None = None,
    ) -> CooperationGraph:
        """Return the graph whose edges name their endpoints by id; validate like from_records."""
        node_ids = np.asarray(node_ids, dtype=object)
        index = pd.Index(node_ids)
        if not index.is_unique:
            duplicated = index[index.duplicated()].unique()
            raise GraphInputError(f"duplicate node ids: {_listing(np.asarray(duplicated))}")
        source = _lookup(index, np.asarray(edge_source_ids, dtype=object))
        target = _lookup(index, np.asarray(edge_target_ids, dtype=object))
        unknown = np.flatnonzero((source < 0) | (target < 0))
        if len(unknown):
            raise GraphInputError(
                f"{len(unknown)} edges name unknown node ids (edges {_listing(unknown)})"
            )
        loops = np.flatnonzero(source == target)
        if len(loops):
            raise GraphInputError(f"{len(loops)} self-loops (edges {_listing(loops)})")
        weight = np.asarray(edge_weight, dtype=np.float64)
        bad_weight = np.flatnonzero(~np.isfinite(weight) | (weight < 0))
        if len(bad_weight):
            raise GraphInputError(
                f"{len(bad_weight)} negative or non-finite weights (edges {_listing(bad_weight)})"
            )
        return cls(
            node_ids=node_ids,
            node_kind=np.asarray(node_kind, dtype=np.int8),
            node_sector=np.asarray(node_sector, dtype=np.int8),
            node_territory=np.asarray(node_territory, dtype=np.int32),
            territories=tuple(territories),
            edge_source=source,
            edge_target=target,
            edge_kind=np.asarray(edge_kind, dtype=np.int8),
            edge_weight=weight,
            edge_time=np.asarray(edge_time, dtype="datetime64[s]"),
            edge_record=edge_record,
            node_label=node_label,
        )

    def window(
        self,
        start: dt.datetime | dt.date | None = None,
        end: dt.datetime | dt.date | None = None,
        territories: Iterable[str] | None = None,
    ) -> CooperationGraph:
        """Return the subgraph of edges dated in [start, end) whose two ends lie in territories.

        Undated edges are dropped as soon as a bound is given. Territories are the effective
        ones (see :meth:`effective_territory`), so members follow their organization. Nodes left without any edge are dropped, so an empty window gives an empty
        graph (zero nodes, zero edges).
        """
        keep = np.ones(self.edge_count, dtype=bool)
        if start is not None:
            keep &= self.edge_time >= to_datetime64([start])[0]
        if end is not None:
            keep &= self.edge_time < to_datetime64([end])[0]
        if territories is not None:
            wanted = set(territories)
            codes = [i for i, name in enumerate(self.territories) if name in wanted]
            inside = np.isin(self.effective_territory(), codes)
            keep &= inside[self.edge_source] & inside[self.edge_target]
        return self.subgraph(np.flatnonzero(keep))

    def subgraph(self, edges: np.ndarray) -> CooperationGraph:
        """Return the graph made of these edge positions and the nodes they touch."""
        used = np.zeros(self.node_count, dtype=bool)
        used[self.edge_source[edges]] = True
        used[self.edge_target[edges]] = True
        nodes = np.flatnonzero(used)
        renumber = np.full(self.node_count, -1, dtype=np.int64)
        renumber[nodes] = np.arange(len(nodes))
        return CooperationGraph(
            node_ids=self.node_ids[nodes],
            node_kind=self.node_kind[nodes],
            node_sector=self.node_sector[nodes],
            node_territory=self.node_territory[nodes],
            territories=self.territories,
            edge_source=renumber[self.edge_source[edges]],
            edge_target=renumber[self.edge_target[edges]],
            edge_kind=self.edge_kind[edges],
            edge_weight=self.edge_weight[edges],
            edge_time=self.edge_time[edges],
            edge_record=None if self.edge_record is None else self.edge_record[edges],
            node_label=None if self.node_label is None else self.node_label[nodes],
        )

    def effective_sector(self) -> np.ndarray:
        """Return each node's sector, a person without one taking their main organization's.

        The main organization is the one of the heaviest belonging edge (first on ties).
        """
        sector = self.node_sector.copy()
        organization = self.main_organization()
        inherit = (sector == UNKNOWN) & (organization >= 0)
        sector[inherit] = self.node_sector[organization[inherit]]
        return sector

    def effective_territory(self) -> np.ndarray:
        """Return each node's territory code, inherited through belonging when not given.

        A person takes their main organization's territory; an organization the territory node
        it belongs to (heaviest edge); a territory node is its own territory when named so.
        """
        if "territory" in self._cache:
            return self._cache["territory"]  # type: ignore[return-value]
        territory = self.node_territory.copy()
        names = {name: i for i, name in enumerate(self.territories)}
        # A territory node named like a territory lies in it.
        own = np.flatnonzero((self.node_kind == TERRITORY) & (territory == UNKNOWN))
        for i in own:
            territory[i] = names.get(str(self.node_ids[i]), UNKNOWN)
        in_territory = self._heaviest_belonging(ORGANIZATION, TERRITORY)
        missing = (territory == UNKNOWN) & (in_territory >= 0)
        territory[missing] = territory[in_territory[missing]]
        organization = self.main_organization()
        missing = (territory == UNKNOWN) & (organization >= 0)
        territory[missing] = territory[organization[missing]]
        self._cache["territory"] = territory
        return territory

    def main_organization(self) -> np.ndarray:
        """Return, per node, its own index for an organization, its main one for a person, or -1."""
        if "organization" in self._cache:
            return self._cache["organization"]  # type: ignore[return-value]
        organization = self._heaviest_belonging(PERSON, ORGANIZATION)
        own = self.node_kind == ORGANIZATION
        organization[own] = np.flatnonzero(own)
        self._cache["organization"] = organization
        return organization

    def _heaviest_belonging(self, member_kind: int, group_kind: int) -> np.ndarray:
        group = np.full(self.node_count, UNKNOWN, dtype=np.int64)
        mask = (
            (self.edge_kind == BELONGING)
            & (self.node_kind[self.edge_source] == member_kind)
            & (self.node_kind[self.edge_target] == group_kind)
        )
        positions = np.flatnonzero(mask)
        if len(positions) == 0:
            return group
        members = self.edge_source[positions]
        # Heaviest first, then earliest position, so the first row per member wins.
        order = np.lexsort((positions, -self.edge_weight[positions], members))
        members = members[order]
        first = np.ones(len(members), dtype=bool)
        first[1:] = members[1:] != members[:-1]
        group[members[first]] = self.edge_target[positions][order][first]
        return group

    def social_graph(self) -> tuple[ig.Graph, np.ndarray]:
        """Return the undirected simple graph of persons and organizations, and its node map.

        Every edge kind joins its two ends (weights summed over parallel edges); territory nodes
        are left out because, linked to every organization they host, they would be hubs by
        construction rather than by cooperation. The array maps igraph vertices to node indices.
        """
        if "social" not in self._cache:
            g, nodes, pairs = collapse_undirected(self, self.node_kind != TERRITORY)
            self._cache["social"] = (g, nodes)
            self._cache["social_pairs"] = pairs
        return self._cache["social"]  # type: ignore[return-value]

    def social_pairs(self) -> np.ndarray:
        """Return the social graph's edges as an (m, 2) array of igraph vertex ids."""
        self.social_graph()
        return self._cache["social_pairs"]  # type: ignore[return-value]


def collapse_undirected(
    graph: CooperationGraph, node_mask: np.ndarray, edge_mask: np.ndarray | None = None
) -> tuple[ig.Graph, np.ndarray, np.ndarray]:
    """Return an undirected simple igraph of the masked nodes and edges (all edges if None).

    Parallel edges are merged with summed weight (edge attribute ``weight``). Also return the
    node index of each vertex and the (m, 2) array of vertex pairs.
    """
    nodes = np.flatnonzero(node_mask)
    renumber = np.full(graph.node_count, -1, dtype=np.int64)
    renumber[nodes] = np.arange(len(nodes))
    u = renumber[graph.edge_source]
    v = renumber[graph.edge_target]
    keep = (u >= 0) & (v >= 0)
    if edge_mask is not None:
        keep &= edge_mask
    u, v, w = u[keep], v[keep], graph.edge_weight[keep]
    low, high = np.minimum(u, v), np.maximum(u, v)
    key = low * len(nodes) + high
    unique, inverse = np.unique(key, return_inverse=True)
    weights = np.bincount(inverse, weights=w, minlength=len(unique))
    pairs = np.column_stack((unique // max(len(nodes), 1), unique % max(len(nodes), 1)))
    g = ig.Graph(n=len(nodes), edges=pairs, directed=False)
    g.es["weight"] = weights
    return g, nodes, pairs


def collapse_directed(
    graph: CooperationGraph, kind: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Return the distinct (source, target) pairs of one kind, their summed weight, node count."""
    mask = graph.edge_kind == kind
    n = graph.node_count
    key = graph.edge_source[mask] * n + graph.edge_target[mask]
    unique, inverse = np.unique(key, return_inverse=True)
    weights = np.bincount(inverse, weights=graph.edge_weight[mask], minlength=len(unique))
    return unique // max(n, 1), unique % max(n, 1), weights, n


def _lookup(index: pd.Index, wanted: np.ndarray) -> np.ndarray:
    return index.get_indexer(pd.Index(wanted, dtype=object)).astype(np.int64)


def period_index(times: np.ndarray, period: str) -> tuple[np.ndarray, list[str]]:
    """Return, per time, the index of its period in the sorted labels (-1 for NaT), and labels.

    Labels read "2024" (year), "2024-Q2" (quarter) or "2024-05" (month).
    """
    if period not in ("year", "quarter", "month"):
        raise ValueError(f"period must be year, quarter or month, not {period!r}")
    valid = ~np.isnat(times)
    months = times[valid].astype("datetime64[M]").astype(np.int64)
    step = {"year": 12, "quarter": 3, "month": 1}[period]
    codes, inverse = np.unique(months // step, return_inverse=True)
    index = np.full(len(times), -1, dtype=np.int64)
    index[valid] = inverse
    labels = []
    for code in codes.tolist():
        year, rest = divmod(code * step, 12)
        year += 1970
        if period == "year":
            labels.append(str(year))
        elif period == "quarter":
            labels.append(f"{year}-Q{rest // 3 + 1}")
        else:
            labels.append(f"{year}-{rest + 1:02d}")
    return index, labels
