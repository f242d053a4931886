"""Where the codebook, people's codings and quote decisions live: three tables beside the store's own.

comment_codebook   the codebook staff edit (one row per code, in order)
comment_codings    every confirmation: comment, coder, codes, tone, when. Rows are only ever added, so a
                   confirmed coding is never overwritten (the latest per comment is the one in use, and the
                   latest per comment and coder is what agreement compares)
comment_quotes     staff decisions on quotes: approved or not, the text as approved (scrubbed), who, when
comment_state      one row: a counter raised in the same transaction as every write above, so a page can ask
                   "has anything changed?" in one small query and reuse what it read before (`version()`)

Tables are created on first use in the same database (SQLite or PostgreSQL) as the uploads.
"""
from __future__ import annotations

import datetime as dt
import threading
import weakref

import pandas as pd
import sqlalchemy as sa

from impact.comments.codebook import DEFAULT, Code

APPROVED, REJECTED = "approved", "rejected"


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


_TABLES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> its tables, created once per process
_TABLES_LOCK = threading.Lock()


class CommentStore:
    """The comment tables in the database of a `impact.store.Store` (or any SQLAlchemy engine)."""

    def __init__(self, store_or_engine):
        self.engine = getattr(store_or_engine, "engine", store_or_engine)
        with _TABLES_LOCK:
            known = _TABLES.get(self.engine)
        if known is None:  # the definitions and the create-if-missing checks run once per engine, not per page run
            known = self._define()
            with _TABLES_LOCK:
                _TABLES[self.engine] = known
        self.codebook_table, self.codings, self.quotes, self.state = known

    def _define(self) -> tuple[sa.Table, ...]:
        md = sa.MetaData()
        self.codebook_table = sa.Table(
            "comment_codebook", md,
            sa.Column("code", sa.String(80), primary_key=True),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("label", sa.Text, nullable=False), sa.Column("kind", sa.Text, nullable=False),
            sa.Column("outcome", sa.Text), sa.Column("description", sa.Text), sa.Column("phrases", sa.Text),
            sa.Column("updated_at", sa.DateTime), sa.Column("updated_by", sa.Text))
        self.codings = sa.Table(
            "comment_codings", md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("comment_id", sa.String(80), nullable=False, index=True),
            sa.Column("coder", sa.Text, nullable=False), sa.Column("codes", sa.Text),
            sa.Column("tone", sa.Text), sa.Column("confirmed_at", sa.DateTime, nullable=False))
        self.quotes = sa.Table(
            "comment_quotes", md,
            sa.Column("comment_id", sa.String(80), primary_key=True),
            sa.Column("status", sa.Text, nullable=False), sa.Column("text", sa.Text),
            sa.Column("attribution", sa.Text), sa.Column("decided_by", sa.Text),
            sa.Column("decided_at", sa.DateTime))
        state = sa.Table("comment_state", md, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                         sa.Column("version", sa.Integer, nullable=False))
        md.create_all(self.engine)
        with self.engine.begin() as conn:
            if conn.execute(sa.select(state.c.version).where(state.c.id == 1)).first() is None:
                try:
                    with conn.begin_nested():
                        conn.execute(state.insert().values(id=1, version=0))
                except sa.exc.IntegrityError:  # another process inserted it first
                    pass
        return md.tables["comment_codebook"], md.tables["comment_codings"], md.tables["comment_quotes"], state

    def version(self) -> int:
        """A number raised by every write to the comment tables: equal numbers mean equal codebook, codings and
        quote decisions."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(self.state.c.version).where(self.state.c.id == 1)).scalar() or 0)

    def _changed(self, conn) -> None:
        conn.execute(self.state.update().where(self.state.c.id == 1).values(version=self.state.c.version + 1))

    # -- codebook ----------------------------------------------------------------------------------
    def codebook(self) -> tuple[Code, ...]:
        """The stored codebook, or the default one when staff have not saved one yet."""
        t = self.codebook_table
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t).order_by(t.c.position)).mappings().all()
        if not rows:
            return DEFAULT
        return tuple(Code(r["code"], r["label"], r["kind"], r["description"] or "",
                          tuple(p for p in (r["phrases"] or "").split("\n") if p), r["outcome"] or "") for r in rows)

    def save_codebook(self, codebook, who: str = "") -> None:
        """Replace the codebook whole, in one transaction (codings keep their code names)."""
        t = self.codebook_table
        with self.engine.begin() as conn:
            conn.execute(t.delete())
            for i, c in enumerate(codebook):
                conn.execute(t.insert().values(code=c.code, position=i, label=c.label, kind=c.kind, outcome=c.outcome,
                                               description=c.description, phrases="\n".join(c.phrases),
                                               updated_at=_now(), updated_by=who))
            self._changed(conn)

    # -- codings -----------------------------------------------------------------------------------
    def confirm(self, rows, coder: str) -> int:
        """Add confirmations: rows of {comment_id, codes ("a; b" or a list), tone}. Returns how many were added."""
        if not coder.strip():
            raise ValueError("a confirmation needs the coder's name or initials")
        now = _now()
        values = []
        for r in rows:
            codes = r["codes"]
            if not isinstance(codes, str):
                codes = "; ".join(codes)
            values.append({"comment_id": str(r["comment_id"]), "coder": coder.strip(), "codes": codes,
                           "tone": r.get("tone"), "confirmed_at": now})
        if values:
            with self.engine.begin() as conn:
                conn.execute(self.codings.insert(), values)
                self._changed(conn)
        return len(values)

    def confirmed(self) -> pd.DataFrame:
        """Every confirmation, oldest first: comment_id, coder, codes, tone, confirmed_at."""
        t = self.codings
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t.c.comment_id, t.c.coder, t.c.codes, t.c.tone, t.c.confirmed_at)
                                .order_by(t.c.id)).mappings().all()
        frame = pd.DataFrame(rows, columns=["comment_id", "coder", "codes", "tone", "confirmed_at"])
        frame["confirmed_at"] = pd.to_datetime(frame["confirmed_at"])
        frame["_order"] = range(len(frame))  # same-second confirmations keep their order
        frame["confirmed_at"] = frame["confirmed_at"] + pd.to_timedelta(frame.pop("_order"), unit="us")
        return frame

    # -- quotes ------------------------------------------------------------------------------------
    def decide_quotes(self, rows, who: str) -> int:
        """Record staff decisions: rows of {comment_id, status (approved | rejected), text, attribution}."""
        if not who.strip():
            raise ValueError("approving a quote needs the approver's name or initials")
        t = self.quotes
        with self.engine.begin() as conn:
            n = 0
            for r in rows:
                if r["status"] not in (APPROVED, REJECTED):
                    raise ValueError(f"status must be {APPROVED} or {REJECTED}")
                conn.execute(t.delete().where(t.c.comment_id == str(r["comment_id"])))
                conn.execute(t.insert().values(comment_id=str(r["comment_id"]), status=r["status"], text=r.get("text"),
                                               attribution=r.get("attribution"), decided_by=who.strip(),
                                               decided_at=_now()))
                n += 1
            self._changed(conn)
        return n

    def decisions(self) -> pd.DataFrame:
        t = self.quotes
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(t)).mappings().all()
        return pd.DataFrame(rows, columns=["comment_id", "status", "text", "attribution", "decided_by", "decided_at"])


__all__ = ["APPROVED", "REJECTED", "CommentStore"]
