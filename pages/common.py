"""What every page shares: the store, its frames cached per database change, the empty state."""
from __future__ import annotations

import streamlit as st

from impact import indicators
from impact.store import Store, ensure_demo


@st.cache_resource
def store() -> Store:
    """One store per server process; on an empty database the demo library service is loaded first."""
    s = Store()
    ensure_demo(s)
    return s


@st.cache_data(show_spinner="Loading data…")
def frames(version: str) -> dict:
    """All canonical tables, read once per database change (`version` is the store's latest batch)."""
    return store().frames()


@st.cache_data
def headline(version: str, min_n: int) -> dict:
    return indicators.summary(frames(version), min_n)


def current() -> tuple[str, dict]:
    version = store().version()
    return version, frames(version)
