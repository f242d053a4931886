"""The audit trail: who did what, when, to which batch or scope. Uploads, undos, setting changes, role changes,
exports, sign-ins and sign-outs, and refused attempts.

A table of its own with no foreign key to the batches, so undoing a batch never removes what was recorded
about it; rows are only ever added. Times are UTC.
"""
from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from impact.accounts import Actor, utcnow

EVENTS = ("sign-in", "sign-out", "session-expired", "upload", "undo", "setting", "role", "export", "refused")
COLUMNS = ["id", "at_utc", "actor", "via", "role", "event", "batch_ids", "detail"]

_md = sa.MetaData()
AUDIT = sa.Table(
    "audit_trail", _md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at_utc", sa.DateTime, nullable=False, index=True),
    sa.Column("actor", sa.Text, nullable=False),  # email when signed in, else the operating-system user
    sa.Column("via", sa.String(16), nullable=False),  # sign-in, single-user, cli
    sa.Column("role", sa.String(16)),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("batch_ids", sa.Text),  # "12" or "12,13": the batches an upload stored or an undo removed
    sa.Column("detail", sa.Text),  # JSON: rows, scope of an export, setting before/after, role before/after
)
def _engine(store) -> sa.Engine:
    from impact.store import engine_with

    return engine_with(store, _md)


def record(store, actor: Actor, event: str, batch_ids=(), detail: dict | None = None, conn=None) -> None:
    """Add one entry (inside `conn`'s transaction when given, so it lands with what it records)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    values = dict(at_utc=utcnow(), actor=actor.name, via=actor.via, role=actor.role, event=event,
                  batch_ids=",".join(str(int(b)) for b in batch_ids) or None,
                  detail=json.dumps(detail, default=str, sort_keys=True) if detail else None)
    engine = _engine(store)
    if conn is not None:
        conn.execute(AUDIT.insert().values(**values))
        return
    with engine.begin() as c:
        c.execute(AUDIT.insert().values(**values))


def trail(store, event: str | None = None, actor: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """The trail, newest first: id, at_utc, actor, via, role, event, batch_ids, detail (JSON text)."""
    q = sa.select(AUDIT).order_by(AUDIT.c.id.desc())
    if event:
        q = q.where(AUDIT.c.event == event)
    if actor:
        q = q.where(AUDIT.c.actor == actor)
    if limit:
        q = q.limit(limit)
    with _engine(store).connect() as conn:
        rows = conn.execute(q).mappings().all()
    return pd.DataFrame(rows, columns=COLUMNS)


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The trail as CSV; cells that a spreadsheet would run as formulas are
    neutralised the way every other export of the product does it."""
    from impact.views import csv_bytes as safe_csv

    return safe_csv(frame)
