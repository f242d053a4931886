"""Sign-in the Streamlit way (st.login / st.user / st.logout, OpenID Connect) when .streamlit/secrets.toml has an
[auth] section; single-user mode otherwise. Decides who is acting on each rerun; impact.accounts decides what
they may do, and impact.guarded refuses the rest server-side."""
from __future__ import annotations

import os

import streamlit as st

from impact import accounts, audit_trail
from impact.accounts import Actor
from ui.common import store


class Keys:
    ACTOR = "auth.actor"  # the Actor of this rerun, set by gate()
    SIGN_OUT = "auth.sign_out"


def _auth_section():
    from streamlit import config

    if getattr(st.secrets, "_secrets", None) is None and not any(
            os.path.exists(path) for path in config.get_option("secrets.files")):
        return None  # no secrets file: single-user mode (st.secrets would look for one, and raise, on every run)
    try:
        return st.secrets.get("auth") if "auth" in st.secrets else None
    except Exception:  # no secrets.toml at all: single-user mode
        return None


def configured() -> bool:
    """True when .streamlit/secrets.toml has an [auth] section: sign-in is required."""
    return bool(_auth_section())


def providers() -> list[str | None]:
    """None for a single provider configured in [auth] itself, else the names of its [auth.NAME] sections."""
    section = _auth_section() or {}
    if "client_id" in section:
        return [None]
    return [name for name, value in section.items() if hasattr(value, "get") and "client_id" in value] or [None]


def actor() -> Actor:
    """Who is acting in this rerun (set by gate(); nobody with a role if gate() has not run)."""
    found = st.session_state.get(Keys.ACTOR)
    if found is not None:
        return found
    return Actor("", None, "sign-in") if configured() else Actor.single_user()


def _resolve() -> Actor | None:
    """Who is acting, read afresh: None when sign-in is required and nobody is signed in. The role is read
    from the database on every run, so a role removed by an admin takes effect at the next click."""
    if not configured():
        return Actor.single_user()
    if not st.user.is_logged_in:
        return None
    email = _email()
    role, scope = accounts.account(store(), email) if email else (None, accounts.Scope())
    return Actor(email, role, "sign-in", scope)


def _email() -> str:
    user = st.user
    for claim in ("email", "preferred_username", "upn"):
        if claim == "email" and user.get("email_verified") is False:
            continue  # an address the provider has not verified gives no role
        value = user.get(claim)
        if value and accounts.valid_email(str(value)):
            return accounts.normalise_email(value)
    return ""


def _sign_in_page() -> None:
    st.title("Beyond Footfall")
    st.write("Sign in with your organisation's account to see your library service's figures.")
    for provider in providers():
        label = "Sign in" if provider is None else f"Sign in with {provider.replace('_', ' ').title()}"
        if st.button(label, type="primary", key=f"auth.sign_in.{provider}"):
            st.login(provider) if provider else st.login()
    st.caption("Your name and email come from your organisation's sign-in; an administrator gives each email a "
               "role. Sign-in lasts until you sign out or are idle for too long.")


def no_role_page() -> None:
    """A signed-in person with no role: whom to ask, and nothing else."""
    who = actor()
    st.title("Ask for access")
    st.write(f"You are signed in as **{who.name or 'an account with no email'}**, but this email has no role in "
             "Beyond Footfall yet, so there is nothing to show you.")
    admins = accounts.admins(store())
    if admins:
        st.write("Ask one of the administrators to give you a role:")
        for email in admins:
            st.markdown(f"- [{email}](mailto:{email})")
    else:
        st.write("No administrator has been set up yet. Whoever runs the server makes the first one with "
                 "`python -m impact users add EMAIL --role admin`.")
    st.caption("Roles: " + "; ".join(f"{r}: {h}" for r, h in accounts.ROLE_HELP.items()) + ".")


def _sidebar(who: Actor) -> None:
    if not who.signed_in:
        st.sidebar.caption("Single-user mode: no sign-in is configured, so whoever opens this address can do "
                           "everything.")
        return
    st.sidebar.caption(f"Signed in as **{who.name}** · {who.role or 'no role'}"
                       + (f" · only {who.scope.describe()}" if who.scope.limited else ""))
    if st.sidebar.button("Sign out", key=Keys.SIGN_OUT, icon=":material/logout:"):
        db = store()
        audit_trail.record(db, who, "sign-out")
        accounts.end_session(db, who.name, int(st.user.get("iat") or 0))
        st.session_state.pop(Keys.ACTOR, None)
        st.logout()


def gate() -> Actor | None:
    """Decide who is acting. Single-user mode: the operating-system user as admin. Sign-in mode: the sign-in
    screen (None returned: show nothing else), or the signed-in email with its role from the database; a new
    sign-in is recorded, and a session idle past the timeout is signed out."""
    who = _resolve()
    if who is None:
        st.session_state.pop(Keys.ACTOR, None)
        return None
    if who.signed_in:
        db = store()
        email = who.name
        issued = int(st.user.get("iat") or 0)
        state = accounts.session_state(db, email or "(no email)", issued)
        if state == "signed-in":
            audit_trail.record(db, who, "sign-in", detail={"provider": st.user.get("provider"),
                                                         "subject": st.user.get("sub")})
        elif state == "expired":
            audit_trail.record(db, who, "session-expired", detail={"idle_minutes": accounts.idle_minutes(db)})
            accounts.end_session(db, email or "(no email)", issued)
            st.session_state.pop(Keys.ACTOR, None)
            st.logout()
            st.stop()
    st.session_state[Keys.ACTOR] = who
    _sidebar(who)
    return who


def sign_in_navigation():
    """The only page someone not signed in can reach."""
    return st.navigation([st.Page(_sign_in_page, title="Sign in", icon=":material/login:", url_path="sign-in")],
                         position="hidden")


def no_role_navigation():
    return st.navigation([st.Page(no_role_page, title="Ask for access", icon=":material/lock:",
                                  url_path="ask-for-access")], position="hidden")


def require_page(action: str) -> Actor:
    """At the top of every page: refuse (and stop) anyone whose role does not allow `action`, however they reached
    the page. (A deep link opened first after the server starts runs the page from pages/ without dashboard.py:
    Streamlit's pages-folder fallback, until some session has called st.navigation.)"""
    who = _resolve()
    if who is None:
        st.session_state.pop(Keys.ACTOR, None)
        st.info("Sign in first.")
        if st.button("Sign in", type="primary", key="auth.sign_in.page"):
            st.login(*[p for p in providers()[:1] if p])
        st.stop()
    st.session_state[Keys.ACTOR] = who
    if not who.may(action):
        audit_trail.record(store(), who, "refused", detail={"action": action, "reason": "page refused"})
        st.error(f"Your role ({who.role or 'none'}) does not allow this page. Ask an administrator if you need it.")
        st.stop()
    return who
