"""Recommendations: each hard filter, each score factor (one test per weight), missing data shown as
unknown and never scored, "Why not this one?", a deterministic order, constant queries, the road to
the Match, and the weekly digest."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import recommend
from matching.models import Application
from matching.recommend_digest import recommendation_digests
from notifications.models import EmailPreference, OutgoingEmail
from preceptors.timeline import road_to_match

from .factories import (
    DocumentFactory,
    ListingFactory,
    ProfileFactory,
    SlotFactory,
    letter_uploaded,
)

pytestmark = pytest.mark.django_db


def _slot(**listing):
    return SlotFactory(listing=ListingFactory(**listing))


def _ids(profile, documents=(), **kwargs):
    return [pk for pk, _ in recommend.ranked(profile, list(documents), **kwargs)]


def _score(profile, slot, documents=()):
    return dict(recommend.ranked(profile, list(documents)))[slot.pk]


# Hard filters

@pytest.mark.parametrize("listing, profile_changes", [
    ({"audience": "students"}, {}),  # the profile is a graduate
    ({"visas": ["j1"]}, {}),  # on a B-1
    ({"requires_step1": True}, {"step1_status": "failed"}),
    ({"min_step2_score": 250}, {}),  # scored 245
], ids=["audience", "visa", "step1", "step2 score"])
def test_the_eligibility_filter(listing, profile_changes):
    profile = ProfileFactory(**profile_changes)
    kept, removed = _slot(), _slot(**listing)
    assert _ids(profile) == [kept.pk]
    assert recommend.why_not(profile, type(removed).objects.filter(pk=removed.pk))[removed.pk] == [
        recommend.FILTERS["eligible"]]


def test_the_dates_deadline_seats_and_budget_filters():
    today = timezone.localdate()
    profile = ProfileFactory(available_from=today + timedelta(days=30), available_until=today + timedelta(days=120),
                             budget_usd=1000)
    fits = SlotFactory(start_date=today + timedelta(days=40), listing=ListingFactory(fee_usd=900))
    too_late = SlotFactory(start_date=today + timedelta(days=110), listing=ListingFactory(fee_usd=900))
    past_deadline = SlotFactory(start_date=today + timedelta(days=40), application_deadline=today - timedelta(days=1),
                                listing=ListingFactory(fee_usd=900))
    full = SlotFactory(start_date=today + timedelta(days=40), capacity=1, listing=ListingFactory(fee_usd=900))
    Application.objects.create(applicant=ProfileFactory().user, slot=full, statement="x", status="accepted")
    pricey = SlotFactory(start_date=today + timedelta(days=40), listing=ListingFactory(fee_usd=1500))
    assert set(_ids(profile)) == {fits.pk, pricey.pk}  # the budget filters only when asked
    assert _ids(profile, within_budget=True) == [fits.pk]
    reasons = recommend.why_not(profile, type(fits).objects.all(), within_budget=True)
    assert reasons[too_late.pk] == [recommend.FILTERS["dates"]]
    assert reasons[past_deadline.pk] == [recommend.FILTERS["deadline"]]
    assert reasons[full.pk] == [recommend.FILTERS["seats"]]
    assert reasons[pricey.pk] == [recommend.FILTERS["budget"]]
    assert reasons[fits.pk] == []


# Each factor: the score with and without it differs by exactly its weight.

def test_specialty():
    profile = ProfileFactory(specialties=["cardiology"])
    yes, no = _slot(specialty="cardiology"), _slot(specialty="pediatrics")
    assert _score(profile, yes) - _score(profile, no) == recommend.WEIGHTS["specialty"]


def test_state():
    profile = ProfileFactory(preferred_states=["NY"])
    yes, no = _slot(state="NY"), _slot(state="TX")
    assert _score(profile, yes) - _score(profile, no) == recommend.WEIGHTS["state"]


def test_budget():
    profile = ProfileFactory(budget_usd=1000)
    yes, no = _slot(fee_usd=900), _slot(fee_usd=1100)
    assert _score(profile, yes) - _score(profile, no) == recommend.WEIGHTS["budget"]
    assert "$900 is within your $1,000 budget." in recommend.explain(yes, profile, []).fits


def test_hands_on():
    profile = ProfileFactory()
    yes, no = _slot(rotation_type="externship"), _slot(rotation_type="observership")
    assert _score(profile, yes) - _score(profile, no) == recommend.WEIGHTS["hands_on"]


def test_letter():
    profile = ProfileFactory()
    yes, no = _slot(letter_possible=True), _slot(letter_possible=False)
    assert _score(profile, yes) - _score(profile, no) == recommend.WEIGHTS["letter"]


def test_reviews_count_only_where_shown():
    profile = ProfileFactory()
    shown, too_few, plain = (_slot(review_count=3, review_average=4.5), _slot(review_count=2, review_average=5),
                             _slot())
    assert _score(profile, shown) - _score(profile, plain) == recommend.WEIGHTS["reviews"]
    assert _score(profile, too_few) == _score(profile, plain)
    assert "Reviews: not enough yet to show a rating." in recommend.explain(too_few, profile, []).unknown


def test_seats():
    profile = ProfileFactory()
    yes, no = SlotFactory(capacity=3), SlotFactory(capacity=1)
    assert _score(profile, yes) - _score(profile, no) == recommend.WEIGHTS["seats"]


def test_documents_in_order_through_the_rotation():
    profile = ProfileFactory()
    today = timezone.localdate()
    passport = DocumentFactory(applicant=profile.user, kind="passport", expires_on=today + timedelta(days=100))
    early = SlotFactory(listing=ListingFactory(required_documents=["passport"]), start_date=today + timedelta(days=40))
    late = SlotFactory(listing=ListingFactory(required_documents=["passport"]), start_date=today + timedelta(days=90))
    assert _score(profile, early, [passport]) - _score(profile, late, [passport]) == recommend.WEIGHTS["documents"]
    missing = recommend.explain(late, profile, [passport]).missing
    assert len(missing) == 1 and "Passport" in missing[0]


def test_season():
    profile = ProfileFactory(target_match_year=timezone.localdate().year + 2)
    due = recommend.letter_due(profile.target_match_year)
    in_time = SlotFactory(start_date=due - timedelta(days=40), end_date=due - timedelta(days=13))
    too_late = SlotFactory(start_date=due + timedelta(days=1), end_date=due + timedelta(days=28))
    assert _score(profile, in_time) - _score(profile, too_late) == recommend.WEIGHTS["season"]
    late = recommend.explain(too_late, profile, [])
    assert late.season.startswith("Ends too late") and too_late.pk in _ids(profile)  # marked, not hidden


def test_missing_data_is_unknown_and_never_scored():
    bare = ProfileFactory(specialties=[], preferred_states=[], budget_usd=None)
    # Nothing this slot has scores on its own (one seat, a document not held), so what remains
    # would be the unknown factors: none of them may add anything (not a neutral half).
    slot = SlotFactory(capacity=1, listing=ListingFactory(fee_usd=0, rotation_type="observership",
                                                          letter_possible=False, required_documents=["cv"]))
    assert _score(bare, slot) == 0
    unknown = recommend.explain(slot, bare, []).unknown
    assert any("specialties" in u for u in unknown) and any("budget" in u for u in unknown)
    assert any("preferred states" in u for u in unknown) and any("Match year" in u for u in unknown)


def test_the_order_is_deterministic():
    profile = ProfileFactory()
    start = timezone.localdate() + timedelta(days=50)
    slots = [SlotFactory(start_date=start) for _ in range(4)]
    assert _ids(profile) == sorted(s.pk for s in slots)  # equal scores and dates: by id


def test_the_page_explains_and_takes_constant_queries(client, django_assert_max_num_queries):
    profile = ProfileFactory()
    client.force_login(profile.user)
    _slot(specialty="internal_medicine", fee_usd=900)
    page = client.get(reverse("matching:recommendations"))
    assert "Internal Medicine is one of your specialties." in page.text
    for _ in range(25):
        _slot()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("matching:recommendations")).status_code == 200


def test_the_dashboard_shows_the_block_and_the_listing_page_says_why_not(client):
    profile = ProfileFactory(budget_usd=500)
    kept, removed = _slot(), _slot(visas=["j1"])
    client.force_login(profile.user)
    assert "Recommended for you" in client.get(reverse("applicants:dashboard")).text
    page = client.get(reverse("rotations:listing_detail", args=[removed.listing.pk])).text
    assert "Why not this one?" in page and "This rotation accepts J-1" in page  # the precise reason
    page = client.get(reverse("rotations:listing_detail", args=[kept.listing.pk])).text
    assert "among" in page and reverse("matching:recommendations") in page


def test_the_road_to_the_match_for_a_known_history():
    today = date(2026, 12, 5)
    profile = ProfileFactory(target_match_year=2028)
    done = SlotFactory(start_date=date(2026, 9, 1), end_date=date(2026, 9, 30))
    booked = SlotFactory(start_date=date(2027, 3, 1), end_date=date(2027, 3, 30))
    for slot, status in ((done, "completed"), (booked, "approved")):
        Application.objects.create(applicant=profile.user, slot=slot, statement="x", status=status)
    DocumentFactory(applicant=profile.user, kind="passport", expires_on=date(2027, 6, 1))
    timeline = road_to_match(profile.user, profile, today=today)
    assert (timeline.opens, timeline.letter_due) == (date(2027, 9, 25), date(2027, 8, 14))
    assert (timeline.months_done, timeline.months_booked) == (1.0, 1.0)
    assert timeline.letters == 0
    assert [d.kind for d in timeline.expiring] == ["passport"]
    assert timeline.next_steps[0] == "Book a rotation ending by August 14, 2027 for a letter in time."
    assert any("Renew your Passport" in step for step in timeline.next_steps)


def test_the_road_counts_uploaded_letters():
    letter = letter_uploaded()
    profile = ProfileFactory(user=letter.applicant, target_match_year=timezone.localdate().year + 2)
    assert road_to_match(letter.applicant, profile).letters == 1


def test_the_weekly_digest_is_opt_in_and_once_a_week():
    profile = ProfileFactory()
    _slot(specialty="internal_medicine")
    assert recommendation_digests() == 0  # not asked for
    EmailPreference.objects.create(user=profile.user, category="digest", email_enabled=True)
    assert recommendation_digests() == 1
    assert recommendation_digests() == 0  # this week's went already
    email = OutgoingEmail.objects.get(to=profile.user.email, kind="recommendation_digest")
    assert reverse("matching:recommendations") in email.text_body
