"""The partnership network: partners and programmes as a graph (networkx).

Nodes are partners and programmes (the bipartite graph of `programme_partners`); every programme is the
library's, so the library service is the hub that joins them all and is not drawn as a node.
degree            a partner's programmes in scope, and its co-partners (partners sharing a programme with it)
clusters          partners who work with each other directly or through a chain of shared programmes
                  (connected components of the partner projection); partners in different clusters are
                  linked to each other only through the library
library only      partners that share no programme with another partner: they work with the library alone
isolated          partners on the partners list with no programme in scope at all
by type           per partnership type: partners, and co-partner links within the type and across types
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import combinations

import networkx as nx
import pandas as pd

from impact.equity.stakes import links, scope
from impact.filters import NOT_RECORDED, Filters, Prepared, Selection, prepare, select


@dataclass(frozen=True)
class NetworkPartner:
    partner: str
    type: str | None
    programmes: int  # degree in the partner-programme graph
    co_partners: int  # degree in the partner projection
    cluster: int | None  # index into PartnerNetwork.clusters; None when isolated

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TypeLinks:
    type: str
    partners: int
    links_within: int  # co-partner pairs both of this type
    links_across: int  # co-partner pairs with a partner of another type

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class PartnerNetwork:
    partners: tuple[NetworkPartner, ...]
    clusters: tuple[tuple[str, ...], ...]  # largest first
    library_only: tuple[str, ...]
    isolated: tuple[str, ...]
    co_partner_links: tuple[tuple[str, str, int], ...]  # (partner, partner, programmes shared)
    by_type: tuple[TypeLinks, ...]
    programmes: int  # programmes in scope with at least one partner

    def to_dict(self) -> dict:
        return {"partners": [p.to_dict() for p in self.partners], "clusters": [list(c) for c in self.clusters],
                "library_only": list(self.library_only), "isolated": list(self.isolated),
                "co_partner_links": [{"partners": [a, b], "shared_programmes": w} for a, b, w in self.co_partner_links],
                "by_type": [t.to_dict() for t in self.by_type], "programmes": self.programmes}


def graph(data, filters: Filters | None = None, selection: Selection | None = None) -> nx.Graph:
    """Canonical frames (or `Prepared`) + Filters -> the partner-programme graph. Nodes are ("partner", name)
    and ("programme", name) with attributes kind, name and (partners) type; edges carry role, staff_hours,
    cash, in_kind. Programmes are those in scope as for `partnership_fairness` (under a period filter, the ones
    with attendance in the period). Every partner on the partners list is a node, linked or not, unless the filters pick
    partners or partnership types (then only the partners of the programmes picked)."""
    data: Prepared = prepare(data)
    filters = filters or Filters()
    selection = selection or select(data, filters)
    g = nx.Graph()
    names = data.partners["name"].to_numpy(object)
    types = [None if pd.isna(t) or not str(t).strip() else str(t) for t in data.partners["partnership_type"]]
    stake = links(data)
    if len(stake):
        in_scope = scope(data, selection, filters)[1] > 0
        stake = stake[in_scope[stake["programme"].to_numpy("int64")]]
    everyone = not (filters.partners or filters.partnership_types)
    linked = set(stake["partner"].tolist())
    for code, (name, kind) in enumerate(zip(names, types)):
        if everyone or code in linked:
            g.add_node(("partner", str(name)), kind="partner", name=str(name), type=kind, bipartite=0)
    programme_names = data.programmes["name"].to_numpy(object)
    for row in stake.itertuples(index=False):  # one edge per stake: hundreds, not data rows
        programme = ("programme", str(programme_names[row.programme]))
        g.add_node(programme, kind="programme", name=programme[1], bipartite=1)
        partner = ("partner", str(names[row.partner]))
        g.add_edge(partner, programme, role=row.role, staff_hours=row.staff_hours,
                   cash=row.cash, in_kind=row.in_kind)
    return g


def projection(g: nx.Graph, partner_nodes) -> nx.Graph:
    """The partner projection: partners joined when they share a programme, weight = programmes shared.
    networkx's `bipartite.weighted_projected_graph` refuses a graph with no programme nodes (every partner
    unlinked, or no partners at all: the state of every real file tried), so the projection is built here."""
    out = nx.Graph()
    out.add_nodes_from(partner_nodes)
    for node, kind in g.nodes(data="kind"):
        if kind != "programme":
            continue
        for a, b in combinations(sorted(n for n in g.neighbors(node) if n in out), 2):
            w = out.edges[a, b]["weight"] + 1 if out.has_edge(a, b) else 1
            out.add_edge(a, b, weight=w)
    return out


def partner_network(data, filters: Filters | None = None, selection: Selection | None = None) -> PartnerNetwork:
    """Canonical frames (or `Prepared`) + Filters -> degrees, clusters, partners linked only through the library."""
    g = graph(data, filters, selection)
    partner_nodes = [n for n, d in g.nodes(data="kind") if d == "partner"]
    projected = projection(g, partner_nodes)
    linked = [n for n in partner_nodes if g.degree(n) > 0]
    components = sorted((sorted(n[1] for n in c) for c in nx.connected_components(projected.subgraph(linked))),
                        key=lambda c: (-len(c), c))
    cluster_of = {name: i for i, c in enumerate(components) for name in c}
    partners = tuple(NetworkPartner(partner=n[1], type=g.nodes[n]["type"], programmes=int(g.degree(n)),
                                    co_partners=int(projected.degree(n)), cluster=cluster_of.get(n[1]))
                     for n in partner_nodes)
    edges = tuple(sorted(((min(a[1], b[1]), max(a[1], b[1]), int(w)) for a, b, w in projected.edges(data="weight")),
                         key=lambda e: (-e[2], e[0], e[1])))
    type_of = {p.partner: p.type or NOT_RECORDED for p in partners}
    by_type = []
    for t in dict.fromkeys(["library", "community", "stakeholder", *sorted(set(type_of.values()))]):
        members = [p for p in partners if type_of[p.partner] == t]
        if not members:
            continue
        within = sum(1 for a, b, _ in edges if type_of[a] == t and type_of[b] == t)
        across = sum(1 for a, b, _ in edges if (type_of[a] == t) != (type_of[b] == t))
        by_type.append(TypeLinks(type=t, partners=len(members), links_within=within, links_across=across))
    programmes = sum(1 for _, d in g.nodes(data="kind") if d == "programme")
    return PartnerNetwork(
        partners=partners, clusters=tuple(tuple(c) for c in components),
        library_only=tuple(sorted(p.partner for p in partners if p.programmes and not p.co_partners)),
        isolated=tuple(sorted(p.partner for p in partners if not p.programmes)), co_partner_links=edges,
        by_type=tuple(by_type), programmes=programmes)


__all__ = ["NetworkPartner", "PartnerNetwork", "TypeLinks", "graph", "partner_network", "projection"]
