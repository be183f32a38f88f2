"""Answers about documents that only higher apps know, registered by them at start-up.

applicants sits below matching in the stack and never imports it: matching registers here which
placement still needs a document, and under which applications a host may open documents.
"""

from collections.abc import Callable

from django.db.models import Q

_document_holders: list[Callable] = []
_host_document_access: list[Callable] = []


def register_document_holder(find: Callable) -> None:
    """`find(document)`: the placement that still needs the document, or None."""
    _document_holders.append(find)


def document_holder(document):
    for find in _document_holders:
        if (holder := find(document)) is not None:
            return holder
    return None


def register_host_document_access(condition: Callable) -> None:
    """`condition(institution_id) -> Q` over Document: the documents that institution's hosts may open."""
    _host_document_access.append(condition)


def host_document_access(institution_id: int) -> Q | None:
    conditions = [condition(institution_id) for condition in _host_document_access]
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


# What higher apps add to an exported experience entry, when the applicant asks for it.
_experience_supplements: list[tuple[Callable, bool]] = []


def register_experience_supplement(find: Callable, *, always: bool = False) -> None:
    """`find(user, application_ids) -> {application_id: (title, [(label, text), ...])}`: what the
    user may read about those placements, to print under the entries they became. `always`: in
    every export (a certificate); otherwise only when the applicant asks (evaluations)."""
    _experience_supplements.append((find, always))


def experience_supplements(user, entries, *, chosen: bool = True) -> dict[int, list[tuple[str, list[tuple[str, str]]]]]:
    """{entry id: [(title, items), ...]} for the entries that came from placements: the ones always
    printed, and the optional ones when `chosen`."""
    by_application = {entry.application_id: entry.pk for entry in entries if entry.application_id}
    found: dict[int, list] = {}
    for find in [find for find, always in _experience_supplements if always or chosen]:
        for application_id, supplement in find(user, list(by_application)).items():
            found.setdefault(by_application[application_id], []).append(supplement)
    return found


# Parts of the applicant's dashboard that higher apps compute (matching's recommendations and the
# road to the Match): each returns template context, rendered by the template it names.
_dashboard_parts: list[Callable] = []


def register_dashboard_part(part: Callable) -> None:
    """`part(request, profile) -> {"template": name, ...context}` or {} to show nothing."""
    _dashboard_parts.append(part)


def dashboard_parts(request, profile) -> list[dict]:
    return [found for part in _dashboard_parts if (found := part(request, profile))]
