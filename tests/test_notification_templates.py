"""The notification templates pick their words by the move from data (one partial per move),
and fall back to naming the new status for a move they have no words for."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from matching.moves import MOVES

from .factories import ApplicationFactory

pytestmark = pytest.mark.django_db

TEMPLATES = [f"notifications/{kind}/{part}.txt" for kind in ("application_status", "application_activity")
             for part in ("subject", "body")]


def render(template: str, action: str, **facts) -> str:
    application = ApplicationFactory(slot__start_date=date(2027, 3, 2), slot__end_date=date(2027, 3, 29),
                                     slot__listing__title="Cardiology elective",
                                     slot__listing__institution__name="Mercy Hospital", **facts)
    context = {"application": application, "action": action, "slot": application.slot,
               "listing": application.slot.listing, "url": "https://rotamatch.test/x", "waitlisted": 0}
    return render_to_string(template, context)


def test_the_offer_is_told_with_its_own_words_and_the_slots_dates():
    body = render("notifications/application_status/body.txt", "offer", status="offered")
    assert body.strip().startswith('Mercy Hospital offers you a seat in "Cardiology elective" (Mar 2 – Mar 29, 2027).')


def test_a_subject_names_the_move_then_the_listing():
    subject = render("notifications/application_activity/subject.txt", "withdraw", status="withdrawn")
    assert " ".join(subject.split()).startswith("Application withdrawn: ")


def test_a_move_without_words_of_its_own_names_the_new_status():
    body = render("notifications/application_status/body.txt", "something new", status="under_review")
    assert body.strip().startswith('Your application to "Cardiology elective" is now: under review.')


@pytest.mark.parametrize("action", ["submit", *MOVES])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_move_renders_every_template(template, action):
    assert "Cardiology elective" in render(template, action)
