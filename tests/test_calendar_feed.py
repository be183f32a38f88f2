"""The applicant's calendar feed: their approved and completed placements, by a secret token, no login."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from applicants.models import Profile
from applicants.services import profile_new_calendar_address, profile_save

from .factories import ApplicationFactory, ProfileFactory, SlotFactory, messages_of

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


# A new address, for a feed address shared by mistake.

NEW_ADDRESS = "/applicant/calendar/new-address/"


def test_a_new_address_replaces_the_old_one_at_once(client):
    profile = ProfileFactory()
    placement = ApplicationFactory(applicant=profile.user, status="approved")
    old_token = profile.calendar_token
    client.force_login(profile.user)
    response = client.post(NEW_ADDRESS, follow=True)
    profile.refresh_from_db()
    assert messages_of(response) == [
        "Your calendar feed has a new address; the old one no longer works. Subscribe again with the address below."]
    assert profile.calendar_token != old_token
    assert profile.calendar_token in response.content.decode()
    client.logout()
    assert client.get(f"/calendar/{old_token}.ics").status_code == 404
    assert _uids(_feed(client, profile)) == [f"placement-{placement.pk}@rotamatch"]


def test_a_new_address_changes_only_the_applicants_own_feed(client):
    mine, theirs = ProfileFactory(), ProfileFactory()
    their_token = theirs.calendar_token
    client.force_login(mine.user)
    client.post(NEW_ADDRESS)
    theirs.refresh_from_db()
    assert theirs.calendar_token == their_token


def test_a_new_address_needs_a_post(client):
    profile = ProfileFactory()
    client.force_login(profile.user)
    assert client.get(NEW_ADDRESS).status_code == 405
    assert Profile.objects.get(pk=profile.pk).calendar_token == profile.calendar_token


def test_an_applicant_without_a_profile_is_told_to_complete_it(client, applicant):
    client.force_login(applicant)
    response = client.post(NEW_ADDRESS, follow=True)
    assert messages_of(response) == [
        "Complete your profile first: the calendar feed comes with it."]


@pytest.mark.parametrize("who", ["coordinator", "preceptor", "admin_user"])
def test_other_roles_cannot_make_a_new_address(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.post(NEW_ADDRESS).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.post(NEW_ADDRESS)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_saving_the_profile_never_brings_back_the_old_address(applicant):
    """The profile form was opened before the new address was made, and saved after it."""
    ProfileFactory(user=applicant)
    stale = Profile.objects.get(user=applicant)
    profile_new_calendar_address(user=applicant)
    stale.medical_school = "Universidad Central"
    profile_save(user=applicant, profile=stale)
    fresh = Profile.objects.get(user=applicant)
    assert (fresh.medical_school, fresh.calendar_token != stale.calendar_token) == ("Universidad Central", True)
