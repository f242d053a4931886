"""The partnership network: partners and programmes as a graph.

Nodes are partners and programmes (the bipartite graph of `programme_partners`); every programme is the
library's, so the library service is the hub that joins them all and is not drawn as a node.
degree            a partner's programmes in scope, and its co-partners (partners sharing a programme with it)
clusters          partners who work with each other directly or through a chain of shared programmes
                  (connected components of the partner projection); partners in different clusters are
                  linked to each other only through the library
library only      partners that share no programme with another partner: they work with the library alone
isolated          partners on the partners list with no programme in scope at all
by type           per partnership type: partners, and co-partner links within the type and across types

`partner_network` works on plain dicts and sets (an evidence pack and the CLI never import networkx, ~0.15 s);
`graph` gives the same graph as a networkx.Graph, for the Partners page's drawing.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from itertools import combinations

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


def _bipartite(data, filters: Filters | None, selection: Selection | None) -> tuple[dict, list]:
    """The partner-programme graph's parts: ({("partner", name): type}, in the partners list's order; [(partner
    node, programme node, the stake's row)], in the links' order). Nodes are keyed by name, as networkx keys them."""
    data: Prepared = prepare(data)
    filters = filters or Filters()
    selection = selection or select(data, filters)
    names = data.partners["name"].to_numpy(object)
    types = [None if pd.isna(t) or not str(t).strip() else str(t) for t in data.partners["partnership_type"]]
    stake = links(data)
    if len(stake):
        in_scope = scope(data, selection, filters)[1] > 0
        stake = stake[in_scope[stake["programme"].to_numpy("int64")]]
    everyone = not (filters.partners or filters.partnership_types)
    linked = set(stake["partner"].tolist())
    partners = {}
    for code, (name, kind) in enumerate(zip(names, types)):
        if everyone or code in linked:
            partners[("partner", str(name))] = kind  # a name given twice is one node: its last type
    programme_names = data.programmes["name"].to_numpy(object)
    edges = [(("partner", str(names[row.partner])), ("programme", str(programme_names[row.programme])), row)
             for row in stake.itertuples(index=False)]  # one per stake: hundreds, not data rows
    return partners, edges


def graph(data, filters: Filters | None = None, selection: Selection | None = None):
    """Canonical frames (or `Prepared`) + Filters -> the partner-programme graph (a networkx.Graph). Nodes are
    ("partner", name) and ("programme", name) with attributes kind, name and (partners) type; edges carry role,
    staff_hours, cash, in_kind. Programmes are those in scope as for `partnership_fairness` (under a period
    filter, the ones with attendance in the period). Every partner on the partners list is a node, linked or not,
    unless the filters pick partners or partnership types (then only the partners of the programmes picked)."""
    import networkx as nx  # only the page's drawing needs it

    partners, edges = _bipartite(data, filters, selection)
    g = nx.Graph()
    for node, kind in partners.items():
        g.add_node(node, kind="partner", name=node[1], type=kind, bipartite=0)
    for partner, programme, row in edges:
        g.add_node(programme, kind="programme", name=programme[1], bipartite=1)
        g.add_edge(partner, programme, role=row.role, staff_hours=row.staff_hours, cash=row.cash, in_kind=row.in_kind)
    return g


def partner_network(data, filters: Filters | None = None, selection: Selection | None = None) -> PartnerNetwork:
    """Canonical frames (or `Prepared`) + Filters -> degrees, clusters, partners linked only through the library.
    The partner projection (partners joined when they share a programme, weight = programmes shared) is built
    here: networkx's `bipartite.weighted_projected_graph` refuses a graph with no programme nodes (every partner
    unlinked, or no partners at all: the state of every real file tried)."""
    type_of_node, edges = _bipartite(data, filters, selection)
    shared: dict = {}  # programme node -> its partners (each once), in the order they were linked
    for partner, programme, _ in edges:
        type_of_node.setdefault(partner, None)
        shared.setdefault(programme, {})[partner] = None
    degree = dict.fromkeys(type_of_node, 0)
    for linked_partners in shared.values():
        for partner in linked_partners:
            degree[partner] += 1
    weight: dict = {}  # (partner node, partner node), sorted -> programmes shared
    for linked_partners in shared.values():
        for a, b in combinations(sorted(linked_partners), 2):
            weight[a, b] = weight.get((a, b), 0) + 1
    co_partners = dict.fromkeys(type_of_node, 0)
    parent = {n: n for n in type_of_node if degree[n] > 0}  # clusters: components of the projection, linked only

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in weight:
        co_partners[a] += 1
        co_partners[b] += 1
        parent[find(a)] = find(b)
    groups: dict = {}
    for n in parent:
        groups.setdefault(find(n), []).append(n[1])
    components = sorted((sorted(c) for c in groups.values()), key=lambda c: (-len(c), c))
    cluster_of = {name: i for i, c in enumerate(components) for name in c}
    partners = tuple(NetworkPartner(partner=n[1], type=kind, programmes=degree[n], co_partners=co_partners[n],
                                    cluster=cluster_of.get(n[1])) for n, kind in type_of_node.items())
    edges = tuple(sorted(((min(a[1], b[1]), max(a[1], b[1]), w) for (a, b), w in weight.items()),
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
    programmes = len(shared)
    return PartnerNetwork(
        partners=partners, clusters=tuple(tuple(c) for c in components),
        library_only=tuple(sorted(p.partner for p in partners if p.programmes and not p.co_partners)),
        isolated=tuple(sorted(p.partner for p in partners if not p.programmes)), co_partner_links=edges,
        by_type=tuple(by_type), programmes=programmes)


__all__ = ["NetworkPartner", "PartnerNetwork", "TypeLinks", "graph", "partner_network"]
