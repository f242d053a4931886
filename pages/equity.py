"""Equity: who is reached in proportion to the community, who is not yet, and whose outcomes lag."""
import streamlit as st

from impact import charts, equity, views
from impact.equity.reach import UNITS
from impact.safe_text import markdown as as_text
from impact.views import Col
from ui.auth import require_page
from ui.common import (
    chart,
    Keys,
    empty_state,
    filters,
    memo,
    nothing_loaded,
    prepared,
    settings,
    table_with_download,
)
from ui.filterbar import page_choice

require_page("explore")  # refused before any figure when nobody is signed in
st.title("Equity")
st.caption("Who the library reaches in proportion to its community and who not yet (blindspots), and whether "
           "outcomes differ between groups.")

data = prepared()
if nothing_loaded(data):
    empty_state("No attendance or survey responses are loaded yet: upload a spreadsheet with age band, area or "
                "deprivation columns, and a population table for the community baseline.")
chosen = filters()
s = settings()
min_n, threshold = s["min_n"], s["threshold"]


def _computed(scope, threshold, min_n):
    found = equity.compute(data, scope, threshold, min_n)
    return found, views.blindspot_table(found.reach)


def _representation(scope, threshold, min_n, dimension):
    dim = memo("equity.page", _computed, scope, threshold, min_n)[0].reach.dimensions[dimension]
    table = views.representation_table(dim, min_n)
    figure = charts.representation(table, views.dimension_label(dimension), threshold) if dim.reliable else None
    return table, figure


def _gap(scope, threshold, min_n, domain, gap_dim):
    gap = memo("equity.page", _computed, scope, threshold, min_n)[0].outcomes.gaps[domain][gap_dim]
    table = views.gap_table(gap, min_n)
    return table, charts.rate_by_group(table, f"{views.domain_label(domain)}: share positive by "
                                              f"{views.dimension_label(gap_dim).lower()}", colour=charts.PALETTE[2])


found, blind = memo("equity.page", _computed, chosen, threshold, min_n)
reach, gaps = found.reach, found.outcomes

cols = st.columns(4)
cols[0].metric("Blindspots", f"{len(blind):,}", border=True,
               help=f"groups with a representation index below {threshold:g} whose whole interval lies below 1")
cols[0].caption(f"n = {sum(len(d.groups) for d in reach.dimensions.values()):,} groups on "
                f"{len(reach.dimensions)} dimensions")
largest = blind.iloc[0] if len(blind) else None
cols[1].metric("Largest shortfall", f"{int(largest[Col.SHORTFALL]):,} {largest[Col.UNIT]}" if largest is not None
               else "none", border=True,
               help="more attendances (or responses, or people) by a blindspot group that would match its share of "
                    "the baseline; never residents left unreached")
cols[1].caption(f"{largest[Col.DIMENSION].lower()} {largest[Col.GROUP]}" if largest is not None
                else "no blindspot for these filters")
significant = gaps.significant
cols[2].metric("Outcome gaps", f"{len(significant):,}", border=True,
               help="outcome × dimension pairs where one chi-square test of the whole dimension (allowing for "
                    "clustering) finds groups differ, Holm-adjusted across all pairs")
cols[2].caption(f"of {sum(len(v) for v in gaps.gaps.values()):,} outcome × dimension comparisons, Holm-adjusted")
deprived = reach.dimensions.get("deprivation_quintile")
if deprived and deprived.most_deprived and deprived.reliable:
    cols[3].metric("From the two most deprived quintiles", f"{100 * deprived.most_deprived.rate:.0f}%", border=True,
                   help=f"share of {UNITS.get(deprived.unit, deprived.unit).split(' (')[0]} from deprivation quintiles 1 and 2")
    cols[3].caption(f"against {100 * deprived.most_deprived_population_share:.0f}% of the local population; "
                    f"n = {deprived.participants:,}")
else:
    cols[3].metric("From the two most deprived quintiles", "not known", border=True)
    cols[3].caption("needs deprivation quintiles and a population baseline")

st.header("Representation by group")
if not reach.dimensions:
    why = "; ".join(f"{views.dimension_label(d)}: {w}" for d, w in reach.skipped.items())
    empty_state("No dimension can be compared with the community yet: upload a population table (dimension, group, "
                "population) and attendance or surveys that record the same groups." + (f" ({why})" if why else ""),
                stop=False)
else:
    names = list(reach.dimensions)
    dimension = page_choice(st.selectbox, "Dimension", names, Keys.EQUITY_DIMENSION, "dimension",
                            format_func=views.dimension_label)
    dim = reach.dimensions[dimension]
    table, figure = memo("equity.representation", _representation, chosen, threshold, min_n, dimension)
    if not dim.reliable:
        st.info(f"{views.too_few(min_n, UNITS.get(dim.unit, dim.unit).split(' (')[0]).capitalize()} record their "
                f"{views.dimension_label(dimension).lower()} in scope (n = {dim.participants}): no shares shown.")
    else:
        chart(figure, key="equity.representation")
    d_text = f"dissimilarity index D = {dim.dissimilarity:.2f} (0 = participants mirror the population)" \
        if dim.dissimilarity is not None and dim.reliable else ""
    cluster_text = (f" Intervals allow for clustering: {dim.clusters:,} {dim.cluster_unit} as clusters, design "
                    f"effect up to {dim.design_effect:.1f} (in the table)." if dim.cluster_unit and dim.design_effect
                    else "")
    target_text = (f" Baseline: {dim.baseline_label}; {dim.outside_target:,} {dim.unit} outside their programme's "
                   "target groups are left out." if dim.targets else "")
    st.caption(f"n = {dim.participants:,} {UNITS.get(dim.unit, dim.unit)} from {dim.source}, "
               f"{dim.not_recorded:,} more with no group recorded. Representation index = participant share / "
               f"baseline share with its 95% interval; dashed line: parity (1); dotted: the blindspot threshold "
               f"({threshold:g}). " + d_text + cluster_text + target_text)
    table_with_download(table, f"representation_{dimension}.csv", key="download.equity.representation")
    if dimension == "deprivation_quintile" and dim.concentration_index is not None and dim.reliable:
        st.caption(f"Concentration index over deprivation rank: {dim.concentration_index:+.2f} (negative = participation "
                   "concentrated among the more deprived, which is what outreach wants).")

st.header("Blindspots")
if blind.empty:
    st.caption("No blindspots on the dimensions compared for these filters.")
else:
    table_with_download(blind, "blindspots.csv", key="download.equity.blindspots")
    st.caption("Groups reached well below their share of the baseline (index below the threshold and the whole "
               "interval below 1), with the shortfall in the data's own unit: the attendances (or responses, or "
               "people where participant ids count them) by the group that would match its share.")

st.header("Outcome gaps between groups")
if not gaps.gaps:
    empty_state("No survey responses record an age band, area or other group for these filters: upload surveys with "
                "demographic columns to compare outcomes between groups.", stop=False)
else:
    left, right = st.columns(2)
    domain_names = list(gaps.gaps)
    domain = page_choice(left.selectbox, "Outcome", domain_names, Keys.EQUITY_DOMAIN, "outcome",
                         format_func=views.domain_label)
    gap_dims = list(gaps.gaps[domain])
    gap_dim = page_choice(right.selectbox, "Group by", gap_dims, Keys.EQUITY_GAP_DIMENSION, "gap_by",
                          format_func=views.dimension_label)
    gap = gaps.gaps[domain][gap_dim]
    table, figure = memo("equity.gap", _gap, chosen, threshold, min_n, domain, gap_dim)
    chart(figure, key="equity.gap")
    if gap.gap is not None:
        within = (f"; within programmes (Mantel-Haenszel) {100 * gap.adjusted_gap:.0f} points, 95% CI "
                  f"{100 * gap.adjusted_low:.0f} to {100 * gap.adjusted_high:.0f}" if gap.adjusted_gap is not None
                  else "; no programme has answers from both groups, so no gap within programmes")
        test = (f" The groups differ: {gap.test}, Holm-adjusted p = {gap.p_holm:.3g}." if gap.significant else
                " The test of the whole dimension does not show a difference"
                + (f" (Holm-adjusted p = {gap.p_holm:.3g})." if gap.p_holm is not None else "."))
        st.caption(f"Gap between the best-served ({as_text(gap.best)}) and worst-served ({as_text(gap.worst)}) groups: "
                   f"{100 * gap.gap:.0f} percentage points{within}." + test
                   + f" n = {int(table[Col.N].sum()):,} responses ({gap.not_recorded:,} more with no group recorded).")
    else:
        st.caption(f"Fewer than two groups have {min_n} or more answers: no gap is measured.")
    table_with_download(table, f"outcome_gap_{domain}_{gap_dim}.csv", key="download.equity.gap")

st.caption(equity.CAVEATS)
