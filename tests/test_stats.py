"""impact/stats.py: Wilson intervals, rank tests and McNemar against scipy, effect sizes against
Lakens (2013), change from before to after worked out by hand, and hypothesis properties."""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats as sps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from impact import stats

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ANSWERS = st.lists(st.integers(1, 5), min_size=1, max_size=120)


# --- t and chi-square without scipy.stats ---------------------------------------------------------

def _same(ours: float, theirs) -> bool:
    return (math.isnan(ours) and math.isnan(float(theirs))) or ours == float(theirs)  # bit for bit


@PROPERTY
@given(st.floats(0.0005, 0.9995), st.one_of(st.integers(-2, 400), st.floats(0.01, 1e6), st.just(math.inf),
                                           st.just(math.nan)))
def test_the_t_quantile_is_scipys_to_the_last_bit(q, df):
    assert _same(stats.t_quantile(q, df), sps.t.ppf(q, df))


@PROPERTY
@given(st.one_of(st.floats(-5, 500), st.just(0.0), st.just(math.inf), st.just(math.nan)),
       st.one_of(st.integers(-1, 60), st.floats(0.01, 1000), st.just(math.nan)))
def test_the_chi_square_tail_is_scipys_to_the_last_bit(x, df):
    assert _same(stats.chi2_sf(x, df), sps.chi2.sf(x, df))


def test_the_statistics_do_not_import_scipy_stats_at_start():
    """scipy.stats takes ~1 s to import: the pack, the pages and the CLI start without it."""
    import subprocess
    import sys

    code = "import sys, impact.export.pack, impact.equity; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# --- Wilson ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("k,n", [(0, 1), (1, 1), (0, 10), (3, 10), (10, 10), (91, 212), (5, 9), (999, 1000)])
def test_wilson_matches_scipy_binomtest_wilson_interval(k, n):
    expected = sps.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    low, high = stats.wilson(k, n)
    assert low == pytest.approx(expected.low, abs=1e-12)
    assert high == pytest.approx(expected.high, abs=1e-12)


def test_wilson_of_nothing_is_no_interval_and_proportion_flags_small_n():
    assert stats.wilson(0, 0) == (None, None)
    assert stats.proportion(0, 0).rate is None
    assert stats.proportion(9, 9, min_n=10).reliable is False
    assert stats.proportion(9, 10, min_n=10).reliable is True


@PROPERTY
@given(st.integers(0, 5000), st.integers(1, 5000))
def test_the_interval_contains_the_rate_and_lies_in_0_1(k, n):
    k = min(k, n)
    p = stats.proportion(k, n)
    assert 0.0 <= p.low <= p.rate <= p.high <= 1.0


@PROPERTY
@given(st.integers(0, 500), st.integers(1, 500), st.integers(2, 20))
def test_the_interval_narrows_as_n_grows_at_the_same_rate(k, n, factor):
    k = min(k, n)
    low, high = stats.wilson(k, n)
    low2, high2 = stats.wilson(k * factor, n * factor)
    assert high2 - low2 < high - low


def test_ratio_may_exceed_one_and_has_no_value_without_a_denominator():
    assert stats.ratio(15, 10).value == 1.5 and stats.ratio(15, 10).n == 10
    assert stats.ratio(3, 0).value is None and stats.ratio(3, 0).reliable is False


# --- rank tests against scipy -------------------------------------------------------------------

def _same_as_scipy_wilcoxon(diffs):
    d = np.array(diffs)
    levels, counts = np.unique(d, return_counts=True)
    statistic, p = stats.wilcoxon_signed_rank(levels, counts)
    if not (d != 0).any():
        assert (statistic, p) == (None, None)
        return
    expected = sps.wilcoxon(d)
    assert statistic == pytest.approx(float(expected.statistic))
    assert p == pytest.approx(float(expected.pvalue), rel=1e-9, abs=1e-300)


@PROPERTY
@given(st.lists(st.integers(-4, 4), min_size=51, max_size=400))
def test_wilcoxon_over_50_pairs_equals_scipy_normal_approximation(diffs):
    _same_as_scipy_wilcoxon(diffs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(-4, 4), min_size=1, max_size=9))
def test_wilcoxon_on_few_pairs_with_ties_equals_scipy_exhaustive_permutation_test(diffs):
    # scipy needs seconds per call from 12 pairs up; we enumerate the same sign patterns by counting
    _same_as_scipy_wilcoxon(diffs)


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(range(1, 51))), st.lists(st.booleans(), min_size=50, max_size=50), st.integers(1, 50))
def test_wilcoxon_without_ties_or_zeros_equals_scipy_exact_test(magnitudes, negative, n):
    _same_as_scipy_wilcoxon([-m if neg else m for m, neg in zip(magnitudes[:n], negative)])


@pytest.mark.parametrize("diffs", [[1, 1, 2, -1, 0, 3, 2, 2, -2, 1, 1, 3, 1],  # 13 with ties and a zero: permutation
                                   [1, 1, 2, -1, 0, 3, 2, 2, -2, 1, 1, 3, 1, 2],  # 14: normal approximation
                                   [0, 0, 0, 1]])
def test_wilcoxon_at_the_edges_of_scipys_method_choice(diffs):
    _same_as_scipy_wilcoxon(diffs)


def test_wilcoxon_on_many_pairs_uses_the_normal_approximation_like_scipy():
    rng = np.random.default_rng(3)
    d = rng.integers(-2, 4, 5000)
    levels, counts = np.unique(d, return_counts=True)
    expected = sps.wilcoxon(d)
    assert stats.wilcoxon_signed_rank(levels, counts) == pytest.approx((expected.statistic, expected.pvalue), rel=1e-9)


@PROPERTY
@given(ANSWERS, ANSWERS)
def test_mann_whitney_u_from_counts_equals_scipy(x, y):
    levels = np.arange(1, 6)
    cx, cy = np.bincount(x, minlength=6)[1:], np.bincount(y, minlength=6)[1:]
    u, p = stats.mann_whitney_u(levels, cx, cy)
    expected = sps.mannwhitneyu(x, y)
    assert u == pytest.approx(float(expected.statistic))
    assert p == pytest.approx(float(expected.pvalue), rel=1e-9)


@pytest.mark.parametrize("b,c", [(0, 1), (3, 10), (10, 3), (25, 25), (856, 123)])
def test_mcnemar_exact_equals_scipy_binomtest_on_the_discordant_pairs(b, c):
    assert stats.mcnemar_exact(b, c) == pytest.approx(sps.binomtest(b, b + c, 0.5).pvalue, rel=1e-9)


def test_mcnemar_without_discordant_pairs_has_no_p_value():
    assert stats.mcnemar_exact(0, 0) is None


# --- effect sizes: Lakens (2013) ----------------------------------------------------------------

# Lakens D. (2013) "Calculating and reporting effect sizes to facilitate cumulative science: a practical
# primer for t-tests and ANOVAs", Frontiers in Psychology 4:863, Table 1: ten people rate two movies.
# Published: within subjects Cohen's d_z = 1.50; between subjects Cohen's d_s = 1.13, Hedges's g_s = 1.08.
MOVIE_1 = [9, 7, 8, 9, 8, 9, 9, 10, 9, 9]
MOVIE_2 = [9, 6, 7, 8, 7, 9, 8, 8, 8, 7]


def test_cohens_dz_reproduces_lakens_2013_worked_example():
    change = stats.paired_change(MOVIE_2, MOVIE_1)  # "after" minus "before": movie 1 minus movie 2
    # by hand: differences 0,1,1,1,1,0,1,2,1,2 -> mean 1.0, SD sqrt(4/9) = 0.667, d_z = 1.5
    assert change.mean_diff == pytest.approx(1.0)
    assert change.effect_size == pytest.approx(1.0 / math.sqrt(4 / 9))
    assert round(change.effect_size, 2) == 1.50
    assert change.method == "paired" and change.effect_size_name == "Cohen's d_z"


def test_hedges_g_reproduces_lakens_2013_worked_example():
    change = stats.unpaired_change(MOVIE_2, MOVIE_1)
    # by hand: sums of squares 6.1 and 8.1 -> pooled SD sqrt(14.2/18); d_s = 1.0 / that = 1.126;
    # g = d_s × (1 − 3/(4·20 − 9)) = 1.078
    d_s = 1.0 / math.sqrt(14.2 / 18)
    assert round(d_s, 2) == 1.13
    assert change.effect_size == pytest.approx(d_s * (1 - 3 / 71))
    assert round(change.effect_size, 2) == 1.08
    assert change.method == "unpaired" and change.effect_size_name == "Hedges' g"
    assert change.p_value == pytest.approx(sps.mannwhitneyu(MOVIE_2, MOVIE_1).pvalue)


# --- change from before to after by hand --------------------------------------------------------

def test_paired_change_by_hand():
    change = stats.paired_change([2, 3, 3, 4, np.nan], [4, 3, 5, 5, 5], min_n=3)
    # the fifth pair has no before answer and is left out; differences 2, 0, 2, 1
    sd = math.sqrt((0.75 ** 2 + 1.25 ** 2 + 0.75 ** 2 + 0.25 ** 2) / 3)
    assert change.n == 4 and change.reliable
    assert (change.mean_before, change.mean_after, change.mean_diff) == (3.0, 4.25, 1.25)
    assert change.effect_size == pytest.approx(1.25 / sd)
    assert (change.improved.k, change.same.k, change.worse.k) == (3, 1, 0)
    # agreeing (4-5) before: only the fourth; after: all but the second -> 2 became positive, 0 stopped
    assert (change.became_positive, change.stopped_positive) == (2, 0)
    assert change.mcnemar_p == pytest.approx(0.5)  # 2 × P(X ≤ 0), X ~ Bin(2, ½)
    assert change.p_value == pytest.approx(sps.wilcoxon([2, 0, 2, 1]).pvalue)


def test_unpaired_change_leaves_missing_answers_out_of_every_mean():
    change = stats.unpaired_change([1, 2, np.nan, 3], [4, 5, np.nan])
    assert (change.n_before, change.n_after, change.n) == (3, 2, 2)
    assert (change.mean_before, change.mean_after) == (2.0, 4.5)
    assert change.reliable is False  # fewer than 10 on the smaller side


@PROPERTY
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=80))
def test_paired_shares_add_up_and_mean_difference_is_after_minus_before(pairs):
    before, after = np.array(pairs).T
    change = stats.paired_change(before, after)
    assert change.improved.k + change.same.k + change.worse.k == len(pairs)
    assert change.mean_diff == pytest.approx(float(np.mean(after - before)))
    sd = float(np.std(after - before, ddof=1))
    assert change.effect_size == (pytest.approx(change.mean_diff / sd) if sd else None)


# --- issue 11: multiplicity, clustering, effect-size intervals, adjusted gaps ---------------------------

def test_holm_matches_r_p_adjust_worked_by_hand():
    # R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") = 0.05 0.08 0.09 0.09 0.09
    # (sorted p × (m − i + 1): 0.05, 0.08, 0.09, 0.08, 0.05, made non-decreasing)
    assert stats.holm([0.03, 0.01, 0.05, 0.02, 0.04]) == pytest.approx([0.09, 0.05, 0.09, 0.08, 0.09])
    assert stats.holm([None, 0.2, None]) == [None, 0.2, None]  # a missing test is not in the family
    assert stats.holm([0.4, 0.6]) == pytest.approx([0.8, 0.8])


def test_a_missing_p_value_prints_nothing():
    assert stats.format_p(None) == ""
    assert stats.format_p(0.0004) == "p < 0.001" and stats.format_p(0.0625) == "p = 0.062"


def test_cluster_robust_share_worked_by_hand():
    # three sessions: 9 of 10, 2 of 10, 5 of 10 positive; p = 16/30
    k, n = [9, 2, 5], [10, 10, 10]
    p = 16 / 30
    v = 3 / 2 * sum((ki - p * ni) ** 2 for ki, ni in zip(k, n)) / 30 ** 2  # Cochran 1977 §6.11
    c = stats.clustered_share(k, n, "sessions")
    assert c.design_effect == pytest.approx(v / (p * (1 - p) / 30))
    low, high = stats.wilson_effective(p, 30 / c.design_effect, sps.t.ppf(0.975, 2))
    assert (c.low, c.high, c.clusters) == (pytest.approx(low), pytest.approx(high), 3)


def test_with_no_clustering_the_interval_is_wilson_with_t():
    # identical clusters: design effect floored at 1, and Wilson on n with t instead of z
    c = stats.clustered_share([5] * 40, [10] * 40)
    assert c.design_effect == 1.0
    ci = sps.binomtest(200, 400).proportion_ci(method="wilson")
    assert c.low < ci.low < 0.5 < ci.high < c.high  # t on 39 df is a little wider than z
    assert stats.wilson_effective(0.5, 400, stats.Z95) == pytest.approx((ci.low, ci.high))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), min_size=2, max_size=12))
def test_intervals_widen_with_clustering(clusters):
    k = [min(a, b) for a, b in clusters]
    n = [b for _, b in clusters]
    total_k, total_n = sum(k), sum(n)
    c = stats.clustered_share(k, n)
    low, high = stats.wilson(total_k, total_n)
    assert c.design_effect >= 1
    assert c.low <= low + 1e-9 and c.high >= high - 1e-9


def test_chi_square_of_the_whole_dimension_equals_scipy():
    k, n = [30, 45, 20], [50, 60, 45]
    table = [[a, b - a] for a, b in zip(k, n)]
    expected = sps.chi2_contingency(table, correction=False)
    stat, df, p = stats.chi_square_homogeneity(k, n)
    assert (stat, df, p) == (pytest.approx(expected.statistic), 2, pytest.approx(expected.pvalue))


def test_mantel_haenszel_difference_worked_by_hand():
    # two programmes, each with a 25-point gap but different base rates: MH keeps 0.25
    # stratum 1: 10/20 vs 5/20; stratum 2: 30/40 vs 20/40 (Greenland & Robins 1985)
    rd, low, high = stats.mantel_haenszel_difference([10, 30], [20, 40], [5, 20], [20, 40])
    assert rd == pytest.approx(0.25)
    w = [20 * 20 / 40, 40 * 40 / 80]
    num = (10 * 10 * 20 ** 3 + 5 * 15 * 20 ** 3) / (20 * 20 * 40 ** 2) \
        + (30 * 10 * 40 ** 3 + 20 * 20 * 40 ** 3) / (40 * 40 * 80 ** 2)
    se = (num / sum(w) ** 2) ** 0.5
    assert (low, high) == (pytest.approx(0.25 - stats.Z95 * se), pytest.approx(0.25 + stats.Z95 * se))
    # a crude pooled gap would mix programmes: (40/60 − 25/60) = 0.25 here, but not when sizes differ
    assert stats.mantel_haenszel_difference([1], [0], [1], [5]) == (None, None, None)


def test_paired_share_difference_agresti_min_worked_by_hand():
    # 20 pairs: 8 became positive, 2 stopped; add ½ to each cell: b = 8.5, c = 2.5, n = 22
    d, low, high = stats.paired_share_difference(8, 2, 20)
    assert d == pytest.approx(0.3)
    dt, se = 6 / 22, (8.5 + 2.5 - 36 / 22) ** 0.5 / 22
    assert (low, high) == (pytest.approx(dt - stats.Z95 * se), pytest.approx(dt + stats.Z95 * se))


def test_the_issue_s_share_change_is_tested_with_mcnemar_not_wilcoxon():
    # "62% → 94%" on 16 pairs with 5 becoming positive and none stopping: McNemar exact p = 2 × 0.5^5 = 0.0625
    assert stats.mcnemar_exact(5, 0) == pytest.approx(0.0625)


def test_reliability_is_a_rule_on_n_counts_and_interval_width():
    rule = stats.Reliability(min_n=10, max_half_width=0.10, suppress_n=5)
    assert rule.holds(100, 0.40, 0.58, 50)
    assert not rule.holds(100, 0.40, 0.62, 50)  # ±11 points
    assert not rule.holds(9, 0.40, 0.42, 5) and not rule.holds(100, 0.40, 0.50, 3)
    assert not rule.holds(100, None, None, 50)  # no interval, no statement
    assert stats.Reliability.from_settings({"min_n": "10", "max_half_width": "15"}).max_half_width == 0.15


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-5, 10**7), max_size=60), st.booleans())
def test_dense_codes_ranks_as_numpy_unique_does(values, spread):
    from impact.filters import dense_codes

    arr = np.asarray(values if spread else [v % 50 - 3 for v in values], "int64")  # dense and sparse ranges
    inverse, n = dense_codes(arr)
    expected = np.unique(arr, return_inverse=True)[1].ravel() if len(arr) else np.zeros(0, "int64")
    assert inverse.tolist() == expected.tolist() and n == len(np.unique(arr))
