"""Who may do what: roles by email, the permission each button needs, sign-in sessions and the idle timeout.

Four roles, each with everything the one before has: viewer (the explore pages), advocate (+ evidence packs),
staff (+ upload, undo of their own uploads), admin (+ undo of any upload, settings, users, the audit trail).
Accounts live in the same database as the data (SQLite or PostgreSQL), in tables of their own, so an undo of a
batch never touches them. `require(role, action)` is the one check every guarded function calls.
"""
from __future__ import annotations

import datetime as dt
import getpass
import os
import re
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from impact.scopes import Scope

ROLES = ("viewer", "advocate", "staff", "admin")
ROLE_HELP = {
    "viewer": "explore pages",
    "advocate": "explore pages and evidence packs",
    "staff": "explore pages, evidence packs, upload, undo of their own uploads, coding comments and approving quotes",
    "admin": "all of that, and undo of any upload, settings, users and the audit trail",
}
# the least role each action needs
ACTIONS = {
    "explore": "viewer",
    "export": "advocate",
    "upload": "staff",
    "code-comments": "staff",
    "undo-own": "staff",
    "undo-any": "admin",
    "settings": "admin",
    "users": "admin",
    "audit": "admin",
}
IDLE_SETTING = "idle_timeout_minutes"
IDLE_DEFAULT = 30  # minutes without activity before a signed-in session must sign in again
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Refused(PermissionError):
    """An action the actor's role does not allow: refused server-side whatever the page showed."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: an email (or the operating-system user), their role (None: no role yet), and how."""

    name: str
    role: str | None
    via: str  # "sign-in" (OpenID Connect), "single-user" (no [auth] configured) or "cli"
    scope: Scope = Scope()  # limited to some partners or branches (impact/scopes.py); empty: everything

    @property
    def signed_in(self) -> bool:
        return self.via == "sign-in"

    def may(self, action: str) -> bool:
        return permits(self.role, action)

    @staticmethod
    def os_user() -> str:
        try:
            return getpass.getuser()
        except Exception:  # no user name in a bare container
            return os.environ.get("USER", "") or "unknown"

    @classmethod
    def single_user(cls) -> Actor:
        """On a laptop with no sign-in configured, whoever runs the app may do everything."""
        return cls(cls.os_user(), "admin", "single-user")

    @classmethod
    def cli(cls) -> Actor:
        """The command line acts as whoever can reach the database: the operating-system user, as admin."""
        return cls(cls.os_user(), "admin", "cli")


def permits(role: str | None, action: str) -> bool:
    """True when `role` ranks at least as high as the role `action` needs (no role: nothing)."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    return role in ROLES and ROLES.index(role) >= ROLES.index(ACTIONS[action])


def require(role: str | None, action: str) -> None:
    """Raise Refused unless `role` may do `action`."""
    if not permits(role, action):
        needed = ACTIONS[action]
        raise Refused(f"{action} needs the {needed} role or higher; "
                      f"{'you have no role yet' if role is None else 'you are ' + role}")


def normalise_email(email: str) -> str:
    return str(email).strip().casefold()


def valid_email(email: str) -> bool:
    return bool(_EMAIL.match(normalise_email(email)))


# -- tables ----------------------------------------------------------------------------------------------
_md = sa.MetaData()
ACCOUNTS = sa.Table(
    "accounts", _md,
    sa.Column("email", sa.String(320), primary_key=True),  # casefolded
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("added_by", sa.Text),
    sa.Column("added_at_utc", sa.DateTime, nullable=False),
    sa.Column("scope", sa.Text),  # JSON {"partners": [...], "branches": [...]}; empty: everything
)
SESSIONS = sa.Table(
    "sign_in_sessions", _md,
    sa.Column("email", sa.String(320), primary_key=True),
    sa.Column("issued_at", sa.BigInteger, primary_key=True),  # the identity token's iat: one row per sign-in
    sa.Column("last_seen_utc", sa.DateTime, nullable=False),
)
_ENDED = dt.datetime(1970, 1, 1)  # last_seen of a sign-in that was ended
def _engine(store) -> sa.Engine:
    from impact.store import engine_with

    return engine_with(store, _md)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


# -- accounts --------------------------------------------------------------------------------------------
def role_of(store, email: str) -> str | None:
    with _engine(store).connect() as conn:
        return conn.execute(sa.select(ACCOUNTS.c.role).where(ACCOUNTS.c.email == normalise_email(email))).scalar()


def account(store, email: str) -> tuple[str | None, Scope]:
    """(role, scope) of an email; (None, everything) when it has no account."""
    with _engine(store).connect() as conn:
        row = conn.execute(sa.select(ACCOUNTS.c.role, ACCOUNTS.c.scope).where(
            ACCOUNTS.c.email == normalise_email(email))).first()
    return (None, Scope()) if row is None else (row.role, Scope.from_json(row.scope))


def accounts(store) -> pd.DataFrame:
    """email, role, scope (readable text), added_by, added_at_utc: one row per account, by email."""
    with _engine(store).connect() as conn:
        rows = conn.execute(sa.select(ACCOUNTS).order_by(ACCOUNTS.c.email)).mappings().all()
    frame = pd.DataFrame(rows, columns=[c.name for c in ACCOUNTS.columns])
    frame["scope"] = [Scope.from_json(s).describe() for s in frame["scope"]]
    return frame[["email", "role", "scope", "added_by", "added_at_utc"]]


def admins(store) -> list[str]:
    with _engine(store).connect() as conn:
        return list(conn.execute(sa.select(ACCOUNTS.c.email).where(ACCOUNTS.c.role == "admin")).scalars())


def set_role(store, email: str, role: str | None, by: str, scope: Scope = Scope()) -> tuple[str | None, str | None]:
    """Give `email` the `role` limited to `scope` (role None removes the account). Returns (role before, after).
    Refuses a bad email or role, and removing or demoting the last admin while others keep accounts."""
    email = normalise_email(email)
    if not valid_email(email):
        raise ValueError(f"{email!r} is not an email address")
    if role is not None and role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)} (got {role!r})")
    with _engine(store).begin() as conn:
        before = conn.execute(sa.select(ACCOUNTS.c.role).where(ACCOUNTS.c.email == email)).scalar()
        if before == "admin" and role != "admin":
            others = conn.execute(sa.select(sa.func.count()).select_from(ACCOUNTS).where(
                ACCOUNTS.c.role == "admin", ACCOUNTS.c.email != email)).scalar()
            if not others:
                raise ValueError(f"{email} is the last admin: make someone else admin first, "
                                 "or nobody could manage users from the app")
        if before is not None:
            conn.execute(ACCOUNTS.delete().where(ACCOUNTS.c.email == email))
        if role is not None:
            conn.execute(ACCOUNTS.insert().values(email=email, role=role, added_by=by, added_at_utc=utcnow(),
                                                  scope=scope.to_json()))
    return before, role


# -- sessions and the idle timeout -------------------------------------------------------------------------
def idle_minutes(store) -> int:
    value = store.setting(IDLE_SETTING)
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return IDLE_DEFAULT


def session_state(store, email: str, issued_at: int, now: dt.datetime | None = None,
                  idle: int | None = None) -> str:
    """Where a signed-in browser stands, from its identity token's `iat` and the last activity seen:
    "signed-in" (a new sign-in: record it), "active", or "expired" (idle longer than `idle` minutes: sign out).
    0 minutes means no idle timeout. An active session's last activity moves to `now`."""
    now = now or utcnow()
    idle = idle_minutes(store) if idle is None else idle
    email = normalise_email(email)
    where = (SESSIONS.c.email == email) & (SESSIONS.c.issued_at == int(issued_at))
    with _engine(store).begin() as conn:
        row = conn.execute(sa.select(SESSIONS).where(where)).first()
        if row is None:
            conn.execute(SESSIONS.insert().values(email=email, issued_at=int(issued_at), last_seen_utc=now))
            return "signed-in"
        if row.last_seen_utc <= _ENDED or (idle and now - row.last_seen_utc > dt.timedelta(minutes=idle)):
            return "expired"
        if now - row.last_seen_utc >= dt.timedelta(seconds=30):  # one write a minute or so, not every rerun
            conn.execute(SESSIONS.update().where(where).values(last_seen_utc=now))
        return "active"


def end_session(store, email: str, issued_at: int) -> None:
    """End one sign-in (sign-out or expiry): a cookie holding the same identity token is never active again."""
    with _engine(store).begin() as conn:
        conn.execute(SESSIONS.update().where((SESSIONS.c.email == normalise_email(email))
                                             & (SESSIONS.c.issued_at == int(issued_at))).values(last_seen_utc=_ENDED))
