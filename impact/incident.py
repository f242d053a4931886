"""Unexpected faults: logged with a short id a user can quote, shown to them as a plain sentence.

The traceback goes to the incident log (IMPACT_INCIDENT_LOG, default data/incidents.log) and one line with
the id to the "impact" logger; the user sees only the sentence and the id.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import traceback
from pathlib import Path

LOG = logging.getLogger("impact")


def log_path() -> Path:
    default = Path(__file__).resolve().parent.parent / "data" / "incidents.log"
    return Path(os.environ.get("IMPACT_INCIDENT_LOG") or default)


def record(exc: BaseException, where: str) -> str:
    """Log the fault with its traceback under a new incident id (8 characters) and return the id."""
    incident = secrets.token_hex(4)
    detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"--- incident {incident} at {dt.datetime.now().isoformat(timespec='seconds')} while {where}\n"
                    f"{detail}\n")
    except OSError:
        LOG.error("incident %s while %s (log file not writable):\n%s", incident, where, detail)
        return incident
    LOG.error("incident %s while %s: %s: %s (traceback in %s)", incident, where, exc.__class__.__name__, exc, path)
    return incident


def fault_text(incident: str) -> str:
    return (f"Something went wrong inside Beyond Footfall (incident {incident}). Nothing was changed. Please tell "
            f"your administrator the incident id {incident}: the details are in the server's incident log.")
