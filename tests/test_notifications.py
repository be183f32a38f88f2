"""Notifications: the inbox line and the outgoing e-mail written with the change, sent once after commit.

E-mail leaves through the outbox: `notify()` writes a Notification and an OutgoingEmail row in the
caller's transaction; after commit the row is published to Celery, which in tests runs the send
task inline (CELERY_TASK_ALWAYS_EAGER) into Django's in-memory `mail.outbox`. SMTP failures are
produced by tiny mail backends defined here and selected through settings.MAILERS.
"""

import smtplib
import threading
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import urlparse

import factory
import pytest
from django.contrib.sites.models import Site
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import delivery, kinds
from notifications.models import Category, EmailPreference, Notification, OutgoingEmail, SentReminder
from notifications.reminders import reminders_run
from notifications.services import notify

from .factories import InstitutionFactory, InvitationFactory, UserFactory
from .outbox_harness import publishing_to

pytestmark = pytest.mark.django_db

State = OutgoingEmail.State


# Factories of the notifications app (tests/factories.py holds the shared ones).

class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    kind = kinds.INVITATION_ACCEPTED.name
    category = Category.TEAM
    title = factory.Sequence(lambda n: f"Notification number {n}")
    body = "Something happened."
    url = "/"


class OutgoingEmailFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingEmail

    kind = "test"
    to = factory.Sequence(lambda n: f"recipient{n}@example.org")
    subject = factory.Sequence(lambda n: f"Outgoing e-mail {n}")
    text_body = "Hello."


# Mail backends that fail the way an SMTP server does.

class DisconnectingBackend(BaseEmailBackend):
    """The server drops the connection (a temporary failure); records the row as it was at each try."""

    seen: list[list[tuple[str, int, str]]] = []

    def send_messages(self, messages):
        DisconnectingBackend.seen.append(
            list(OutgoingEmail.objects.values_list("state", "attempts", "last_error")))
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """The server answers 550 for the recipient (a permanent failure)."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"no such user")})


DISCONNECTED = "SMTPServerDisconnected: Connection unexpectedly closed"


@pytest.fixture
def disconnecting_mailer(settings):
    DisconnectingBackend.seen = []
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.DisconnectingBackend"}}


@pytest.fixture
def refusing_mailer(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingBackend"}}


# What happens while Redis is down: publishing to a port nothing listens on.
DEAD_BROKER = "redis://127.0.0.1:9/0"


@pytest.fixture
def owner(coordinator):
    """The user whose inbox is under test."""
    return coordinator


def _accepted_invitation(inviter, *, member_name=("Grace", "Hopper"), institution="Lakeside Clinic"):
    member = UserFactory(first_name=member_name[0], last_name=member_name[1])
    return InvitationFactory(invited_by=inviter, accepted_by=member, accepted_at=timezone.now(),
                             institution=InstitutionFactory(name=institution))


def _notify_accepted(user, invitation):
    return notify(user=user, kind=kinds.INVITATION_ACCEPTED,
                  context={"invitation": invitation, "member": invitation.accepted_by}, url="/")


# notify(): one inbox line, one e-mail row, sent once after commit.

def test_notify_writes_one_inbox_line_and_one_email_row(owner):
    invitation = _accepted_invitation(owner)
    notification = _notify_accepted(owner, invitation)
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
    _notify_accepted(owner, _accepted_invitation(owner))
    assert mail.outbox == []
    assert OutgoingEmail.objects.get().state == State.PENDING


@pytest.mark.django_db(transaction=True)
def test_after_commit_the_email_is_sent_exactly_once(owner):
    invitation = _accepted_invitation(owner)
    with transaction.atomic():
        _notify_accepted(owner, invitation)
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Grace Hopper joined Lakeside Clinic"
    assert mail.outbox[0].to == [owner.email]
    email = OutgoingEmail.objects.get()
    assert (email.state, email.attempts, email.last_error) == (State.SENT, 1, "")


@pytest.mark.django_db(transaction=True)
def test_the_sent_email_carries_the_fixed_outbox_message_id(owner, settings):
    with transaction.atomic():
        _notify_accepted(owner, _accepted_invitation(owner))
    email = OutgoingEmail.objects.get()
    domain = urlparse(settings.SITE_URL).hostname
    assert mail.outbox[0].message()["Message-ID"] == f"<outbox-{email.id}@{domain}>"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_notification_and_sends_nothing(owner):
    invitation = _accepted_invitation(owner)
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify_accepted(owner, invitation)
        raise RuntimeError("the change being reported failed")
    assert Notification.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    assert mail.outbox == []


def test_a_name_with_an_apostrophe_is_not_html_escaped_in_the_title_and_subject(owner):
    invitation = _accepted_invitation(owner, member_name=("Conan", "O'Brien"),
                                      institution="St. Mary's & Mercy")
    notification = _notify_accepted(owner, invitation)
    assert notification.title == "Conan O'Brien joined St. Mary's & Mercy"
    assert OutgoingEmail.objects.get().subject == "Conan O'Brien joined St. Mary's & Mercy"


# E-mail preferences.

def test_a_muted_category_still_reaches_the_inbox_but_writes_no_email(owner):
    EmailPreference.objects.create(user=owner, category=Category.TEAM, email_enabled=False)
    _notify_accepted(owner, _accepted_invitation(owner))
    assert Notification.objects.filter(user=owner).count() == 1
    assert OutgoingEmail.objects.count() == 0


def test_muting_another_category_does_not_stop_team_emails(owner):
    EmailPreference.objects.create(user=owner, category=Category.DOCUMENTS, email_enabled=False)
    _notify_accepted(owner, _accepted_invitation(owner))
    assert OutgoingEmail.objects.count() == 1


def test_the_preferences_page_saves_exactly_what_was_submitted(client, owner):
    client.force_login(owner)
    response = client.post(reverse("notifications:preferences"), {"team": "on", "documents": "on"})
    assert response.status_code == 302
    assert response.url == reverse("notifications:preferences")
    assert set(EmailPreference.objects.filter(user=owner).values_list("category", "email_enabled")) == {
        ("team", True), ("listings", False), ("applications", False), ("documents", True),
        ("letters", False),
    }


def test_the_preferences_page_shows_the_saved_choices(client, owner):
    EmailPreference.objects.create(user=owner, category=Category.LETTERS, email_enabled=False)
    client.force_login(owner)
    form = client.get(reverse("notifications:preferences")).context["form"]
    assert {name: field.initial for name, field in form.fields.items()} == {
        "team": True, "listings": True, "applications": True, "documents": True, "letters": False,
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


# Delivery: claim exactly once, send, record.

def test_a_pending_row_is_claimed_once():
    email = OutgoingEmailFactory()
    claimed = delivery.email_claim(email.id)
    assert (claimed.id, claimed.state, claimed.attempts) == (email.id, State.SENDING, 1)
    assert delivery.email_claim(email.id) is None


def test_delivering_a_row_that_was_already_sent_is_skipped_and_sends_nothing():
    email = OutgoingEmailFactory(state=State.SENT, attempts=1, sent_at=timezone.now())
    assert delivery.email_deliver(email.id) == "skipped"
    assert mail.outbox == []
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_eight_workers_claiming_the_same_row_at_once_get_it_exactly_once():
    email = OutgoingEmailFactory()
    workers = 8
    barrier = threading.Barrier(workers)
    claims, errors = [], []

    def claim():
        try:
            barrier.wait(timeout=10)
            claims.append(delivery.email_claim(email.id))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(claims) == workers
    assert [claimed.id for claimed in claims if claimed is not None] == [email.id]
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENDING, 1)


# Failure handling.

def test_a_dropped_connection_puts_the_row_back_for_a_later_retry(
        settings, disconnecting_mailer, django_capture_on_commit_callbacks, caplog):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    settings.OUTBOX_RETRY_BASE_SECONDS = 30
    email = OutgoingEmailFactory()
    before = timezone.now()
    # With the broker down the delayed retry cannot be handed over, so the row waits for it.
    with publishing_to(DEAD_BROKER), django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert delivery.email_deliver(email.id) == "retry"
    after = timezone.now()
    assert len(callbacks) == 1
    assert f"Could not publish outgoing e-mail {email.id}" in caplog.text
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.PENDING, 1, DISCONNECTED)
    assert before + timedelta(seconds=30) <= email.queued_at <= after + timedelta(seconds=30)


def test_the_last_attempt_marks_the_row_failed(settings, disconnecting_mailer):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = OutgoingEmailFactory(attempts=1, last_error=DISCONNECTED)
    assert delivery.email_deliver(email.id) == "failed"
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.FAILED, 2, DISCONNECTED)


def test_with_eager_tasks_the_retry_runs_at_once_and_ends_failed(
        settings, disconnecting_mailer, django_capture_on_commit_callbacks):
    # Eager Celery ignores the retry's countdown: the second attempt runs as soon as the first
    # attempt's transaction commits.
    settings.OUTBOX_MAX_ATTEMPTS = 2
    email = OutgoingEmailFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.email_deliver(email.id) == "retry"
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.FAILED, 2, DISCONNECTED)
    # The first failure was recorded on the row before the retry claimed it again.
    assert DisconnectingBackend.seen == [[(State.SENDING, 1, "")],
                                         [(State.SENDING, 2, DISCONNECTED)]]
    assert mail.outbox == []


def test_a_refused_recipient_fails_at_once_without_retrying(settings, refusing_mailer):
    settings.OUTBOX_MAX_ATTEMPTS = 5
    email = OutgoingEmailFactory()
    assert delivery.email_deliver(email.id) == "failed"
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.FAILED, 1)
    assert email.last_error == ("SMTPRecipientsRefused: "
                                "{'x@example.org': (550, b'no such user')}")


def test_resending_a_failed_row_sends_it_with_fresh_attempts(django_capture_on_commit_callbacks):
    email = OutgoingEmailFactory(state=State.FAILED, attempts=5, last_error=DISCONNECTED)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.email_resend(email=email) is True
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.SENT, 1, "")
    assert [message.to for message in mail.outbox] == [[email.to]]


def test_resending_a_row_that_is_not_failed_does_nothing():
    email = OutgoingEmailFactory(state=State.SENT, attempts=1, sent_at=timezone.now())
    assert delivery.email_resend(email=email) is False
    assert mail.outbox == []


# The sweep and the purge.

def test_the_sweep_publishes_a_pending_row_whose_message_was_lost(settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 60
    email = OutgoingEmailFactory(queued_at=timezone.now() - timedelta(seconds=61))
    assert delivery.outbox_sweep() == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENT, 1)
    assert [message.to for message in mail.outbox] == [[email.to]]


def test_the_sweep_gives_a_row_stuck_in_sending_back_to_the_workers(settings):
    settings.OUTBOX_STALE_SENDING_SECONDS = 600
    email = OutgoingEmailFactory(state=State.SENDING, attempts=1,
                                 claimed_at=timezone.now() - timedelta(seconds=601))
    assert delivery.outbox_sweep() == 1
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.SENT, 2)
    assert len(mail.outbox) == 1


def test_the_sweep_fails_a_row_that_stopped_its_worker_at_every_attempt(settings):
    settings.OUTBOX_STALE_SENDING_SECONDS = 600
    settings.OUTBOX_MAX_ATTEMPTS = 3
    email = OutgoingEmailFactory(state=State.SENDING, attempts=3,
                                 claimed_at=timezone.now() - timedelta(seconds=601))
    assert delivery.outbox_sweep() == 0
    email.refresh_from_db()
    assert (email.state, email.attempts) == (State.FAILED, 3)
    assert mail.outbox == []


def test_the_sweep_leaves_a_fresh_pending_row_alone(settings):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 60
    email = OutgoingEmailFactory(queued_at=timezone.now() - timedelta(seconds=30))
    assert delivery.outbox_sweep() == 0
    email.refresh_from_db()
    assert email.state == State.PENDING
    assert mail.outbox == []


def test_the_sweep_leaves_a_row_being_sent_alone(settings):
    settings.OUTBOX_STALE_SENDING_SECONDS = 600
    email = OutgoingEmailFactory(state=State.SENDING, attempts=1,
                                 claimed_at=timezone.now() - timedelta(seconds=30))
    assert delivery.outbox_sweep() == 0
    email.refresh_from_db()
    assert email.state == State.SENDING


def test_the_purge_deletes_sent_rows_older_than_the_keep_days_and_keeps_newer_ones(settings):
    settings.OUTBOX_KEEP_DAYS = 90
    now = timezone.now()
    OutgoingEmailFactory(state=State.SENT, sent_at=now - timedelta(days=91))
    recent = OutgoingEmailFactory(state=State.SENT, sent_at=now - timedelta(days=89))
    assert delivery.outbox_purge() == 1
    assert list(OutgoingEmail.objects.values_list("id", flat=True)) == [recent.id]


def test_the_purge_never_deletes_a_row_still_waiting_to_be_sent(settings):
    settings.OUTBOX_KEEP_DAYS = 90
    waiting = OutgoingEmailFactory()
    OutgoingEmail.objects.filter(id=waiting.id).update(created_at=timezone.now() - timedelta(days=91))
    assert delivery.outbox_purge() == 0
    assert list(OutgoingEmail.objects.values_list("id", flat=True)) == [waiting.id]


# Reminders.

def _run_reminders(capture):
    with capture(execute=True):
        return reminders_run()


def test_an_invitation_expiring_within_two_days_is_reminded_exactly_once(
        django_capture_on_commit_callbacks):
    invitation = InvitationFactory(expires_at=timezone.now() + timedelta(days=1),
                                   institution=InstitutionFactory(name="Lakeside Clinic"))
    assert _run_reminders(django_capture_on_commit_callbacks) == 1
    assert _run_reminders(django_capture_on_commit_callbacks) == 0
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([invitation.email], "Reminder: your invitation to Lakeside Clinic expires soon")]
    assert list(SentReminder.objects.values_list("key", "stage")) == [
        (f"invitation:{invitation.pk}", "expires-in-2-days")]


def test_an_invitation_expiring_in_ten_days_is_not_reminded_yet(django_capture_on_commit_callbacks):
    InvitationFactory(expires_at=timezone.now() + timedelta(days=10))
    assert _run_reminders(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


def test_an_accepted_invitation_is_not_reminded(django_capture_on_commit_callbacks):
    InvitationFactory(expires_at=timezone.now() + timedelta(days=1), accepted_at=timezone.now(),
                      accepted_by=UserFactory())
    assert _run_reminders(django_capture_on_commit_callbacks) == 0
    assert mail.outbox == []


# The inbox: owner, colleague, stranger.

def test_the_inbox_lists_only_the_owners_notifications(client, owner, colleague, stranger):
    older = NotificationFactory(user=owner)
    newer = NotificationFactory(user=owner)
    NotificationFactory(user=colleague)
    NotificationFactory(user=stranger)
    client.force_login(owner)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [newer, older]


def test_the_inbox_asks_anonymous_visitors_to_log_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("other", ["colleague", "stranger"])
def test_another_user_cannot_open_the_owners_notification(client, owner, other, request):
    notification = NotificationFactory(user=owner)
    client.force_login(request.getfixturevalue(other))
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


@pytest.mark.parametrize("other", ["colleague", "stranger"])
def test_another_user_cannot_mark_the_owners_notification_read(client, owner, other, request):
    notification = NotificationFactory(user=owner)
    client.force_login(request.getfixturevalue(other))
    assert client.post(reverse("notifications:mark_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_url(client, owner):
    notification = NotificationFactory(user=owner, url=reverse("notifications:preferences"))
    client.force_login(owner)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response.url == reverse("notifications:preferences")
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize("url", ["https://evil.example.com/", "//evil.example.com/"])
def test_opening_a_notification_never_redirects_off_the_site(client, owner, url):
    notification = NotificationFactory(user=owner, url=url)
    client.force_login(owner)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.url == reverse("notifications:inbox")


def test_marking_one_notification_read_leaves_the_others_unread(client, owner):
    first, second = NotificationFactory(user=owner), NotificationFactory(user=owner)
    client.force_login(owner)
    response = client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert response.status_code == 302
    assert list(Notification.objects.filter(read_at__isnull=True)) == [second]


def test_mark_all_read_marks_only_the_users_own_notifications(client, owner, stranger):
    NotificationFactory.create_batch(2, user=owner)
    theirs = NotificationFactory(user=stranger)
    client.force_login(owner)
    response = client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert Notification.objects.filter(user=owner, read_at__isnull=True).count() == 0
    assert list(Notification.objects.filter(read_at__isnull=True)) == [theirs]


def test_the_unread_count_in_the_page_context_is_exact(client, owner, stranger):
    NotificationFactory.create_batch(3, user=owner)
    NotificationFactory(user=owner, read_at=timezone.now())
    NotificationFactory(user=stranger)
    client.force_login(owner)
    response = client.get(reverse("notifications:inbox"))
    assert response.context["unread_notifications"] == 3


def test_an_htmx_mark_read_returns_just_the_item(client, owner):
    notification = NotificationFactory(user=owner, title="Grace Hopper joined Lakeside Clinic")
    client.force_login(owner)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]),
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Grace Hopper joined Lakeside Clinic" in content
    assert f'id="notification-{notification.pk}"' in content
    assert "<html" not in content
    assert "Mark read" not in content


def _inbox_html(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("notifications:inbox")).content.decode()


def test_the_inbox_leaves_out_the_bodys_last_line_when_it_is_the_notifications_own_link(client, owner, settings):
    settings.SITE_URL = "https://rotamatch.example"
    notify(user=owner, kind=kinds.DOCUMENT_VERIFIED, url="/applicant/documents/",
           context={"document": SimpleNamespace(get_kind_display="CV")})
    html = _inbox_html(client, owner)
    assert ("now see it as verified.</p>" in html, "https://rotamatch.example/applicant/documents/" in html,
            Notification.objects.get().body.endswith("\n\nhttps://rotamatch.example/applicant/documents/")) == (
        True, False, True)


def test_the_inbox_ends_the_sentence_that_introduced_the_link_with_a_full_stop(client, owner):
    NotificationFactory(user=owner, url="/applicant/documents/",
                        body="Upload a new one from your documents:\nhttps://rotamatch.example/applicant/documents/")
    assert '<p class="inbox-body">Upload a new one from your documents.</p>' in _inbox_html(client, owner)


def test_the_inbox_keeps_a_last_line_that_links_elsewhere(client, owner):
    NotificationFactory(user=owner, url="/applications/1/", body="Read the rules:\nhttps://example.org/rules")
    assert "Read the rules:\nhttps://example.org/rules</p>" in _inbox_html(client, owner)


def test_the_inbox_says_just_now_in_the_first_minute(client, owner):
    NotificationFactory(user=owner)
    assert ">just now</time>" in _inbox_html(client, owner)


def test_the_inbox_says_how_long_ago_after_a_minute(client, owner):
    notification = NotificationFactory(user=owner)
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(hours=3, minutes=5))
    assert ">3\xa0hours, 5\xa0minutes ago</time>" in _inbox_html(client, owner)


def test_the_inbox_makes_as_many_queries_for_fifteen_notifications_as_for_one(
        client, owner, django_assert_num_queries):
    NotificationFactory(user=owner)
    client.force_login(owner)
    url = reverse("notifications:inbox")
    client.get(url)  # warm the per-process caches (content types, site) before counting
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    NotificationFactory.create_batch(14, user=owner)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 15


# The admin.

def test_the_outbox_admin_lists_rows_filtered_by_state(client, admin_user):
    failed = OutgoingEmailFactory(state=State.FAILED, attempts=5)
    OutgoingEmailFactory(state=State.SENT, attempts=1, sent_at=timezone.now())
    client.force_login(admin_user)
    response = client.get(reverse("admin:notifications_outgoingemail_changelist"),
                          {"state__exact": "failed"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [failed]


def test_the_outbox_admin_is_closed_to_non_admins(client, owner):
    client.force_login(owner)
    response = client.get(reverse("admin:notifications_outgoingemail_changelist"))
    assert response.status_code == 302
    assert OutgoingEmail.objects.count() == 0


def test_the_admin_resend_action_sends_a_failed_row(client, admin_user, django_capture_on_commit_callbacks):
    email = OutgoingEmailFactory(state=State.FAILED, attempts=5, last_error=DISCONNECTED)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:notifications_outgoingemail_changelist"),
                               {"action": "resend", "_selected_action": [email.pk]})
    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.state, email.attempts, email.last_error) == (State.SENT, 1, "")
    assert [message.to for message in mail.outbox] == [[email.to]]
