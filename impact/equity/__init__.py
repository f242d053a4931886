"""Equity: who is not yet reached, whose outcomes lag, and whether each partnership is fair to both sides.

    from impact import equity
    from impact.filters import Filters, prepare
    data = prepare(store.frames())                              # once per database change
    found = equity.compute(data, Filters(date_from="2024-04"), threshold=0.8, min_n=10)
    found.reach.dimensions["age_band"].blindspots              # groups reached well below their share
    found.outcomes.gaps["confidence"]["deprivation_quintile"]  # best- vs worst-served group
    fair = equity.partnerships(data, Filters(), hourly_rate=15.0)
    fair.equity.partner("Rainbow Refugee Network").balance      # < 1: gives more than it gets

`reach` (equity of reach against the population baseline), `outcomes` (positive rates by group),
`partners` (stakes, balance and imbalance) and `network` (the partner-programme graph) each have their
own functions; `labels` matches group labels to the baseline's. Every figure carries its n.
"""
from __future__ import annotations

from dataclasses import dataclass

from impact.equity import labels, network, outcomes, partners, reach
from impact.equity.network import PartnerNetwork, graph, partner_network
from impact.equity.outcomes import OutcomeEquity, outcome_equity
from impact.equity.partners import PartnerEquity, partner_equity
from impact.equity.reach import DEFAULT_THRESHOLD, UNITS, ReachEquity, reach_equity
from impact.filters import Filters, prepare, select

CAVEATS = (
    "Participant shares count what the library records: people where every row has a participant id, "
    "otherwise attendances (a regular counts at every visit), or post-session survey responses where "
    "attendance has no breakdown. Survey answers are self-reported by a convenience sample with no "
    "comparison group: gaps show a direction, not a cause."
)


@dataclass(frozen=True)
class Equity:
    """Equity of reach and of outcomes for one scope."""

    reach: ReachEquity
    outcomes: OutcomeEquity
    filters: Filters
    threshold: float
    min_n: int

    def to_dict(self) -> dict:
        return {"filters": self.filters.to_dict(), "threshold": self.threshold, "min_n": self.min_n,
                "reach": self.reach.to_dict(), "outcomes": self.outcomes.to_dict(),
                "skipped": dict(self.reach.skipped), "unknown_dimensions": list(self.reach.unknown_dimensions),
                "units": UNITS, "caveats": CAVEATS}


@dataclass(frozen=True)
class Partnerships:
    """Equity across partners and the partnership network for one scope."""

    equity: PartnerEquity
    network: PartnerNetwork
    filters: Filters

    def to_dict(self) -> dict:
        return {"filters": self.filters.to_dict(), **self.equity.to_dict(), "network": self.network.to_dict()}


def compute(data, filters: Filters | None = None, threshold: float = DEFAULT_THRESHOLD, min_n: int = 10,
            dimensions=None, source: str = "auto", catchments=None) -> Equity:
    """Canonical frames (or `Prepared`) + Filters -> equity of reach and of outcomes (one selection shared)."""
    data = prepare(data)
    filters = filters or Filters()
    selection = select(data, filters)
    return Equity(
        reach=reach_equity(data, filters, threshold, min_n, dimensions, source, catchments, selection=selection),
        outcomes=outcome_equity(data, filters, min_n, dimensions, selection=selection),
        filters=filters, threshold=threshold, min_n=min_n)


def partnerships(data, filters: Filters | None = None, hourly_rate: float = 15.0, basis: str = "outcomes",
                 split=None) -> Partnerships:
    """Canonical frames (or `Prepared`) + Filters -> partner stakes, balances, imbalance and the network."""
    data = prepare(data)
    filters = filters or Filters()
    selection = select(data, filters)
    return Partnerships(equity=partner_equity(data, filters, hourly_rate, basis, split, selection=selection),
                        network=partner_network(data, filters, selection=selection), filters=filters)


__all__ = [
    "CAVEATS",
    "Equity",
    "Partnerships",
    "compute",
    "graph",
    "labels",
    "network",
    "outcome_equity",
    "outcomes",
    "partner_equity",
    "partner_network",
    "partners",
    "partnerships",
    "reach",
    "reach_equity",
]
