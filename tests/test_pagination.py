"""Every paginated page uses one pagination partial, whose links keep the rest of the query."""

import pytest
from django.urls import reverse

from notifications.models import Notification

from .factories import ApplicationFactory, ListingFactory, SlotFactory

pytestmark = pytest.mark.django_db


def test_the_review_lists_next_page_keeps_the_tab(client, monkeypatch, coordinator):
    monkeypatch.setattr("matching.views_review.PAGE_SIZE", 1)
    slot = SlotFactory(listing=ListingFactory(institution=coordinator.coordinator.institution))
    ApplicationFactory.create_batch(2, slot=slot, status="waitlisted")
    client.force_login(coordinator)
    page = client.get(reverse("matching:review_list"), {"show": "waitlisted"}).content.decode()
    assert '<a href="?show=waitlisted&amp;page=2" rel="next">Next</a>' in page


def test_the_inbox_pages_read_newer_and_older(client, applicant):
    Notification.objects.bulk_create(Notification(user=applicant, kind="k", category="account", title=f"n{n}")
                                     for n in range(21))
    client.force_login(applicant)
    page = client.get(reverse("notifications:inbox"), {"page": "2"}).content.decode()
    assert '<a href="?page=1" rel="prev">Newer</a>' in page
    assert "Page 2 of 2" in page
