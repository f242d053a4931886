"""Unexpected faults: logged with a short id a user can quote, shown to them as a plain sentence."""
from __future__ import annotations

import logging
import secrets

LOG = logging.getLogger("impact")


def record(exc: BaseException, where: str) -> str:
    """Log the fault with its traceback under a new incident id (8 characters) and return the id."""
    incident = secrets.token_hex(4)
    LOG.error("incident %s while %s: %s", incident, where, exc, exc_info=(type(exc), exc, exc.__traceback__))
    return incident


def fault_text(incident: str) -> str:
    return (f"Something went wrong inside Beyond Footfall (incident {incident}). Nothing was changed. Please tell "
            f"your administrator the incident id {incident}: it is in the server's log with the details.")
