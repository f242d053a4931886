"""Statistics the indicators share. Sources are named in each docstring.

Survey answers are small integers (1-5), so the rank tests work from frequency tables
(`levels`, `counts`): the same formulas scipy uses, without sorting hundreds of thousands
of answers. Where scipy would use an exact or permutation test (small samples) the
expanded answers go to scipy itself, so every p-value is the one scipy would give.
"""
from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special

Z95 = 1.959963984540054  # standard normal quantile for a two-sided 95% interval
POSITIVE_FROM = 4  # "agree" or "strongly agree" on the 5-point scale


def t_quantile(q: float, df) -> float:
    """Student's t quantile for 0 < q < 1: scipy.stats.t.ppf(q, df) as scipy computes it (scipy.special.stdtrit;
    nan unless df > 0), without importing scipy.stats, which takes ~1 s of every command's start. Remembered per
    (q, df): every interval of a breakdown asks for the same few."""
    return _t_quantile(float(q), float(df))


@functools.lru_cache(maxsize=4096)
def _t_quantile(q: float, df: float) -> float:
    return float(special.stdtrit(df, q)) if df > 0 else math.nan


def chi2_sf(x, df) -> float:
    """P(X > x), X ~ chi-square(df): scipy.stats.chi2.sf(x, df) as scipy computes it (scipy.special.chdtrc; 1 at
    or below 0, 0 at infinity, nan unless df > 0), without importing scipy.stats."""
    if not df > 0 or math.isnan(x):
        return math.nan
    if x <= 0:
        return 1.0
    return 0.0 if math.isinf(x) else float(special.chdtrc(df, x))


@dataclass(frozen=True)
class Proportion:
    """k of n, with its 95% Wilson interval and whether n reaches the display minimum."""

    k: int
    n: int
    rate: float | None
    low: float | None
    high: float | None
    reliable: bool

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Ratio:
    """numerator / denominator that is not a share of people (it may exceed 1), so it has no interval.

    `n` is what the ratio rests on (sessions for a mean per session, attendance for a response rate).
    """

    numerator: float
    denominator: float
    value: float | None
    n: int
    reliable: bool

    def to_dict(self) -> dict:
        return asdict(self)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson (1927) score interval for a binomial proportion k/n; (None, None) when n = 0.

    centre = (p + z²/2n) / (1 + z²/n), half-width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
    """
    if n <= 0:
        return None, None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # the interval always holds p; at k = 0 or k = n rounding could put the bound a hair past it
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def proportion(k: int, n: int, min_n: int = 10) -> Proportion:
    low, high = wilson(k, n)
    return Proportion(int(k), int(n), (k / n) if n else None, low, high, n >= min_n)


def ratio(numerator: float, denominator: float, n: int | None = None, min_n: int = 10) -> Ratio:
    """numerator / denominator, None when the denominator is 0; n defaults to the denominator."""
    n = int(denominator) if n is None else int(n)
    value = float(numerator) / float(denominator) if denominator else None
    return Ratio(_num(numerator), _num(denominator), value, n, n >= min_n)


def _num(x) -> float | int:
    x = float(x)
    return int(x) if x.is_integer() else x


# --- frequency tables -------------------------------------------------------------------------------

def frequencies(values) -> tuple[np.ndarray, np.ndarray]:
    """answers -> (levels, counts), missing values (NaN, None, pd.NA) left out."""
    x = np.asarray(values, dtype="float64")
    levels, counts = np.unique(x[~np.isnan(x)], return_counts=True)
    return levels, counts


def mean_var(levels, counts) -> tuple[int, float | None, float | None]:
    """(n, mean, sample variance with n - 1) of a frequency table; None where undefined."""
    levels, counts = np.asarray(levels, "float64"), np.asarray(counts, "float64")
    n = counts.sum()
    if n == 0:
        return 0, None, None
    mean = float((levels * counts).sum() / n)
    var = float((counts * (levels - mean) ** 2).sum() / (n - 1)) if n > 1 else None
    return int(n), mean, var


def _expand(levels, counts) -> np.ndarray:
    return np.repeat(np.asarray(levels, "float64"), np.asarray(counts, "int64"))


def _midranks(counts) -> np.ndarray:
    """Average rank of each tied level, levels in ascending order."""
    counts = np.asarray(counts, "float64")
    before = np.cumsum(counts) - counts
    return before + (counts + 1) / 2


# --- rank tests ------------------------------------------------------------------------------------

def wilcoxon_signed_rank(levels, counts) -> tuple[float | None, float | None]:
    """Wilcoxon (1945) signed-rank test of paired differences given as a frequency table: (statistic, p).

    Two-sided; zero differences dropped (Wilcoxon's method); the statistic is min(R+, R-). The method is
    the one scipy.stats.wilcoxon chooses, and so is every p-value:
    - over 50 pairs, or 14 to 50 with ties or zeros: normal approximation with tie correction,
      z = (R+ - n(n+1)/4) / sqrt((n(n+1)(2n+1) - Σ(t³-t)/2) / 24);
    - otherwise the exact distribution of R+ over every sign pattern of the ranked differences
      (scipy's exact test without ties, its exhaustive permutation test with them), p = 2·min(P(T ≤ R+), P(T ≥ R+)).
    (None, None) when no difference is non-zero.
    """
    levels, counts = np.asarray(levels, "float64"), np.asarray(counts, "int64")
    keep = counts > 0
    levels, counts = levels[keep], counts[keep]
    nonzero = levels != 0
    c = counts[nonzero]
    if c.sum() == 0:
        return None, None
    total = int(counts.sum())  # scipy counts zeros in the sample size when choosing its method
    magnitudes, signs = np.abs(levels[nonzero]), np.sign(levels[nonzero])
    _, which = np.unique(magnitudes, return_inverse=True)
    tie = np.bincount(which, weights=c).astype("int64")  # how many differences share each |d|
    ranks2 = (2 * (np.cumsum(tie) - tie) + tie + 1)  # twice the midrank of each |d|: an integer
    r_plus2 = int((ranks2[which] * c * (signs > 0)).sum())
    r_minus2 = int((ranks2[which] * c * (signs < 0)).sum())
    statistic = min(r_plus2, r_minus2) / 2
    ties_or_zeros = bool((tie > 1).any()) or total > int(c.sum())
    if total <= 50 and (not ties_or_zeros or total <= 13):
        ways = np.zeros(int(ranks2 @ tie) + 1, "float64")  # ways[s]: sign patterns with 2·R+ = s
        ways[0] = 1.0
        for r2, t in zip(ranks2, tie):  # choose j of the t tied differences to be positive
            grown = np.zeros_like(ways)
            for j in range(int(t) + 1):
                shift = j * int(r2)
                grown[shift:] += math.comb(int(t), j) * ways[: len(ways) - shift]
            ways = grown
        ways /= ways.sum()
        p = 2 * min(ways[: r_plus2 + 1].sum(), ways[r_plus2:].sum())
        return statistic, min(1.0, float(p))
    n = float(c.sum())
    tie = tie.astype("float64")
    se = math.sqrt((n * (n + 1) * (2 * n + 1) - (tie ** 3 - tie).sum() / 2) / 24)
    z = (r_plus2 / 2 - n * (n + 1) / 4) / se
    return statistic, min(1.0, 2 * float(special.ndtr(-abs(z))))


def mann_whitney_u(levels, counts_x, counts_y) -> tuple[float | None, float | None]:
    """Mann and Whitney (1947) U test of two independent samples on shared `levels`: (U of x, p).

    Two-sided. When both samples exceed 8, the normal approximation with tie correction and
    continuity correction, as scipy.stats.mannwhitneyu: s = sqrt(n1·n2/12 · ((n+1) - Σ(t³-t)/(n(n-1)))),
    z = (max(U1, U2) - n1·n2/2 - 0.5) / s. Otherwise scipy itself decides. None when a sample is empty.
    """
    levels = np.asarray(levels, "float64")
    cx, cy = np.asarray(counts_x, "int64"), np.asarray(counts_y, "int64")
    n1, n2 = int(cx.sum()), int(cy.sum())
    if n1 == 0 or n2 == 0:
        return None, None
    if n1 <= 8 or n2 <= 8:
        from scipy import stats as sps  # ~1 s to import: only for these small samples

        res = sps.mannwhitneyu(_expand(levels, cx), _expand(levels, cy))
        return float(res.statistic), float(res.pvalue)
    order = np.argsort(levels)
    cx, cy = cx[order], cy[order]
    tie = (cx + cy).astype("float64")
    u1 = float((cx * _midranks(tie)).sum()) - n1 * (n1 + 1) / 2
    u = max(u1, n1 * n2 - u1)
    n = n1 + n2
    s = math.sqrt(n1 * n2 / 12 * ((n + 1) - (tie ** 3 - tie).sum() / (n * (n - 1))))
    if s == 0:  # every answer the same in both samples
        return u1, 1.0
    p = min(1.0, 2 * float(special.ndtr(-(u - n1 * n2 / 2 - 0.5) / s)))
    return u1, p


def mcnemar_exact(became_positive: int, stopped_positive: int) -> float | None:
    """McNemar (1947) test on the discordant pairs, exact: two-sided binomial test of b of b + c at 1/2,
    p = min(1, 2·P(X ≤ min(b, c))), X ~ Binomial(b + c, 1/2): what scipy.stats.binomtest gives, without its
    per-call overhead (it is run for every item of every group)."""
    b, c = int(became_positive), int(stopped_positive)
    if b + c == 0:
        return None
    return min(1.0, 2 * float(special.bdtr(min(b, c), b + c, 0.5)))


# --- effect sizes ---------------------------------------------------------------------------------

def cohens_dz(mean_diff: float | None, sd_diff: float | None) -> float | None:
    """Cohen's d_z for paired data = mean difference / standard deviation of the differences
    (Lakens 2013, formula 7)."""
    if mean_diff is None or not sd_diff:
        return None
    return mean_diff / sd_diff


def hedges_g(mean_before: float, var_before: float, n_before: int,
             mean_after: float, var_after: float, n_after: int) -> float | None:
    """Hedges' g for two independent groups = Cohen's d_s × (1 − 3 / (4(n1 + n2) − 9)), where
    d_s = (mean after − mean before) / pooled SD (Lakens 2013, formulas 1 and 4)."""
    if n_before < 2 or n_after < 2 or var_before is None or var_after is None:
        return None
    pooled = math.sqrt(((n_before - 1) * var_before + (n_after - 1) * var_after) / (n_before + n_after - 2))
    if pooled == 0:
        return None
    d_s = (mean_after - mean_before) / pooled
    return d_s * (1 - 3 / (4 * (n_before + n_after) - 9))


# --- change from before to after ------------------------------------------------------------------

PAIRED, UNPAIRED = "paired", "unpaired"


@dataclass(frozen=True)
class Change:
    """What changed between the before (pre) and after (post) answers to one item.

    paired: matched on respondent id; mean paired difference, Cohen's d_z, Wilcoxon signed-rank p,
    shares improved / same / worse and McNemar's exact test on agreeing (4-5) before and after.
    unpaired: no matching; difference in means, Hedges' g, Mann-Whitney U p.
    `n` is the number of pairs (paired) or the smaller wave (unpaired), so `reliable` means
    both sides reach the display minimum.
    """

    method: str
    n: int
    n_before: int
    n_after: int
    mean_before: float | None
    mean_after: float | None
    mean_diff: float | None
    effect_size: float | None
    effect_size_name: str
    test: str
    statistic: float | None
    p_value: float | None
    reliable: bool
    improved: Proportion | None = None
    same: Proportion | None = None
    worse: Proportion | None = None
    positive_before: Proportion | None = None
    positive_after: Proportion | None = None
    became_positive: int | None = None
    stopped_positive: int | None = None
    mcnemar_p: float | None = None
    mean_low: float | None = None  # 95% interval of mean_diff (cluster-robust where clusters are known)
    mean_high: float | None = None
    design_effect: float | None = None
    clusters: int = 0
    cluster_unit: str = ""  # programmes | sessions | pairs (independent)

    def to_dict(self) -> dict:
        out = {}
        for key, value in self.__dict__.items():
            out[key] = value.to_dict() if isinstance(value, Proportion) else value
        return out


@functools.lru_cache(maxsize=64)
def _differences(levels: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For a square table on `levels`: after - before per cell, the distinct differences, each cell's index."""
    values = np.asarray(levels, "float64")
    diff = values[None, :] - values[:, None]
    diff_levels, where = np.unique(diff, return_inverse=True)
    return diff, diff_levels, where.ravel()


def paired_change_from_table(levels, table, min_n: int = 10, positive_from: float = POSITIVE_FROM) -> Change | None:
    """Paired change from a square table: table[i, j] = pairs answering levels[i] before and levels[j] after."""
    levels = np.asarray(levels, "float64")
    table = np.asarray(table, "int64")
    n = int(table.sum())
    if n == 0:
        return None
    diff, diff_levels, where = _differences(tuple(levels.tolist()))
    diff_counts = np.bincount(where, weights=table.ravel(), minlength=len(diff_levels)).astype("int64")
    _, mean_d, var_d = mean_var(diff_levels, diff_counts)
    _, mean_before, _ = mean_var(levels, table.sum(axis=1))
    _, mean_after, _ = mean_var(levels, table.sum(axis=0))
    statistic, p = wilcoxon_signed_rank(diff_levels, diff_counts)
    improved = int(table[diff > 0].sum())
    worse = int(table[diff < 0].sum())
    agree = levels >= positive_from
    became = int(table[np.ix_(~agree, agree)].sum())
    stopped = int(table[np.ix_(agree, ~agree)].sum())
    return Change(
        method=PAIRED, n=n, n_before=n, n_after=n, mean_before=mean_before, mean_after=mean_after,
        mean_diff=mean_d, effect_size=cohens_dz(mean_d, math.sqrt(var_d) if var_d is not None else None),
        effect_size_name="Cohen's d_z", test="Wilcoxon signed-rank", statistic=statistic, p_value=p,
        reliable=n >= min_n, improved=proportion(improved, n, min_n), same=proportion(n - improved - worse, n, min_n),
        worse=proportion(worse, n, min_n), positive_before=proportion(int(table[agree, :].sum()), n, min_n),
        positive_after=proportion(int(table[:, agree].sum()), n, min_n), became_positive=became,
        stopped_positive=stopped, mcnemar_p=mcnemar_exact(became, stopped),
    )


def paired_change(before, after, min_n: int = 10, positive_from: float = POSITIVE_FROM) -> Change | None:
    """Paired change from two aligned arrays of answers; a pair missing either answer is left out."""
    b, a = np.asarray(before, "float64"), np.asarray(after, "float64")
    keep = ~(np.isnan(b) | np.isnan(a))
    b, a = b[keep], a[keep]
    levels = np.unique(np.concatenate([b, a]))
    table = np.zeros((len(levels), len(levels)), "int64")
    np.add.at(table, (np.searchsorted(levels, b), np.searchsorted(levels, a)), 1)
    return paired_change_from_table(levels, table, min_n, positive_from)


def unpaired_change_from_counts(levels, counts_before, counts_after, min_n: int = 10) -> Change | None:
    """Unpaired change from two frequency tables on shared `levels`."""
    n_b, mean_b, var_b = mean_var(levels, counts_before)
    n_a, mean_a, var_a = mean_var(levels, counts_after)
    if n_b == 0 or n_a == 0:
        return None
    statistic, p = mann_whitney_u(levels, counts_before, counts_after)
    n = min(n_b, n_a)
    return Change(
        method=UNPAIRED, n=n, n_before=n_b, n_after=n_a, mean_before=mean_b, mean_after=mean_a,
        mean_diff=mean_a - mean_b, effect_size=hedges_g(mean_b, var_b, n_b, mean_a, var_a, n_a),
        effect_size_name="Hedges' g", test="Mann-Whitney U", statistic=statistic, p_value=p, reliable=n >= min_n,
    )


def unpaired_change(before, after, min_n: int = 10) -> Change | None:
    """Unpaired change from two arrays of answers (missing answers left out)."""
    b, a = np.asarray(before, "float64"), np.asarray(after, "float64")
    b, a = b[~np.isnan(b)], a[~np.isnan(a)]
    levels = np.unique(np.concatenate([b, a]))
    return unpaired_change_from_counts(levels, np.bincount(np.searchsorted(levels, b), minlength=len(levels)),
                                       np.bincount(np.searchsorted(levels, a), minlength=len(levels)), min_n)


# --- what "reliable" means -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Reliability:
    """The stated rule a figure must meet before a statement is made from it (setting `max_half_width`):
    at least `min_n` answers, no published count below `suppress_n`, and a 95% interval (cluster-robust where
    the figure has one) whose half-width is at most `max_half_width` (0.10 = 10 percentage points)."""

    min_n: int = 10
    max_half_width: float = 0.10
    suppress_n: int = 5

    @classmethod
    def from_settings(cls, settings: dict | None) -> Reliability:
        settings = settings or {}
        width = float(settings.get("max_half_width", 10) or 10)
        return cls(int(settings.get("min_n", 10)), width / 100 if width > 1 else width,
                   int(settings.get("suppress_n", 5)))

    def holds(self, n, low=None, high=None, *counts) -> bool:
        if n is None or n < self.min_n or any(c is not None and 0 < c < self.suppress_n for c in counts):
            return False
        if low is None or high is None:
            return False
        return (high - low) / 2 <= self.max_half_width + 1e-12

    def text(self) -> str:
        return (f"a figure is reliable when it rests on at least {self.min_n} answers (or attendances), no count "
                f"in it is below {self.suppress_n}, and its 95% interval is at most ±{100 * self.max_half_width:g} "
                "percentage points wide")


# --- reporting a p-value, multiplicity --------------------------------------------------------------

def format_p(p: float | None) -> str:
    """A p-value as a statement prints it: "p = 0.019", "p < 0.001"; "" when there is no test (never a p-value)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def holm(p_values) -> list[float | None]:
    """Holm (1979) step-down adjustment of a family of p-values (None entries are left out of the family and
    stay None): sorted ascending, p_(i) × (m − i + 1), made non-decreasing, capped at 1. R's p.adjust(p, "holm")."""
    p = list(p_values)
    idx = [i for i, x in enumerate(p) if x is not None and not (isinstance(x, float) and math.isnan(x))]
    out: list[float | None] = [None] * len(p)
    m = len(idx)
    running = 0.0
    for rank, i in enumerate(sorted(idx, key=lambda j: p[j])):
        running = max(running, min(1.0, (m - rank) * float(p[i])))
        out[i] = running
    return out


# --- intervals that allow for clustering ------------------------------------------------------------

@dataclass(frozen=True)
class Clustered:
    """A share k/n estimated from answers (or attendances) that come in clusters (programmes, sessions).

    design_effect   deff = cluster-robust variance / simple-random-sampling variance, never below 1
                    (we never claim more precision than independent answers would give)
    low, high       design-effect-corrected Wilson interval: Wilson (1927) on the effective sample size n / deff,
                    with z replaced by Student's t on (clusters − 1) degrees of freedom (Korn & Graubard 1998);
                    None with fewer than 2 clusters: the data cannot say how much clusters differ
    method          a sentence naming the method, for the table behind the chart"""

    k: float
    n: float
    rate: float | None
    low: float | None
    high: float | None
    design_effect: float | None
    clusters: int
    method: str

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def half_width(self) -> float | None:
        return None if self.low is None or self.high is None else (self.high - self.low) / 2


CLUSTER_METHOD = ("design-effect-corrected Wilson interval: cluster-robust (linearised ratio) variance over "
                  "{clusters}, t on clusters − 1 degrees of freedom")


def wilson_effective(p: float, n_eff: float, z: float) -> tuple[float, float]:
    """Wilson (1927) interval at a (possibly non-integer) effective sample size n_eff (Kish 1965, §8.2)."""
    denom = 1 + z * z / n_eff
    centre = (p + z * z / (2 * n_eff)) / denom
    half = z * math.sqrt(p * (1 - p) / n_eff + z * z / (4 * n_eff * n_eff)) / denom
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def cluster_variance(k_by_cluster, n_by_cluster) -> tuple[float | None, int]:
    """(variance of the ratio p = Σk / Σn under a with-replacement cluster design, clusters with n > 0).

    v = C/(C−1) · Σ_c (k_c − p·n_c)² / n², the linearisation (Taylor series) variance of a ratio estimator
    (Cochran 1977, §6.11; what R's survey::svymean gives for a design with ids = ~cluster and equal weights)."""
    k = np.asarray(k_by_cluster, "float64")
    m = np.asarray(n_by_cluster, "float64")
    keep = m > 0
    k, m = k[keep], m[keep]
    c = int(keep.sum())
    n = float(m.sum())
    if c < 2 or n <= 0:
        return None, c
    p = float(k.sum()) / n
    return float(c / (c - 1) * ((k - p * m) ** 2).sum() / n ** 2), c


def clustered_share(k_by_cluster, n_by_cluster, what: str = "clusters") -> Clustered:
    """Cluster-robust share and interval from per-cluster counts; see `Clustered`."""
    k_arr = np.asarray(k_by_cluster, "float64")
    n_arr = np.asarray(n_by_cluster, "float64")
    k, n = float(k_arr.sum()), float(n_arr.sum())
    method = CLUSTER_METHOD.format(clusters=what)
    if n <= 0:
        return Clustered(k, n, None, None, None, None, 0, method)
    p = k / n
    v, c = cluster_variance(k_arr, n_arr)
    if v is None:
        return Clustered(k, n, p, None, None, None, c, method)
    srs = p * (1 - p) / n
    deff = max(1.0, v / srs) if srs > 0 else 1.0
    z = t_quantile(0.975, c - 1)
    low, high = wilson_effective(p, n / deff, z)
    return Clustered(k, n, p, low, high, deff, c, method)


def ratio_interval(share_low: float | None, share_high: float | None, base: float | None,
                   base_se: float | None = None, share: float | None = None,
                   share_se: float | None = None) -> tuple[float | None, float | None, str]:
    """Interval of share / base (a representation index).

    A census baseline (base_se None or 0): the share's interval divided by the base. A survey-based baseline:
    Fieller's (1954) interval for a ratio of two independent estimates, z = 1.96, from the two standard errors;
    unbounded (None) when the baseline's own interval reaches zero. Returns (low, high, method)."""
    if base is None or base <= 0 or share_low is None or share_high is None:
        return None, None, ""
    if not base_se:
        return share_low / base, share_high / base, "share interval / census baseline share"
    if share is None or share_se is None:
        return None, None, ""
    z2 = Z95 * Z95
    a = base * base - z2 * base_se ** 2
    if a <= 0:
        return None, None, "Fieller interval (survey baseline): unbounded"
    b = share * base
    c = share * share - z2 * share_se ** 2
    disc = b * b - a * c
    root = math.sqrt(max(0.0, disc))
    return max(0.0, (b - root) / a), (b + root) / a, "Fieller interval (survey-based baseline)"


# --- effect sizes with intervals, adjusted comparisons ---------------------------------------------

def dz_interval(dz: float | None, n: int) -> tuple[float | None, float | None]:
    """Approximate 95% interval of Cohen's d_z: d ± 1.96·sqrt(1/n + d²/(2n)) (Lakens 2013; Goulet-Pelletier &
    Cousineau 2018, the normal approximation)."""
    if dz is None or n < 2:
        return None, None
    se = math.sqrt(1 / n + dz * dz / (2 * n))
    return dz - Z95 * se, dz + Z95 * se


def paired_share_difference(became: int, stopped: int, n: int) -> tuple[float | None, float | None, float | None]:
    """Change in a share from matched pairs, (p_after − p_before, low, high) = (b − c)/n with the Agresti & Min
    (2005) adjusted Wald interval: add ½ to each of the four cells, so b̃ = b + ½, c̃ = c + ½, ñ = n + 2,
    d̃ = (b̃ − c̃)/ñ, se = sqrt(b̃ + c̃ − (b̃ − c̃)²/ñ) / ñ."""
    if n <= 0:
        return None, None, None
    d = (became - stopped) / n
    b, c, m = became + 0.5, stopped + 0.5, n + 2
    dt = (b - c) / m
    se = math.sqrt(max(0.0, b + c - (b - c) ** 2 / m)) / m
    return d, max(-1.0, dt - Z95 * se), min(1.0, dt + Z95 * se)


def chi_square_homogeneity(positive, n) -> tuple[float | None, int, float | None]:
    """Pearson's chi-square test that k groups share one positive rate (a k × 2 table): (statistic, df, p).
    Groups with n = 0 are left out; None with fewer than two groups or no variation. scipy.stats.chi2_contingency
    without Yates' correction gives the same."""
    k = np.asarray(positive, "float64")
    m = np.asarray(n, "float64")
    keep = m > 0
    k, m = k[keep], m[keep]
    if len(m) < 2:
        return None, 0, None
    p = k.sum() / m.sum()
    if p <= 0 or p >= 1:
        return None, len(m) - 1, None
    expected_pos, expected_neg = m * p, m * (1 - p)
    stat = float((((k - expected_pos) ** 2) / expected_pos + (((m - k) - expected_neg) ** 2) / expected_neg).sum())
    df = len(m) - 1
    return stat, df, chi2_sf(stat, df)


def mantel_haenszel_difference(k1, n1, k0, n0) -> tuple[float | None, float | None, float | None]:
    """Mantel-Haenszel risk difference of group 1 against group 0 over strata (programmes), with the
    Greenland & Robins (1985) variance: RD = Σ (k1·n0 − k0·n1)/N / Σ n1·n0/N, N = n1 + n0 per stratum; strata
    where either group is absent drop out (they carry no comparison). (RD, low, high) or None when no stratum
    has both groups."""
    k1, n1, k0, n0 = (np.asarray(x, "float64") for x in (k1, n1, k0, n0))
    keep = (n1 > 0) & (n0 > 0)
    if not keep.any():
        return None, None, None
    k1, n1, k0, n0 = k1[keep], n1[keep], k0[keep], n0[keep]
    big = n1 + n0
    w = n1 * n0 / big
    rd = float(((k1 * n0 - k0 * n1) / big).sum() / w.sum())
    # Greenland & Robins (1985) / Sato (1989) variance estimator for the MH risk difference
    p1, p0 = k1 / n1, k0 / n0
    num = (((k1 * (n1 - k1) * n0 ** 3) + (k0 * (n0 - k0) * n1 ** 3)) / (n1 * n0 * big ** 2)).sum()
    var = float(num / w.sum() ** 2)
    del p1, p0
    se = math.sqrt(var)
    return rd, rd - Z95 * se, rd + Z95 * se
