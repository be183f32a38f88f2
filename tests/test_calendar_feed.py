"""The applicant's calendar feed: their approved and completed placements, by a secret token, no login."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from .factories import ApplicationFactory, ProfileFactory, SlotFactory

pytestmark = pytest.mark.django_db


def _feed(client, profile):
    return client.get(reverse("matching:calendar_feed", args=[profile.calendar_token]))


def _uids(response) -> list[str]:
    return [str(event["uid"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]


def test_only_approved_and_completed_placements_appear(client):
    profile = ProfileFactory()
    placements = {status: ApplicationFactory(applicant=profile.user, status=status)
                  for status in ("submitted", "offered", "accepted", "approved", "cancelled", "completed")}
    response = _feed(client, profile)
    assert response.status_code == 200
    assert sorted(_uids(response)) == sorted([f"placement-{placements['approved'].pk}@rotamatch",
                                              f"placement-{placements['completed'].pk}@rotamatch"])


def test_a_token_shows_only_its_own_applicants_placements(client):
    mine, theirs = ProfileFactory(), ProfileFactory()
    my_placement = ApplicationFactory(applicant=mine.user, status="approved")
    ApplicationFactory(applicant=theirs.user, status="approved")
    assert _uids(_feed(client, mine)) == [f"placement-{my_placement.pk}@rotamatch"]


@pytest.mark.parametrize("token", ["not-a-real-token", "x" * 65, "bad token", "%00"])
def test_an_unknown_token_is_not_found(client, token):
    ProfileFactory()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_feed_of_a_deactivated_account_is_not_found(client):
    profile = ProfileFactory(user__is_active=False)
    ApplicationFactory(applicant=profile.user, status="approved")
    assert _feed(client, profile).status_code == 404


def test_an_event_is_an_all_day_event_with_the_listing_and_its_place(client):
    profile = ProfileFactory()
    start = timezone.localdate() + timedelta(days=30)
    slot = SlotFactory(start_date=start, end_date=start + timedelta(days=27), listing__title="Cardiology Observership",
                       listing__institution__name="Riverside Hospital", listing__city="Springfield",
                       listing__state="IL")
    ApplicationFactory(applicant=profile.user, slot=slot, status="approved")
    response = _feed(client, profile)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "Cardiology Observership"
    assert str(event["location"]) == "Riverside Hospital, Springfield, IL"
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") == start + timedelta(days=28)


def test_the_feed_queries_are_constant(client, django_assert_num_queries):
    profile = ProfileFactory()
    ApplicationFactory(applicant=profile.user, status="approved")
    with CaptureQueriesContext(connection) as baseline:
        _feed(client, profile)
    for _ in range(4):
        ApplicationFactory(applicant=profile.user, status="completed")
    with django_assert_num_queries(len(baseline)):
        assert len(_uids(_feed(client, profile))) == 5
