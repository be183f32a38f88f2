"""E-mail preferences: a muted category still reaches the inbox but writes no e-mail; account
e-mails (password reset) always go."""


import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.urls import reverse

from notifications.models import Category, EmailPreference, Notification, OutgoingEmail

from .factories import (
    accepted_invitation,
    notify_accepted,
)

pytestmark = pytest.mark.django_db

State = OutgoingEmail.State


# E-mail preferences.

def test_a_muted_category_still_reaches_the_inbox_but_writes_no_email(owner):
    EmailPreference.objects.create(user=owner, category=Category.TEAM, email_enabled=False)
    notify_accepted(owner, accepted_invitation(owner))
    assert Notification.objects.filter(user=owner).count() == 1
    assert OutgoingEmail.objects.count() == 0


def test_muting_another_category_does_not_stop_team_emails(owner):
    EmailPreference.objects.create(user=owner, category=Category.DOCUMENTS, email_enabled=False)
    notify_accepted(owner, accepted_invitation(owner))
    assert OutgoingEmail.objects.count() == 1


def test_the_preferences_page_saves_exactly_what_was_submitted(client, owner):
    client.force_login(owner)
    response = client.post(reverse("notifications:preferences"), {"team": "on", "documents": "on"})
    assert response.status_code == 302
    assert response.url == reverse("notifications:preferences")
    assert set(EmailPreference.objects.filter(user=owner).values_list("category", "email_enabled")) == {
        ("team", True), ("listings", False), ("applications", False), ("documents", True),
        ("letters", False), ("digest", False),  # the weekly digest is opt-in
    }


def test_the_preferences_page_shows_the_saved_choices(client, owner):
    EmailPreference.objects.create(user=owner, category=Category.LETTERS, email_enabled=False)
    client.force_login(owner)
    form = client.get(reverse("notifications:preferences")).context["form"]
    assert {name: field.initial for name, field in form.fields.items()} == {
        "team": True, "listings": True, "applications": True, "documents": True, "letters": False,
        "digest": False,  # opt-in: off until asked for
    }


def test_account_emails_cannot_be_offered_for_muting(client, owner):
    client.force_login(owner)
    client.post(reverse("notifications:preferences"), {"account": ""})
    assert EmailPreference.objects.filter(user=owner, category=Category.ACCOUNT).count() == 0


def _mute_everything(user):
    for category in Category.optional():
        EmailPreference.objects.create(user=user, category=category, email_enabled=False)


def test_a_user_who_muted_everything_still_gets_the_password_reset_email(
        client, owner, django_capture_on_commit_callbacks):
    _mute_everything(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": owner.email})
    assert response.status_code == 302
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.to, email.notification, email.state) == (
        "account:password_reset_key", owner.email, None, State.SENT)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]


def test_the_password_reset_email_names_the_site(client, owner, django_capture_on_commit_callbacks):
    site_name = Site.objects.get_current().name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": owner.email})
    assert mail.outbox[0].body.startswith(f"Hello from {site_name}!")
