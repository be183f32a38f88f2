"""The applicants app's rule book: what a document's expiry date means today, and the refusals
that the service, the pages and the API all give in the same words."""

from datetime import timedelta

import pytest
from django.utils import timezone

from applicants import policies
from applicants.models import Document

from .factories import DocumentFactory, UserFactory

TODAY = timezone.localdate()


@pytest.mark.parametrize("days, state", [
    (None, ""), (-1, "expired"), (0, "soon"), (30, "soon"), (31, ""),
], ids=["no date", "yesterday", "today", "last day of the warning", "after the warning"])
def test_a_documents_expiry_state(days, state):
    expires_on = None if days is None else TODAY + timedelta(days=days)
    assert policies.expiry_state(expires_on, today=TODAY) == state


@pytest.mark.django_db
def test_the_query_condition_agrees_with_the_state_of_each_document():
    documents = [DocumentFactory(applicant=UserFactory(), kind="passport", expires_on=TODAY + timedelta(days=days))
                 for days in (-1, 0, 30, 31)]
    for state in (policies.EXPIRED, policies.EXPIRING_SOON, policies.IN_DATE):
        matched = set(Document.objects.filter(policies.expiry_state_filter(state, today=TODAY)))
        assert matched == {d for d in documents if policies.expiry_state(d.expires_on, today=TODAY) == state}


@pytest.mark.parametrize("kind, days, refusal", [
    ("passport", None, "This document has an expiry date; enter it."),
    ("passport", -1, "This document has expired already."),
    ("passport", 0, ""),
    ("cv", None, ""),
    ("cv", 100, "This document has no expiry date; leave it empty."),
])
def test_the_expiry_date_an_upload_must_carry(kind, days, refusal):
    expires_on = None if days is None else TODAY + timedelta(days=days)
    assert policies.refusal_of_expiry_date(kind=kind, expires_on=expires_on, today=TODAY) == refusal


def test_a_file_name_of_200_characters_is_kept_and_one_more_is_refused():
    assert policies.refusal_of_file_name("a" * 196 + ".pdf") == ""
    assert policies.refusal_of_file_name("a" * 197 + ".pdf") == policies.FILE_NAME_TOO_LONG
