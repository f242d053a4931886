"""The filter bar every explore page shares: in the sidebar, kept in session state and in the URL.

Reading order on each rerun: the URL's query parameters (first run of a session only), else the values
kept while a page without the bar was shown, else the widgets' own state. Writing: the widgets' values
go back into the URL, so the address bar always holds the exact view a manager can send a colleague.
"""
from __future__ import annotations

import datetime as dt

import streamlit as st

from impact import schema, views
from impact.filters import GRAINS, Filters, Prepared, period_label
from impact.safe_text import markdown as as_text
from ui.common import Keys, Params, memo, nothing_loaded, prepared, settings

ALL_TIME, CUSTOM, LAST_FY = "All time", "Custom dates", "Last financial year"
GRAIN_LABELS = {"month": "Month", "quarter": "Quarter", "year": "Calendar year", "financial_year": "Financial year"}
EVERYONE = "Everyone"
LISTS = {Keys.PARTNERS: Params.PARTNER, Keys.TYPES: Params.TYPE, Keys.THEMES: Params.THEME,
         Keys.BRANCHES: Params.BRANCH, Keys.PROGRAMMES: Params.PROGRAMME, Keys.GROUPS: Params.GROUP}


def last_financial_year(fy_start_month: int, today: dt.date | None = None) -> tuple[str, dt.date, dt.date]:
    """The latest financial year that has ended by `today`: (label such as 2025/26, first day, last day)."""
    today = today or dt.date.today()
    year = today.year if today.month >= fy_start_month else today.year - 1  # the current one starts then
    start = dt.date(year - 1, fy_start_month, 1)
    end = dt.date(year, fy_start_month, 1) - dt.timedelta(days=1)
    return period_label(start.year - 1970, "financial_year", fy_start_month), start, end


def _options(data: Prepared, fy_start_month: int, today: dt.date | None = None) -> dict:
    years = views.financial_years(data, fy_start_month)
    last = last_financial_year(fy_start_month, today)
    presets = {label: (start, end) for label, start, end in years}
    if last[0] in presets:  # "last financial year" stays that in a link sent next year
        presets[LAST_FY] = last[1:]
    return {
        Keys.PERIOD: [ALL_TIME, *([LAST_FY] if LAST_FY in presets else []), *(label for label, _, _ in years), CUSTOM],
        "years": presets,
        "last_fy": last[0],
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


UNKNOWN = "filters.unknown"  # (what, value) pairs of the URL that matched nothing, shown as a warning


def _from_url(options: dict, data: Prepared) -> dict:
    """Query parameters -> filter values, keeping only values the data knows; the others are listed in
    session state (UNKNOWN) so the page names them instead of silently showing the whole service."""
    q = st.query_params
    state: dict = {}
    unknown: list[tuple[str, str]] = []
    for key, param in LISTS.items():
        if key == Keys.GROUPS:
            continue
        wanted = q.get_all(param)
        if wanted:
            state[key] = [v for v in wanted if v in options[key]]
            unknown += [(param, v) for v in wanted if v not in options[key]]
    period = q.get(Params.PERIOD)
    if period in options[Keys.PERIOD]:
        state[Keys.PERIOD] = period
    elif period and period != "custom":
        unknown.append((Params.PERIOD, period))
    for param in (Params.FROM, Params.TO):
        if q.get(param) and _date(q.get(param)) is None:
            unknown.append((param, q.get(param)))
    start, end = _date(q.get(Params.FROM)), _date(q.get(Params.TO))
    if start or end:
        state[Keys.PERIOD] = CUSTOM
        span = views.date_range(data)
        state[Keys.FROM] = start or (span[0] if span else None)
        state[Keys.TO] = end or (span[1] if span else None)
    if q.get(Params.GRAIN) in GRAINS:
        state[Keys.GRAIN] = q.get(Params.GRAIN)
    elif q.get(Params.GRAIN):
        unknown.append((Params.GRAIN, q.get(Params.GRAIN)))
    dimension = q.get(Params.GROUP_DIMENSION)
    if dimension in options[Keys.GROUP_DIMENSION]:
        state[Keys.GROUP_DIMENSION] = dimension
        labels = [str(v) for v in data.group_labels.get(dimension, ())]
        state[Keys.GROUPS] = [v for v in q.get_all(Params.GROUP) if v in labels]
        unknown += [(Params.GROUP, v) for v in q.get_all(Params.GROUP) if v not in labels]
    elif dimension:
        unknown.append((Params.GROUP_DIMENSION, dimension))
    st.session_state[UNKNOWN] = unknown
    return state


def warn_unknown(pairs: list[tuple[str, str]]) -> None:
    """A warning naming every value of the address that matched nothing (it is ignored, not guessed at)."""
    if pairs:
        named = "; ".join(f"{what} = “{as_text(value)}”" for what, value in pairs)
        st.warning(f"The address asks for {named}, which matches nothing in the data: "
                   f"{'it is' if len(pairs) == 1 else 'they are'} ignored, so this page shows more than the link "
                   "meant. Check the spelling, or choose again on the page.", icon=":material/link_off:")


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
    for param in FILTER_PARAMS:  # only the bar's own parameters: a page's own choices stay in the address
        if param in wanted:
            have = st.query_params.get_all(param)
            if have != (wanted[param] if isinstance(wanted[param], list) else [wanted[param]]):
                st.query_params[param] = wanted[param]
        elif param in st.query_params:
            del st.query_params[param]


FILTER_PARAMS = (Params.PERIOD, Params.FROM, Params.TO, Params.GRAIN, *LISTS.values(), Params.GROUP_DIMENSION)


def _clear() -> None:
    st.session_state.pop(UNKNOWN, None)
    for key in Keys.WIDGETS:
        st.session_state.pop(key, None)
    st.session_state[Keys.SAVED] = {}


def _keep(key: str) -> None:
    """on_change: the user's choice becomes the kept value (widget state alone does not survive a page switch)."""
    st.session_state[Keys.SAVED][key] = st.session_state[key]
    st.session_state.pop(UNKNOWN, None)  # the user has chosen: the address's unknown values are history


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
    # the choices, once per (data version, account scope, year start, day): the same for every session and rerun
    options = memo("filter options", lambda fy, today: _options(prepared(), fy, today), fy_start, dt.date.today())
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
    last_fy = options["last_fy"]
    period = bar.selectbox("Period", options[Keys.PERIOD], **keep(Keys.PERIOD),
                           format_func=lambda p: f"{LAST_FY} ({last_fy})" if p == LAST_FY else
                           f"Financial year {p}" if p in options["years"] else p,
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
    warn_unknown(state.get(UNKNOWN, []))
    _chips(values, options)
    if chosen != Filters(grain=grain, fy_start_month=fy_start):
        bar.caption("Filters apply to every page; the address bar holds this view to share it.")
    return chosen


CHIP_LABELS = {Keys.TYPES: "Partnership type", Keys.PARTNERS: "Partner", Keys.THEMES: "Theme",
               Keys.BRANCHES: "Branch", Keys.PROGRAMMES: "Programme"}


def _remove(key: str, value=None) -> None:
    """on_click of a chip: that one filter value goes (the period goes back to all time)."""
    state = st.session_state
    kept = state.setdefault(Keys.SAVED, {})
    if key == Keys.PERIOD:
        new = ALL_TIME
        kept.pop(Keys.FROM, None)
        kept.pop(Keys.TO, None)
    else:
        new = [v for v in state.get(key, []) if v != value]
    state[key] = kept[key] = new


def _chips(values: dict, options: dict) -> None:
    """The active filters as removable chips at the top of the page: on a phone the sidebar is closed, and this
    is how a manager sees (and undoes) what narrows the figures."""
    chips = []
    period = values[Keys.PERIOD]
    if period != ALL_TIME:
        if period == CUSTOM:
            text = f"{values.get(Keys.FROM) or '…'} to {values.get(Keys.TO) or '…'}"
        elif period == LAST_FY:
            text = f"{LAST_FY} ({options['last_fy']})"
        else:
            text = f"Financial year {period}"
        chips.append((f"Period: {text}", Keys.PERIOD, None))
    for key, label in CHIP_LABELS.items():
        chips += [(f"{label}: {v}", key, v) for v in values.get(key) or ()]
    if values[Keys.GROUP_DIMENSION] != EVERYONE:
        name = views.dimension_label(values[Keys.GROUP_DIMENSION])
        chips += [(f"{name}: {v}", Keys.GROUPS, v) for v in values.get(Keys.GROUPS) or ()]
    if not chips:
        return
    st.caption("Filtered to (select one to remove it; every filter is in the sidebar):")
    row = st.container(horizontal=True, gap="small", key="filters.chips")
    for i, (text, key, value) in enumerate(chips):
        row.button(as_text(text), key=f"filters.chip.{i}", icon=":material/close:", icon_position="right",
                   on_click=_remove, args=(key, value), help=f"Remove this filter ({text})", type="tertiary")


def page_choice(widget, label: str, options: list, key: str, param: str, **kwargs):
    """A page-level choice (an Equity dimension, an Outcomes outcome…) kept in the URL as `param`.

    The address's value is read once per session; one that matches no option is named in a warning and
    ignored. A kept value the options no longer hold (the filters changed) falls back to the first option.
    `widget` is st.selectbox, st.radio or a column's; the choice is written back to the address."""
    state = st.session_state
    read = f"{key}.url_read"
    if read not in state:
        state[read] = True
        wanted = st.query_params.get(param)
        if wanted is not None:
            match = next((o for o in options if str(o) == wanted), None)
            if match is None:
                warn_unknown([(param, wanted)])
            else:
                state[key] = match
    if state.get(key) not in options:
        state.pop(key, None)
    value = widget(label, options, key=key, **kwargs)
    if value is not None and st.query_params.get(param) != str(value):
        st.query_params[param] = str(value)
    return value
