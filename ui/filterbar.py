"""The filter bar every explore page shares: in the sidebar, kept in session state and in the URL.

Reading order on each rerun: the URL's query parameters (first run of a session only), else the values
kept while a page without the bar was shown, else the widgets' own state. Writing: the widgets' values
go back into the URL, so the address bar always holds the exact view a manager can send a colleague.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from impact import schema, views
from impact.filters import GRAINS, Filters, Prepared
from impact.safe_text import markdown as as_text
from ui.common import Keys, Params, nothing_loaded, prepared, settings

ALL_TIME, CUSTOM = "All time", "Custom dates"
GRAIN_LABELS = {"month": "Month", "quarter": "Quarter", "year": "Calendar year", "financial_year": "Financial year"}
EVERYONE = "Everyone"
LISTS = {Keys.PARTNERS: Params.PARTNER, Keys.TYPES: Params.TYPE, Keys.THEMES: Params.THEME,
         Keys.BRANCHES: Params.BRANCH, Keys.PROGRAMMES: Params.PROGRAMME, Keys.GROUPS: Params.GROUP}


def _options(data: Prepared, fy_start_month: int) -> dict:
    years = views.financial_years(data, fy_start_month)
    return {
        Keys.PERIOD: [ALL_TIME, *(label for label, _, _ in years), CUSTOM],
        "years": {label: (start, end) for label, start, end in years},
        Keys.PARTNERS: sorted(str(n) for n in data.partners["name"]),
        Keys.TYPES: list(schema.PARTNERSHIP_TYPES),
        Keys.THEMES: [str(t) for t in data.themes],
        Keys.BRANCHES: [str(b) for b in data.branches],
        Keys.PROGRAMMES: sorted(str(n) for n in data.programmes["name"]),
        Keys.GROUP_DIMENSION: [EVERYONE, *(d for d, labels in data.group_labels.items() if len(labels))],
    }


def _date(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def _from_url(options: dict, data: Prepared) -> dict:
    """Query parameters -> filter values, keeping only values the data knows."""
    q = st.query_params
    state: dict = {}
    for key, param in LISTS.items():
        if key == Keys.GROUPS:
            continue
        wanted = q.get_all(param)
        if wanted:
            state[key] = [v for v in wanted if v in options[key]]
    period = q.get(Params.PERIOD)
    if period in options[Keys.PERIOD]:
        state[Keys.PERIOD] = period
    start, end = _date(q.get(Params.FROM)), _date(q.get(Params.TO))
    if start or end:
        state[Keys.PERIOD] = CUSTOM
        span = views.date_range(data)
        state[Keys.FROM] = start or (span[0] if span else None)
        state[Keys.TO] = end or (span[1] if span else None)
    if q.get(Params.GRAIN) in GRAINS:
        state[Keys.GRAIN] = q.get(Params.GRAIN)
    dimension = q.get(Params.GROUP_DIMENSION)
    if dimension in options[Keys.GROUP_DIMENSION]:
        state[Keys.GROUP_DIMENSION] = dimension
        labels = [str(v) for v in data.group_labels.get(dimension, ())]
        state[Keys.GROUPS] = [v for v in q.get_all(Params.GROUP) if v in labels]
    return state


def _to_url(values: dict) -> None:
    wanted: dict[str, str | list[str]] = {}
    if values[Keys.PERIOD] == CUSTOM:
        wanted[Params.PERIOD] = "custom"
        for key, param in ((Keys.FROM, Params.FROM), (Keys.TO, Params.TO)):
            if values.get(key):
                wanted[param] = values[key].isoformat()
    elif values[Keys.PERIOD] != ALL_TIME:
        wanted[Params.PERIOD] = values[Keys.PERIOD]
    if values[Keys.GRAIN] != "month":
        wanted[Params.GRAIN] = values[Keys.GRAIN]
    for key, param in LISTS.items():
        if values.get(key):
            wanted[param] = list(values[key])
    if values[Keys.GROUP_DIMENSION] != EVERYONE and values.get(Keys.GROUPS):
        wanted[Params.GROUP_DIMENSION] = values[Keys.GROUP_DIMENSION]
    current = {k: (st.query_params.get_all(k) if isinstance(v, list) else st.query_params.get(k))
               for k, v in wanted.items()}
    if current != wanted or set(st.query_params.keys()) != set(wanted):
        st.query_params.from_dict(wanted)


def _clear() -> None:
    for key in Keys.WIDGETS:
        st.session_state.pop(key, None)
    st.session_state[Keys.SAVED] = {}


def _keep(key: str) -> None:
    """on_change: the user's choice becomes the kept value (widget state alone does not survive a page switch)."""
    st.session_state[Keys.SAVED][key] = st.session_state[key]


def _sanitise(values: dict, key: str, options: list, single: bool = False) -> None:
    """Kept values that the options no longer hold (the data changed) are dropped, never an exception."""
    if key not in values:
        return
    if single:
        if values[key] not in options:
            del values[key]
    else:
        values[key] = [v for v in values[key] if v in options]


def filter_bar() -> Filters:
    """Draw the shared filters in the sidebar and return the Filters they make (also in session state)."""
    data = prepared()
    state = st.session_state
    if nothing_loaded(data):
        state[Keys.FILTERS] = Filters()
        return state[Keys.FILTERS]
    fy_start = int(settings()["fy_start_month"])
    options = _options(data, fy_start)
    if Keys.READY not in state:
        state[Keys.SAVED] = _from_url(options, data)
        state[Keys.READY] = True
    kept = state.setdefault(Keys.SAVED, {})
    _sanitise(kept, Keys.PERIOD, options[Keys.PERIOD], single=True)
    _sanitise(kept, Keys.GROUP_DIMENSION, options[Keys.GROUP_DIMENSION], single=True)
    for key in (Keys.PARTNERS, Keys.TYPES, Keys.THEMES, Keys.BRANCHES, Keys.PROGRAMMES):
        _sanitise(kept, key, options[key])
    span = views.date_range(data)
    if kept.get(Keys.PERIOD) == CUSTOM and span:
        kept.setdefault(Keys.FROM, span[0])
        kept.setdefault(Keys.TO, span[1])
    dimension = kept.get(Keys.GROUP_DIMENSION, EVERYONE)
    if dimension != EVERYONE:
        _sanitise(kept, Keys.GROUPS, [str(v) for v in data.group_labels[dimension]])
    for key, value in kept.items():  # the kept values drive the widgets on every page
        if value is not None:
            state[key] = value
    keep = lambda key: {"key": key, "on_change": _keep, "args": (key,)}

    bar = st.sidebar
    bar.header("Filters")
    period = bar.selectbox("Period", options[Keys.PERIOD], **keep(Keys.PERIOD),
                           help="financial years start in the month the fy_start_month setting names")
    date_from = date_to = None
    if period == CUSTOM and span:
        for key, default in ((Keys.FROM, span[0]), (Keys.TO, span[1])):
            state.setdefault(key, default)
        left, right = bar.columns(2)
        date_from = left.date_input("From", **keep(Keys.FROM), format="YYYY-MM-DD")
        date_to = right.date_input("To", **keep(Keys.TO), format="YYYY-MM-DD")
    elif period in options["years"]:
        date_from, date_to = options["years"][period]
    grain = bar.selectbox("Show time by", GRAINS, **keep(Keys.GRAIN), format_func=GRAIN_LABELS.get)
    types = bar.multiselect("Partnership type", options[Keys.TYPES], **keep(Keys.TYPES), placeholder="All types")
    partners = bar.multiselect("Partner", options[Keys.PARTNERS], **keep(Keys.PARTNERS), placeholder="All partners")
    themes = bar.multiselect("Theme", options[Keys.THEMES], **keep(Keys.THEMES), placeholder="All themes")
    branches = bar.multiselect("Branch", options[Keys.BRANCHES], **keep(Keys.BRANCHES), placeholder="All branches")
    programmes = bar.multiselect("Programme", options[Keys.PROGRAMMES], **keep(Keys.PROGRAMMES),
                                 placeholder="All programmes")
    dimension = bar.selectbox("People: group by", options[Keys.GROUP_DIMENSION], **keep(Keys.GROUP_DIMENSION),
                              format_func=lambda d: d if d == EVERYONE else views.dimension_label(d))
    groups: list[str] = []
    if dimension != EVERYONE:
        labels = [str(v) for v in data.group_labels[dimension]]
        groups = bar.multiselect(f"{views.dimension_label(dimension)}: only", labels, **keep(Keys.GROUPS),
                                 placeholder="All groups")
    bar.button("Clear filters", on_click=_clear, width="stretch")

    values = {Keys.PERIOD: period, Keys.FROM: date_from if period == CUSTOM else None,
              Keys.TO: date_to if period == CUSTOM else None, Keys.GRAIN: grain, Keys.PARTNERS: partners,
              Keys.TYPES: types, Keys.THEMES: themes, Keys.BRANCHES: branches, Keys.PROGRAMMES: programmes,
              Keys.GROUP_DIMENSION: dimension, Keys.GROUPS: groups}
    kept.update(values)
    _to_url(values)
    try:
        chosen = Filters(date_from=date_from, date_to=date_to, grain=grain, fy_start_month=fy_start,
                         partners=partners, partnership_types=types, themes=themes, branches=branches,
                         programmes=programmes, groups={dimension: groups} if groups else {})
    except ValueError as problem:  # e.g. a custom period that ends before it starts
        bar.warning(f"{as_text(problem)}: the period is ignored until it is fixed.")
        chosen = Filters(grain=grain, fy_start_month=fy_start, partners=partners, partnership_types=types,
                         themes=themes, branches=branches, programmes=programmes,
                         groups={dimension: groups} if groups else {})
    state[Keys.FILTERS] = chosen
    if chosen != Filters(grain=grain, fy_start_month=fy_start):
        bar.caption("Filters apply to every page; the address bar holds this view to share it.")
    return chosen
