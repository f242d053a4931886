"""Programmes: compare programmes side by side, and drill into one."""
from dataclasses import replace

import streamlit as st

from impact import charts, equity, indicators, partner_views, views
from impact.equity.partners import LIBRARY
from impact.filters import NOT_RECORDED
from impact.safe_text import markdown as as_text
from impact.views import Col
from ui.auth import require_page
from ui.comments import section as what_people_said
from ui.common import (
    Keys,
    chart,
    empty_state,
    figures,
    filters,
    memo,
    nothing_loaded,
    prepared,
    settings,
    table_with_download,
)
from ui.filterbar import page_choice

TOP = 20  # programmes drawn in the comparison chart; the table holds them all

require_page("explore")  # refused before any figure when nobody is signed in
st.title("Programmes")
st.caption("Compare programmes side by side (outputs and outcomes), then open one: its sessions, attendance, "
           "outcomes, partners and what participants said.")

data = prepared()
if nothing_loaded(data):
    empty_state("No attendance or survey responses are loaded yet: upload a spreadsheet to compare programmes.")
chosen = filters()
s = settings()
min_n, rate = s["min_n"], s["hourly_rate"]


def _table(scope, min_n, rate):
    table = views.programme_table(figures(scope, min_n, rate, "programme"), data, min_n)
    table = table[(table[Col.ATTENDANCE] > 0) | (table[Col.N] > 0)]
    return table.sort_values(Col.ATTENDANCE, ascending=False).reset_index(drop=True)


def _chart(scope, min_n, rate, metric):
    top = memo("programmes.table", _table, scope, min_n, rate).head(TOP)
    if metric == "Attendance":
        return charts.attendance_bars(top, Col.PROGRAMME, f"Attendance by programme (top {len(top)})")
    return charts.rate_by_group(top, f"Share of positive answers by programme (top {len(top)} by attendance)",
                                label=Col.PROGRAMME)


table = memo("programmes.table", _table, chosen, min_n, rate)
if table.empty:
    empty_state("No programme has attendance or survey responses for these filters: widen them in the sidebar, "
                "or upload more data.")

st.header("Compare programmes")
metric = page_choice(st.radio, "Compare by", ["Attendance", "Positive outcomes"], Keys.PROGRAMMES_METRIC, "compare",
                     horizontal=True)
top = table.head(TOP)
chart(memo("programmes.chart", _chart, chosen, min_n, rate, metric), key="programmes.compare")
if metric == "Attendance":
    st.caption(f"The {len(top)} best-attended of {len(table)} programmes in scope; sessions in the hover, every "
               "programme in the table.")
else:
    st.caption(f"All outcome items pooled, 95% Wilson intervals, n answers in the hover and the table; programmes with "
               f"fewer than {min_n} answers are marked and show no percentage.")
table_with_download(table, "programmes.csv", key="download.programmes.all", height=320)

st.header("One programme")
names = list(table[Col.PROGRAMME])
name = page_choice(st.selectbox, "Programme", names, Keys.PROGRAMME, "profile",
                   help="programmes in scope, best attended first")
one = replace(chosen, programmes=(name,))


def _one(one, name, min_n, rate):
    """One programme's figures, once per scope and programme."""
    ind = figures(one, min_n, rate)
    trend = views.trend_table(indicators.compute_by(data, "period", one, min_n, rate), min_n)
    trend = trend[trend[Col.PERIOD] != NOT_RECORDED]
    outcomes = views.outcome_table(ind, min_n)
    stakes = partner_views.stakes_table(equity.partnership_fairness(data, one))
    return {"ind": ind, "pooled": views.pooled(ind, min_n), "trend": trend,
            "trend_chart": None if trend.empty else charts.trend(trend, one.grain.replace("_", " ")),
            "outcomes": outcomes, "outcomes_chart": None if outcomes.empty else charts.outcome_bars(outcomes),
            "stakes": stakes[stakes["programme"] == name]}


picked = memo("programmes.one", _one, one, name, min_n, rate)
ind = picked["ind"]
row = table[table[Col.PROGRAMME] == name].iloc[0]
st.caption(" · ".join(as_text(x) for x in (row[Col.THEME], row[Col.BRANCH]) if x is not None and str(x) != "nan"))
r = ind.reach
cols = st.columns(5)
cols[0].metric("Sessions", f"{r.sessions:,}", border=True)
cols[1].metric("Attendance", f"{r.attendance:,}", border=True)
cols[2].metric("Mean per session", f"{r.mean_per_session.value:.1f}" if r.mean_per_session.value else "–",
               border=True)
cols[3].metric("Fill rate", f"{100 * r.fill_rate.value:.0f}%" if r.fill_rate.value is not None else "no capacity",
               border=True, help="attendance / (sessions × capacity per session)")
p = picked["pooled"]
cols[4].metric("Positive outcomes", f"{100 * p.rate:.0f}%" if p.reliable else (views.too_few(min_n) if p.n else
                                                                              "no answers"), border=True)
cols[4].caption(f"n = {p.n:,} answers; {r.post_responses:,} responses")

trend = picked["trend"]
if trend.empty:
    st.info("No dated sessions for this programme in scope.")
else:
    chart(picked["trend_chart"], key="programmes.one.trend")
    st.markdown("**The table behind this chart**")
    table_with_download(trend, "programme_over_time.csv", key="download.programmes.trend", height=280)
outcomes = picked["outcomes"]
if outcomes.empty:
    st.info("No survey responses for this programme yet: upload some to see its outcomes.")
else:
    chart(picked["outcomes_chart"], key="programmes.one.outcomes")
    st.caption(f"n per outcome in the table; 95% Wilson intervals; no percentage below {min_n} answers.")
    st.markdown("**The table behind this chart**")
    table_with_download(outcomes, "programme_outcomes.csv", key="download.programmes.outcomes")

st.markdown("**Partners and their stakes**")
stakes = picked["stakes"]
if not (stakes["party"] != LIBRARY).any():
    st.caption("No partners recorded for this programme: add them on the programme partners sheet.")
else:
    table_with_download(stakes, "programme_stakes.csv", key="download.programmes.stakes")

what_people_said(one, min_n, key="programmes.said", title="What participants said", rate=rate)
