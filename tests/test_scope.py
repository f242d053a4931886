"""The scope in words: what every pack title, PDF page, PNG and workbook sheet says it covers."""
import datetime as dt

import pandas as pd

from impact.filters import Filters
from impact.scope import describe, line, period_words, source_words


def test_a_financial_year_is_named_as_one():
    f = Filters(themes=["Early literacy"], date_from="2025-04-01", date_to="2026-03-31", fy_start_month=4)
    assert describe(f) == "Early literacy, financial year 2025/26"


def test_a_financial_year_starting_in_july_and_other_periods():
    assert period_words(Filters(date_from="2025-07-01", date_to="2026-06-30", fy_start_month=7)) == \
        "financial year 2025/26"
    assert period_words(Filters(date_from="2025-01-01", date_to="2025-12-31")) == "calendar year 2025"
    assert period_words(Filters(date_from="2025-05-01", date_to="2025-05-31")) == "May 2025"
    assert period_words(Filters(date_from="2025-04-01", date_to="2025-06-30")) == "Q2 2025"
    assert period_words(Filters(date_from="2025-04-03", date_to="2025-06-30")) == "3 Apr 2025 to 30 Jun 2025"
    assert period_words(Filters(date_from="2025-04-03")) == "from 3 Apr 2025"
    assert period_words(Filters()) == "all dates"


def test_everything_else_the_filters_narrow_is_named():
    f = Filters(partners=["Age UK"], branches=["Central"], groups={"age_band": ["65+"]})
    assert describe(f) == "with Age UK; Central branch; age band 65+, all dates"
    assert describe(Filters(themes=["A", "B", "C", "D", "E"])) == "A, B, C and 2 more, all dates"
    assert describe(None) == "All programmes, all dates"


def test_the_source_names_the_uploads_and_the_latest_date():
    sources = pd.DataFrame({"uploaded": ["2026-01-05 10:00", "2026-03-02 09:00"]})
    assert source_words(sources, dt.datetime(2026, 3, 4, 12)) == \
        "Source: 2 uploads to Beyond Footfall, the latest 2 Mar 2026; made 4 Mar 2026"
    assert line(Filters(), None).endswith("Source: no uploads recorded")
