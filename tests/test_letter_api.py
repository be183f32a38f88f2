"""The letters API: the applicant's requests (/api/letters/), their shares (/api/letter-shares/) and
the requests awaiting a preceptor's letter (/api/preceptor/letter-requests/)."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import OutgoingEmail
from preceptors import services_letters as services
from preceptors.models import LetterRequest, LetterShare, LetterStatus

from .factories import (
    CoordinatorFactory,
    UserFactory,
    completed_placement,
    ids,
    letter_request,
    letter_shared,
    letter_uploaded,
    login,
)

pytestmark = pytest.mark.django_db

AUTHOR = {"author_name": "Dr. Ana Lima, MD", "author_email": "lima@clinic.example", "author_title": "Attending",
          "author_department": "Medicine"}
PROGRAM = {"program_name": "Mercy Hospital IM Residency", "recipient_email": "gme@mercy.example"}


def _preceptor_of(placement):
    return placement.slot.listing.preceptors.first()


# /api/letters/

def test_the_applicant_asks_a_preceptor_of_a_completed_placement(api):
    placement = completed_placement()
    applicant, preceptor = placement.applicant, _preceptor_of(placement)
    login(api, applicant)
    response = api.post("/api/letters/", {"preceptor": preceptor.pk, "specialty_label": "Internal Medicine",
                                          "message": "Thank you for the month.", "waived": True}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    letter = LetterRequest.objects.get(pk=body["id"])
    assert (letter.applicant, letter.preceptor, letter.waived, letter.status) == (
        applicant, preceptor, True, LetterStatus.REQUESTED)
    assert (body["code"], body["preceptor"], body["author_name"], body["author_email"], body["waived"],
            body["status"], body["download_url"]) == (letter.code, preceptor.pk, preceptor.full_name,
                                                      preceptor.user.email, True, "requested", None)
    email = OutgoingEmail.objects.get(to=preceptor.user.email, kind="letter_request")
    assert letter.code in email.text_body and "/letters/upload/" in email.text_body
    # The applicant's answer carries no upload link: it is the author's.
    assert "/letters/upload/" not in response.content.decode()


def test_the_applicant_asks_any_physician_by_name_and_email(api):
    applicant = UserFactory()
    login(api, applicant)
    response = api.post("/api/letters/", {**AUTHOR, "specialty_label": "Surgery", "waived": False}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {key: body[key] for key in AUTHOR} == AUTHOR
    assert (body["preceptor"], body["waived"], body["specialty_label"]) == (None, False, "Surgery")
    assert OutgoingEmail.objects.get(to=AUTHOR["author_email"], kind="letter_request")


def test_an_author_without_name_or_email_is_refused(api):
    login(api, UserFactory())
    response = api.post("/api/letters/", {"specialty_label": "Surgery", "waived": True}, format="json")
    assert response.status_code == 400
    assert {"author_name", "author_email"} <= set(response.json())
    assert not LetterRequest.objects.exists()


@pytest.mark.parametrize("payload", [
    {"specialty_label": "Surgery"},
    {"specialty_label": "Surgery", "waived": None},
    {"specialty_label": "Surgery", "waived": ""},
])
def test_the_waiver_must_be_given(api, payload):
    login(api, UserFactory())
    response = api.post("/api/letters/", {**AUTHOR, **payload}, format="json")
    assert response.status_code == 400
    assert "waived" in response.json()
    assert not LetterRequest.objects.exists()


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_the_waiver_must_be_given_in_a_form_encoded_request_too(api, encoding):
    """The schema documents form bodies for this endpoint too; a form without `waived` must not
    record a choice the applicant never made (DRF reads a boolean missing from a form as False,
    which here means "not waived": the applicant could then read the letter)."""
    login(api, UserFactory())
    data = {**AUTHOR, "specialty_label": "Surgery"}
    if encoding == "multipart":
        response = api.post("/api/letters/", data)
    else:
        response = api.post("/api/letters/", urlencode(data), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400, (response.status_code, response.json())
    assert "waived" in response.json()
    assert not LetterRequest.objects.exists()


def test_a_preceptor_of_someone_elses_placement_is_refused(api):
    mine, theirs = completed_placement(), completed_placement()
    login(api, mine.applicant)
    response = api.post("/api/letters/", {"preceptor": _preceptor_of(theirs).pk, "specialty_label": "IM",
                                          "waived": True}, format="json")
    assert response.status_code == 403
    assert not LetterRequest.objects.exists()
    # A placement that is not completed does not make its preceptor an author either.
    accepted = completed_placement(status="accepted", applicant=mine.applicant)
    response = api.post("/api/letters/", {"preceptor": _preceptor_of(accepted).pk, "specialty_label": "IM",
                                          "waived": True}, format="json")
    assert response.status_code == 403
    assert not LetterRequest.objects.exists()


def test_the_applicant_lists_and_reads_only_their_own_requests(api):
    first = letter_request()
    applicant = first.applicant
    second = letter_request(applicant=applicant, **AUTHOR)
    theirs = letter_request()
    login(api, applicant)
    assert ids(api.get("/api/letters/")) == [second.pk, first.pk]
    detail = api.get(f"/api/letters/{first.pk}/")
    assert detail.status_code == 200 and detail.json()["code"] == first.code
    assert api.get(f"/api/letters/{theirs.pk}/").status_code == 404
    login(api, theirs.applicant)
    assert ids(api.get("/api/letters/")) == [theirs.pk]
    assert api.get(f"/api/letters/{first.pk}/").status_code == 404
    assert api.post(f"/api/letters/{first.pk}/cancel/").status_code == 404
    first.refresh_from_db()
    assert first.status == LetterStatus.REQUESTED


def test_the_applicant_cancels_a_request_without_a_letter_only(api):
    pending = letter_request()
    done = letter_uploaded(applicant=pending.applicant)
    login(api, pending.applicant)
    response = api.post(f"/api/letters/{pending.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    pending.refresh_from_db()
    assert pending.status == LetterStatus.CANCELLED and pending.closed_at is not None
    refused = api.post(f"/api/letters/{done.pk}/cancel/")
    assert refused.status_code == 400
    assert "Only a request without a letter can be cancelled." in str(refused.json())
    done.refresh_from_db()
    assert done.status == LetterStatus.UPLOADED


def test_the_download_path_is_given_only_for_an_uploaded_letter_the_applicant_did_not_waive(api):
    waived = letter_uploaded(waived=True)
    applicant = waived.applicant
    unwaived = letter_uploaded(applicant=applicant, waived=False)
    awaited = letter_request(applicant=applicant, waived=False)
    login(api, applicant)
    listed = {item["id"]: item["download_url"] for item in api.get("/api/letters/").json()["results"]}
    path = reverse("preceptors:letter_download", args=[unwaived.pk])
    assert listed == {waived.pk: None, unwaived.pk: path, awaited.pk: None}
    assert api.get(f"/api/letters/{waived.pk}/").json()["download_url"] is None
    assert api.get(f"/api/letters/{unwaived.pk}/").json()["download_url"] == path
    # The path works for the unwaived letter; the waived one's does not.
    assert api.get(path).status_code == 200
    assert api.get(reverse("preceptors:letter_download", args=[waived.pk])).status_code == 404
    # The author sees nothing of the applicant's list.
    login(api, unwaived.preceptor.user)
    assert api.get("/api/letters/").json()["results"] == []


# /api/letter-shares/

def test_the_applicant_shares_up_to_four_letters(api):
    first = letter_uploaded()
    applicant = first.applicant
    letters = [first, *(letter_uploaded(applicant=applicant) for _ in range(4))]
    login(api, applicant)
    refused = api.post("/api/letter-shares/", {**PROGRAM, "letters": [letter.pk for letter in letters]}, format="json")
    assert refused.status_code == 400
    assert "at most 4 letters" in str(refused.json())
    assert not LetterShare.objects.exists()
    response = api.post("/api/letter-shares/", {**PROGRAM, "letters": [letter.pk for letter in letters[:4]]},
                        format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    share = LetterShare.objects.get()
    assert (body["id"], sorted(body["letters"]), body["revoked_at"], body["accesses"]) == (
        share.pk, sorted(letter.pk for letter in letters[:4]), None, [])
    assert body["program_name"] == PROGRAM["program_name"] and body["expires_at"]
    email = OutgoingEmail.objects.get(to=PROGRAM["recipient_email"], kind="letter_shared")
    assert "/letters/shared/" in email.text_body
    # The program's link is the program's: the applicant's answer does not carry it.
    assert "/letters/shared/" not in response.content.decode()
    assert ids(api.get("/api/letter-shares/")) == [share.pk]


def test_a_share_of_someone_elses_or_a_pending_letter_is_refused(api):
    mine, theirs = letter_uploaded(), letter_uploaded()
    pending = letter_request(applicant=mine.applicant)
    login(api, mine.applicant)
    response = api.post("/api/letter-shares/", {**PROGRAM, "letters": [mine.pk, theirs.pk]}, format="json")
    assert response.status_code == 400 and "letters" in response.json()
    response = api.post("/api/letter-shares/", {**PROGRAM, "letters": [pending.pk]}, format="json")
    assert response.status_code == 400 and "Only uploaded letters can be shared." in str(response.json())
    response = api.post("/api/letter-shares/", {**PROGRAM, "letters": []}, format="json")
    assert response.status_code == 400
    response = api.post("/api/letter-shares/", {**PROGRAM, "recipient_email": mine.applicant.email.upper(),
                                                "letters": [mine.pk]}, format="json")
    assert response.status_code == 400 and "recipient_email" in response.json()
    assert not LetterShare.objects.exists()


def test_the_applicant_revokes_a_share_and_reads_who_opened_it(api):
    share = letter_shared()
    letter = share.letters.get()
    program = Client()
    link = services.share_link(share)
    assert program.get(link, REMOTE_ADDR="203.0.113.77").status_code == 200
    download = program.get(reverse("preceptors:letter_share_download", args=[link.split("/")[-2], letter.pk]),
                           REMOTE_ADDR="2001:db8:1234:5678::1")
    assert download.status_code == 200
    b"".join(download.streaming_content)
    login(api, share.applicant)
    accesses = api.get(f"/api/letter-shares/{share.pk}/").json()["accesses"]
    assert [(a["kind"], a["letter"], a["ip_prefix"]) for a in accesses] == [
        ("download", letter.code, "2001:db8:1234::/48"), ("view", None, "203.0.113.0/24")]
    response = api.post(f"/api/letter-shares/{share.pk}/revoke/")
    assert response.status_code == 200 and response.json()["revoked_at"]
    share.refresh_from_db()
    assert share.revoked_at is not None
    assert program.get(link).status_code == 410


def test_the_browsable_share_form_offers_only_the_applicants_own_letters(api):
    """DRF's browsable API (on by default) renders the create form of /api/letter-shares/ with a
    choice for every letter its `letters` field accepts: that must be the applicant's own."""
    mine, theirs = letter_uploaded(), letter_uploaded()
    login(api, mine.applicant)
    page = api.get("/api/letter-shares/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and 'name="letters"' in page.content.decode()
    assert mine.code in page.content.decode()
    assert theirs.code not in page.content.decode()
    assert theirs.author_name not in page.content.decode()


def test_another_user_cannot_read_or_revoke_a_share(api):
    share = letter_shared()
    for user in (UserFactory(), CoordinatorFactory().user, share.letters.get().preceptor.user):
        login(api, user)
        assert api.get(f"/api/letter-shares/{share.pk}/").status_code == 404
        assert api.post(f"/api/letter-shares/{share.pk}/revoke/").status_code == 404
        assert api.get("/api/letter-shares/").json()["results"] == []
    share.refresh_from_db()
    assert share.revoked_at is None


def test_anonymous_callers_get_nothing(api):
    letter = letter_uploaded()
    for url in ("/api/letters/", f"/api/letters/{letter.pk}/", "/api/letter-shares/", "/api/preceptor/letter-requests/"):
        assert api.get(url).status_code == 403, url
    assert api.post("/api/letters/", {**AUTHOR, "specialty_label": "IM", "waived": True}, format="json").status_code == 403


# /api/preceptor/letter-requests/

def test_the_author_lists_only_the_requests_awaiting_their_letter(api):
    placement = completed_placement()
    applicant, preceptor = placement.applicant, _preceptor_of(placement)
    awaited = letter_request(applicant=applicant, preceptor=preceptor, waived=True)
    done = letter_uploaded(applicant=applicant, preceptor=preceptor)
    cancelled = letter_request(applicant=applicant, preceptor=preceptor)
    services.letter_cancel(letter=cancelled, by=applicant)
    elsewhere = letter_request()  # to another preceptor
    login(api, preceptor.user)
    listed = api.get("/api/preceptor/letter-requests/").json()["results"]
    assert [item["id"] for item in listed] == [awaited.pk]
    assert (listed[0]["code"], listed[0]["applicant_name"], listed[0]["waived"], listed[0]["status"]) == (
        awaited.code, applicant.get_full_name(), True, "requested")
    assert api.get(f"/api/preceptor/letter-requests/{awaited.pk}/").status_code == 200
    for other in (done, cancelled, elsewhere):
        assert api.get(f"/api/preceptor/letter-requests/{other.pk}/").status_code == 404
    login(api, elsewhere.preceptor.user)
    assert ids(api.get("/api/preceptor/letter-requests/")) == [elsewhere.pk]
    login(api, applicant)
    assert api.get("/api/preceptor/letter-requests/").json()["results"] == []
    assert api.get(f"/api/preceptor/letter-requests/{awaited.pk}/").status_code == 404
    login(api, CoordinatorFactory().user)
    assert api.get("/api/preceptor/letter-requests/").json()["results"] == []


def test_the_schema_describes_every_letters_endpoint(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    expected = {
        "/api/letters/": {"get", "post"}, "/api/letters/{id}/": {"get"}, "/api/letters/{id}/cancel/": {"post"},
        "/api/letter-shares/": {"get", "post"}, "/api/letter-shares/{id}/": {"get"},
        "/api/letter-shares/{id}/revoke/": {"post"},
        "/api/preceptor/letter-requests/": {"get"}, "/api/preceptor/letter-requests/{id}/": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), (path, set(paths[path]))
    properties = schema["components"]["schemas"]["LetterRequest"]["properties"]
    assert properties["download_url"].get("nullable") is True
    assert "waived" in schema["components"]["schemas"]["LetterRequestInput"]["required"]
