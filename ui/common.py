"""What every page shares: the store, its frames cached per database change, the empty state.

Frames come from the columnar copy (impact/columnar.py): one read-only copy per data version per server process,
shared by every session (st.cache_resource), never a per-session pickle. What a page computes from them is
memoised per (data version, inputs) with `memo`, so a rerun with nothing new to compute draws at once."""
from __future__ import annotations

import functools
import os
import sys
import threading
import weakref
from collections import OrderedDict

import numpy as np
import pandas as pd
import streamlit as st

from impact import columnar, scopes, views
from impact.filters import Filters, Prepared, prepare
from impact.store import (
    DatabaseUnavailable,
    Store,
    database_problem,
    database_url,
    ensure_demo,
)


@st.cache_resource(show_spinner="Preparing the database…")
def _store(url: str) -> Store:
    s = Store(url)
    ensure_demo(s)
    return s


def _leave_folder_navigation() -> None:
    """Streamlit runs an app with a `pages/` folder as an old-style multipage app (every file in the folder listed
    as a page) until the entry script has called st.navigation once in the server process; a deep link opened
    first (e.g. /upload) would run the page alone under that list. Switch the process to dashboard.py's
    navigation and rerun, which resolves the same address through it."""
    from streamlit.runtime import Runtime
    from streamlit.runtime.pages_manager import PagesManager

    # AppTest (a mock runtime) runs pages that way on purpose and resets the flag on every run: leave it alone
    real_server = Runtime.exists() and type(Runtime.instance()) is Runtime
    if PagesManager.uses_pages_directory and real_server:
        PagesManager.uses_pages_directory = False
        st.rerun()


def store() -> Store:
    """One store per database URL and server process; an empty database gets the demo library service first."""
    _leave_folder_navigation()
    try:
        return _store(database_url())
    except DatabaseUnavailable as exc:  # every page needs the store: say why there is none, and stop
        from impact.safe_text import markdown as as_text

        st.error(f"The data cannot be shown: {as_text(exc)}", icon=":material/database:")
        st.stop()


def guarded(run) -> None:
    """Run a page; a database that cannot be used, or a fault of ours, becomes a plain message on the page
    (the fault logged with an incident id the user can quote), never a traceback."""
    import sqlalchemy as sa

    from impact.incident import fault_text, record
    from impact.safe_text import markdown as as_text

    try:
        run()
    except DatabaseUnavailable as exc:
        st.error(f"The data cannot be shown: {as_text(exc)}", icon=":material/database:")
    except sa.exc.SQLAlchemyError as exc:
        st.error(f"The data cannot be shown: {as_text(database_problem(exc, database_url()))}", icon=":material/database:")
    except Exception as exc:  # noqa: BLE001 - st.stop and st.rerun are BaseExceptions and pass through
        if os.environ.get("IMPACT_FAULTS") == "raise":  # the tests: a page's fault must fail them
            raise
        st.error(fault_text(record(exc, "showing a page")), icon=":material/error:")


@st.cache_resource(show_spinner="Loading data…", max_entries=2)
def _copy(url: str, version: str) -> columnar.Copy:
    """One data version's frames per server process, from the columnar copy (rebuilt from the store when it is
    missing or stale). Shared by every session: read-only. Two versions kept: a session still drawing the one
    before an upload finishes with it."""
    return columnar.load(store())


def frames(url: str, version: str) -> dict:
    """All canonical tables, read once per database change (`version` is the store's latest batch). Each call
    gets its own shallow copies (copy-on-write: no data copied), so a caller adding a column changes nothing
    shared."""
    return {name: frame.copy(deep=False) for name, frame in _copy(url, version).frames.items()}


def _scope() -> scopes.Scope:
    """The signed-in account's scope (everything unless an admin limited it to some partners or branches)."""
    from ui.auth import actor  # ui.auth imports this module

    return actor().scope


def _once_per_run(name: str, read):
    """read(), once per script run and database: a new run starts with new cursors, so it reads afresh."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    url, ctx = database_url(), get_script_run_ctx()
    if ctx is None:
        return read()
    held = getattr(ctx, "_impact_once", None)
    if held is None or held[0] is not ctx.cursors or held[1] != url:
        held = ctx._impact_once = (ctx.cursors, url, {})
    if name not in held[2]:
        held[2][name] = read()
    return held[2][name]


def data_version() -> str:
    """The store's data version, read once per script run: every figure of one run comes from one data version
    (an upload or undo landing mid-run shows whole on the next run, never half), and a page asking for several
    results makes one query, not one per result."""
    return _once_per_run("version", lambda: store().version())


def stored_settings() -> dict:
    """The stored settings (display minimum, rates, thresholds), read once per script run."""
    return _once_per_run("settings", lambda: store().settings())


def current() -> tuple[str, str, dict]:
    """(database url, data version, frames cut to the account's scope) for this rerun."""
    url = database_url()
    version = data_version()
    return url, version, scopes.limit(frames(url, version), _scope())


# --- shared by the explore pages --------------------------------------------------------------------

class Keys:
    """Session-state keys of the shared filter bar (one place; pages read `filters()`, never these widgets)."""

    READY = "filters.ready"  # the URL's query parameters have been read into the widgets
    SAVED = "filters.saved"  # widget values kept while a page without the filter bar (Upload) is shown
    FILTERS = "filters.current"  # the Filters object of this rerun
    PERIOD = "filters.period"
    FROM = "filters.from"
    TO = "filters.to"
    GRAIN = "filters.grain"
    PARTNERS = "filters.partners"
    TYPES = "filters.types"
    THEMES = "filters.themes"
    BRANCHES = "filters.branches"
    PROGRAMMES = "filters.programmes"
    GROUP_DIMENSION = "filters.group_dimension"
    GROUPS = "filters.groups"
    # page-level choices
    OUTCOMES_BY = "outcomes.by"
    OUTCOMES_DOMAIN = "outcomes.domain"
    PROGRAMMES_METRIC = "programmes.metric"
    PROGRAMME = "programmes.one"
    PARTNER = "partners.one"
    EQUITY_DIMENSION = "equity.dimension"
    EQUITY_DOMAIN = "equity.domain"
    EQUITY_GAP_DIMENSION = "equity.gap_dimension"
    WIDGETS = (PERIOD, FROM, TO, GRAIN, PARTNERS, TYPES, THEMES, BRANCHES, PROGRAMMES, GROUP_DIMENSION, GROUPS)


class Params:
    """URL query parameter names: a manager can send a colleague the exact view."""

    PERIOD = "period"
    FROM = "from"
    TO = "to"
    GRAIN = "grain"
    PARTNER = "partner"
    TYPE = "type"
    THEME = "theme"
    BRANCH = "branch"
    PROGRAMME = "programme"
    GROUP_DIMENSION = "group_by"
    GROUP = "group"


UPLOAD_PAGE = "pages/upload.py"


@st.cache_resource(max_entries=8, show_spinner="Preparing the figures…")
def _prepared(url: str, version: str, partners: tuple = (), branches: tuple = ()) -> Prepared:
    return prepare(scopes.limit(frames(url, version), scopes.Scope(partners, branches)))


def prepared() -> Prepared:
    """The canonical frames (cut to the account's scope) joined for indicators, once per database change and
    scope (shared, read-only)."""
    scope = _scope()
    return _prepared(database_url(), data_version(), scope.partners, scope.branches)


def approx_bytes(value, _seen=None) -> int:
    """About how much memory a computed result holds: frames and arrays by their buffers, Plotly figures by their
    data and layout, containers and plain objects by what they hold (each object counted once)."""
    seen = set() if _seen is None else _seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return int(value.memory_usage(index=True, deep=True).sum() if isinstance(value, pd.DataFrame)
                   else value.memory_usage(index=True, deep=True))
    if isinstance(value, pd.Index):
        return int(value.memory_usage(deep=True))
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, (str, bytes, bytearray, int, float, bool)) or value is None:
        return sys.getsizeof(value)
    if hasattr(value, "to_plotly_json"):  # a Plotly figure: what it would send, not its validators
        return approx_bytes(value.to_plotly_json(), seen)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(approx_bytes(k, seen) + approx_bytes(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return sys.getsizeof(value) + sum(approx_bytes(v, seen) for v in value)
    fields = getattr(value, "__dict__", None)
    if fields is None and hasattr(value, "__slots__"):
        fields = {k: getattr(value, k) for k in value.__slots__ if hasattr(value, k)}
    return sys.getsizeof(value) + (approx_bytes(fields, seen) if fields else 0)


def _results_budget() -> int:
    """Bytes of computed results a server process keeps: IMPACT_RESULTS_MB (default 256)."""
    try:
        return max(0, int(float(os.environ.get("IMPACT_RESULTS_MB", "256")) * 2**20))
    except (ValueError, OverflowError):  # not a number, "nan" or "inf"
        return 256 * 2**20


class _Results:
    """What pages computed, shared by every session of this server process, bounded by memory: results are kept
    while their approximate size (`approx_bytes`) adds up to at most `budget` bytes and there are at most `size`
    of them, the least recently used dropped first (a count alone either thrashed, five pages times a dozen
    themes times a few results each passing 128, or would let a few large results grow without bound). A result
    asked for by several sessions at once is computed once (the others wait for it). Keys are plain tuples,
    hashed by Python: Streamlit's own cache hashes every argument with its hasher and inspects the function's
    signature on every call, a few milliseconds of every rerun."""

    def __init__(self, size: int = 4096, budget: int | None = None):
        self.size = size
        self.budget = _results_budget() if budget is None else budget
        self.values: OrderedDict = OrderedDict()
        self.sizes: dict = {}
        self.held = 0  # bytes, the sum of self.sizes
        self.pending: dict = {}
        self.lock = threading.Lock()

    def get(self, key, compute):
        with self.lock:
            if key in self.values:
                self.values.move_to_end(key)
                return self.values[key]
            pending = self.pending.setdefault(key, threading.Lock())
        with pending:  # one computation per key; the others wait here, then find it
            with self.lock:
                if key in self.values:
                    return self.values[key]
            try:
                value = compute()
            finally:
                with self.lock:
                    self.pending.pop(key, None)
            try:
                size = approx_bytes(value)
            except Exception:  # noqa: BLE001 - an object we cannot size must not fail the page: count it as 1 MB
                size = 2**20
            with self.lock:
                self.values[key], self.sizes[key] = value, size
                self.held += size
                while len(self.values) > 1 and (len(self.values) > self.size or self.held > self.budget):
                    old, _ = self.values.popitem(last=False)
                    self.held -= self.sizes.pop(old)
                if self.held > self.budget:  # alone over the budget: returned, not kept
                    self.values.pop(key)
                    self.held -= self.sizes.pop(key)
        return value

    def clear(self) -> None:
        with self.lock:
            self.values.clear()
            self.sizes.clear()
            self.held = 0


RESULTS = _Results()


@st.cache_resource(max_entries=128, show_spinner=False)
def _memo(url: str, version: str, partners: tuple, branches: tuple, name: str, args: tuple, _compute):
    return _compute(*args)


def memo(name: str, compute, *args):
    """compute(*args), once per (database, data version, name, args) in the server process: what a page shows for
    one scope is computed once and shared (read-only) by every rerun and session asking for the same. `name`
    identifies `compute` (functions are not part of the key); args must say everything the result depends on
    besides the stored data (filters, settings, page choices)."""
    scope = _scope()  # an account limited to some partners or branches never gets another scope's result
    key = (database_url(), data_version(), scope.partners, scope.branches, name, args)
    try:
        hash(key)
    except TypeError:  # an argument Python cannot hash: Streamlit's cache hashes it its own way
        return _memo(*key, compute)
    return RESULTS.get(key, lambda: compute(*args))


def figures(scope: Filters, min_n: int, rate: float, by: str | None = None):
    """indicators.compute (or compute_by `by`) of a scope, once per data version: the sections of a page that show
    the same scope's indicators share one computation (read-only)."""
    return memo("indicators", _figures, scope, by, min_n, rate)


def _figures(scope: Filters, by: str | None, min_n: int, rate: float):
    from impact import indicators

    if by is None:
        return indicators.compute(prepared(), scope, min_n, rate)
    return indicators.compute_by(prepared(), by, scope, min_n, rate)


def filters() -> Filters:
    """Draw the shared filter bar in the sidebar and return its choice (call once per page run)."""
    from ui.filterbar import filter_bar  # the bar imports this module

    return filter_bar()


def settings() -> dict[str, float]:
    s = stored_settings()
    return {"min_n": int(s["min_n"]), "hourly_rate": float(s["hourly_rate"]),
            "threshold": float(s["blindspot_threshold"]), "fy_start_month": int(s["fy_start_month"])}


def nothing_loaded(data: Prepared) -> bool:
    return not len(data.attendance) and not len(data.surveys)


def empty_state(message: str, stop: bool = True) -> None:
    """Say what is missing and what to do next, with a link to the Upload page."""
    st.info(message)
    st.page_link(UPLOAD_PAGE, label="Upload a spreadsheet", icon=":material/upload_file:")
    if stop:
        st.stop()


def chart(figure, key: str) -> None:
    """A chart drawn full width with its accessible name (the title, and where its table is)."""
    st.plotly_chart(_drawn_once(figure), width="stretch", key=key, alt=_name_of(figure))


def opened(label: str, key: str):
    """An expander whose contents are drawn only while it is open (Streamlit's stateful expander: opening it
    reruns the page, from memoised results): a closed section costs no elements and sends no table on the
    reruns of every session. The expander when it is open, else None. Keep `label` the same across filters (a new
    label is a new expander, closed)."""
    box = st.expander(label, key=key, on_change="rerun")
    return box if box.open else None


def table_with_download(table, file_name: str, label: str = "Download this table (CSV)", key: str | None = None,
                        height: int | str = "auto", shown=None) -> None:
    """The table behind a chart, and its CSV. `shown`: the part of a long table drawn on the page (a memoised
    object, e.g. its latest rows; the caller says so), the CSV having every row."""
    st.dataframe(arrow_of(table if shown is None else shown), hide_index=True, width="stretch", height=height)
    st.download_button(label, csv_when_clicked(table, file_name), file_name, "text/csv", on_click="ignore",
                       key=key or f"download.{file_name}")


def csv_when_clicked(table, file_name: str):
    """The table's CSV, made only when someone clicks (not on every rerun of every session: most tables are
    never downloaded), and the download recorded in the audit trail then, with who and the filters in force
    now. Streamlit runs it in a worker thread, outside any rerun, so everything it needs is taken here."""
    from ui.auth import actor

    url, who = database_url(), actor()
    current_filters = st.session_state.get(Keys.FILTERS)
    scope = current_filters.to_dict() if current_filters is not None else {}

    def made() -> bytes:
        from impact import guarded

        data = csv_of(table)
        guarded.record_export(_store(url), who, scope, ["csv"], what=file_name)
        return data

    return made


class per_object:
    """fn(obj), made once per object and forgotten with it: a memoised table or figure is shared by every rerun
    and session, so what is made of it on each rerun (its CSV, its Arrow form) is made once."""

    def __init__(self, fn):
        self.fn = fn
        self.done: dict[int, tuple[weakref.ref, object]] = {}
        self.lock = threading.Lock()
        functools.update_wrapper(self, fn)

    def __call__(self, obj):
        key = id(obj)
        with self.lock:
            hit = self.done.get(key)
        if hit is not None and hit[0]() is obj:
            return hit[1]
        value = self.fn(obj)
        try:
            ref = weakref.ref(obj, lambda _, key=key, done=self.done: done.pop(key, None))
        except TypeError:
            return value
        with self.lock:
            self.done[key] = (ref, value)
        return value


csv_of = per_object(views.csv_bytes)  # the table's CSV, screened and neutralised


@per_object
def _name_of(figure) -> str:
    """A chart's accessible name (impact.charts.accessible_name), worked out once per figure."""
    from impact.charts import accessible_name

    return accessible_name(figure)


@per_object
def arrow_of(table):
    """The table as st.dataframe sends it (Streamlit's own pandas-to-Arrow conversion, type fixes included):
    converted once per table object instead of on every rerun."""
    try:
        from streamlit import dataframe_util

        return dataframe_util.convert_pandas_df_to_arrow_table(table)
    except Exception:  # noqa: BLE001 - another Streamlit, or a table Arrow cannot take: st.dataframe converts as ever
        return table


def _drawn_once(figure):
    """st.plotly_chart deep-copies every trace (figure.to_dict()) on every rerun. A figure drawn here is a page's
    result, shared and never changed after it is drawn, so its plain form is made once and handed back."""
    if "to_dict" not in vars(figure):
        plain = figure.to_dict()
        object.__setattr__(figure, "to_dict", lambda: plain)
    return figure


def record_download(what: str) -> None:
    """Download callback: the audit trail records who took which file, with the filters in force."""
    from impact import guarded
    from ui.auth import actor

    current_filters = st.session_state.get(Keys.FILTERS)
    scope = current_filters.to_dict() if current_filters is not None else {}
    guarded.record_export(store(), actor(), scope, [what.rsplit(".", 1)[-1]], what=what)
