"""Each role's pages refuse the other roles; anonymous visitors are sent to the login page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLE_PAGES = {
    "applicant": "applicants:dashboard",
    "coordinator": "dashboards:coordinator",
    "preceptor": "preceptors:dashboard",
    "admin_user": "dashboards:staff",
}


@pytest.mark.parametrize("owner_fixture, url_name", ROLE_PAGES.items())
def test_role_page_opens_for_its_role(client, request, owner_fixture, url_name):
    client.force_login(request.getfixturevalue(owner_fixture))
    assert client.get(reverse(url_name)).status_code == 200


OTHER_ROLES = [(visitor, url_name) for owner, url_name in ROLE_PAGES.items()
               for visitor in ROLE_PAGES if visitor != owner]


@pytest.mark.parametrize("visitor_fixture, url_name", OTHER_ROLES)
def test_role_page_refuses_other_roles(client, request, visitor_fixture, url_name):
    client.force_login(request.getfixturevalue(visitor_fixture))
    assert client.get(reverse(url_name)).status_code == 403


@pytest.mark.parametrize("url_name", ROLE_PAGES.values())
def test_role_page_sends_anonymous_visitors_to_login(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("visitor_fixture", ["applicant", "coordinator", "preceptor"])
def test_django_admin_refuses_non_staff(client, request, visitor_fixture):
    client.force_login(request.getfixturevalue(visitor_fixture))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response.url


def test_django_admin_opens_for_admins(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("fixture, url_name", ROLE_PAGES.items())
def test_home_sends_each_role_to_its_dashboard(client, request, fixture, url_name):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(url_name)


@pytest.mark.parametrize("fixture, labels", [
    ("applicant", ["Dashboard", "Recommended", "Applications", "Documents", "Letters", "Rounds", "Saved", "Notifications"]),
    ("admin_user", ["Dashboard", "Figures", "Moderation", "Documents", "Placements", "Reviews", "Letters", "Rounds",
                    "Django admin", "Notifications"]),
    ("coordinator", ["Dashboard", "Listings", "Applications", "Rounds", "Reviews", "Figures", "Notifications"]),
])
def test_navigation_fits_the_role(client, request, fixture, labels):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(reverse("home"), follow=True)
    assert [item["label"] for item in response.context["nav_items"]] == labels
