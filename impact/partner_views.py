"""Partnership results as the tables the Partners page, the evidence pack and the CSVs show (one place).

Shares are percentages (0-100, one decimal); a blank cell is a stake not recorded or not relevant.
"""
from __future__ import annotations

import pandas as pd

from impact.equity.feedback import BENEFIT_WORDS, ITEM_WORDS
from impact.equity.partners import LIBRARY, STAKE_WORDS, STAKES

STAKE_COLUMNS = {s: f"{s} % ({STAKE_WORDS[s]})" for s in STAKES}
NOT_RECORDED = "type not recorded"


def _pct(x) -> float | None:
    return None if x is None or x != x else round(100 * float(x), 1)


def _yes(x) -> str:
    return "" if x is None else ("yes" if x else "no")


def shared_words(shared: bool | None) -> str:
    return {True: "shared", False: "not shared", None: "not enough recorded"}[shared]


def partnerships_table(fairness) -> pd.DataFrame:
    """One row per partnership programme: partners, shared or not, imbalance, what is out of line."""
    rows = [{"programme": p.programme, "partners": "; ".join(p.partners), "partnership types": ", ".join(p.types),
             "shared": shared_words(p.shared), "imbalance": None if p.imbalance is None else round(p.imbalance, 2),
             "stakes recorded": ", ".join(p.recorded), "out of line": " | ".join(f.words for f in p.findings)}
            for p in sorted(fairness.partnerships, key=lambda p: (p.shared is not False, p.shared is None,
                                                                  -(p.imbalance or 0), p.programme))]
    return pd.DataFrame(rows, columns=["programme", "partners", "partnership types", "shared", "imbalance",
                                       "stakes recorded", "out of line"])


def stakes_table(fairness, partner: str | None = None) -> pd.DataFrame:
    """Each party's share of each stake in each partnership programme (the library's row first)."""
    wanted = None
    if partner is not None:
        wanted = {s.programme for s in fairness.stakes if s.party == partner}
    rows = [{"programme": s.programme, "party": s.party,
             "partnership type": "" if s.party == LIBRARY else (s.type or NOT_RECORDED), "role": s.role or "",
             "staff hours": round(s.staff_hours, 1), "sessions led or co-delivered":
                 None if s.sessions is None else round(s.sessions, 1),
             "cash + in-kind £": round(s.money, 2), "promoted": _yes(s.promoted),
             "promotion reach": None if s.promotion_reach is None or s.promotion_reach != s.promotion_reach
             else round(s.promotion_reach), "credited": _yes(s.credited),
             **{STAKE_COLUMNS[k]: _pct(s.share(k)) for k in STAKES},
             "contribution %": _pct(s.contribution), "recognition %": _pct(s.recognition)}
            for s in fairness.stakes if wanted is None or s.programme in wanted]
    return pd.DataFrame(rows, columns=["programme", "party", "partnership type", "role", "staff hours",
                                       "sessions led or co-delivered", "cash + in-kind £", "promoted",
                                       "promotion reach", "credited", *STAKE_COLUMNS.values(), "contribution %",
                                       "recognition %"])


def parties_table(fairness) -> pd.DataFrame:
    """Each party across its partnership programmes: pooled contribution shares, promotion and credit counted."""
    rows = [{"party": p.party, "partnership type": "" if p.party == LIBRARY else (p.type or NOT_RECORDED),
             "partnership programmes": p.programmes, STAKE_COLUMNS["efforts"]: _pct(p.efforts),
             STAKE_COLUMNS["outputs"]: _pct(p.outputs), STAKE_COLUMNS["money"]: _pct(p.money_share),
             STAKE_COLUMNS["marketing"]: _pct(p.marketing), STAKE_COLUMNS["results"]: _pct(p.results),
             "promoted (programmes)": f"{p.promoted} of {p.promotion_recorded}" if p.promotion_recorded else "",
             "credited (programmes)": f"{p.credited} of {p.credit_recorded}" if p.credit_recorded else "",
             "contribution %": _pct(p.contribution), "recognition %": _pct(p.recognition),
             "programmes not shared for it": p.not_shared}
            for p in fairness.parties]
    return pd.DataFrame(rows, columns=["party", "partnership type", "partnership programmes",
                                       *STAKE_COLUMNS.values(), "promoted (programmes)", "credited (programmes)",
                                       "contribution %", "recognition %", "programmes not shared for it"])


def deliveries_table(fairness) -> pd.DataFrame:
    rows = [{"programme": d.programme, "party": d.party, "stake": STAKE_WORDS[d.stake], "agreed %": _pct(d.agreed),
             "delivered %": _pct(d.delivered), "difference (points)": _pct(d.difference), "verdict": d.verdict}
            for d in fairness.deliveries]
    return pd.DataFrame(rows, columns=["programme", "party", "stake", "agreed %", "delivered %",
                                       "difference (points)", "verdict"])


def _benefits(side) -> str:
    if side is None:
        return ""
    parts = []
    for b in side.benefits:
        if b.received is None:
            continue
        name = BENEFIT_WORDS[b.benefit]
        if b.amount is not None:
            parts.append(f"{name}: {'£' if b.benefit == 'funding_leveraged' else ''}{b.amount:,.0f}")
        else:
            parts.append(f"{name}: {'yes' if b.received else 'no'}")
    return "; ".join(parts)


def feedback_table(feedback) -> pd.DataFrame:
    """Both sides of each partnership side by side: each item, the means, the gap, benefits, comments."""
    rows = []
    for p in feedback.partnerships:
        row = {"partnership": p.label, "library mean": None if not p.library or p.library.mean is None
               else round(p.library.mean, 1),
               "partner mean": None if not p.partner_side or p.partner_side.mean is None
               else round(p.partner_side.mean, 1),
               "gap (library − partner)": None if p.gap is None else round(p.gap, 1),
               "library rates it much higher": "yes" if p.library_rates_higher else ""}
        for item in ITEM_WORDS:
            for side, label in ((p.library, "library"), (p.partner_side, "partner")):
                score = side.scores.get(item) if side else None
                row[f"{ITEM_WORDS[item]} ({label})"] = None if score is None else round(score, 1)
        row["benefits to the library"] = _benefits(p.library)
        row["benefits to the partner"] = _benefits(p.partner_side)
        row["partner's comment"] = " | ".join(p.partner_side.comments) if p.partner_side else ""
        rows.append(row)
    columns = ["partnership", "library mean", "partner mean", "gap (library − partner)",
               "library rates it much higher",
               *[f"{ITEM_WORDS[i]} ({s})" for i in ITEM_WORDS for s in ("library", "partner")],
               "benefits to the library", "benefits to the partner", "partner's comment"]
    return pd.DataFrame(rows, columns=columns)


def cost_effectiveness_table(values) -> pd.DataFrame:
    """Value: results per £1,000 of each partner's programmes (cost-effectiveness, not fairness)."""
    rows = [{"partner": v.partner, "partnership type": v.type or NOT_RECORDED, "programmes": v.programmes,
             "its input £": round(v.input, 0), "everyone's input in its programmes £": round(v.programme_input, 0),
             ("estimated positive outcomes" if v.basis == "outcomes" else "attendance"): round(v.results, 1),
             "per £1,000": None if v.per_1000 is None else round(v.per_1000, 2),
             "against the average (1 = average)": None if v.relative is None else round(v.relative, 2)}
            for v in values]
    return pd.DataFrame(rows)


__all__ = ["STAKE_COLUMNS", "cost_effectiveness_table", "deliveries_table", "feedback_table", "parties_table",
           "partnerships_table", "shared_words", "stakes_table"]
