"""notify(): the inbox line and the outgoing e-mail are written with the change, in the caller's
transaction, and the e-mail is sent once after commit (Celery runs the send task inline in tests,
CELERY_TASK_ALWAYS_EAGER, into Django's in-memory `mail.outbox`)."""

from urllib.parse import urlparse

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Notification, OutgoingEmail

from .factories import (
    accepted_invitation,
    notify_accepted,
)

pytestmark = pytest.mark.django_db

State = OutgoingEmail.State


# notify(): one inbox line, one e-mail row, sent once after commit.

def test_notify_writes_one_inbox_line_and_one_email_row(owner):
    invitation = accepted_invitation(owner)
    notification = notify_accepted(owner, invitation)
    assert Notification.objects.get() == notification
    assert (notification.user, notification.kind, notification.category, notification.title,
            notification.url, notification.read_at) == (
        owner, "invitation_accepted", "team", "Grace Hopper joined Lakeside Clinic", "/", None)
    email = OutgoingEmail.objects.get()
    assert (email.notification, email.to, email.kind, email.subject, email.state, email.attempts) == (
        notification, owner.email, "invitation_accepted", "Grace Hopper joined Lakeside Clinic",
        State.PENDING, 0)


def test_notify_sends_nothing_before_the_transaction_commits(owner):
    # The test's own transaction never commits here, so the e-mail stays a pending row.
    notify_accepted(owner, accepted_invitation(owner))
    assert mail.outbox == []
    assert OutgoingEmail.objects.get().state == State.PENDING


@pytest.mark.django_db(transaction=True)
def test_after_commit_the_email_is_sent_exactly_once(owner):
    invitation = accepted_invitation(owner)
    with transaction.atomic():
        notify_accepted(owner, invitation)
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Grace Hopper joined Lakeside Clinic"
    assert mail.outbox[0].to == [owner.email]
    email = OutgoingEmail.objects.get()
    assert (email.state, email.attempts, email.last_error) == (State.SENT, 1, "")


@pytest.mark.django_db(transaction=True)
def test_the_sent_email_carries_the_fixed_outbox_message_id(owner, settings):
    with transaction.atomic():
        notify_accepted(owner, accepted_invitation(owner))
    email = OutgoingEmail.objects.get()
    domain = urlparse(settings.SITE_URL).hostname
    assert mail.outbox[0].message()["Message-ID"] == f"<outbox-{email.id}@{domain}>"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_notification_and_sends_nothing(owner):
    invitation = accepted_invitation(owner)
    with pytest.raises(RuntimeError), transaction.atomic():
        notify_accepted(owner, invitation)
        raise RuntimeError("the change being reported failed")
    assert Notification.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    assert mail.outbox == []


def test_a_name_with_an_apostrophe_is_not_html_escaped_in_the_title_and_subject(owner):
    invitation = accepted_invitation(owner, member_name=("Conan", "O'Brien"),
                                      institution="St. Mary's & Mercy")
    notification = notify_accepted(owner, invitation)
    assert notification.title == "Conan O'Brien joined St. Mary's & Mercy"
    assert OutgoingEmail.objects.get().subject == "Conan O'Brien joined St. Mary's & Mercy"
