"""Cleaning rules (impact/ingest/clean.py): one test per rule, then hypothesis properties.

Each cleaner takes the raw cells of one column and returns a `Cleaned`: the values,
and a mask of cells that held something that could not be read (an error row).
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pandera.errors as pe
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact import schema
from impact.ingest import clean

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# the cleaners work on whole columns (a date column costs ~10 ms however long it is): fewer examples,
# each a column of up to 25 cells, test more values in less time than 200 single cells
COLUMNS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DATES = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def cells(*values) -> pd.Series:
    """A column of raw cells as a reader hands them over."""
    return pd.Series(list(values), dtype=object)


def values(cleaned: clean.Cleaned) -> list:
    return [None if pd.isna(v) else v for v in cleaned.values.tolist()]


def ordinal(day: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 22 -> '22nd'."""
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days  # Excel's day 0, after its 1900 leap-year bug


# --- missing values -------------------------------------------------------------------------------

def test_na_and_dont_know_are_missing_not_numbers():
    c = clean.clean_score(cells("N/A", "Don't know", "Don’t know", "Prefer not to say", "not sure", "", None))
    assert values(c) == [None] * 7
    assert not c.bad.any()


def test_missing_markers_in_number_columns_are_missing_not_zero():
    c = clean.clean_number(cells("n/a", "-", "—", "–", "", "  ", None, np.nan, "Not recorded", "#N/A"))
    assert values(c) == [None] * 10
    assert not c.bad.any()


def test_blank_attendance_stays_missing_never_zero():
    c = clean.clean_count(cells("", None, "n/a", "0"))
    assert values(c) == [None, None, None, 0]
    assert not c.bad.any()


def test_missing_dates_are_missing_not_errors():
    c = clean.clean_date(cells("", "-", "n/a", None))
    assert c.values.isna().all() and not c.bad.any()


# --- text and ids ---------------------------------------------------------------------------------

def test_text_is_trimmed_and_blank_markers_become_missing():
    c = clean.clean_text(cells("  Age UK  ", "a\u00a0 b", "n/a", "-", ""))
    assert values(c) == ["Age UK", "a b", None, None, None]


def test_numbers_dates_and_booleans_in_a_text_column_read_as_a_person_would_type_them():
    c = clean.clean_text(cells(12.0, True, dt.datetime(2025, 4, 3)))
    assert values(c) == ["12", "Yes", "2025-04-03"]


def test_a_slug_is_a_stable_id_made_from_a_name():
    assert clean.slug("Age UK Westfield") == "age-uk-westfield"
    assert clean.slug("  St. Mary’s & All Saints!! ") == "st-mary-s-all-saints"
    assert clean.slug("***") == "unnamed"


# --- numbers, money, hours ------------------------------------------------------------------------

def test_numbers_stored_as_text_are_read():
    assert values(clean.clean_number(cells("12", " 12 ", "1,234,567.8", "1 200", 7))) == [12, 12, 1234567.8, 1200, 7]


def test_money_with_currency_signs_and_thousands_separators_is_read():
    c = clean.clean_number(cells("£1,200.00", "GBP 50", "$3.50", "€ 12", "£ 75.50"), schema.MONEY)
    assert values(c) == [1200, 50, 3.5, 12, 75.5]


def test_an_amount_in_brackets_is_negative_as_accountants_write_it():
    assert values(clean.clean_number(cells("(200)", "(£1,050.25)"), schema.MONEY)) == [-200, -1050.25]


def test_hours_keep_their_units_and_minutes_become_hours():
    c = clean.clean_number(cells("3.5 hrs", "90 mins", "2h", "1.5 hours", "45 min"), schema.HOURS)
    assert values(c) == [3.5, 1.5, 2, 1.5, 0.75]


def test_words_in_a_number_column_are_errors_with_a_fix():
    c = clean.clean_number(cells("Yes", "TBC", "two hours", True, "12,5"))
    assert c.bad.all()
    assert c.code == "not-a-number" and c.message and c.fix


def test_a_number_too_long_to_be_real_is_an_error_not_infinity():
    c = clean.clean_number(cells("9" * 400))
    assert c.bad.all() and c.values.isna().all()


# --- counts ---------------------------------------------------------------------------------------

def test_whole_numbers_are_counts_and_twelve_point_zero_is_twelve():
    c = clean.clean_count(cells("12", 12.0, "1,200", "12 people"))
    assert values(c) == [12, 12, 1200, 12]
    assert str(c.values.dtype) == "Int64"


def test_a_fraction_of_a_person_is_an_error():
    c = clean.clean_count(cells("12.5", 0.5))
    assert c.bad.all() and c.code == "not-a-whole-number"


def test_counts_too_big_to_hold_are_errors_not_crashes():
    c = clean.clean_count(cells("9" * 400, "99999999999999999999", float("inf"), 1e300))
    assert c.bad.all() and c.values.isna().all()


def test_a_negative_count_is_read_and_then_refused_by_the_table_contract():
    c = clean.clean_count(cells("-4"))
    assert values(c) == [-4] and not c.bad.any()  # read as written, so the report can show it
    frame = pd.DataFrame({"attendees": c.values})
    with pytest.raises(pe.SchemaErrors) as err:
        schema.contract("attendance", ["attendees"]).validate(frame, lazy=True)
    assert "not negative" in str(err.value.failure_cases["check"].tolist())


# --- agreement scores -----------------------------------------------------------------------------

def test_agreement_labels_map_to_five_down_to_one():
    c = clean.clean_score(cells("Strongly agree", "Agree", "Neither agree nor disagree", "Disagree",
                                "Strongly disagree", "STRONGLY AGREE", "agree"))
    assert values(c) == [5, 4, 3, 2, 1, 5, 4]


def test_numbered_answers_use_their_number():
    c = clean.clean_score(cells("4 - Agree", "5", 3, 2.0, "Strongly agree (5)", "(1) Strongly disagree"))
    assert values(c) == [4, 5, 3, 2, 5, 1]


def test_scores_outside_one_to_five_are_errors():
    c = clean.clean_score(cells(0, 6, "7", "Very much so"))
    assert c.bad.all() and c.values.isna().all()
    assert c.code == "unknown-answer"


# --- choices, yes/no, quintiles, months -----------------------------------------------------------

def test_partnership_type_words_map_to_the_three_kinds_of_partnership():
    c = clean.clean_choice(cells("Community group", "External", "Library body", "Community (local groups)",
                                 "Stakeholder"), "partnership_type")
    assert values(c) == ["community", "stakeholder", "library", "community", "stakeholder"]


def test_survey_type_immediate_is_post_and_follow_up_is_follow_up():
    c = clean.clean_choice(cells("Immediate", "Follow-Up", "Before", "POST"), "wave")
    assert values(c) == ["post", "follow_up", "pre", "post"]


def test_partner_roles_are_read_from_everyday_words():
    c = clean.clean_choice(cells("Lead partner", "Host", "Sponsor", "co delivery"), "role")
    assert values(c) == ["lead", "venue", "funder", "co-delivery"]


def test_an_unknown_choice_is_an_error_naming_the_allowed_values():
    c = clean.clean_choice(cells("Cheerleader", ""), "role")
    assert c.bad.tolist() == [True, False]
    assert c.code == "invalid-choice" and "lead" in c.message and "co-delivery" in c.fix


def test_yes_no_words_and_ticks_are_booleans():
    c = clean.clean_bool(cells("Yes", "y", "TRUE", "1", "✓", "x", True, 1, "No", "n", "false", "0", False, 0))
    assert values(c) == [True] * 8 + [False] * 6
    assert not c.bad.any()


def test_a_maybe_is_neither_yes_nor_no():
    c = clean.clean_bool(cells("maybe", "", "-"))
    assert c.bad.tolist() == [True, False, False]
    assert c.code == "not-yes-or-no"


def test_deprivation_quintiles_read_from_numbers_and_labels():
    c = clean.clean_quintile(cells(1, "Q2", "3 - middle", "Quintile 4", "Most deprived", "Least deprived", 2.0))
    assert values(c) == [1, 2, 3, 4, 1, 5, 2]


def test_a_decile_or_a_word_is_not_a_quintile():
    c = clean.clean_quintile(cells(6, "10", "high", "n/a"))
    assert c.bad.tolist() == [True, True, True, False]


def test_a_year_is_a_whole_number():
    c = clean.clean_integer(cells(2024, "2024", "2024.0", "2024.5", "twenty"))
    assert values(c) == [2024, 2024, 2024, None, None]
    assert c.bad.tolist() == [False, False, False, True, True] and c.code == "not-a-whole-number"


def test_months_read_from_numbers_and_names():
    c = clean.clean_month(cells("May", "05", 12, "September", dt.date(2024, 7, 1), 13, "Smarch", "²"))
    assert values(c) == [5, 5, 12, 9, 7, None, None, None]
    assert c.bad.tolist() == [False] * 5 + [True] * 3


# --- dates ----------------------------------------------------------------------------------------

def test_excel_serial_numbers_are_dates():
    c = clean.clean_date(cells(45748, 45748.75, "45748", 36526))
    assert c.values.tolist() == [pd.Timestamp("2025-04-01")] * 3 + [pd.Timestamp("2000-01-01")]


def test_iso_dates_are_never_swapped_by_the_day_first_setting():
    c = clean.clean_date(cells("2024-01-05", "2025/04/03", "2025-04-03 10:00:00"), dayfirst=True)
    assert c.values.tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2025-04-03"), pd.Timestamp("2025-04-03")]


def test_uk_dates_are_day_first_by_default():
    c = clean.clean_date(cells("03/04/2025", "3/4/25", "03-04-2025", "3.4.2025"))
    assert c.values.tolist() == [pd.Timestamp("2025-04-03")] * 4


def test_us_dates_are_month_first_when_dayfirst_is_off():
    c = clean.clean_date(cells("04/03/2025", "4/3/25"), dayfirst=False)
    assert c.values.tolist() == [pd.Timestamp("2025-04-03")] * 2


def test_a_day_above_twelve_decides_the_order_for_the_whole_column():
    uk = clean.clean_date(cells("25/12/2024", "03/04/2025"), dayfirst=False)
    us = clean.clean_date(cells("12/25/2024", "04/03/2025"), dayfirst=True)
    assert uk.values.tolist() == [pd.Timestamp("2024-12-25"), pd.Timestamp("2025-04-03")]
    assert us.values.tolist() == [pd.Timestamp("2024-12-25"), pd.Timestamp("2025-04-03")]


def test_written_out_dates_with_ordinals_and_weekdays_are_read():
    c = clean.clean_date(cells("3rd April 2025", "Thursday, 3 April 2025 10:00", "April 3, 2025", "3 Apr 25",
                               "1st of May 2025", "3 Sept 2025"))
    assert c.values.tolist() == [pd.Timestamp("2025-04-03")] * 4 + [pd.Timestamp("2025-05-01"),
                                                                     pd.Timestamp("2025-09-03")]


def test_survey_tool_timestamps_with_a_time_zone_are_dates():
    c = clean.clean_date(cells("2025/04/03 10:15:22 AM GMT+1", "2025/04/03 3:30:00 PM GMT", "2025-04-03T10:15:22+01:00",
                               "2025-04-03 10:15:22 UTC", "2025-04-03T10:15:22Z"))
    assert c.values.tolist() == [pd.Timestamp("2025-04-03")] * 5


def test_datetime_cells_lose_their_time_of_day():
    c = clean.clean_date(cells(dt.datetime(2025, 4, 3, 23, 59), dt.date(2025, 4, 3), pd.Timestamp("2025-04-03 10:00")))
    assert c.values.tolist() == [pd.Timestamp("2025-04-03")] * 3


def test_text_that_is_not_a_date_is_an_error():
    c = clean.clean_date(cells("next Tuesday", "31/02/2025", "TBC"))
    assert c.bad.all() and c.code == "unparsable-date" and c.fix


def test_dates_of_a_reshaped_sheet_whose_rows_repeat_are_read():
    repeated = pd.Series(["2025-04-03", "2025-04-03", "03/04/2025", "x y"], index=[2, 2, 3, 3], dtype=object)
    c = clean.clean_date(repeated)
    assert c.values.index.tolist() == [2, 2, 3, 3]
    assert c.bad.tolist() == [False, False, False, True]


# --- periods --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, start, end", [
    ("2023-04-01/P3M", "2023-04-01", "2023-06-30"),
    ("2023-04-01/P1Y", "2023-04-01", "2024-03-31"),
    ("2023-04-01/2023-06-30", "2023-04-01", "2023-06-30"),
    ("2024-05", "2024-05-01", "2024-05-31"),
    ("May 2024", "2024-05-01", "2024-05-31"),
    ("2024 Q2", "2024-04-01", "2024-06-30"),
    ("Q2 2024", "2024-04-01", "2024-06-30"),
    ("2023/24", "2023-04-01", "2024-03-31"),
    ("2024", "2024-01-01", "2024-12-31"),
])
def test_a_period_is_read_as_its_first_and_last_day(text, start, end):
    first, last, c = clean.clean_period(cells(text))
    assert (first[0], last[0]) == (pd.Timestamp(start), pd.Timestamp(end))
    assert not c.bad.any()


def test_an_unreadable_period_is_an_error():
    _, _, c = clean.clean_period(cells("sometime", ""))
    assert c.bad.tolist() == [True, False] and c.code == "unparsable-period"


# --- dispatch -------------------------------------------------------------------------------------

def test_each_column_kind_is_cleaned_by_its_own_rule():
    attendance = schema.TABLES["attendance"]
    assert values(clean.clean_column(cells("12"), attendance.column("attendees"))) == [12]
    assert clean.clean_column(cells("03/04/2025"), attendance.column("session_date")).values[0] == \
        pd.Timestamp("2025-04-03")
    assert values(clean.clean_column(cells("May"), attendance.column("month"))) == [5]
    assert values(clean.clean_column(cells("Q1"), attendance.column("deprivation_quintile"))) == [1]
    survey = schema.TABLES["survey_responses"]
    assert values(clean.clean_column(cells("Agree"), survey.column("confidence"))) == [4]
    assert values(clean.clean_column(cells("Follow up"), survey.column("wave"))) == ["follow_up"]


# --- properties -----------------------------------------------------------------------------------

def parses_to(texts: list, expected: list[dt.date], dayfirst: bool = True) -> None:
    c = clean.clean_date(cells(*texts), dayfirst=dayfirst)
    assert not c.bad.any(), texts
    assert c.values.tolist() == [pd.Timestamp(d) for d in expected]


@COLUMNS
@given(st.lists(DATES, min_size=1, max_size=25))
def test_any_iso_date_parses_back_to_itself(days):
    parses_to([d.isoformat() for d in days], days)


@COLUMNS
@given(st.lists(DATES, min_size=1, max_size=25), st.booleans())
def test_any_uk_day_first_date_parses_back_to_itself(days, padded):
    form = "{d.day:02d}/{d.month:02d}/{d.year}" if padded else "{d.day}/{d.month}/{d.year}"
    parses_to([form.format(d=d) for d in days], days, dayfirst=True)


@COLUMNS
@given(st.lists(DATES, min_size=1, max_size=25))
def test_any_us_month_first_date_parses_back_to_itself_when_dayfirst_is_off(days):
    parses_to([f"{d.month:02d}/{d.day:02d}/{d.year}" for d in days], days, dayfirst=False)


@COLUMNS
@given(st.lists(DATES, min_size=1, max_size=25), st.booleans())
def test_any_ordinal_date_parses_back_to_itself(days, weekday):
    texts = [(f"{d:%A}, " if weekday else "") + f"{ordinal(d.day)} {MONTHS[d.month - 1]} {d.year}" for d in days]
    parses_to(texts, days)


@COLUMNS
@given(st.lists(DATES, min_size=1, max_size=25), st.sampled_from(["int", "float", "text"]))
def test_any_excel_serial_parses_back_to_its_date(days, form):
    serials = [excel_serial(d) for d in days]
    raw = {"int": serials, "float": [s + 0.5 for s in serials], "text": [str(s) for s in serials]}[form]
    parses_to(raw, days)


AMOUNTS = st.tuples(st.integers(min_value=0, max_value=10 ** 9), st.integers(min_value=0, max_value=99))


@PROPERTY
@given(AMOUNTS, st.sampled_from(["£{}", "{}", "${}", "€ {}", "GBP {}", "£ {}"]))
def test_any_amount_with_thousands_separators_and_currency_parses_back(amount, form):
    pounds, pence = amount
    text = form.format(f"{pounds:,}.{pence:02d}")
    c = clean.clean_number(cells(text), schema.MONEY)
    assert not c.bad.any(), text
    assert c.values[0] == pytest.approx(pounds + pence / 100, rel=1e-12, abs=1e-9)


@PROPERTY
@given(AMOUNTS)
def test_any_amount_in_brackets_parses_back_as_negative(amount):
    pounds, pence = amount
    c = clean.clean_number(cells(f"(£{pounds:,}.{pence:02d})"), schema.MONEY)
    assert c.values[0] == pytest.approx(-(pounds + pence / 100), rel=1e-12, abs=1e-9)


@PROPERTY
@given(st.integers(min_value=0, max_value=10 ** 6), st.integers(min_value=0, max_value=9),
       st.sampled_from(["hrs", "hours", "hr", "h"]))
def test_any_number_of_hours_with_a_unit_parses_back(whole, tenth, unit):
    text = f"{whole:,}.{tenth} {unit}"
    c = clean.clean_number(cells(text), schema.HOURS)
    assert c.values[0] == pytest.approx(whole + tenth / 10), text


@PROPERTY
@given(st.integers(min_value=0, max_value=10 ** 12))
def test_any_whole_count_with_thousands_separators_parses_back_exactly(count):
    c = clean.clean_count(cells(f"{count:,}"))
    assert values(c) == [count]


ANY_CELL = st.one_of(st.text(), st.integers(), st.floats(), st.none(), st.booleans(),
                     st.datetimes(min_value=dt.datetime(1900, 1, 1)), st.dates())


@COLUMNS
@given(st.lists(st.text(), max_size=25))
def test_no_cleaner_raises_on_any_text(texts):
    raw = cells(*texts)
    results = [clean.clean_text(raw), clean.clean_number(raw, schema.HOURS), clean.clean_count(raw),
               clean.clean_score(raw), clean.clean_bool(raw), clean.clean_quintile(raw), clean.clean_choice(raw, "role"),
               clean.clean_date(raw), clean.clean_month(raw), clean.clean_period(raw)[2]]
    for c in results:
        assert len(c.values) == len(c.bad) == len(texts)
        assert c.bad.dtype == bool


@COLUMNS
@given(st.lists(ANY_CELL, max_size=25))
def test_no_cleaner_raises_on_any_mix_of_cell_types(raw_cells):
    raw = cells(*raw_cells)
    for c in (clean.clean_text(raw), clean.clean_number(raw), clean.clean_count(raw), clean.clean_score(raw),
              clean.clean_bool(raw), clean.clean_quintile(raw), clean.clean_date(raw), clean.clean_month(raw),
              clean.clean_period(raw)[2]):
        assert len(c.values) == len(raw_cells)
        # a cell is either read, or missing, or reported: never silently turned into something else
        assert not (c.bad & c.values.notna()).any()


def test_a_long_column_of_repeated_values_cleans_exactly_as_cell_by_cell():
    """clean_column cleans distinct values once on long columns; the answer must not change."""
    from impact.ingest.clean import _clean_by_kind, clean_column

    values = ["03/04/2025", "25/12/2024", 45750, None, "n/a", "garbage", "3rd April 2025"] * 400
    raw = pd.Series(values, dtype=object, index=range(10, 10 + len(values)))
    for column in (schema.ATTENDANCE.column("session_date"), schema.ATTENDANCE.column("attendees"),
                   schema.SURVEY_RESPONSES.column("confidence"), schema.ATTENDANCE.column("branch")):
        fast, slow = clean_column(raw, column), _clean_by_kind(raw, column, True)
        pd.testing.assert_series_equal(fast.values, slow.values, check_names=False)
        pd.testing.assert_series_equal(fast.bad, slow.bad, check_names=False, check_dtype=False)
