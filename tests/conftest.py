"""Shared fixtures: databases (SQLite file and the PostgreSQL server on this machine), small workbooks."""
from __future__ import annotations

import os
import tempfile
import uuid

import pytest
import sqlalchemy as sa

# a page's fault must fail the page tests, not become a message with an incident id (ui.common.guarded)
os.environ.setdefault("IMPACT_FAULTS", "raise")
# the stores' columnar copies (impact/columnar.py) go to a temporary folder, not the checkout's data/
os.environ.setdefault("IMPACT_COLUMNAR_DIR", tempfile.mkdtemp(prefix="impact-columnar-"))
PG_URL = os.environ.get("IMPACT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database of each kind. PostgreSQL fails (never skips) under CI when it is missing."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'impact.db'}"
        return
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required under CI and is not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    # a schema of its own per test, so concurrent runs on the shared `test` database never collide
    schema_name = f"impact_test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema_name}"'))
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema_name}"
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema_name}" CASCADE'))
    engine.dispose()
