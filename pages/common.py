"""What every page shares: the store, its frames cached per database change, the empty state."""
from __future__ import annotations

import streamlit as st

from impact import indicators
from impact.store import Store, database_url, ensure_demo


@st.cache_resource(show_spinner="Preparing the database…")
def _store(url: str) -> Store:
    s = Store(url)
    ensure_demo(s)
    return s


def store() -> Store:
    """One store per database URL and server process; an empty database gets the demo library service first."""
    return _store(database_url())


@st.cache_data(show_spinner="Loading data…", max_entries=4)
def frames(url: str, version: str) -> dict:
    """All canonical tables, read once per database change (`version` is the store's latest batch)."""
    return store().frames()


@st.cache_data(max_entries=16)
def headline(url: str, version: str, min_n: int) -> dict:
    return indicators.summary(frames(url, version), min_n)


def current() -> tuple[str, str, dict]:
    """(database url, data version, frames) for this rerun."""
    url = database_url()
    version = store().version()
    return url, version, frames(url, version)
