"""The partnership network (impact/equity/network.py)."""
from __future__ import annotations

from indicators.tables import frames

from impact.equity.network import graph, partner_network
from impact.filters import Filters

PARTNERS = [{"name": n, "partnership_type": t} for n, t in (("Age UK", "stakeholder"), ("Digital Champions", "community"),
                                                              ("Good Things", "stakeholder"), ("Reading Agency", "library"),
                                                              ("Knit Group", "community"))]
LINKS = [{"programme": "Digital Drop-in", "partner": "Age UK", "staff_hours": 10.0},
         {"programme": "Digital Drop-in", "partner": "Digital Champions", "staff_hours": 20.0},
         {"programme": "Get Online", "partner": "Digital Champions", "cash": 100.0},
         {"programme": "Get Online", "partner": "Good Things"},
         {"programme": "Reading Well", "partner": "Reading Agency", "in_kind": 50.0}]
PROGRAMMES = [{"name": n} for n in ("Digital Drop-in", "Get Online", "Reading Well")]


def test_degrees_clusters_library_only_and_isolated_partners():
    net = partner_network(frames(programmes=PROGRAMMES, partners=PARTNERS, links=LINKS))
    by = {p.partner: p for p in net.partners}
    assert (by["Digital Champions"].programmes, by["Digital Champions"].co_partners) == (2, 2)
    assert (by["Age UK"].programmes, by["Age UK"].co_partners) == (1, 1)
    assert net.clusters == (("Age UK", "Digital Champions", "Good Things"), ("Reading Agency",))
    assert net.library_only == ("Reading Agency",)  # linked to the others only through the library
    assert net.isolated == ("Knit Group",)  # on the list, in no programme
    assert by["Knit Group"].cluster is None and by["Good Things"].cluster == 0
    assert net.programmes == 3
    assert {(a, b) for a, b, _ in net.co_partner_links} == {("Age UK", "Digital Champions"),
                                                            ("Digital Champions", "Good Things")}


def test_links_within_and_across_partnership_types():
    by = {t.type: t for t in partner_network(frames(programmes=PROGRAMMES, partners=PARTNERS, links=LINKS)).by_type}
    assert (by["stakeholder"].partners, by["stakeholder"].links_within, by["stakeholder"].links_across) == (2, 0, 2)
    assert (by["library"].links_within, by["library"].links_across) == (0, 0)


def test_the_graph_is_bipartite_with_the_stakes_on_its_edges():
    g = graph(frames(programmes=PROGRAMMES, partners=PARTNERS, links=LINKS))
    assert g.number_of_edges() == 5
    assert g.edges[("partner", "Age UK"), ("programme", "Digital Drop-in")]["staff_hours"] == 10.0
    assert g.nodes[("partner", "Reading Agency")]["type"] == "library"


def test_a_partner_filter_keeps_only_the_partners_of_the_programmes_it_picks():
    net = partner_network(frames(programmes=PROGRAMMES, partners=PARTNERS, links=LINKS),
                          Filters(partners=["Good Things"]))
    assert sorted(p.partner for p in net.partners) == ["Digital Champions", "Good Things"]
    assert net.isolated == ()


def test_no_partners_and_partners_with_no_links_give_an_empty_network_not_an_error():
    # networkx's bipartite projection raises NetworkXAlgorithmError when no programme node exists
    none = partner_network(frames(programmes=PROGRAMMES))
    assert (none.partners, none.clusters, none.programmes) == ((), (), 0)
    unlinked = partner_network(frames(programmes=PROGRAMMES, partners=PARTNERS))
    assert unlinked.isolated == tuple(sorted(p["name"] for p in PARTNERS)) and unlinked.co_partner_links == ()


def test_one_partner_in_every_programme_has_no_co_partners():
    links = [{"programme": p["name"], "partner": "Age UK", "staff_hours": 1.0} for p in PROGRAMMES]
    net = partner_network(frames(programmes=PROGRAMMES, partners=PARTNERS[:1], links=links))
    (only,) = net.partners
    assert (only.programmes, only.co_partners, net.library_only) == (3, 0, ("Age UK",))


def test_the_projection_weights_partners_by_programmes_shared():
    links = LINKS + [{"programme": "Get Online", "partner": "Age UK"}]
    net = partner_network(frames(programmes=PROGRAMMES, partners=PARTNERS, links=links))
    assert ("Age UK", "Digital Champions", 2) in net.co_partner_links  # Digital Drop-in and Get Online
