"""The functions behind the buttons refuse a role that may not use them (server-side, whatever a page showed),
and the audit trail records what was done, by whom, to which batch, and keeps it when a batch is undone.
On SQLite and PostgreSQL; the CLI's users and audit commands and the operating-system user it records."""
from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from workbooks import workbook

from impact import accounts, audit_trail, guarded
from impact.accounts import Actor, Refused
from impact.filters import Filters
from impact.ingest import ingest_files
from impact.store import Store

ROOT = Path(__file__).resolve().parent.parent
VIEWER = Actor("vi@library.org", "viewer", "sign-in")
ADVOCATE = Actor("ad@library.org", "advocate", "sign-in")
STAFF = Actor("st@library.org", "staff", "sign-in")
OTHER_STAFF = Actor("ot@library.org", "staff", "sign-in")
ADMIN = Actor("boss@library.org", "admin", "sign-in")


def _upload(name="chess.xlsx", attendees=7):
    data = workbook({"Attendance": [["Programme", "Date", "Attendance"], ["Chess Club", "2025-05-01", attendees]]})
    return ingest_files([(name, data)])


def _events(store):
    t = audit_trail.trail(store).sort_values("id")
    return list(zip(t["actor"], t["event"], t["batch_ids"].fillna("")))


def test_a_viewer_is_refused_every_button_and_each_refusal_is_recorded(db_url):
    store = Store(db_url)
    batch = guarded.commit_upload(store, STAFF, _upload()).batch_ids[0]
    for call in (lambda: guarded.commit_upload(store, VIEWER, _upload("other.xlsx", 8)),
                 lambda: guarded.undo(store, VIEWER, batch),
                 lambda: guarded.set_setting(store, VIEWER, "min_n", 3),
                 lambda: guarded.set_role(store, VIEWER, "vi@library.org", "admin"),
                 lambda: guarded.export_pack(store, VIEWER, store.frames(), Filters(), ["csv"]),
                 lambda: guarded.audit_csv(store, VIEWER)):
        with pytest.raises(Refused):
            call()
    # nothing changed: one batch, still active; the setting and the roles as they were
    assert store.batches()["undone_at"].isna().tolist() == [True]
    assert store.setting("min_n") == "10" and accounts.role_of(store, "vi@library.org") is None
    refused = audit_trail.trail(store, "refused").sort_values("id")
    assert [json.loads(d)["action"] for d in refused["detail"]] == [
        "upload", "undo-own", "settings", "users", "export", "audit"]
    assert set(refused["actor"]) == {"vi@library.org"}
    store.dispose()


def test_staff_undo_their_own_uploads_only_and_an_admin_undoes_any(db_url):
    store = Store(db_url)
    mine = guarded.commit_upload(store, STAFF, _upload("mine.xlsx", 7), uploader="typed name is not used").batch_ids[0]
    theirs = guarded.commit_upload(store, OTHER_STAFF, _upload("theirs.xlsx", 9)).batch_ids[0]
    batches = store.batches()
    assert dict(zip(batches["id"], batches["uploader"])) == {mine: "st@library.org", theirs: "ot@library.org"}
    assert guarded.undoable(batches, STAFF)["id"].tolist() == [mine]
    assert sorted(guarded.undoable(batches, ADMIN)["id"]) == [mine, theirs]
    assert guarded.undoable(batches, ADVOCATE).empty
    with pytest.raises(Refused, match="only an admin may undo it"):
        guarded.undo(store, STAFF, theirs)
    # the first upload also made the Chess Club programme from its name
    assert guarded.undo(store, STAFF, mine) == {"attendance": 1, "programmes": 1}
    assert guarded.undo(store, ADMIN, theirs) == {"attendance": 1}
    store.dispose()


def test_the_trail_keeps_an_upload_after_its_batch_is_undone(db_url):
    store = Store(db_url)
    batch = guarded.commit_upload(store, STAFF, _upload()).batch_ids[0]
    guarded.undo(store, ADMIN, batch)
    assert _events(store) == [("st@library.org", "upload", str(batch)), ("boss@library.org", "undo", str(batch))]
    upload = audit_trail.trail(store, "upload").iloc[0]
    assert json.loads(upload["detail"])["stored"] == {"attendance": 1, "programmes": 1}
    assert upload["via"] == "sign-in" and upload["role"] == "staff"
    undo = json.loads(audit_trail.trail(store, "undo").iloc[0]["detail"])
    assert undo == {"file": "chess.xlsx", "removed": {"attendance": 1, "programmes": 1}, "uploader": "st@library.org"}
    store.dispose()


def test_settings_roles_and_exports_are_recorded_with_what_changed_and_the_scope(db_url):
    store = Store(db_url)
    data = workbook({"Attendance": [["Programme", "Partner", "Date", "Attendance"],
                                    ["Chess Club", "Chess Society", "2025-05-01", 7]]})
    guarded.commit_upload(store, STAFF, ingest_files([("chess.xlsx", data)]))
    guarded.set_setting(store, ADMIN, "min_n", 5)
    guarded.set_setting(store, ADMIN, "min_n", 5)  # no change, no entry
    guarded.set_role(store, ADMIN, "Vi@Library.org", "viewer")
    pack = guarded.export_pack(store, ADVOCATE, store.frames(), Filters(programmes=["Chess Club"]), ["csv"])
    assert pack.files
    assert store.setting("min_n") == "5" and accounts.role_of(store, "vi@library.org") == "viewer"
    entries = audit_trail.trail(store).sort_values("id")
    assert entries["event"].tolist() == ["upload", "setting", "role", "export"]
    details = [json.loads(d) for d in entries["detail"]]
    assert details[1] == {"key": "min_n", "before": "10", "after": "5"}
    assert details[2] == {"email": "vi@library.org", "before": None, "after": "viewer"}
    assert details[3]["scope"]["programmes"] == ["Chess Club"] and details[3]["formats"] == ["csv"]
    with pytest.raises(KeyError):
        guarded.set_setting(store, ADMIN, "no_such_setting", 1)
    store.dispose()


def test_the_audit_csv_is_for_admins_and_neutralises_formulas(db_url):
    store = Store(db_url)
    guarded.set_role(store, ADMIN, "x@library.org", "viewer")
    audit_trail.record(store, Actor("=HYPERLINK(\"http://evil\")", "admin", "cli"), "export")
    rows = list(csv.DictReader(io.StringIO(guarded.audit_csv(store, ADMIN).decode("utf-8-sig"))))
    assert [r["event"] for r in rows] == ["export", "role"]  # newest first
    assert not rows[0]["actor"].startswith("=")
    assert audit_trail.trail(store, "export").iloc[0]["detail"] is not None  # the CSV export itself recorded
    store.dispose()


def run(*args, db):
    proc = subprocess.run([sys.executable, "-m", "impact", *args, "--db", db], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_cli_users_add_list_remove_and_the_trail_records_the_os_user(db_url, tmp_path):
    os_user = Actor.os_user()
    code, out, err = run("users", "add", "Ann@Library.org", "--role", "admin", "--json", db=db_url)
    assert code == 0, err
    assert json.loads(out) == {"email": "ann@library.org", "before": None, "after": "admin"}
    assert run("users", "add", "bo@library.org", "--role", "staff", db=db_url)[0] == 0
    code, out, _ = run("users", "list", "--json", db=db_url)
    assert [(u["email"], u["role"], u["added_by"]) for u in json.loads(out)] == [
        ("ann@library.org", "admin", os_user), ("bo@library.org", "staff", os_user)]
    code, _, err = run("users", "remove", "ann@library.org", db=db_url)
    assert code == 1 and "last admin" in err
    code, out, _ = run("users", "add", "trust@stem.org", "--role", "viewer", "--partner", "STEM Trust",
                       "--branch", "Central", db=db_url)
    assert code == 0 and run("users", "remove", "trust@stem.org", db=db_url)[0] == 0
    code, _, err = run("users", "add", "bo@library.org", db=db_url)
    assert code == 2 and "--role" in err
    assert run("users", "remove", "bo@library.org", db=db_url)[0] == 0
    good = tmp_path / "good.xlsx"
    good.write_bytes(workbook({"Attendance": [["Programme", "Date", "Attendance"], ["Chess Club", "2025-05-01", 7]]}))
    assert run("import", str(good), db=db_url)[0] == 0
    assert run("undo", "1", db=db_url)[0] == 0
    code, out, _ = run("audit", "--json", db=db_url)
    entries = json.loads(out)
    assert [(e["event"], e["actor"], e["via"], e["batch_ids"]) for e in entries] == [
        ("undo", os_user, "cli", "1"), ("upload", os_user, "cli", "1"), *[("role", os_user, "cli", None)] * 5]
    code, out, _ = run("audit", "--csv", str(tmp_path / "trail.csv"), "--event", "upload", db=db_url)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "trail.csv").read_text("utf-8-sig"))))
    assert code == 0 and [r["event"] for r in rows] == ["upload"]


def test_a_scope_change_is_a_recorded_role_change(db_url):
    from impact.scopes import Scope

    store = Store(db_url)
    guarded.set_role(store, ADMIN, "trust@stem.org", "viewer")
    guarded.set_role(store, ADMIN, "trust@stem.org", "viewer", Scope(partners=("STEM Trust",)))
    guarded.set_role(store, ADMIN, "trust@stem.org", "viewer", Scope(partners=("STEM Trust",)))  # no change
    details = [json.loads(d) for d in audit_trail.trail(store, "role").sort_values("id")["detail"]]
    assert details == [{"email": "trust@stem.org", "before": None, "after": "viewer"},
                       {"email": "trust@stem.org", "before": "viewer", "after": "viewer",
                        "scope_before": {"partners": [], "branches": []},
                        "scope_after": {"partners": ["STEM Trust"], "branches": []}}]
    store.dispose()
