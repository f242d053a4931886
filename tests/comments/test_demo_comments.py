"""The demo's comments have a story for every view: every tone, barriers and suggestions, details to scrub."""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from impact.comments import coded, what_people_said
from impact.demo import build_demo
from impact.demo_comments import PERSONAL
from impact.store import Store


def test_the_demo_comments_carry_every_tone_and_personal_details_the_bank_scrubs():
    frames = build_demo().tables()
    found = coded(frames)
    assert set(found["tone"]) == {"positive", "mixed", "negative", "suggestion"}
    assert found["question"].nunique() == 3
    by_theme = found.assign(theme=found["programme"].map(frames["programmes"].set_index("name")["theme"]))
    barriers = by_theme[by_theme["codes"].str.contains("barrier")].groupby("theme").size()
    assert len(barriers) == frames["programmes"]["theme"].nunique()  # every theme has a critical comment
    assert found["text"].isin(PERSONAL).sum() >= 20
    said = what_people_said(frames, limit=60)
    quotes = " ".join(said.quotes.quotes["quote"])
    for name in ("Khan", "Priya", "Dave", "Mill Lane", "Tomasz", "Janet"):
        assert name not in quotes
    assert said.quotes.left_out["no consent to quote"] > 0


def test_an_older_database_gets_the_quote_consent_column_added(db_url):
    url = db_url
    Store(url).dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text('ALTER TABLE survey_responses DROP COLUMN quote_consent'))
    assert "quote_consent" not in {c["name"] for c in sa.inspect(engine).get_columns("survey_responses")}
    engine.dispose()
    store = Store(url)
    assert "quote_consent" in {c["name"] for c in sa.inspect(store.engine).get_columns("survey_responses")}
    assert isinstance(store.load("survey_responses"), pd.DataFrame)
    store.dispose()
