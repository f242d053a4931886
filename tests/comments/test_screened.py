"""Comments screened once per data version (impact/comments/screened.py) give what checking them per scope gives."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from impact.comments import CommentState, coded, screen, what_people_said
from impact.comments.counts import count
from impact.demo import build_demo
from impact.filters import Filters, prepare

SCOPES = [Filters(), Filters(themes=["Early literacy"]), Filters(groups={"age_band": ["65+"]}),
          Filters(partnership_types=["community"]), Filters(date_from="2024-01", date_to="2024-06"),
          Filters(themes=["no such theme"])]


def _messier(frames: dict) -> dict:
    """The demo with half the respondent ids, a tenth of the dates and every seventh programme's rows gone."""
    rng = np.random.default_rng(7)
    out = {k: v.copy() for k, v in frames.items()}
    s = out["survey_responses"]
    s.loc[rng.random(len(s)) < 0.5, "respondent_id"] = None
    s.loc[rng.random(len(s)) < 0.1, "response_date"] = pd.NaT
    gone = out["programmes"]["name"].tolist()[::7]
    out["survey_responses"] = s[~s["programme"].isin(gone)]
    return out


@pytest.fixture(scope="module", params=["demo", "messier"])
def prepared(request):
    frames = build_demo().tables()
    return prepare(frames if request.param == "demo" else _messier(frames))


def _decisions(ids: list[str]) -> pd.DataFrame:
    """Approvals (some with an edited text that names someone: scrubbed again) and rejections."""
    approved, rejected = ids[:60:4], ids[1:60:4]
    return pd.DataFrame({"comment_id": approved + rejected,
                         "status": ["approved"] * len(approved) + ["rejected"] * len(rejected),
                         "text": [f"Edited quote {i}: Mrs Smith at 12 High Street helped" if i % 2 else None
                                  for i in range(len(approved) + len(rejected))],
                         "attribution": None, "decided_by": "AB", "decided_at": pd.Timestamp("2025-01-01")})


def test_a_scope_drawn_from_screened_comments_is_what_checking_them_per_scope_gives(prepared):
    everything = coded(prepared)
    state = CommentState(decisions=_decisions(list(everything["comment_id"])))
    checked = screen(prepared, everything, 5, state.codebook)
    for filters in SCOPES:
        for by in (None, "programme", "age_band"):
            old = what_people_said(prepared, state, filters, by, 10, 5, limit=6, all_coded=everything)
            new = what_people_said(prepared, state, filters, by, 10, 5, limit=6, screened=checked)
            assert new.to_dict() == old.to_dict(), (filters, by)
            pd.testing.assert_frame_equal(new.comments, old.comments)
        old = what_people_said(prepared, state, filters, None, 10, 5, all_coded=everything, approved_only=True)
        new = what_people_said(prepared, state, filters, None, 10, 5, screened=checked, approved_only=True)
        assert new.to_dict() == old.to_dict()
        by_programme = count(prepared, everything, state.codebook, filters, "programme", 10, checked.matrix)
        pd.testing.assert_frame_equal(by_programme.codes,
                                      count(prepared, everything, state.codebook, filters, "programme", 10).codes)


def test_screened_comments_are_of_one_threshold_and_codebook(prepared):
    everything = coded(prepared)
    checked = screen(prepared, everything, 5)
    assert len(checked) == len(everything) and checked.fits(everything, 5, checked.codebook)
    with pytest.raises(ValueError):
        what_people_said(prepared, CommentState(), None, None, 10, 8, screened=checked)  # another threshold


def test_the_pages_indicators_passed_in_give_the_same_counts_whatever_the_hourly_rate(prepared):
    """A page hands its own indicators (its hourly rate) to What people said: outcomes do not depend on the rate."""
    from impact import indicators

    everything = coded(prepared)
    checked = screen(prepared, everything, 5)
    state = CommentState()
    for filters in SCOPES[:3]:
        found = indicators.compute(prepared, filters, 10, 42.0)
        with_found = what_people_said(prepared, state, filters, None, 10, 5, limit=6, screened=checked, found=found)
        assert with_found.to_dict() == what_people_said(prepared, state, filters, None, 10, 5, limit=6,
                                                        all_coded=everything).to_dict()
        by = indicators.compute_by(prepared, "programme", filters, 10, 42.0)
        pd.testing.assert_frame_equal(count(prepared, everything, state.codebook, filters, "programme", 10,
                                            checked.matrix, by).codes,
                                      count(prepared, everything, state.codebook, filters, "programme", 10).codes)
