"""Equity: who is not yet reached, whose outcomes lag, and whether each partnership is fair to both sides.

    from impact import equity
    from impact.filters import Filters, prepare
    data = prepare(store.frames())                              # once per database change
    found = equity.compute(data, Filters(date_from="2024-04"), threshold=0.8, min_n=10)
    found.reach.dimensions["age_band"].blindspots              # groups reached well below their share
    found.outcomes.gaps["confidence"]["deprivation_quintile"]  # best- vs worst-served group
    fair = equity.partnerships(data, Filters())
    fair.fairness.not_shared                                    # partnerships where a stake is out of line
    [f.words for f in fair.fairness.findings]                   # "… led 70% of the sessions … and was not credited"

`reach` (equity of reach against the population baseline), `outcomes` (positive rates by group),
`partners` (the five stakes, shared or not, agreed against delivered, imbalance), `feedback` (the
partnership health check from both sides) and `network` (the partner-programme graph) each have their
own functions; `labels` matches group labels to the baseline's. Every figure carries its n.
"""
from __future__ import annotations

from dataclasses import dataclass

from impact.equity import feedback, labels, network, outcomes, partners, reach
from impact.equity.feedback import PartnershipFeedback, partnership_feedback
from impact.equity.network import PartnerNetwork, graph, partner_network
from impact.equity.outcomes import OutcomeEquity, outcome_equity
from impact.equity.partners import PartnershipFairness, Thresholds, partnership_fairness
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

    fairness: PartnershipFairness
    network: PartnerNetwork
    feedback: PartnershipFeedback
    filters: Filters

    @property
    def empty(self) -> bool:
        """No partnership programme in scope: the page, CLI and pack say what to upload."""
        return not self.fairness.partnerships and not self.feedback.partnerships

    def to_dict(self) -> dict:
        return {"filters": self.filters.to_dict(), **self.fairness.to_dict(), "feedback": self.feedback.to_dict(),
                "network": self.network.to_dict()}


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


def partnerships(data, filters: Filters | None = None, thresholds: Thresholds | None = None) -> Partnerships:
    """Canonical frames (or `Prepared`) + Filters -> the five stakes, partnerships not shared, agreed against
    delivered, imbalance, and the network. Never raises for missing partners or links: the result is empty."""
    data = prepare(data)
    filters = filters or Filters()
    selection = select(data, filters)
    return Partnerships(fairness=partnership_fairness(data, filters, thresholds, selection=selection),
                        network=partner_network(data, filters, selection=selection),
                        feedback=partnership_feedback(data, filters, thresholds), filters=filters)


__all__ = [
    "CAVEATS",
    "Equity",
    "Partnerships",
    "Thresholds",
    "compute",
    "feedback",
    "graph",
    "labels",
    "network",
    "outcome_equity",
    "outcomes",
    "partner_network",
    "partners",
    "partnership_fairness",
    "partnership_feedback",
    "partnerships",
    "reach",
    "reach_equity",
]
