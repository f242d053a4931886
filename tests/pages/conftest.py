"""Fixtures for the page tests: an empty database, the demo library service, and an app runner."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import streamlit as st

from impact.store import Store, load_demo


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """The demo loaded once per test session (8 s); each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = Store(f"sqlite:///{path}")
    load_demo(store)
    store.dispose()
    return path


def _clear() -> None:
    """Nothing computed for one test's database is served to another."""
    from ui import common

    st.cache_data.clear()
    st.cache_resource.clear()
    common.RESULTS.clear()


def _use(url: str, monkeypatch):
    monkeypatch.setenv("IMPACT_DATABASE_URL", url)
    monkeypatch.setenv("IMPACT_AUTOLOAD_DEMO", "0")
    _clear()


@pytest.fixture
def app(tmp_path, monkeypatch):
    """An empty database of this test's own."""
    url = f"sqlite:///{tmp_path / 'app.db'}"
    _use(url, monkeypatch)
    yield url
    _clear()


@pytest.fixture
def demo(demo_file, tmp_path, monkeypatch):
    """A copy of the demo database."""
    path = tmp_path / "demo.db"
    shutil.copy(demo_file, path)
    url = f"sqlite:///{path}"
    _use(url, monkeypatch)
    yield url
    _clear()
