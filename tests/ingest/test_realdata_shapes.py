"""Real files through the choices the Upload page offers (issue 10), checked against plain-pandas counts.

- The Carpentries' instructor-training post survey (CC BY 4.0): its agreement items kept as the library's
  own outcomes, and the blank event cells given a programme ("values the file leaves out").
- Arts Council England, Libraries Activity Data 2023-24 (Open Government Licence): the workbook's
  month x age-band attendee columns reshaped to one row per authority, month and age band.
- Timberland Regional Library's monthly returns (public domain) are covered in test_realdata.py.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from impact.ingest import Options, SheetOptions
from impact.upload import read_upload

HERE = Path(__file__).resolve()
REALDATA = next((p for p in (HERE.parents[2].parent / "shared" / "realdata", HERE.parents[4] / "shared" / "realdata")
                 if p.is_dir()), HERE.parents[2].parent / "shared" / "realdata")
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"the real-data folder {REALDATA} is not on this machine")

AGREEMENT = {"strongly agree": 5, "agree": 4, "neither agree nor disagree": 3, "disagree": 2, "strongly disagree": 1}


def upload(relative: str, options: Options):
    path = REALDATA / relative
    return read_upload([(path.name, path.read_bytes())], options)


# --- The Carpentries: post survey items as the library's own outcomes ------------------------------------------

SURVEY = "carpentries/20180908_post_clean.csv"


@pytest.fixture(scope="module")
def carpentries():
    sheet = "20180908_post_clean"
    choices = SheetOptions("survey_responses", {"MemberSite": "programme", "WhenTaking": ""})
    options = Options(sheets={sheet: choices}, dayfirst=False, date_order_chosen=True, own_outcomes=("*",),
                      defaults={"programme": "Instructor training (event not named)"})
    raw = pd.read_csv(REALDATA / SURVEY, dtype=str, keep_default_na=False)
    return upload(SURVEY, options), raw


def test_carpentries_items_are_kept_as_own_outcomes_with_every_answer(carpentries):
    result, raw = carpentries
    frame = result.frame("survey_responses")
    assert result.ok, result.errors[:3]
    assert len(frame) == len(raw) == 967
    own = {"InformationReasonableTime": "outcome_information_reasonable_time",
           "AtmosphereWelcoming": "outcome_atmosphere_welcoming", "LearnedSkills": "outcome_learned_skills",
           "Material": "outcome_material", "Recommend": "outcome_recommend", "Worth": "outcome_worth"}
    mapping = result.sheets[0].mapping
    for header, column in own.items():
        assert mapping[header] == column
        expected = raw[header].str.strip().str.lower().map(AGREEMENT)
        assert frame[column].notna().sum() == expected.notna().sum()
        assert frame[column].sum() == expected.sum()
    # a column that only looks like 'knowledge' by its name ('Some knowledge of topic') is not applied
    assert mapping["KnowledgeFormativeAssessmentPost"] is None
    assert [p.column for p in result.problems if p.code == "guess-not-applied"] == ["KnowledgeFormativeAssessmentPost"]


def test_carpentries_blank_events_take_the_value_given_for_them(carpentries):
    result, raw = carpentries
    frame = result.frame("survey_responses")
    blank = (raw["MemberSite"].str.strip() == "").sum()
    assert blank == 51
    assert (frame["programme"] == "Instructor training (event not named)").sum() == blank


# --- Arts Council England: month x age-band columns -------------------------------------------------------------

ACE = "ace_england/Libraries Activity Data 2023-24 FINAL.xlsx"
SHEET = "Activity Data 2024"


@pytest.fixture(scope="module")
def ace():
    options = Options(sheets={SHEET: SheetOptions("attendance", {"Library Details": "branch"})},
                      defaults={"programme": "Library events"})
    raw = pd.read_excel(REALDATA / ACE, sheet_name=SHEET, engine="calamine")
    return upload(ACE, options), raw


def test_ace_month_by_age_band_columns_become_one_row_per_month_and_band(ace):
    result, raw = ace
    frame = result.frame("attendance")
    assert result.ok, result.errors[:3]
    bands = ("Adults", "Children 11 And Under", "Young People Between 12 And 17")
    columns = [c for c in raw.columns for band in bands for channel in ("Physical", "Digital")
               if str(c).startswith(f"{channel} Attendees {band} - ")]
    assert len(columns) == 2 * 3 * 12
    rows = raw[raw["Library Details"].notna()]
    assert len(frame) == len(rows) * len(columns)  # every cell once; a blank one as 'not recorded'
    for band in bands:
        cells = rows[[c for c in columns if f"Attendees {band} - " in c]].apply(pd.to_numeric, errors="coerce")
        got = frame[frame["age_band"] == band]["attendees"]
        assert got.sum() == cells.sum().sum()
        assert got.notna().sum() == cells.notna().sum().sum()
    # months from April 2023 to March 2024, each a whole month, never a day of a session
    months = sorted(frame["period_start"].dropna().unique())
    assert [pd.Timestamp(m).strftime("%Y-%m") for m in months] == \
        [f"2023-{m:02d}" for m in range(4, 13)] + [f"2024-{m:02d}" for m in range(1, 4)]
    assert frame["sessions"].isna().all()  # a monthly count is not sessions
    totals = sorted(p.column for p in result.problems if p.code == "totals-column-excluded")
    assert totals == ["Total Attendees At Digital Events", "Total Attendees At Physical Events"]


def test_ace_returns_are_never_called_sessions(ace):
    """Stored and read back as the pages do: the attendances are counted in returns, not 'at N sessions'."""
    from impact import indicators
    from impact.export.statements import statements  # noqa: F401  (the pack's wording comes from Reach)
    from impact.filters import prepare

    result, _ = ace
    frame = result.frame("attendance")
    data = prepare({"attendance": frame.drop(columns=["_sheet", "_row"])})
    r = indicators.compute(data).reach
    total = int(frame["attendees"].sum())
    assert r.attendance == r.attendance_in_returns == total
    assert r.sessions == 0
    assert r.sessions_text == f"{total:,} attendances counted in monthly or yearly returns (sessions not recorded)"
    assert r.mean_per_session.value is None  # no attendance 'per session' made up from returns
