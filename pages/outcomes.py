"""Outcomes: what changed for people, by theme, programme, partner, group and over time."""
from dataclasses import replace

import streamlit as st

from impact import charts, indicators, views
from impact.filters import NOT_RECORDED
from impact.stats import Reliability
from impact.views import ALL_OUTCOMES, Col
from ui.auth import require_page
from ui.comments import section as what_people_said
from ui.common import (
    Keys,
    arrow_of,
    chart,
    csv_when_clicked,
    empty_state,
    figures,
    filters,
    memo,
    nothing_loaded,
    opened,
    prepared,
    settings,
    stored_settings,
    table_with_download,
)
from ui.filterbar import page_choice

require_page("explore")  # refused before any figure when nobody is signed in
st.title("Outcomes")
st.caption("What changed for people (ISO 16439 outcomes): the share agreeing with each survey statement, "
           "before against after, and whether they applied it later.")

data = prepared()
if nothing_loaded(data):
    empty_state("No attendance or survey responses are loaded yet: upload a spreadsheet to see outcomes.")
chosen = filters()
s = settings()
min_n, rate = s["min_n"], s["hourly_rate"]
rule = Reliability.from_settings(stored_settings())


def _computed(scope, min_n, rate, rule):
    """What the page shows for one scope, built once and shared by every rerun and session asking for it."""
    ind = figures(scope, min_n, rate)
    answered = indicators.outcomes.who_answered(data, scope, min_n=min_n)
    table = views.outcome_table(ind, min_n, rule)
    change = views.change_table(ind, min_n)
    programmes = views.programme_table(figures(scope, min_n, rate, "programme"), data, min_n)
    return {"ind": ind, "pooled": views.pooled(ind, min_n), "answered": answered,
            "who": views.who_answered_table(answered),
            "weighted": views.weighted_table(answered) if answered.weighted else None,
            "table": table, "chart": charts.outcome_bars(table),
            "later": views.outcome_table(replace(ind, outcomes=ind.follow_up), min_n) if ind.follow_up else None,
            "change": change, "change_chart": None if change.empty else charts.change_dumbbell(change),
            "programmes": programmes, "ranked": (ranked := views.best_and_weakest(programmes)),
            # narrow enough for half the page; the CSV has theme and CI
            "ranked_shown": tuple(t[[Col.PROGRAMME, Col.N, Col.RATE]] for t in ranked)}


shown = memo("outcomes.page", _computed, chosen, min_n, rate, rule)
ind = shown["ind"]
if not ind.outcomes:
    empty_state("No survey responses for these filters yet: upload some, or widen the filters in the sidebar.")

pooled = shown["pooled"]
follow = ind.follow_up_application
cols = st.columns(4)
cols[0].metric("Post-session responses", f"{ind.reach.post_responses:,}", border=True,
               help="surveys answered straight after a session")
response = ind.reach.response_rate
cols[0].caption(f"n = {ind.reach.attendance:,} attendance")
cols[1].metric("Response rate", f"{100 * response.value:.0f}%" if response.value is not None and response.reliable
               else "not known", border=True, help="post-session responses / attendance")
cols[1].caption("responses / attendance in scope")
cols[2].metric("Positive outcomes", f"{100 * pooled.rate:.0f}%" if pooled.reliable else views.too_few(min_n),
               border=True, help="agree or strongly agree, all outcome items pooled (satisfaction left out)")
cols[2].caption(f"n = {pooled.n:,} answers" + (f"; 95% CI {100 * pooled.low:.0f}–{100 * pooled.high:.0f}%"
                                                if pooled.reliable else ""))
cols[3].metric("Applied it later", (f"{100 * follow.positive_rate:.0f}%" if follow.reliable else views.too_few(min_n))
               if follow else "–", border=True,
               help="follow-up surveys: share agreeing 'I have applied what I learned'")
cols[3].caption(f"n = {follow.n:,} follow-up answers" if follow else "no follow-up surveys in scope: upload some "
                "(wave follow_up)")

answered = shown["answered"]
if answered.warning():
    st.warning(answered.warning())
who_box = opened("Who answered: respondents against attendances", key="outcomes.who_answered")
if who_box is not None:
    with who_box:
        rate_said = (f" (a response rate of {100 * answered.response_rate:.0f}%)"
                     if answered.response_rate is not None else "")
        st.caption(f"{answered.responses:,} post-session responses from {answered.attendance:,} attendances"
                   f"{rate_said}: outcome figures describe those who chose to answer. Shares among those whose "
                   f"group is recorded; a difference over {100 * answered.threshold:.0f} points on any group is "
                   "flagged.")
        table_with_download(shown["who"], "who_answered.csv", key="download.outcomes.answered")
        if answered.weighted:
            st.caption("Positive rate weighted to the attendance profile (raking), for comparison only: it allows "
                       "for these groups, not for why people chose to answer.")
            table_with_download(shown["weighted"], "weighted_positive_rate.csv",
                                key="download.outcomes.weighted")

st.header("By outcome")
table = shown["table"]
chart(shown["chart"], key="outcomes.overall")
st.caption("Share of post-session responses answering agree or strongly agree with each statement; bars show 95% "
           "intervals that allow for clustering (answers within programmes, or within sessions in a small scope), "
           f"with the design effect in the table. n for each outcome in the table; below {min_n} responses no "
           f"percentage is shown. Reliable (for a statement): {rule.text()}.")
table_with_download(table, "outcomes_by_item.csv", key="download.outcomes.items")

if ind.follow_up:
    st.header("Later: follow-up surveys")
    later = shown["later"]
    st.caption("Every item answered in follow-up surveys (wave follow_up), your own items too: the share agreeing "
               f"some time after the session, with n. Below {min_n} answers no percentage is shown.")
    table_with_download(later, "outcomes_follow_up.csv", key="download.outcomes.follow_up")

st.header("Compare")
dimensions = ["theme", "programme", "partner", "partnership_type", "branch", "period",
              *(d for d, labels in data.group_labels.items() if len(labels))]
left, right = st.columns(2)
by = page_choice(left.selectbox, "Break down by", dimensions, Keys.OUTCOMES_BY, "by",
                 format_func=views.dimension_label)
domain = page_choice(right.selectbox, "Outcome", [ALL_OUTCOMES, *views.domains([ind])], Keys.OUTCOMES_DOMAIN,
                     "outcome", format_func=views.domain_label)


def _compared(scope, by, domain, min_n, rate):
    compared = views.outcomes_by_group(figures(scope, min_n, rate, by), domain, min_n)
    if by == "period":
        compared = compared[compared[Col.GROUP] != NOT_RECORDED]
    if compared.empty:
        return compared, None
    title = f"{views.domain_label(domain)}: share positive by {views.dimension_label(by).lower()}"
    return compared, charts.rate_by_group(compared, title, over_time=by == "period")


compared, compare_chart = memo("outcomes.compare", _compared, chosen, by, domain, min_n, rate)
if compared.empty:
    st.info("No answers to this outcome for these filters: pick another outcome or widen the filters.")
else:
    chart(compare_chart, key="outcomes.compare")
    overlap = " Partner groups overlap: a programme run with two partners counts for both." if by in (
        "partner", "partnership_type") else ""
    st.caption(f"{len(compared)} group{'s' if len(compared) != 1 else ''}, n = {int(compared[Col.N].sum()):,} answers in all; 95% Wilson intervals. "
               f"Groups with fewer than {min_n} answers are marked with a grey cross and show no percentage."
               + overlap)
    table_with_download(compared, f"outcomes_by_{by}.csv", key="download.outcomes.compare")

st.header("Before and after")
change = shown["change"]
if change.empty:
    st.info("No change to measure for these filters. Change is measured only for items that describe a state "
            "(e.g. 'I can use email'): items worded as change ('I learned something new', 'I feel more "
            "confident') mean nothing before a session, so their pre answers are never compared with post answers.")
else:
    chart(shown["change_chart"], key="outcomes.change")
    methods = sorted(set(change[Col.METHOD]))
    st.caption("Method: " + "; ".join(methods) + ". Matched pairs: a change in the share agreeing is tested with "
               "McNemar's exact test, a change in the mean with the Wilcoxon signed-rank test (Cohen's d_z); "
               "unmatched groups: difference in means, Hedges' g and the Mann–Whitney U test. Only items that "
               "describe a state are compared. n per item in the table.")
    table_with_download(change, "outcome_change.csv", key="download.outcomes.change")

st.header("Best and weakest programmes")
programmes = shown["programmes"]
best, weakest = shown["ranked"]
if best.empty:
    st.info(f"No programme has {min_n} or more survey answers for these filters.")
else:
    left, right = st.columns(2)
    best_shown, weakest_shown = shown["ranked_shown"]
    with left:
        st.markdown("**Highest share positive**")
        st.dataframe(arrow_of(best_shown), hide_index=True, width="stretch")
        st.download_button("Download (CSV)", csv_when_clicked(best, "best_programmes.csv"), "best_programmes.csv",
                           "text/csv", on_click="ignore", key="download.outcomes.best")
    with right:
        st.markdown("**Lowest share positive**")
        if weakest.empty:
            st.caption("Too few programmes to compare.")
        else:
            st.dataframe(arrow_of(weakest_shown), hide_index=True, width="stretch")
            st.download_button("Download (CSV)", csv_when_clicked(weakest, "weakest_programmes.csv"),
                               "weakest_programmes.csv", "text/csv", on_click="ignore",
                               key="download.outcomes.weakest")
    st.caption(f"All outcome items pooled; only programmes with {min_n} or more answers are ranked "
               f"({int(programmes[Col.RATE].notna().sum())} of {len(programmes)}).")

what_people_said(chosen, min_n, key="outcomes.said", by=by, rate=rate)

st.caption("Self-reported answers from a convenience sample with no comparison group: a direction of change, not "
           "proof of cause.")
