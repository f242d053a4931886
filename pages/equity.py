"""Equity: who is reached in proportion to the community, who is not yet, and whose outcomes lag."""
import streamlit as st

from impact import charts, equity, views
from impact.equity.reach import UNITS
from impact.safe_text import markdown as as_text
from impact.views import Col
from ui.common import (
    Keys,
    empty_state,
    filters,
    nothing_loaded,
    prepared,
    settings,
    table_with_download,
)
from ui.filterbar import page_choice

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
found = equity.compute(data, chosen, threshold, min_n)
reach, gaps = found.reach, found.outcomes
blind = views.blindspot_table(reach)

cols = st.columns(4)
cols[0].metric("Blindspots", f"{len(blind):,}", border=True,
               help=f"groups with a representation index below {threshold:g} whose whole interval lies below 1")
cols[0].caption(f"n = {sum(len(d.groups) for d in reach.dimensions.values()):,} groups on "
                f"{len(reach.dimensions)} dimensions")
cols[1].metric("Population left unreached", f"{int(blind[Col.UNREACHED].sum()):,}" if len(blind) else "0",
               border=True, help="residents of blindspot groups the library would also reach if it reached them as "
                                 "well as everyone else")
cols[1].caption("summed over blindspots (groups overlap across dimensions)")
significant = gaps.significant
cols[2].metric("Outcome gaps", f"{len(significant):,}", border=True,
               help="best- and worst-served groups whose 95% intervals do not overlap")
cols[2].caption(f"of {sum(len(v) for v in gaps.gaps.values()):,} outcome × dimension comparisons")
deprived = reach.dimensions.get("deprivation_quintile")
if deprived and deprived.most_deprived and deprived.reliable:
    cols[3].metric("From the two most deprived quintiles", f"{100 * deprived.most_deprived.rate:.0f}%", border=True,
                   help="share of participants from deprivation quintiles 1 and 2")
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
    table = views.representation_table(dim, min_n)
    if not dim.reliable:
        st.info(f"{views.too_few(min_n, 'participants').capitalize()} record their "
                f"{views.dimension_label(dimension).lower()} in scope (n = {dim.participants}): no shares shown.")
    else:
        st.plotly_chart(charts.representation(table, views.dimension_label(dimension), threshold), width="stretch",
                        key="equity.representation")
    d_text = f"dissimilarity index D = {dim.dissimilarity:.2f} (0 = participants mirror the population)" \
        if dim.dissimilarity is not None and dim.reliable else ""
    st.caption(f"n = {dim.participants:,} {UNITS.get(dim.unit, dim.unit)} from {dim.source}, "
               f"{dim.not_recorded:,} more with no group recorded. Representation index = participant share / "
               f"population share with its 95% interval; dashed line: parity (1); dotted: the blindspot threshold "
               f"({threshold:g}). " + d_text)
    table_with_download(table, f"representation_{dimension}.csv", key="download.equity.representation")
    if dimension == "deprivation_quintile" and dim.concentration_index is not None and dim.reliable:
        st.caption(f"Concentration index over deprivation rank: {dim.concentration_index:+.2f} (negative = participation "
                   "concentrated among the more deprived, which is what outreach wants).")

st.header("Blindspots")
if blind.empty:
    st.caption("No blindspots on the dimensions compared for these filters.")
else:
    table_with_download(blind, "blindspots.csv", key="download.equity.blindspots")
    st.caption("Groups reached well below their share of the community (index below the threshold and the whole "
               "interval below 1), with the residents the library would also reach at parity.")

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
    table = views.gap_table(gap, min_n)
    st.plotly_chart(charts.rate_by_group(table, f"{views.domain_label(domain)}: share positive by "
                                                f"{views.dimension_label(gap_dim).lower()}", colour=charts.PALETTE[2]),
                    width="stretch", key="equity.gap")
    if gap.gap is not None:
        st.caption(f"Gap between the best-served ({as_text(gap.best)}) and worst-served ({as_text(gap.worst)}) groups: "
                   f"{100 * gap.gap:.0f} percentage points"
                   + (" — their 95% intervals do not overlap." if gap.significant else
                      " — their intervals overlap, so the gap may be chance.")
                   + f" n = {int(table[Col.N].sum()):,} answers ({gap.not_recorded:,} more with no group recorded).")
    else:
        st.caption(f"Fewer than two groups have {min_n} or more answers: no gap is measured.")
    table_with_download(table, f"outcome_gap_{domain}_{gap_dim}.csv", key="download.equity.gap")

st.caption(equity.CAVEATS)
