"""The applicant's profile and document vault through the API: only their own, checked uploads, no file bytes."""

from datetime import timedelta

import pytest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from applicants.models import Document, Profile
from applicants.uploads import UNREADABLE

from .factories import (
    ApplicationFactory,
    DocumentFactory,
    ProfileFactory,
    ids,
    image_bytes,
    login,
    pdf_bytes,
    stored_files,
    uploaded,
)

pytestmark = pytest.mark.django_db

PROFILE_URL = "/api/profile/"
DOCUMENTS_URL = "/api/documents/"


def document_url(document) -> str:
    return reverse("api-document-detail", args=[document.pk])


def profile_payload(**overrides) -> dict:
    return {
        "legal_name": "Amina Yusuf", "citizenship": "NG", "medical_school": "University of Lagos",
        "school_country": "NG", "stage": "graduate", "graduation_year": 2023, "ecfmg_status": "certified",
        "step1_status": "passed", "step2_status": "passed", "step2_score": 240, "visa_status": "b1",
        "languages": ["English", "Hausa"], "specialties": ["cardiology"], "preferred_states": ["NY"],
        "available_from": "2030-01-01", "available_until": "2030-06-30", "budget_usd": 2500, **overrides,
    }


def database_state() -> tuple[list, list]:
    """Every profile and document column, to show that a refused write changed nothing."""
    return list(Profile.objects.order_by("pk").values()), list(Document.objects.order_by("pk").values())


# --- Profile ------------------------------------------------------------------------------------


def test_an_applicant_reads_their_profile_without_the_calendar_token(api, applicant):
    profile = ProfileFactory(user=applicant, legal_name="Amina Yusuf")
    body = login(api, applicant).get(PROFILE_URL).json()
    assert body == {
        "id": profile.pk, "legal_name": "Amina Yusuf", "citizenship": "NG",
        "medical_school": "University of Lagos College of Medicine", "school_country": "NG",
        "stage": "graduate", "graduation_year": 2024, "ecfmg_status": "certified",
        "step1_status": "passed", "step1_score": None, "step2_status": "passed", "step2_score": 245,
        "visa_status": "b1", "languages": ["English", "Yoruba"], "specialties": ["internal_medicine"],
        "preferred_states": ["IL", "NY"], "available_from": None, "available_until": None,
        "budget_usd": 3000, "target_match_year": None, "updated_at": body["updated_at"],
    }


def test_an_applicant_without_a_profile_gets_404_even_when_others_have_one(api, applicant, other_applicant):
    ProfileFactory(user=other_applicant)
    response = login(api, applicant).get(PROFILE_URL)
    assert response.status_code == 404
    assert response.json() == {"detail": "You have no profile yet; PUT one to create it."}


def test_an_applicant_reads_only_their_own_profile(api, applicant, other_applicant):
    ProfileFactory(user=applicant, legal_name="Mine")
    ProfileFactory(user=other_applicant, legal_name="Theirs")
    assert login(api, applicant).get(PROFILE_URL).json()["legal_name"] == "Mine"


def test_put_creates_the_profile(api, applicant):
    response = login(api, applicant).put(PROFILE_URL, profile_payload(), format="json")
    assert response.status_code == 201
    profile = Profile.objects.get()
    assert (profile.user, profile.legal_name, profile.specialties) == (applicant, "Amina Yusuf", ["cardiology"])
    assert response.json()["id"] == profile.pk


def test_put_replaces_an_existing_profile(api, applicant):
    profile = ProfileFactory(user=applicant)
    response = login(api, applicant).put(PROFILE_URL, profile_payload(legal_name="Amina B. Yusuf"), format="json")
    assert response.status_code == 200
    profile.refresh_from_db()
    assert (profile.legal_name, profile.graduation_year, Profile.objects.count()) == ("Amina B. Yusuf", 2023, 1)


def test_patch_changes_only_the_facts_sent(api, applicant):
    profile = ProfileFactory(user=applicant, budget_usd=3000)
    response = login(api, applicant).patch(PROFILE_URL, {"budget_usd": 4200}, format="json")
    assert response.status_code == 200
    profile.refresh_from_db()
    assert (profile.budget_usd, profile.legal_name) == (4200, response.json()["legal_name"])


def test_patch_without_a_profile_is_404_and_creates_nothing(api, applicant):
    response = login(api, applicant).patch(PROFILE_URL, {"budget_usd": 4200}, format="json")
    assert response.status_code == 404
    assert Profile.objects.count() == 0


def test_the_calendar_token_cannot_be_written(api, applicant):
    profile = ProfileFactory(user=applicant)
    token = profile.calendar_token
    login(api, applicant).patch(PROFILE_URL, {"calendar_token": "chosen"}, format="json")
    profile.refresh_from_db()
    assert profile.calendar_token == token


@pytest.mark.parametrize("field, value", [
    ("graduation_year", 1900),
    ("graduation_year", 10**30),
    ("citizenship", "ZZ"),
    ("stage", "alien"),
    ("legal_name", "Amina\x00Yusuf"),
    ("languages", ["Eng\x00lish"]),
    ("legal_name", "Amina\u202eYusuf"),
    ("specialties", ["astrology"]),
    ("preferred_states", ["ZZ"]),
    ("budget_usd", -1),
    ("step2_score", 301),
    ("available_from", "someday"),
    ("available_until", "2029-12-31"),
], ids=lambda value: repr(value)[:20])
def test_bad_profile_input_is_a_400_naming_the_field_and_saves_nothing(api, applicant, field, value):
    response = login(api, applicant).put(PROFILE_URL, profile_payload(**{field: value}), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Profile.objects.count() == 0


@pytest.mark.parametrize("overrides, field", [
    ({"ecfmg_status": "certified", "step2_status": "scheduled", "step2_score": None}, "ecfmg_status"),
    ({"ecfmg_status": "in_progress", "step1_status": "not_taken", "step1_score": 230}, "step1_score"),
    ({"stage": "graduate", "graduation_year": 2039}, "graduation_year"),
], ids=["certified without Step 2", "score of an exam not taken", "graduate in the future"])
def test_contradicting_profile_values_are_a_400_naming_the_field(api, applicant, overrides, field):
    response = login(api, applicant).put(PROFILE_URL, profile_payload(**overrides), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Profile.objects.count() == 0


def test_a_patch_that_contradicts_the_stored_profile_is_a_400_and_changes_nothing(api, applicant):
    ProfileFactory(user=applicant, available_from=timezone.localdate() + timedelta(days=30))
    before = database_state()
    response = login(api, applicant).patch(PROFILE_URL, {"available_until": timezone.localdate().isoformat()},
                                           format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["available_until"]
    assert database_state() == before


@pytest.mark.parametrize("method", ["get", "put", "patch"])
@pytest.mark.parametrize("visitor", ["coordinator", "preceptor", "admin_user"])
def test_other_roles_are_refused_the_profile_endpoint(api, request, method, visitor):
    user = request.getfixturevalue(visitor)
    response = getattr(login(api, user), method)(PROFILE_URL, profile_payload(), format="json")
    assert response.status_code == 403
    assert Profile.objects.count() == 0


@pytest.mark.parametrize("method", ["get", "put", "patch"])
def test_anonymous_visitors_are_refused_the_profile_endpoint(api, method):
    response = getattr(api, method)(PROFILE_URL, profile_payload(), format="json")
    assert response.status_code == 403
    assert Profile.objects.count() == 0


# --- Documents: reading -------------------------------------------------------------------------


def test_the_document_list_gives_metadata_and_the_download_view(api, applicant):
    document = DocumentFactory(applicant=applicant, kind="cv", original_name="my-cv.pdf")
    body = login(api, applicant).get(DOCUMENTS_URL).json()
    assert body["results"] == [{
        "id": document.pk, "kind": "cv", "kind_label": "CV", "status": "verified", "status_label": "Verified",
        "expires_on": None, "original_name": "my-cv.pdf", "content_type": "application/pdf",
        "size": document.size, "uploaded_at": body["results"][0]["uploaded_at"], "rejection_reason": "",
        "download_url": f"http://testserver/documents/{document.pk}/download/",
    }]


def test_an_applicant_lists_only_their_own_documents(api, applicant, other_applicant):
    mine = DocumentFactory(applicant=applicant, kind="cv")
    DocumentFactory(applicant=other_applicant, kind="cv")
    assert ids(login(api, applicant).get(DOCUMENTS_URL)) == [mine.pk]


def test_another_applicants_document_is_404(api, applicant, other_applicant):
    theirs = DocumentFactory(applicant=other_applicant)
    response = login(api, applicant).get(document_url(theirs))
    assert response.status_code == 404


def test_a_document_detail_never_carries_the_file(api, applicant):
    document = DocumentFactory(applicant=applicant)
    response = login(api, applicant).get(document_url(document))
    assert (response.status_code, response.json()["id"]) == (200, document.pk)
    assert response["Content-Type"] == "application/json"
    assert "file" not in response.json()
    assert b"%PDF" not in response.content


@pytest.mark.parametrize("pk", ["987654", str(10**30), "-1", "abc"])
def test_an_unknown_document_id_is_a_json_404(api, applicant, pk):
    response = login(api, applicant).get(f"{DOCUMENTS_URL}{pk}/")
    assert response.status_code == 404
    assert list(response.json()) == ["detail"]


@pytest.mark.parametrize("count", [1, 5])
def test_the_document_list_takes_the_same_queries_for_1_and_5(api, applicant, django_assert_num_queries, count):
    for kind in ["cv", "passport", "tb_test", "hipaa", "good_standing"][:count]:
        DocumentFactory(applicant=applicant, kind=kind)
    login(api, applicant)
    # user (the session comes from the cache), count, documents
    with django_assert_num_queries(3):
        response = api.get(DOCUMENTS_URL)
    assert len(response.json()["results"]) == count


# --- Documents: uploading and deleting ----------------------------------------------------------


def upload(api, data=None, name="cv.pdf", content_type="application/pdf", **fields):
    payload = {"kind": "cv", "file": uploaded(data, name, content_type), **fields}
    return api.post(DOCUMENTS_URL, payload, format="multipart")


def test_an_upload_stores_a_pending_document(api, applicant):
    response = upload(login(api, applicant), name="Amina CV.pdf")
    assert response.status_code == 201
    document = Document.objects.get()
    assert (document.applicant, document.kind, document.status, document.content_type) == (
        applicant, "cv", "pending", "application/pdf")
    assert document.original_name == "Amina CV.pdf"
    assert response.json()["id"] == document.pk
    assert response.json()["download_url"] == f"http://testserver/documents/{document.pk}/download/"


def test_the_content_decides_the_type_not_the_name(api, applicant):
    response = upload(login(api, applicant), image_bytes("PNG"), name="scan.pdf")
    assert response.status_code == 201
    assert Document.objects.get().content_type == "image/png"


def test_an_expiring_document_keeps_its_expiry_date(api, applicant):
    expires = timezone.localdate() + timedelta(days=400)
    response = upload(login(api, applicant), kind="passport", expires_on=expires.isoformat())
    assert response.status_code == 201
    assert Document.objects.get().expires_on == expires


def test_an_upload_replaces_the_document_of_the_same_kind(api, applicant):
    old = DocumentFactory(applicant=applicant, kind="cv")
    response = upload(login(api, applicant), pdf_bytes("New CV"))
    assert response.status_code == 201
    document = Document.objects.get()
    assert (document.pk, document.status) == (old.pk, "pending")


def test_a_renamed_executable_is_refused_and_nothing_is_stored(api, applicant):
    files = stored_files()
    executable = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode."
    response = upload(login(api, applicant), executable, name="cv.pdf")
    assert response.status_code == 400
    assert response.json() == {"file": [UNREADABLE]}
    assert (Document.objects.count(), stored_files()) == (0, files)


def test_an_oversized_file_is_refused_and_nothing_is_stored(api, applicant, settings):
    data = pdf_bytes()
    settings.DOCUMENT_MAX_BYTES = len(data) - 1
    files = stored_files()
    response = upload(login(api, applicant), data)
    assert response.status_code == 400
    assert response.json() == {"file": [
        f"The file is {filesizeformat(len(data))}; the limit is {filesizeformat(len(data) - 1)}."]}
    assert (Document.objects.count(), stored_files()) == (0, files)


@pytest.mark.parametrize("fields, error_field", [
    ({"kind": "diploma"}, "kind"),
    ({"kind": "\x00"}, "kind"),
    ({"kind": "passport"}, "expires_on"),
    ({"kind": "passport", "expires_on": "2001-01-01"}, "expires_on"),
    ({"kind": "passport", "expires_on": "soon"}, "expires_on"),
], ids=["unknown kind", "NUL kind", "missing expiry", "expired", "not a date"])
def test_bad_upload_fields_are_a_400_naming_the_field(api, applicant, fields, error_field):
    files = stored_files()
    response = upload(login(api, applicant), **fields)
    assert response.status_code == 400
    assert list(response.json()) == [error_field]
    assert (Document.objects.count(), stored_files()) == (0, files)


def test_an_upload_without_a_file_is_a_400(api, applicant):
    response = login(api, applicant).post(DOCUMENTS_URL, {"kind": "cv"}, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["file"]


def test_an_empty_file_is_a_400(api, applicant):
    response = upload(login(api, applicant), b"")
    assert response.status_code == 400
    assert list(response.json()) == ["file"]


def test_an_applicant_deletes_their_document(api, applicant):
    document = DocumentFactory(applicant=applicant)
    response = login(api, applicant).delete(document_url(document))
    assert response.status_code == 204
    assert Document.objects.count() == 0


def test_deleting_a_document_a_placement_needs_is_400_and_keeps_it(api, applicant):
    document = DocumentFactory(applicant=applicant, kind="passport")
    ApplicationFactory(applicant=applicant, status="approved", slot__listing__required_documents=["passport"])
    response = login(api, applicant).delete(document_url(document))
    assert response.status_code == 400
    assert "needs this document until" in response.json()["non_field_errors"][0]
    assert Document.objects.filter(pk=document.pk).exists()


def test_deleting_another_applicants_document_is_404_and_keeps_it(api, applicant, other_applicant):
    theirs = DocumentFactory(applicant=other_applicant)
    before = database_state()
    response = login(api, applicant).delete(document_url(theirs))
    assert response.status_code == 404
    assert database_state() == before


# --- Documents: other roles ---------------------------------------------------------------------


DOCUMENT_CALLS = {
    "list": ("get", None),
    "upload": ("post", None),
    "read": ("get", "document"),
    "delete": ("delete", "document"),
}


def call_documents(api, name: str, document):
    method, target = DOCUMENT_CALLS[name]
    url = document_url(document) if target else DOCUMENTS_URL
    payload = {"kind": "cv", "file": uploaded()} if method == "post" else None
    return getattr(api, method)(url, payload, format="multipart")


@pytest.mark.parametrize("name", DOCUMENT_CALLS)
@pytest.mark.parametrize("visitor", ["coordinator", "colleague", "stranger", "preceptor", "admin_user", None])
def test_only_applicants_use_the_document_endpoints(api, request, applicant, coordinator, name, visitor):
    document = DocumentFactory(applicant=applicant)
    if visitor:
        login(api, request.getfixturevalue(visitor))
    before, files = database_state(), stored_files()
    response = call_documents(api, name, document)
    assert response.status_code == 403
    assert (database_state(), stored_files()) == (before, files)


def test_preferred_states_are_the_states_of_the_profile_form(api, applicant):
    """Territories and the Armed Forces codes are refused, as the web form offers only states and DC."""
    response = login(api, applicant).put(PROFILE_URL, profile_payload(preferred_states=["IL", "AE"]),
                                         format="json")
    assert response.status_code == 400
    assert response.json() == {"preferred_states": ["Not a US state: AE."]}
    assert Profile.objects.count() == 0


def test_the_api_keeps_the_forms_limit_on_languages(api, applicant):
    languages = [f"Language {n}" for n in range(21)]
    response = login(api, applicant).put(PROFILE_URL, profile_payload(languages=languages), format="json")
    assert response.status_code == 400
    assert response.json() == {"languages": ["List at most 20 languages."]}
    assert Profile.objects.count() == 0
