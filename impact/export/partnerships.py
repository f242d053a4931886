"""The evidence pack's partnerships section: tables a partner would accept as fair to them.

Every party is shown, the library included, with its share of each stake; the partnerships not shared are
named with the stake out of line in words; both sides' health checks sit side by side; agreed splits are set
against what each side delivered. Cost-effectiveness of partners' programmes sits on the Value sheet, never
under fairness. These tables count organisations and staff hours, not people: no small-cell suppression
applies, but nothing personal is in them (comments were scrubbed on import and are scrubbed again here).
"""
from __future__ import annotations

import pandas as pd

from impact import partner_views
from impact.equity.feedback import NOTE as FEEDBACK_NOTE
from impact.indicators.value import COST_EFFECTIVENESS_NOTE

PCT, INT, MONEY, DEC = "percent", "integer", "money", "decimal"
EMPTY = ("No partnership programmes in scope: upload a Programme partners sheet (who puts in staff time, cash, "
         "in-kind value or the venue, whether it promoted the programme and was credited) and, to hear both "
         "sides, a Partnership health check sheet.")


def _formats(frame: pd.DataFrame) -> dict:
    out = {}
    for c in frame.columns:
        if c.endswith("%") or "% (" in c:
            out[c] = PCT
        elif c.endswith("£"):
            out[c] = MONEY
        elif c in ("imbalance", "library mean", "partner mean", "gap (library − partner)", "difference (points)",
                   "per £1,000", "against the average (1 = average)") or c.endswith(("(library)", "(partner)")):
            out[c] = DEC
        elif c in ("partnership programmes", "programmes", "programmes not shared for it", "staff hours"):
            out[c] = INT if c != "staff hours" else DEC
    return out


def section(found, values, scrub=None) -> list[tuple[str, str, str, pd.DataFrame, dict, str, bool]]:
    """Partnerships (equity.Partnerships) and cost-effectiveness values -> the pack's tables as
    (name, sheet, title, frame, formats, note, in_pdf). Always at least one table, saying what to upload when
    there is nothing to show."""
    f, said = found.fairness, found.feedback
    tables = []
    if not f.partnerships:
        frame = pd.DataFrame({"what to do": [EMPTY]})
        tables.append(("partnerships", "Partners", "Partnerships: is each one shared?", frame, {}, EMPTY, True))
    else:
        imbalance = f" Imbalance of the network: {f.imbalance:.2f}." if f.imbalance is not None else ""
        words = [{"partnership": x.programme or f"{x.party}: across its programmes", "what is out of line": x.words}
                 for x in f.findings]
        judged = sum(1 for p in f.partnerships if p.shared is not None)
        if not words:
            words = [{"partnership": "every partnership", "what is out of line": "no party carries most of the staff "
                      "time, sessions or money without credit, and recognition follows contribution"}]
        tables.append(("partnerships_not_shared", "Partners", f"Partnerships not shared: {len(f.not_shared)} of "
                       f"{judged} with credit or promotion recorded", pd.DataFrame(words), {}, f.note + imbalance,
                       True))
        tables.append(("partnerships", "Partners", "Every partnership programme: shared or not (not shared first)",
                       partner_views.partnerships_table(f), {"imbalance": DEC}, f.note + imbalance, False))
        parties = partner_views.parties_table(f)
        tables.append(("partnership_parties", "Partners", "Each party's share of the five stakes, the library included",
                       parties, _formats(parties), ("Shares pooled over each party's partnership programmes "
                                                    "(efforts, outputs, money) or averaged over them (marketing, "
                                                    "credit)."), True))
        stakes = partner_views.stakes_table(f)
        tables.append(("partnership_stakes", "Partners", "The five stakes per partnership programme and party",
                       stakes, _formats(stakes), "Blank: not recorded, or money where no partner puts any in.",
                       False))
    if f.deliveries:
        d = partner_views.deliveries_table(f)
        tables.append(("agreed_vs_delivered", "Partners", "Agreed against delivered, both sides", d, _formats(d),
                       f"More than {f.thresholds.tolerance:.0%} apart: over- or under-delivered.", True))
    if said.partnerships:
        both = partner_views.feedback_table(said)
        if scrub is not None:
            both["partner's comment"] = both["partner's comment"].map(lambda c: scrub(c) if c else c)
        tables.append(("partnership_health_checks", "Partners", "Is it working for them? Both sides' health checks",
                       both, _formats(both), FEEDBACK_NOTE, False))
    if values:
        v = partner_views.cost_effectiveness_table(values)
        title = "Cost-effectiveness of partners' programmes (not a measure of fairness)"
        tables.append(("partner_cost_effectiveness", "Value", title, v, _formats(v), COST_EFFECTIVENESS_NOTE, False))
    return tables


__all__ = ["EMPTY", "section"]
