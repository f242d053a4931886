"""Small survey frames built inline: programmes, responses with comments, consent where a batch asks."""
from __future__ import annotations

import pandas as pd
import pytest


def survey(rows: list[dict], programmes: list[dict] | None = None) -> dict:
    """Canonical frames from survey rows (programme, comment_benefit, ...): each row is its own stored row id."""
    responses = pd.DataFrame(rows)
    responses.insert(0, "id", range(1, len(responses) + 1))
    if "batch_id" not in responses:
        responses["batch_id"] = 1
    if "wave" not in responses:
        responses["wave"] = "post"
    if "response_date" not in responses:
        responses["response_date"] = pd.Timestamp("2025-05-01")
    names = sorted(set(responses["programme"]))
    programmes = pd.DataFrame(programmes or [{"name": n, "theme": "Digital inclusion"} for n in names])
    programmes["programme_id"] = programmes["name"].str.lower().str.replace(" ", "-")
    empty = pd.DataFrame()
    return {"programmes": programmes, "partners": pd.DataFrame(columns=["partner_id", "name", "partnership_type"]),
            "programme_partners": pd.DataFrame(columns=["programme", "partner"]), "attendance": empty,
            "survey_responses": responses, "population": empty}


@pytest.fixture
def make_survey():
    return survey
