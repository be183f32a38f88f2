"""The inbox: owner, colleague and stranger; reading, marking read, and how a line reads."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.models import Notification
from notifications.services import notify

from .factories import (
    NotificationFactory,
)

pytestmark = pytest.mark.django_db


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
