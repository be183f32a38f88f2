"""The NPPES NPI Registry (API version 2.1): look up an NPI and compare the name with a profile.

Off unless `NPI_REGISTRY_URL` is set (these machines reach no outside service). Any failure
(timeout, HTTP error, unreadable answer) is one outcome, "registry unavailable", so the admin's
queue never breaks because the registry does.
"""

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings

UNAVAILABLE = "Registry unavailable"


@dataclass(frozen=True)
class Lookup:
    """What the registry said: its record (None if no match), or the error in words."""

    record: dict | None = None
    response: dict | None = None
    error: str = ""

    @property
    def first_name(self) -> str:
        return ((self.record or {}).get("basic") or {}).get("first_name", "")

    @property
    def last_name(self) -> str:
        return ((self.record or {}).get("basic") or {}).get("last_name", "")

    @property
    def credential(self) -> str:
        return ((self.record or {}).get("basic") or {}).get("credential", "")

    @property
    def taxonomy(self) -> str:
        taxonomies = (self.record or {}).get("taxonomies") or []
        primary = next((t for t in taxonomies if t.get("primary")), taxonomies[0] if taxonomies else {})
        return primary.get("desc", "")


def registry_enabled() -> bool:
    return bool(settings.NPI_REGISTRY_URL)


def npi_lookup(npi: str) -> Lookup | None:
    """Ask the registry about `npi`; None when no registry is configured."""
    if not registry_enabled():
        return None
    query = urllib.parse.urlencode({"version": "2.1", "number": npi})
    url = f"{settings.NPI_REGISTRY_URL}?{query}"
    try:
        with urllib.request.urlopen(url, timeout=settings.NPI_REGISTRY_TIMEOUT) as answer:  # noqa: S310
            payload = json.loads(answer.read(1_000_000))
    except (OSError, ValueError):  # URLError, HTTPError and timeouts are OSErrors
        return Lookup(error=UNAVAILABLE)
    if not isinstance(payload, dict) or "Errors" in payload:
        return Lookup(response=payload if isinstance(payload, dict) else None, error=UNAVAILABLE)
    results = payload.get("results") or []
    return Lookup(record=results[0] if results else None, response=payload)


def name_matches(full_name: str, lookup: Lookup) -> bool:
    """Last name and first initial, ignoring case, titles ("Dr.") and suffixes after a comma."""
    if not lookup.record:
        return False
    words = [w for w in full_name.split(",")[0].replace(".", " ").split()
             if w.lower() not in {"dr", "doctor", "prof"}]
    if len(words) < 2:
        return False
    return (words[-1].lower() == lookup.last_name.lower()
            and words[0][0].lower() == lookup.first_name[:1].lower())
