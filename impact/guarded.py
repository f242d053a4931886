"""The functions behind the buttons that change or release data: each checks the actor's role first (server-side,
whatever the page showed) and records what it did in the audit trail. A refusal is recorded too, then raised
as accounts.Refused for the page to show.
"""
from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from impact import accounts, audit_trail
from impact.accounts import Actor, Refused
from impact.scopes import Scope


def _require(store, actor: Actor, action: str, what: dict | None = None) -> None:
    try:
        accounts.require(actor.role, action)
    except Refused as e:
        audit_trail.record(store, actor, "refused", detail={"action": action, **(what or {}), "reason": str(e)})
        raise


def commit_upload(store, actor: Actor, result, force: bool = False, uploader: str = ""):
    """Store an upload (all or nothing) as `actor`; a signed-in uploader is recorded by their email."""
    _require(store, actor, "upload", {"files": [f.name for f in result.files]})
    name = actor.name if actor.signed_in else (uploader.strip() or actor.name)
    outcome = store.commit(result, uploader=name, force=force)
    if outcome.ok:
        audit_trail.record(store, actor, "upload", outcome.batch_ids,
                           {"files": [f.name for f in result.files], "stored": outcome.stored,
                            "created": outcome.created, "forced": bool(force), "uploader": name})
    return outcome


def undoable(batches: pd.DataFrame, actor: Actor) -> pd.DataFrame:
    """The active batches (store.batches() rows) `actor` may undo: any for an admin, their own for staff."""
    active = batches[batches["undone_at"].isna()]
    if actor.may("undo-any"):
        return active
    if actor.may("undo-own"):
        return active[active["uploader"].fillna("").str.casefold() == actor.name.casefold()]
    return active.iloc[0:0]


def undo(store, actor: Actor, batch_id: int) -> dict[str, int]:
    """Undo one batch whole: staff only their own uploads, admins any. The audit trail keeps the record."""
    _require(store, actor, "undo-own", {"batch_id": int(batch_id)})
    batches = store.batches()
    row = batches[batches["id"] == int(batch_id)]
    if row.empty:
        raise KeyError(f"no batch {batch_id}")
    uploader = str(row["uploader"].iloc[0] or "")
    if not actor.may("undo-any") and uploader.casefold() != actor.name.casefold():
        reason = f"batch {batch_id} was uploaded by {uploader or 'someone else'}: only an admin may undo it"
        audit_trail.record(store, actor, "refused", [batch_id], {"action": "undo-any", "reason": reason})
        raise Refused(reason)
    removed = store.undo(int(batch_id))
    audit_trail.record(store, actor, "undo", [batch_id], {"file": row["file_name"].iloc[0], "removed": removed,
                                                           "uploader": uploader})
    return removed


def set_setting(store, actor: Actor, key: str, value) -> None:
    """Change one setting (admins); the trail keeps the value before and after."""
    from impact.store import DEFAULT_SETTINGS

    _require(store, actor, "settings", {"key": key, "value": str(value)})
    if key not in DEFAULT_SETTINGS and key != accounts.IDLE_SETTING:
        raise KeyError(f"unknown setting {key!r}")
    before = store.setting(key)
    if key == accounts.IDLE_SETTING and before == "":
        before = str(accounts.IDLE_DEFAULT)
    if _same(before, value):  # "15.0" and 15 are the same rate: no change, no entry
        return
    store.set_setting(key, value)
    audit_trail.record(store, actor, "setting", detail={"key": key, "before": before, "after": str(value)})


def _same(before: str, value) -> bool:
    try:
        return float(before) == float(value)
    except (TypeError, ValueError):
        return str(before) == str(value)


def set_role(store, actor: Actor, email: str, role: str | None, scope: Scope = Scope()
             ) -> tuple[str | None, str | None]:
    """Give an email a role, limited to a scope or not, or remove it (role None) (admins; the CLI acts as admin)."""
    _require(store, actor, "users", {"email": email, "role": role, "scope": scope.to_dict()})
    old_scope = accounts.account(store, email)[1] if accounts.valid_email(email) else Scope()
    before, after = accounts.set_role(store, email, role, by=actor.name, scope=scope)
    if before != after or (after is not None and old_scope != scope):
        detail = {"email": accounts.normalise_email(email), "before": before, "after": after}
        if old_scope.limited or scope.limited:
            detail.update(scope_before=old_scope.to_dict(), scope_after=scope.to_dict() if after else None)
        audit_trail.record(store, actor, "role", detail=detail)
    return before, after


def export_pack(store, actor: Actor, frames: dict, filters, formats, progress: Callable | None = None, **options):
    """Build an evidence pack for a scope (advocates and up); the trail records the scope and the files.
    `options` go to impact.export.export_pack (e.g. comments: the staff's approved quotes)."""
    from impact.export import export_pack as build

    scope = filters.to_dict()
    _require(store, actor, "export", {"scope": scope})
    pack = build(frames, filters, store.settings(), store.batches(), formats, progress=progress, **options)
    record_export(store, actor, scope, formats)
    return pack


def record_export(store, actor: Actor, scope: dict, formats, what: str = "evidence pack") -> None:
    audit_trail.record(store, actor, "export", detail={"what": what, "scope": scope, "formats": list(formats)})


def audit_csv(store, actor: Actor) -> bytes:
    """The whole audit trail as CSV (admins); the export itself is recorded."""
    _require(store, actor, "audit", {"what": "audit trail"})
    data = audit_trail.csv_bytes(audit_trail.trail(store))
    record_export(store, actor, {}, ["csv"], what="audit trail")
    return data
