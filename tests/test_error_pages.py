"""The error pages: in the site's layout and words, each with its status; the API's stay JSON."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from .factories import uploaded

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_a_404_in_the_sites_layout(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in page
    assert 'href="/listings/"' in page  # a way on: the search


def test_a_refusal_is_a_403_that_says_why(client, applicant):
    client.force_login(applicant)
    response = client.get("/coordinator/applications/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "This page is not open to your account" in page
    assert "This page is not for your role." in page  # the refusal's own words


def test_a_server_error_page_renders_without_a_request_context():
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "/static/css/app.css" in page


def test_a_request_too_large_for_a_page_gets_a_page(client, applicant, settings):
    settings.MAX_REQUEST_BYTES = 1000
    client.force_login(applicant)
    response = client.post("/applicant/documents/", {"kind": "cv", "file": uploaded(b"%PDF-" + b"x" * 2000)})
    page = response.content.decode()
    assert (response.status_code, response["Content-Type"]) == (413, "text/html; charset=utf-8")
    assert "That was too large to send" in page and "at most 10.0\xa0MB per document" in page
    assert applicant.email in page  # still signed in, in the header


def test_a_request_too_large_still_gets_the_sites_security_headers(client, applicant, settings):
    settings.MAX_REQUEST_BYTES = 1000
    client.force_login(applicant)
    response = client.post("/applicant/documents/", {"kind": "cv", "file": uploaded(b"%PDF-" + b"x" * 2000)})
    assert response.status_code == 413
    assert (response["X-Frame-Options"], response["X-Content-Type-Options"]) == ("DENY", "nosniff")
    assert "default-src" in response["Content-Security-Policy"]


def test_a_request_too_large_for_the_api_gets_json(client, applicant, settings):
    settings.MAX_REQUEST_BYTES = 1000
    client.force_login(applicant)
    response = client.post("/api/documents/", {"kind": "cv", "file": uploaded(b"%PDF-" + b"x" * 2000)})
    assert (response.status_code, response.json()) == (
        413, {"detail": "This request is too large: at most 10.0\xa0MB per document."})
