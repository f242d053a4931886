"""Overview: what the library's work reached and changed, beyond footfall."""
import pandas as pd
import streamlit as st

from impact import charts, equity, indicators, upload, views
from impact.filters import NOT_RECORDED
from impact.safe_text import markdown as as_text
from impact.views import Col
from ui.auth import require_page
from ui.common import (
    arrow_of,
    chart,
    empty_state,
    figures,
    filters,
    memo,
    nothing_loaded,
    prepared,
    settings,
    store,
    stored_settings,
    table_with_download,
)

require_page("explore")  # refused before any figure when nobody is signed in
st.title("Overview")
st.caption("What the library's programmes reached and what changed for people: beyond footfall.")

data = prepared()
if nothing_loaded(data):
    empty_state("No attendance or survey responses are loaded yet: upload a spreadsheet, or load the demo with "
                "`python -m impact demo`.")
chosen = filters()
s = settings()
min_n, rate = s["min_n"], s["hourly_rate"]


limits = equity.Thresholds.from_settings(stored_settings())


def _figures(scope):
    return memo("overview.figures", _figures_of, scope, min_n, rate, s["threshold"], limits)


def _figures_of(scope, min_n, rate, threshold, limits):
    ind = figures(scope, min_n, rate)  # shared with the outcomes below when the scope is the same
    reach = equity.reach_equity(data, scope, threshold, min_n)
    groups = tuple(f"{views.dimension_label(d)}: {g.group}" for d, g in reach.blindspots if reach.dimensions[d].reliable)
    blind = (len(groups), len(reach.dimensions), groups) if reach.dimensions else None
    fair = equity.partnership_fairness(data, scope, limits)
    return ind, blind, (tuple(p.programme for p in fair.not_shared), len(fair.partnerships), fair.imbalance)


compare = views.comparison(chosen, data)
now, blind, balance = _figures(compare.current if compare else chosen)
before, blind_before, balance_before = _figures(compare.previous) if compare else (None, None, None)
if not now.reach.attendance and not now.reach.post_responses and not any(o.n for o in now.outcomes.values()):
    empty_state("Nothing matches these filters: widen them in the sidebar, or upload more data.", stop=False)
    st.stop()

st.header("Headline figures")
if compare:
    st.caption(f"{compare.label}." + ("" if compare.chosen else " Pick a period in the filter bar to compare another."))
else:
    st.caption("All the data in scope: some rows have no date, so no period is compared. Pick a period in the "
               "filter bar to compare it with the one before.")
cards = views.headline_cards(now, before, blind, blind_before, balance, balance_before, min_n,
                             before_name=compare.previous_name if compare else "")
this_name = compare.current_name if compare else ""
LISTED = 8  # names listed under a counting card; the rest are on the Equity and Partners pages
for start in range(0, len(cards), 3):  # three to a row: readable beside the sidebar at 1280 px
    for column, card in zip(st.columns(3), cards[start:start + 3]):
        column.metric(card.label, card.value, card.delta,
                      delta_color="off" if card.unchanged else "inverse" if card.inverse else "normal",
                      delta_arrow="off" if card.unchanged else "auto", help=card.help, border=True,
                      delta_description=f"change vs {compare.previous_name}" if card.delta and compare else None)
        said = (f"This period: {this_name}" if this_name and card.before else None, card.before, card.n)
        column.caption(" · ".join(as_text(x) for x in said if x))
        if card.items:
            shown = "\n".join(f"- {as_text(item)}" for item in card.items[:LISTED])
            more = len(card.items) - LISTED
            column.markdown(shown + (f"\n- and {more} more ({'Equity' if card.label == 'Blindspots' else 'Partners'} "
                                     "page)" if more > 0 else ""))

grain = chosen.grain
grain_label = {"month": "month", "quarter": "quarter", "year": "year", "financial_year": "financial year"}[grain]
st.header("Over time")


def _trend(scope, n, r, grain_label):
    trend = views.trend_table(indicators.compute_by(data, "period", scope, n, r), n)
    trend = trend[trend[Col.PERIOD] != NOT_RECORDED] if len(trend) else trend
    return trend, None if trend.empty else charts.trend(trend, grain_label)


trend, trend_chart = memo("overview.trend", _trend, chosen, min_n, rate, grain_label)
if trend.empty:
    st.info("No dated attendance or survey responses for these filters.")
else:
    chart(trend_chart, key="overview.trend")
    st.caption(f"Attendance per {grain_label} (bars) and the share of post-session survey answers that agree or "
               f"strongly agree, all outcome items pooled (line; n answers in the hover and the table). A "
               f"{grain_label} with fewer than {min_n} answers shows no rate. The whole filtered period, "
               "not only the compared one.")
    st.markdown("**The table behind this chart**")  # in full view, never behind an expander (WCAG: reachable)
    table_with_download(trend, "attendance_and_outcomes_over_time.csv", height=280)

st.header("Outcomes: what changed for people")


def _outcomes(scope, n, r):
    ind = figures(scope, n, r)
    table = views.outcome_table(ind, n)
    return ind, table, None if table.empty else charts.outcome_bars(table)


ind_all, table, outcome_chart = memo("overview.all", _outcomes, chosen, min_n, rate)
if table.empty:
    empty_state("No survey responses for these filters yet: upload some to see outcomes.", stop=False)
else:
    chart(outcome_chart, key="overview.outcomes")
    st.caption(f"Share answering agree or strongly agree among {ind_all.reach.post_responses:,} after-session survey "
               "responses (n for each outcome in the table); bars show 95% Wilson intervals. Self-reported, a "
               "convenience sample: a direction of change, not proof of cause.")
    table_with_download(table, "outcomes.csv")

st.header("What data is loaded")


def _loaded():
    """The active uploads and the data's date range, once per data version."""
    batches = store().batches()
    active = batches[batches["undone_at"].isna()] if len(batches) else batches
    if not len(active):
        return None
    shown = active[["id", "file_name", "uploaded_at", "uploader", "rows"]].rename(
        columns={"id": "batch", "file_name": "file", "uploaded_at": "uploaded"})
    shown["rows"] = shown["rows"].map(upload.rows_text)
    return len(active), pd.to_datetime(active["uploaded_at"]).max(), views.date_range(data), shown


loaded = memo("overview.loaded", _loaded)
if loaded:
    count, latest, span, shown = loaded
    st.caption(f"{count} uploads, the latest on {latest:%d %B %Y at %H:%M}"
               + (f"; the data runs from {span[0]:%d %B %Y} to {span[1]:%d %B %Y}." if span else "."))
    st.dataframe(arrow_of(shown), hide_index=True, width="stretch")
