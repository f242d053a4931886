"""Roles by email, the permission each action needs, and sign-in sessions with an idle timeout."""
from __future__ import annotations

import datetime as dt

import pytest

from impact import accounts
from impact.accounts import Actor, Refused, permits, require
from impact.store import Store

# what each role may do, written out by hand from the issue (viewer < advocate < staff < admin)
MAY = {
    "viewer": {"explore"},
    "advocate": {"explore", "export"},
    "staff": {"explore", "export", "upload", "undo-own", "code-comments"},
    "admin": {"explore", "export", "upload", "undo-own", "code-comments", "undo-any", "settings", "users", "audit"},
    None: set(),
}


@pytest.mark.parametrize("role", list(MAY))
def test_each_role_may_do_exactly_what_the_issue_gives_it(role):
    assert {a for a in accounts.ACTIONS if permits(role, a)} == MAY[role]


def test_a_viewer_is_refused_an_upload_with_the_role_it_needs():
    with pytest.raises(Refused, match="upload needs the staff role or higher; you are viewer"):
        require("viewer", "upload")
    with pytest.raises(Refused, match="you have no role yet"):
        require(None, "explore")
    with pytest.raises(Refused):
        require("superuser", "explore")  # an unknown role stored by hand gives nothing


def test_single_user_and_cli_act_as_the_operating_system_user_with_every_permission(monkeypatch):
    monkeypatch.setattr(accounts.getpass, "getuser", lambda: "librarian")
    assert Actor.single_user() == Actor("librarian", "admin", "single-user")
    assert Actor.cli() == Actor("librarian", "admin", "cli")
    assert not Actor.cli().signed_in and Actor("a@b.org", "viewer", "sign-in").signed_in


def test_roles_are_stored_by_casefolded_email_and_changed_in_place(db_url):
    store = Store(db_url)
    assert accounts.set_role(store, " Ann@Library.ORG ", "admin", by="root") == (None, "admin")
    assert accounts.set_role(store, "bo@library.org", "viewer", by="ann@library.org") == (None, "viewer")
    assert accounts.set_role(store, "BO@library.org", "staff", by="ann@library.org") == ("viewer", "staff")
    assert accounts.role_of(store, "ann@library.org") == "admin"
    assert accounts.role_of(store, "nobody@library.org") is None
    table = accounts.accounts(store)
    assert list(zip(table["email"], table["role"], table["added_by"])) == [
        ("ann@library.org", "admin", "root"), ("bo@library.org", "staff", "ann@library.org")]
    assert accounts.set_role(store, "bo@library.org", None, by="ann@library.org") == ("staff", None)
    assert accounts.admins(store) == ["ann@library.org"]
    store.dispose()


def test_the_last_admin_cannot_be_removed_or_demoted_and_bad_input_is_refused(db_url):
    store = Store(db_url)
    accounts.set_role(store, "ann@library.org", "admin", by="root")
    with pytest.raises(ValueError, match="last admin"):
        accounts.set_role(store, "ann@library.org", "staff", by="root")
    with pytest.raises(ValueError, match="last admin"):
        accounts.set_role(store, "ann@library.org", None, by="root")
    accounts.set_role(store, "cy@library.org", "admin", by="root")
    accounts.set_role(store, "ann@library.org", None, by="cy@library.org")  # another admin remains
    with pytest.raises(ValueError, match="not an email"):
        accounts.set_role(store, "not an email", "viewer", by="root")
    with pytest.raises(ValueError, match="role must be one of"):
        accounts.set_role(store, "dee@library.org", "owner", by="root")
    assert accounts.admins(store) == ["cy@library.org"]
    store.dispose()


def test_a_session_idle_past_the_timeout_expires_and_a_new_sign_in_starts_fresh(db_url):
    store = Store(db_url)
    t0 = dt.datetime(2026, 3, 2, 9, 0, 0)
    email, iat = "ann@library.org", 1_772_442_000
    assert accounts.session_state(store, email, iat, now=t0, idle=30) == "signed-in"
    assert accounts.session_state(store, email, iat, now=t0 + dt.timedelta(minutes=20), idle=30) == "active"
    # 20 + 29 minutes: active, because activity at minute 20 moved the clock
    assert accounts.session_state(store, email, iat, now=t0 + dt.timedelta(minutes=49), idle=30) == "active"
    assert accounts.session_state(store, email, iat, now=t0 + dt.timedelta(minutes=80), idle=30) == "expired"
    # the same cookie stays expired; signing in again gives a new token (a new iat)
    assert accounts.session_state(store, email, iat, now=t0 + dt.timedelta(minutes=81), idle=30) == "expired"
    assert accounts.session_state(store, email, iat + 4900, now=t0 + dt.timedelta(minutes=82), idle=30) == "signed-in"
    store.dispose()


def test_no_idle_timeout_when_set_to_zero_but_a_signed_out_token_is_never_active_again(db_url):
    store = Store(db_url)
    t0 = dt.datetime(2026, 3, 2, 9, 0, 0)
    assert accounts.idle_minutes(store) == 30  # the default
    store.set_setting(accounts.IDLE_SETTING, 0)
    assert accounts.session_state(store, "a@b.org", 1, now=t0) == "signed-in"
    assert accounts.session_state(store, "a@b.org", 1, now=t0 + dt.timedelta(days=3)) == "active"
    accounts.end_session(store, "a@b.org", 1)
    assert accounts.session_state(store, "a@b.org", 1, now=t0 + dt.timedelta(days=3)) == "expired"
    store.dispose()


def test_an_account_can_be_limited_to_partners_or_branches(db_url):
    from impact.scopes import Scope

    store = Store(db_url)
    accounts.set_role(store, "trust@stem.org", "advocate", by="root", scope=Scope(partners=("STEM Trust",)))
    accounts.set_role(store, "central@library.org", "staff", by="root", scope=Scope(branches=("Central",)))
    accounts.set_role(store, "all@library.org", "viewer", by="root")
    assert accounts.account(store, "Trust@STEM.org") == ("advocate", Scope(partners=("STEM Trust",)))
    assert accounts.account(store, "all@library.org") == ("viewer", Scope())
    assert accounts.account(store, "nobody@library.org") == (None, Scope())
    table = accounts.accounts(store).set_index("email")["scope"].to_dict()
    assert table == {"all@library.org": "everything", "central@library.org": "branches: Central",
                     "trust@stem.org": "partners: STEM Trust"}
    store.dispose()
