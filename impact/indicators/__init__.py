"""Indicators beyond footfall: pure functions of the canonical frames.

This first set (reach and positive outcome rates) is what the overview and
`python -m impact indicators` show; the indicators issue extends it.
"""
from __future__ import annotations

import pandas as pd

from impact import schema
from impact.stats import proportion


def reach(attendance: pd.DataFrame) -> dict:
    """attendance frame -> {attendance, sessions, new_attendees, rows_not_recorded}; blank counts are not zero."""
    if attendance.empty:
        return {"attendance": 0, "sessions": 0, "new_attendees": 0, "not_recorded": 0}
    return {
        "attendance": int(attendance["attendees"].sum(skipna=True)),
        "sessions": int(attendance["sessions"].fillna(1).sum()),
        "new_attendees": int(attendance["new_attendees"].sum(skipna=True)) if "new_attendees" in attendance else 0,
        "not_recorded": int(attendance["attendees"].isna().sum()),
    }


def positive_rate(responses: pd.DataFrame, domain: str, min_n: int = 10) -> dict:
    """survey responses -> share answering 4 or 5 among valid answers of `domain`, Wilson 95% CI, n.

    Missing answers (N/A, don't know, blank) are out of n: never counted as negative.
    """
    answers = responses[domain].dropna() if domain in responses else pd.Series(dtype="Int64")
    n = int(len(answers))
    k = int((answers >= 4).sum())
    p = proportion(k, n, min_n)
    return {"n": n, "positive": k, "positive_rate": p.rate, "ci_low": p.low, "ci_high": p.high,
            "mean": float(answers.mean()) if n else None, "reliable": p.reliable}


def outcomes(responses: pd.DataFrame, min_n: int = 10, wave: str = "post") -> dict:
    """Positive rate per outcome domain present in the post-session responses."""
    if responses.empty:
        return {}
    rows = responses[responses["wave"] == wave] if "wave" in responses else responses
    return {d: positive_rate(rows, d, min_n) for d in schema.outcome_columns(rows.columns)
            if rows[d].notna().any()}


def summary(frames: dict[str, pd.DataFrame], min_n: int = 10) -> dict:
    """The headline indicators of everything loaded."""
    responses = frames.get("survey_responses", pd.DataFrame())
    return {
        "reach": reach(frames.get("attendance", pd.DataFrame())),
        "outcomes": outcomes(responses, min_n),
        "counts": {"partners": len(frames.get("partners", [])), "programmes": len(frames.get("programmes", [])),
                   "survey_responses": len(responses),
                   "post_responses": int((responses["wave"] == "post").sum()) if "wave" in responses else 0},
    }
