"""Matching group labels to the population baseline's (impact/equity/labels.py)."""
from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from impact.equity.labels import age_range, dimension_name, group_key, match_groups


def test_the_same_age_band_written_differently_has_one_key():
    assert {group_key("age_band", x) for x in ("65+", "65 and over", "Aged 65+", "65 plus", "65 years and over")} \
        == {"65+"}
    assert {group_key("age_band", x) for x in ("0-4", "Under 5", "0 to 4", "0–4 years", "aged 0 - 4")} == {"0-4"}
    assert age_range("18 to 24 yrs") == (18, 24)
    assert age_range("90+") == (90, math.inf)


def test_over_65_is_ambiguous_and_left_as_text():
    assert age_range("over 65") is None  # 65+ or 66+? not guessed
    match = match_groups("age_band", ["over 65"], ["0-64", "65+"])
    assert match.unmatched_participants == ("over 65",)


def test_quintiles_match_as_numbers_whatever_the_wording():
    assert [group_key("deprivation_quintile", x) for x in (1, "1", "Q1", "Quintile 1 (most deprived)", "1.0")] \
        == ["1"] * 5
    assert group_key("deprivation_quintile", "most deprived") == "most deprived"  # no number: no guess


def test_ward_suffix_and_case_are_ignored_for_areas():
    assert group_key("area", " Docklands  Ward") == group_key("area", "docklands") == "docklands"


def test_baseline_dimension_names_map_to_the_demographic_columns():
    assert [dimension_name(x) for x in ("Age band", "age", "IMD quintile", "Ward", "Ethnic group", "religion")] \
        == ["age_band", "age_band", "deprivation_quintile", "area", "ethnicity", None]


def test_labels_meaning_the_same_group_share_the_baseline_group_and_the_rest_are_reported():
    match = match_groups("age_band", ["65 and over", "Under 5", "0-4", "18-24", "Martians"],
                         ["0-4", "18-24", "25-64", "65+"])
    assert match.groups == ("0-4", "18-24", "25-64", "65+")  # the baseline's wording
    assert match.participant_group == {"65 and over": 3, "Under 5": 0, "0-4": 0, "18-24": 1}
    assert match.unmatched_participants == ("Martians",)
    assert match.unmatched_population == ("25-64",)  # in the baseline, nobody recorded: counts as 0


def test_single_years_of_age_are_added_up_into_the_librarys_bands():
    ons = [str(age) for age in range(90)] + ["90+"]
    match = match_groups("age_band", ["Under 12", "12-17", "Adult"], ons)  # Arts Council England's bands
    assert match.groups == ("Under 12", "12-17", "Adult")
    assert match.keys == ("0-11", "12-17", "18+")
    assert {match.population_group[str(a)] for a in range(12)} == {0}
    assert {match.population_group[str(a)] for a in range(12, 18)} == {1}
    assert {match.population_group[a] for a in [*map(str, range(18, 90)), "90+"]} == {2}
    assert match.unmatched_participants == ()


def test_baseline_ages_no_band_covers_form_one_stretch_not_dozens_of_empty_groups():
    ons = [str(age) for age in range(90)] + ["90+"]
    match = match_groups("age_band", ["65+"], ons)
    assert match.groups == ("0-64", "65+")
    assert match.unmatched_population == ("0-64",)


def test_finer_library_bands_fold_into_a_wider_baseline_band():
    match = match_groups("age_band", ["5-9", "10-11", "0-4"], ["0-4", "5-11"])
    assert match.groups == ("0-4", "5-11")
    assert match.participant_group == {"5-9": 1, "10-11": 1, "0-4": 0}


def test_a_band_reaching_ages_the_baseline_does_not_count_is_unmatched_not_compared():
    match = match_groups("age_band", ["0-11", "65+"], ["0-4", "65-74", "75+"])
    assert match.unmatched_participants == ("0-11",)
    assert match.groups == ("0-4", "65+") and match.merged == ("65+",)


def test_adult_is_only_read_as_an_age_when_the_other_bands_end_below_18():
    assert match_groups("age_band", ["Adult", "0-17"], ["0-17", "18+"]).unmatched_participants == ()
    assert match_groups("age_band", ["Adult", "0-64"], ["0-64", "65+"]).unmatched_participants == ("Adult",)


labels = st.text(alphabet="abcdefghij ", min_size=1, max_size=12).filter(lambda s: s.strip())


@given(label=labels, spaces=st.integers(0, 3))
def test_case_and_surrounding_spaces_never_change_a_key(label, spaces):
    for dim in ("area", "ethnicity", "age_band"):
        assert group_key(dim, " " * spaces + label.upper() + " " * spaces) == group_key(dim, label)


@given(low=st.integers(0, 100), width=st.integers(0, 30), open_ended=st.booleans())
def test_an_age_range_reads_back_from_its_own_key(low, width, open_ended):
    high = math.inf if open_ended else low + width
    key = group_key("age_band", f"{low}+" if open_ended else f"{low} to {high}")
    assert age_range(key) == (low, high)
