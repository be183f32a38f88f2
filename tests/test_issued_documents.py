"""Documents issued from a placement (issue 15): the invitation letter of an approved placement and the
certificate of a completed one, their content, re-issue and revocation, who downloads them (each download
recorded), and the public verification page, which shows only its list and resists enumeration."""

import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from matching import services_issued
from matching.models import IssuedDocument, IssuedDocumentDownload, IssuedKind
from matching.models_issued import CODE_ALPHABET, IssuedSignatory, new_verification_code
from matching.services import application_transition
from notifications.models import Notification
from rotations.choices import RotationType, Setting, Specialty

from .factories import (
    AdminFactory,
    ApplicationFactory,
    CoordinatorFactory,
    ExperienceEntryFactory,
    InstitutionFactory,
    ListingFactory,
    PreceptorFactory,
    ProfileFactory,
    SlotFactory,
    UserFactory,
    completed_placement,
    messages_of,
)

pytestmark = pytest.mark.django_db

PASSPORT = "XK4471203"
STATEMENT = "STATEMENT-MARK-51: I want to learn how a US outpatient cardiology clinic works."
CROCKFORD_16 = re.compile(r"^[0-9A-HJKMNP-TV-Z]{16}$")
# Every address a test of this module sends a failed look-up from: their counters are removed before
# and after each test, so no other test (nor test_url_access's verify_code row) meets a stale limit.
ADDRESSES = ["127.0.0.1", "198.51.100.7", "198.51.100.8", "198.51.100.9", "203.0.113.7", "203.0.113.8", "10.0.0.5",
             "192.0.2.10", "192.0.2.11"]


@pytest.fixture(autouse=True)
def fresh_verify_counters():
    keys = [f"verify-failures:{address}" for address in ADDRESSES]
    cache.delete_many(keys)
    yield
    cache.delete_many(keys)


# Scenes

def _text(data: bytes) -> str:
    """The PDF's text, its line breaks folded: a one-page document, read as a consular officer would."""
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join(reader.pages[0].extract_text().split())


def _day(day) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _scene(*, status="approved", rotation_type=RotationType.OBSERVERSHIP, setting=Setting.OUTPATIENT):
    """An approved placement at Lakeshore General (its first coordinator signs), of an applicant
    with a profile; dates three months ahead."""
    institution = InstitutionFactory(name="Lakeshore General Hospital", address="4500 North Shore Drive",
                                     city="Evanston", state="IL", zip_code="60201")
    signatory = CoordinatorFactory(institution=institution, title="Director of Graduate Medical Education",
                                   user__first_name="Maria", user__last_name="Okafor",
                                   user__email="m.okafor@lakeshore.example")
    colleague = CoordinatorFactory(institution=institution, title="Rotation Assistant",
                                   user__first_name="Pedro", user__last_name="Alvarez")
    listing = ListingFactory(institution=institution, specialty=Specialty.CARDIOLOGY, rotation_type=rotation_type,
                             setting=setting, fee_usd=1750, fee_covers="Badge, parking, EHR training and lunch.")
    start = timezone.localdate() + timedelta(days=90)
    slot = SlotFactory(listing=listing, start_date=start, end_date=start + timedelta(days=27),
                       application_deadline=start - timedelta(days=21))
    applicant = UserFactory(email="amina.yusuf@mail.example", first_name="Amina", last_name="Yusuf")
    ProfileFactory(user=applicant, legal_name="Amina Oluwaseun Yusuf", citizenship="NG")
    application = ApplicationFactory(applicant=applicant, slot=slot, status=status, statement=STATEMENT)
    return application, signatory.user, colleague.user


def _completed_scene():
    """A completed four-week placement of a profiled applicant with two supervising preceptors and
    its log entry (173 hours); the institution's coordinator signs."""
    institution = InstitutionFactory(name="Riverbend Medical Center", address="77 Bridge Road", city="Dayton",
                                     state="OH", zip_code="45402")
    signatory = CoordinatorFactory(institution=institution, title="Clerkship Coordinator",
                                   user__first_name="Helen", user__last_name="Brooks",
                                   user__email="h.brooks@riverbend.example")
    applicant = UserFactory()
    ProfileFactory(user=applicant, legal_name="Rahul Venkat Iyer", citizenship="IN")
    application = completed_placement(applicant=applicant, slot__listing__institution=institution,
                                      slot__listing__specialty=Specialty.NEPHROLOGY,
                                      slot__listing__rotation_type=RotationType.EXTERNSHIP)
    listing = application.slot.listing
    listing.preceptors.set([PreceptorFactory(institution=institution, full_name="Dr. Zora Whitfield"),
                            PreceptorFactory(institution=institution, full_name="Dr. Adebayo Mensah")])
    ExperienceEntryFactory(applicant=applicant, application=application, hours=173,
                           start_date=application.slot.start_date, end_date=application.slot.end_date)
    return application, signatory.user


def _url(name, application, kind):
    return reverse(f"matching:{name}", kwargs={"pk": application.pk, "kind": kind})


def _download(client, user, application, kind) -> bytes:
    client.force_login(user)
    response = client.get(_url("placement_document", application, kind))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def _issue(client, user, application, kind, **data):
    """The first issue's form (it names no document to replace)."""
    client.force_login(user)
    return client.post(_url("placement_document_issue", application, kind), data, follow=True)


def _reissue(client, user, application, kind, **data):
    """The re-issue's confirmation step: it names the current document it replaces."""
    return _issue(client, user, application, kind, supersedes=_current(application, kind).code, **data)


def _verify(client, code, **extra):
    return client.get(reverse("matching:verify_code", args=[code]), **extra)


def _current(application, kind):
    return IssuedDocument.objects.get(application=application, kind=kind, superseded_at__isnull=True)


# The invitation letter's content

def test_invitation_letter_says_everything_a_consular_officer_needs(client):
    application, signatory, _ = _scene()
    text = _text(_download(client, application.applicant, application, "invitation"))
    document = _current(application, IssuedKind.INVITATION)
    slot = application.slot

    assert "To the consular officer" in text
    assert "Lakeshore General Hospital" in text
    assert "4500 North Shore Drive, Evanston, IL 60201" in text
    assert "Amina Oluwaseun Yusuf" in text
    assert "a citizen of Nigeria" in text
    assert "passport" not in text.lower()  # not typed for this letter
    assert "an observership in Cardiology" in text
    assert f"from {_day(slot.start_date)} to {_day(slot.end_date)}" in text
    assert "an outpatient setting" in text
    assert "The rotation is observational" in text and "does not treat patients" in text
    assert "hands-on" not in text
    assert "No salary or other compensation is paid" in text
    assert "$1,750" in text and "Badge, parking, EHR training and lunch" in text
    # The signatory: the institution's first coordinator, with title and contact.
    assert "Maria Okafor" in text and "Director of Graduate Medical Education" in text
    assert "m.okafor@lakeshore.example" in text
    assert "Pedro Alvarez" not in text
    assert _day(timezone.localdate()) in text
    assert document.grouped_code in text
    assert django_settings.SITE_URL + reverse("matching:verify_code", args=[document.code]) in text
    # Nothing of the applicant's beyond what the letter needs.
    assert "amina.yusuf@mail.example" not in text and "STATEMENT-MARK-51" not in text


@pytest.mark.parametrize("rotation_type, wording, not_wording", [
    (RotationType.EXTERNSHIP, "The rotation is hands-on", "observational"),
    (RotationType.SUB_INTERNSHIP, "The rotation is hands-on", "observational"),
    (RotationType.OBSERVERSHIP, "The rotation is observational", "hands-on"),
    (RotationType.RESEARCH, "The rotation is observational", "hands-on"),
])
def test_invitation_letter_says_observational_or_hands_on(client, rotation_type, wording, not_wording):
    application, _, _ = _scene(rotation_type=rotation_type, setting=Setting.INPATIENT)
    text = _text(_download(client, application.applicant, application, "invitation"))
    assert wording in text
    assert not_wording not in text
    assert "an inpatient setting" in text


def test_invitation_letter_without_a_fee_says_so(client):
    application, _, _ = _scene()
    application.slot.listing.__class__.objects.filter(pk=application.slot.listing_id).update(fee_usd=0, fee_covers="")
    text = _text(_download(client, application.applicant, application, "invitation"))
    assert "There is no fee." in text and "No salary" in text


def test_passport_number_is_only_in_the_letter_it_was_typed_for(client):
    application, coordinator, _ = _scene()
    response = _issue(client, application.applicant, application, "invitation", passport_number=PASSPORT)
    assert response.status_code == 200
    with_passport = _current(application, IssuedKind.INVITATION)
    text = _text(with_passport.file.open("rb").read())
    assert f"a citizen of Nigeria, passport number {PASSPORT}" in text

    # A later letter without it does not have it; the earlier one keeps it, superseded, on record.
    _reissue(client, application.applicant, application, "invitation")
    assert PASSPORT not in _text(_download(client, application.applicant, application, "invitation"))
    with_passport.refresh_from_db()
    assert with_passport.state == "superseded"
    assert PASSPORT in _text(with_passport.file.open("rb").read())

    # A coordinator's re-issue never carries one, even if typed.
    _reissue(client, coordinator, application, "invitation", passport_number="ZZ9988776")
    text = _text(_download(client, coordinator, application, "invitation"))
    assert "ZZ9988776" not in text and "passport" not in text.lower()

    # The database holds it nowhere: no text column of any table.
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                rows = model.objects.annotate(_as_text=Cast(field.name, models.TextField()))
                assert not rows.filter(_as_text__contains=PASSPORT).exists(), f"{model.__name__}.{field.name}"
                assert not rows.filter(_as_text__contains="ZZ9988776").exists(), f"{model.__name__}.{field.name}"


def test_a_passport_number_that_is_not_letters_and_digits_is_refused(client):
    application, _, _ = _scene()
    response = _issue(client, application.applicant, application, "invitation", passport_number="<b>X1</b>")
    assert any("letters and digits" in message for message in messages_of(response))
    assert not IssuedDocument.objects.filter(application=application).exists()


# The certificate's content

def test_certificate_says_what_was_completed(client):
    application, signatory = _completed_scene()
    text = _text(_download(client, application.applicant, application, "certificate"))
    document = _current(application, IssuedKind.CERTIFICATE)
    slot = application.slot

    assert "Certificate of completion" in text
    assert "Riverbend Medical Center" in text and "77 Bridge Road, Dayton, OH 45402" in text
    assert "Rahul Venkat Iyer" in text
    assert "a hands-on externship in Nephrology" in text
    assert f"from {_day(slot.start_date)} to {_day(slot.end_date)}" in text
    assert "4 weeks" in text
    assert "173 clinical hours" in text
    assert "Dr. Adebayo Mensah" in text and "Dr. Zora Whitfield" in text
    assert "Helen Brooks" in text and "Clerkship Coordinator" in text and "h.brooks@riverbend.example" in text
    assert _day(timezone.localdate()) in text
    assert document.grouped_code in text
    assert django_settings.SITE_URL + reverse("matching:verify_code", args=[document.code]) in text
    assert "India" not in text  # a certificate names no citizenship


@pytest.mark.parametrize("days, weeks", [(28, "4 weeks"), (26, "4 weeks"), (12, "2 weeks"), (5, "1 week")])
def test_certificate_counts_the_weeks_as_the_slot_and_the_log_do(client, days, weeks):
    """A rotation from a Monday to the Friday four weeks later is the listing's four weeks (Slot.weeks,
    from which the log's hours were counted), not three; a Monday-to-Friday week is one week, not none."""
    application, _ = _completed_scene()
    slot = application.slot
    slot.__class__.objects.filter(pk=slot.pk).update(end_date=slot.start_date + timedelta(days=days - 1))
    slot.refresh_from_db()
    assert f"{slot.weeks} week" in weeks
    text = _text(_download(client, application.applicant, application, "certificate"))
    assert f": {weeks}, 173 clinical hours." in text, text


# Codes

def test_codes_are_sixteen_characters_of_crockford_base32():
    assert CODE_ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert len(CODE_ALPHABET) ** 16 == 2 ** 80
    codes = [new_verification_code() for _ in range(2000)]
    assert all(CROCKFORD_16.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert set("".join(codes)) == set(CODE_ALPHABET)  # every symbol is used: none is wasted


def test_an_issued_code_is_shown_in_four_groups(client):
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    assert CROCKFORD_16.match(document.code)
    assert document.grouped_code == "-".join([document.code[:4], document.code[4:8], document.code[8:12],
                                              document.code[12:]])
    client.force_login(application.applicant)
    assert document.grouped_code in client.get(reverse("matching:application", args=[application.pk])).content.decode()


# Superseding, revoking, cancelling

def test_a_reissue_supersedes_the_previous_document_which_stays_on_record(client):
    application, coordinator, _ = _scene()
    first = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    response = _reissue(client, coordinator, application, "invitation")
    assert response.status_code == 200
    first.refresh_from_db()
    second = _current(application, IssuedKind.INVITATION)
    assert second.pk != first.pk and second.code != first.code and second.issued_by == coordinator
    assert first.superseded_at is not None and first.state == "superseded"
    assert first.file.storage.exists(first.file.name)
    assert IssuedDocument.objects.filter(application=application, kind="invitation", superseded_at__isnull=True).count() == 1

    client.logout()
    old = _verify(client, first.code)
    assert old.status_code == 200 and "Superseded" in old.content.decode()
    new = _verify(client, second.code)
    assert new.status_code == 200 and "Valid" in new.content.decode() and "Superseded" not in new.content.decode()
    # The coordinators see both on the review page, and download the current one.
    client.force_login(coordinator)
    page = client.get(reverse("matching:review", args=[application.pk])).content.decode()
    assert first.grouped_code in page and second.grouped_code in page
    assert second.grouped_code in _text(_download(client, coordinator, application, "invitation"))


def test_the_database_keeps_one_current_document_of_each_kind(client):
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    with pytest.raises(IntegrityError), transaction.atomic():
        IssuedDocument.objects.create(application=application, kind="invitation", file=document.file.name)


@pytest.mark.parametrize("who", ["signatory", "colleague", "admin"])
def test_the_institutions_coordinators_and_admins_revoke_with_a_reason(client, who):
    application, signatory, colleague = _scene()
    user = {"signatory": signatory, "colleague": colleague, "admin": AdminFactory()}[who]
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    client.force_login(user)
    response = client.post(reverse("matching:issued_revoke", args=[document.pk]),
                           {"reason": "REASON-MARK: issued for the wrong dates."})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.revoked_at is not None and document.revoked_by == user
    assert document.revoke_reason == "REASON-MARK: issued for the wrong dates."
    client.logout()
    page = _verify(client, document.code).content.decode()
    assert f"Revoked on {_day(timezone.localdate())}" in page
    assert "REASON-MARK" not in page  # the checker sees the date only


def test_a_certificate_is_revoked_too(client):
    application, signatory = _completed_scene()
    document = services_issued.issue(application=application, kind="certificate", by=application.applicant)
    client.force_login(signatory)
    client.post(reverse("matching:issued_revoke", args=[document.pk]), {"reason": "Hours were misreported."})
    document.refresh_from_db()
    assert document.state == "revoked"


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_revocation_needs_a_reason(client, reason):
    application, signatory, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    client.force_login(signatory)
    response = client.post(reverse("matching:issued_revoke", args=[document.pk]), {"reason": reason}, follow=True)
    assert any("Say why" in message for message in messages_of(response))
    document.refresh_from_db()
    assert document.revoked_at is None


def test_a_coordinator_of_another_institution_cannot_revoke(client, stranger):
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    client.force_login(stranger)
    response = client.post(reverse("matching:issued_revoke", args=[document.pk]), {"reason": "Not mine to revoke."})
    assert response.status_code in (403, 404)
    document.refresh_from_db()
    assert document.revoked_at is None


@pytest.mark.parametrize("who", ["applicant", "other_applicant", "preceptor", "anonymous"])
def test_nobody_else_revokes(client, who, other_applicant, preceptor):
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    user = {"applicant": application.applicant, "other_applicant": other_applicant, "preceptor": preceptor,
            "anonymous": None}[who]
    if user:
        client.force_login(user)
    response = client.post(reverse("matching:issued_revoke", args=[document.pk]), {"reason": "I want it gone."})
    refused = response.status_code in (403, 404) or (response.status_code == 302 and "/accounts/login/" in response.url)
    assert refused, f"{who} got {response.status_code} ({response.get('Location')})"
    document.refresh_from_db()
    assert document.revoked_at is None


def test_cancelling_the_placement_revokes_its_invitation_letter(client):
    application, _, _ = _scene()
    superseded = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    letter = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    application_transition(application=application, action="cancel", by=application.applicant,
                           message="My visa appointment was moved past the start date.")
    letter.refresh_from_db()
    superseded.refresh_from_db()
    assert letter.revoked_at is not None and letter.state == "revoked" and letter.revoke_reason
    assert superseded.revoked_at is not None
    page = _verify(client, letter.code).content.decode()
    assert f"Revoked on {_day(timezone.localdate())}" in page
    # And no new letter for a cancelled placement.
    response = _issue(client, application.applicant, application, "invitation")
    assert any("approved placement" in message for message in messages_of(response))
    assert _current(application, IssuedKind.INVITATION).pk == letter.pk


# Who downloads and issues

ALLOWED = {"applicant", "coordinator", "colleague", "admin"}
ROLES = [*sorted(ALLOWED), "stranger", "other_applicant", "preceptor", "anonymous"]


def _world(request, kind):
    """A placement at the `coordinator` fixture's institution, approved (invitation) or completed
    (certificate), of the `applicant` fixture's, its document issued by the applicant."""
    applicant = request.getfixturevalue("applicant")
    coordinator = request.getfixturevalue("coordinator")
    ProfileFactory(user=applicant)
    institution = coordinator.coordinator.institution
    if kind == "invitation":
        application = ApplicationFactory(applicant=applicant, status="approved", slot__listing__institution=institution)
    else:
        application = completed_placement(applicant=applicant, slot__listing__institution=institution)
    document = services_issued.issue(application=application, kind=kind, by=applicant)
    users = {"applicant": applicant, "coordinator": coordinator, "colleague": request.getfixturevalue("colleague"),
             "admin": request.getfixturevalue("admin_user"), "stranger": request.getfixturevalue("stranger"),
             "other_applicant": request.getfixturevalue("other_applicant"),
             "preceptor": request.getfixturevalue("preceptor"), "anonymous": None}
    return application, document, users


def _refused(response) -> bool:
    return response.status_code in (403, 404) or (response.status_code == 302 and "/accounts/login/" in response.url)


@pytest.mark.parametrize("kind", ["invitation", "certificate"])
@pytest.mark.parametrize("role", ROLES)
def test_download_is_for_the_applicant_the_institutions_coordinators_and_admins(client, request, role, kind):
    application, document, users = _world(request, kind)
    if users[role]:
        client.force_login(users[role])
    response = client.get(_url("placement_document", application, kind))
    if role in ALLOWED:
        assert response.status_code == 200
        assert document.grouped_code in _text(b"".join(response.streaming_content))
        assert "no-store" in response["Cache-Control"]
        assert list(IssuedDocumentDownload.objects.values_list("document", "user")) == [(document.pk, users[role].pk)]
    else:
        assert _refused(response), f"{role} got {response.status_code}"
        assert not IssuedDocumentDownload.objects.exists()
    assert IssuedDocument.objects.count() == 1


def test_every_download_is_recorded(client, request):
    application, document, users = _world(request, "invitation")
    for role in ("applicant", "applicant", "coordinator", "admin"):
        _download(client, users[role], application, "invitation")
    recorded = list(IssuedDocumentDownload.objects.order_by("at", "pk").values_list("user", flat=True))
    assert recorded == [users["applicant"].pk, users["applicant"].pk, users["coordinator"].pk, users["admin"].pk]
    assert IssuedDocumentDownload.objects.filter(document=document).count() == 4


@pytest.mark.parametrize("kind", ["invitation", "certificate"])
@pytest.mark.parametrize("role", ROLES)
def test_issue_is_for_the_applicant_the_institutions_coordinators_and_admins(client, request, role, kind):
    application, document, users = _world(request, kind)
    if users[role]:
        client.force_login(users[role])
    response = client.post(_url("placement_document_issue", application, kind), {"supersedes": document.code})
    document.refresh_from_db()
    if role in ALLOWED:
        assert response.status_code == 302
        assert document.superseded_at is not None
        assert _current(application, kind).issued_by == users[role]
    else:
        assert _refused(response), f"{role} got {response.status_code}"
        assert document.superseded_at is None
        assert IssuedDocument.objects.count() == 1


@pytest.mark.parametrize("status", ["submitted", "under_review", "offered", "accepted", "waitlisted", "declined"])
def test_no_invitation_letter_before_approval(client, coordinator, status):
    application = ApplicationFactory(status=status, slot__listing__institution=coordinator.coordinator.institution)
    ProfileFactory(user=application.applicant)
    client.force_login(application.applicant)
    response = client.get(_url("placement_document", application, "invitation"), follow=True)
    assert any("approved placement" in message for message in messages_of(response))
    _issue(client, application.applicant, application, "invitation")
    _issue(client, coordinator, application, "invitation")
    assert not IssuedDocument.objects.exists()
    assert not IssuedDocumentDownload.objects.exists()


@pytest.mark.parametrize("status", ["approved", "accepted", "cancelled"])
def test_no_certificate_before_completion(client, coordinator, status):
    application = ApplicationFactory(status=status, slot__listing__institution=coordinator.coordinator.institution)
    ProfileFactory(user=application.applicant)
    client.force_login(application.applicant)
    response = client.get(_url("placement_document", application, "certificate"), follow=True)
    assert any("once the placement is marked completed" in message for message in messages_of(response))
    _issue(client, application.applicant, application, "certificate")
    _issue(client, coordinator, application, "certificate")
    assert not IssuedDocument.objects.exists()


def test_a_coordinator_downloads_nothing_before_it_is_issued(client, coordinator):
    application = ApplicationFactory(status="approved", slot__listing__institution=coordinator.coordinator.institution)
    ProfileFactory(user=application.applicant)
    client.force_login(coordinator)
    assert client.get(_url("placement_document", application, "invitation")).status_code == 404
    assert not IssuedDocument.objects.exists()


def test_an_unknown_kind_is_not_found(client):
    application, _, _ = _scene()
    client.force_login(application.applicant)
    assert client.get(_url("placement_document", application, "diploma")).status_code == 404
    assert client.post(_url("placement_document_issue", application, "diploma")).status_code == 404


# The public verification page

def test_verification_page_shows_only_its_list(client):
    application, _, _ = _scene()
    _issue(client, application.applicant, application, "invitation", passport_number=PASSPORT)
    document = _current(application, IssuedKind.INVITATION)
    client.logout()
    response = _verify(client, document.code)
    assert response.status_code == 200
    page = response.content.decode()
    slot = application.slot
    for shown in ("Invitation letter", "Amina Oluwaseun Yusuf", "Lakeshore General Hospital", _day(slot.start_date),
                  _day(slot.end_date), "Valid"):
        assert shown in page, shown
    for hidden in ("amina.yusuf@mail.example", PASSPORT, "Nigeria", "1,750", "1750", "Badge, parking", STATEMENT[:20],
                   "m.okafor@lakeshore.example", "Maria Okafor", "University of Lagos", "Cardiology",
                   "Observership", "observership"):
        assert hidden not in page, hidden
    assert "no-store" in response["Cache-Control"]


def test_verification_page_of_a_certificate(client):
    application, _ = _completed_scene()
    document = services_issued.issue(application=application, kind="certificate", by=application.applicant)
    page = _verify(client, document.code).content.decode()
    assert "Certificate of completion" in page and "Rahul Venkat Iyer" in page and "Valid" in page
    for hidden in ("India", "173", "Dr. Zora Whitfield", application.applicant.email):
        assert hidden not in page, hidden


@pytest.mark.parametrize("typed", [
    lambda code: code.lower(),
    lambda code: "-".join([code[:4], code[4:8], code[8:12], code[12:]]).lower(),
    lambda code: " ".join([code[:4], code[4:8], code[8:12], code[12:]]),
    lambda code: f"  {code[:8]} - {code[8:]}  ",
])
def test_a_typed_code_may_have_lower_case_dashes_and_spaces(client, typed):
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    by_form = client.get(reverse("matching:verify"), {"code": typed(document.code)})
    assert by_form.status_code == 200 and "Amina Oluwaseun Yusuf" in by_form.content.decode()
    by_link = _verify(client, typed(document.code).strip())
    assert by_link.status_code == 200 and "Amina Oluwaseun Yusuf" in by_link.content.decode()


def test_verify_form_without_a_code_is_the_empty_form(client):
    response = client.get(reverse("matching:verify"))
    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def _without_typed(response, typed: str) -> str:
    """The page with the code it puts back in the box (escaped) taken out."""
    body = response.content.decode()
    box = f'value="{escape(typed.strip())}"'
    assert body.count(box) == 1, f"the box does not hold {typed!r}"
    return body.replace(box, 'value="…"')


@pytest.mark.parametrize("malformed", ["123", "ABCD-EFGH", "!!!!!!!!!!!!!!!!", "ABCDEFGHJKMNPQRSTV", "ÄÖÜ-ÄÖÜ"])
def test_an_unknown_code_answers_exactly_as_a_malformed_one(client, malformed):
    """Both put back what was typed, for correcting; beyond that, the pages are the same bytes."""
    application, _, _ = _scene()
    services_issued.issue(application=application, kind="invitation", by=application.applicant)
    unknown = new_verification_code()
    assert not IssuedDocument.objects.filter(code=unknown).exists()
    answers = [
        (_verify(client, unknown, REMOTE_ADDR="198.51.100.7"), unknown),
        (_verify(client, malformed, REMOTE_ADDR="198.51.100.7"), malformed),
        (client.get(reverse("matching:verify"), {"code": unknown}, REMOTE_ADDR="198.51.100.8"), unknown),
        (client.get(reverse("matching:verify"), {"code": malformed}, REMOTE_ADDR="198.51.100.8"), malformed),
    ]
    assert [answer.status_code for answer, _ in answers] == [404] * 4
    bodies = {_without_typed(answer, typed) for answer, typed in answers}
    assert len(bodies) == 1
    body = bodies.pop()
    assert "No document has this code" in body
    assert "<title>No document with this code · Verify a document · Rotamatch</title>" in body
    assert unknown not in body and "Amina" not in body  # nothing but the typed text comes back


def test_a_mistyped_code_comes_back_in_the_box_escaped(client):
    typed = '"><script>alert(1)</script>'
    response = client.get(reverse("matching:verify"), {"code": typed}, REMOTE_ADDR="198.51.100.9")
    body = response.content.decode()
    assert response.status_code == 404
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in body
    assert "<script>alert(1)" not in body
    mistyped = client.get(reverse("matching:verify"), {"code": "  7K3M-QX9P-2V0R-HT4 "}, REMOTE_ADDR="198.51.100.9")
    assert 'value="7K3M-QX9P-2V0R-HT4"' in mistyped.content.decode()


def test_failed_look_ups_are_limited_per_address(client, settings):
    cache.delete_many(["verify-failures:203.0.113.7", "verify-failures:203.0.113.8"])
    settings.VERIFY_FAILURES_PER_WINDOW = 3
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    here, elsewhere = {"REMOTE_ADDR": "203.0.113.7"}, {"REMOTE_ADDR": "203.0.113.8"}
    assert _verify(client, "0000-0000-0000-0000", **here).status_code == 404
    assert _verify(client, "nonsense", **here).status_code == 404
    assert _verify(client, document.code, **here).status_code == 200  # a success neither counts nor resets
    assert _verify(client, new_verification_code(), **here).status_code == 404
    limited = _verify(client, document.code, **here)
    assert limited.status_code == 429
    assert "Amina" not in limited.content.decode() and "Too many codes" in limited.content.decode()
    assert client.get(reverse("matching:verify"), {"code": document.code}, **here).status_code == 429
    # Another address is not affected.
    other = _verify(client, document.code, **elsewhere)
    assert other.status_code == 200 and "Amina Oluwaseun Yusuf" in other.content.decode()


def test_valid_look_ups_are_never_limited(client, settings):
    cache.delete_many(["verify-failures:203.0.113.7"])
    settings.VERIFY_FAILURES_PER_WINDOW = 2
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    for _ in range(5):
        assert _verify(client, document.code, REMOTE_ADDR="203.0.113.7").status_code == 200


# Re-issuing: a second step names the document it supersedes, which may be at an embassy already

def test_a_reissue_that_does_not_name_the_current_document_issues_nothing(client):
    application, coordinator, _ = _scene()
    old = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    current = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    for supersedes in ({}, {"supersedes": old.code}):  # the first issue's form; a page left open since
        response = _issue(client, coordinator, application, "invitation", **supersedes)
        assert [m for m in messages_of(response) if current.grouped_code in m] == [
            f"The current invitation letter is {current.grouped_code}, which you did not confirm replacing; nothing "
            "was issued. Look at it, then confirm again."]
        assert _current(application, IssuedKind.INVITATION).pk == current.pk
    assert IssuedDocument.objects.filter(application=application).count() == 2


def test_the_first_issue_and_a_reissue_say_different_things(client):
    application, coordinator, _ = _scene()
    first = _issue(client, application.applicant, application, "invitation", supersedes="")
    letter = _current(application, IssuedKind.INVITATION)
    assert f"Invitation letter issued: code {letter.grouped_code}. Anyone can check it with that code." in messages_of(
        first)
    again = _reissue(client, coordinator, application, "invitation")
    new = _current(application, IssuedKind.INVITATION)
    assert messages_of(again) == [
        f"New invitation letter issued: code {new.grouped_code}. The previous one, {letter.grouped_code}, now shows "
        "as superseded to anyone who checks it."]


def test_the_applicants_reissue_step_names_the_letter_it_supersedes(client):
    application, _, _ = _scene()
    client.force_login(application.applicant)
    page = client.get(reverse("matching:application", args=[application.pk])).content.decode()
    assert "Issue my invitation letter for the visa interview" in page
    assert 'name="supersedes" value=""' in page and "issued-reissue" not in page

    letter = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    page = client.get(reverse("matching:application", args=[application.pk])).content.decode()
    step = page[page.index('<details class="confirm-move issued-reissue">'):]
    step = step[:step.index("</details>")]
    assert "Issue a new invitation letter…</summary>" in step
    assert f'name="supersedes" value="{letter.code}"' in step
    assert (f'Your current letter, <span class="letter-id">{letter.grouped_code}</span>, will be marked superseded: '
            "anyone who checks that code, a consulate that has it already too, is told to ask you for the new one.") in step
    assert f"Yes, replace letter {letter.grouped_code}" in step
    assert 'name="passport_number"' in step


@pytest.mark.parametrize("kind", ["invitation", "certificate"])
def test_the_coordinators_reissue_step_names_the_document_it_supersedes(client, kind):
    if kind == "invitation":
        application, coordinator, _ = _scene()
    else:
        application, coordinator = _completed_scene()
    label = {"invitation": "invitation letter", "certificate": "certificate"}[kind]
    client.force_login(coordinator)
    page = client.get(reverse("matching:review", args=[application.pk])).content.decode()
    assert f"Issue the {label}</button>" in page and "issued-reissue" not in page

    document = services_issued.issue(application=application, kind=kind, by=application.applicant)
    page = client.get(reverse("matching:review", args=[application.pk])).content.decode()
    step = page[page.index('<details class="confirm-move issued-reissue">'):]
    step = step[:step.index("</details>")]
    assert f"Re-issue the {label}…</summary>" in step
    assert f'name="supersedes" value="{document.code}"' in step
    assert f'The current {label}, <span class="letter-id">{document.grouped_code}</span>, will be marked superseded' in step
    assert f"Yes, replace {document.grouped_code}" in step


# Cancelling: the confirmation warns; the placement page keeps the revoked letter

WARNING = ('invitation letter <span class="letter-id">{}</span> will be revoked: anyone who checks its code, a consulate '
           'too, will read "revoked".')


def test_the_applicants_cancel_step_warns_that_the_letter_will_be_revoked(client):
    application, _, _ = _scene()
    client.force_login(application.applicant)
    page = client.get(reverse("matching:application", args=[application.pk])).content.decode()
    assert "Yes, cancel the placement" in page and "will be revoked" not in page  # no letter yet

    letter = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    page = client.get(reverse("matching:application", args=[application.pk])).content.decode()
    step = page[page.index('<details class="confirm-move">'):]
    step = step[:step.index("</details>")]
    assert "Yes, cancel the placement" in step
    assert "Your " + WARNING.format(letter.grouped_code) in step

    services_issued.revoke(document=letter, by=AdminFactory(), reason="Wrong dates.")
    page = client.get(reverse("matching:application", args=[application.pk])).content.decode()
    assert "will be revoked" not in page  # revoked already: nothing left to warn of


def test_the_admins_cancel_step_warns_that_the_letter_will_be_revoked(client):
    application, _, _ = _scene()
    letter = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    client.force_login(AdminFactory())
    page = client.get(reverse("matching:review", args=[application.pk])).content.decode()
    step = page[page.index('<details class="confirm-move review-confirm">'):]
    step = step[:step.index("</details>")]
    assert "Yes, cancel the placement" in step
    assert "The applicant's " + WARNING.format(letter.grouped_code) in step


def test_a_cancelled_placements_page_still_lists_its_revoked_letter(client):
    application, _, _ = _scene()
    letter = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    application_transition(application=application, action="cancel", by=application.applicant)
    client.force_login(application.applicant)
    page = client.get(reverse("matching:application", args=[application.pk])).content.decode()
    section = page[page.index('<section aria-labelledby="issued-heading"'):]
    section = section[:section.index("</section>")]
    today = timezone.localdate()
    assert letter.grouped_code in section
    assert f"Revoked on {today:%b} {today.day}, {today.year}" in section
    assert "The placement was cancelled." in section
    assert _url("placement_document", application, "invitation") not in section  # not to be handed in any more
    assert "Issue" not in section  # and no new one for a cancelled placement


def test_the_placement_page_prints_the_verification_address_of_the_pdfs(client, settings):
    settings.SITE_URL = "https://rotamatch.example"
    application, _, _ = _scene()
    client.force_login(application.applicant)
    page = client.get(reverse("matching:application", args=[application.pk])).content.decode()
    assert '<a href="https://rotamatch.example/verify/">https://rotamatch.example/verify/</a>' in page
    assert "testserver" not in page


def test_the_passport_field_says_where_the_number_goes(client):
    application, _, _ = _scene()
    client.force_login(application.applicant)
    page = client.get(reverse("matching:application", args=[application.pk])).content.decode()
    assert 'aria-describedby="passport-number-help"' in page
    assert ('<small id="passport-number-help" class="helptext">Printed on this letter only; not saved in your '
            "profile.</small>") in page


# The verification page's three answers: each its own look, sentence and title

def test_a_valid_document_reads_valid(client):
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    page = _verify(client, document.code).content.decode()
    assert "<title>Valid · Verify a document · Rotamatch</title>" in page
    assert 'class="verify-result verify-valid"' in page
    assert "Rotamatch issued this document and it has been neither replaced nor revoked." in page


def test_a_superseded_document_says_to_ask_for_the_current_one(client):
    application, _, _ = _scene()
    old = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    services_issued.issue(application=application, kind="invitation", by=application.applicant)
    page = _verify(client, old.code).content.decode()
    today = _day(timezone.localdate())
    assert "<title>Superseded · Verify a document · Rotamatch</title>" in page
    assert 'class="verify-result verify-superseded"' in page
    assert f"Superseded on {today}</h2>" in page
    assert f"A newer version replaced it on {today}; ask the holder for the current one." in page


def test_a_revoked_document_says_not_to_rely_on_it(client):
    application, signatory, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    services_issued.revoke(document=document, by=signatory, reason="Issued for the wrong dates.")
    page = _verify(client, document.code).content.decode()
    today = _day(timezone.localdate())
    assert "<title>Revoked · Verify a document · Rotamatch</title>" in page
    assert 'class="verify-result verify-revoked"' in page
    assert f"Revoked on {today}</h2>" in page
    assert f"This document was revoked on {today}. Do not rely on it." in page
    assert "wrong dates" not in page


def test_the_three_answers_look_different():
    """Not only the heading: each state's box has its own background and border colour."""
    css = (django_settings.BASE_DIR / "static" / "css" / "issued.css").read_text()
    looks = {}
    for state in ("valid", "superseded", "revoked"):
        rule = re.search(r"\.verify-" + state + r" \{([^}]*)\}", css).group(1)
        looks[state] = (re.search(r"background: ([^;]+);", rule).group(1), re.search(r"border-color: ([^;]+);", rule).group(1))
    assert len(set(looks.values())) == 3, looks
    assert len({background for background, _ in looks.values()}) == 3


# Who signs

def _signature(text: str, name: str, title: str, email: str) -> bool:
    return f"{name} {title} Lakeshore General Hospital 4500 North Shore Drive, Evanston, IL 60201 {email}" in text


def test_the_coordinator_who_reissues_signs_and_nobody_is_told(client):
    application, signatory, colleague = _scene()
    services_issued.issue(application=application, kind="invitation", by=application.applicant)
    Notification.objects.all().delete()
    _reissue(client, colleague, application, "invitation")
    document = _current(application, IssuedKind.INVITATION)
    text = _text(document.file.open("rb").read())
    assert _signature(text, "Pedro Alvarez", "Rotation Assistant", colleague.email)
    assert "Maria Okafor" not in text
    assert document.signatory == colleague
    assert not Notification.objects.filter(kind="issued_signed").exists()


def test_the_applicants_letter_is_signed_by_the_first_coordinator_who_is_told(client):
    application, signatory, colleague = _scene()
    _issue(client, application.applicant, application, "invitation")
    document = _current(application, IssuedKind.INVITATION)
    text = _text(document.file.open("rb").read())
    assert _signature(text, "Maria Okafor", "Director of Graduate Medical Education", "m.okafor@lakeshore.example")
    assert document.signatory == signatory
    told = Notification.objects.get(kind="issued_signed")
    assert told.user == signatory
    assert told.title == "Invitation letter issued in your name: Amina Oluwaseun Yusuf"
    assert "The applicant issued the invitation letter of Amina Oluwaseun Yusuf" in told.body
    assert document.grouped_code in told.body and "as signatory" in told.body
    assert told.url == reverse("matching:review", args=[application.pk])


def test_the_coordinator_the_institution_chose_signs_what_the_applicant_issues(client):
    application, signatory, colleague = _scene()
    client.force_login(signatory)
    response = client.post(reverse("matching:issued_signatory"), {"coordinator": colleague.coordinator.pk}, follow=True)
    assert messages_of(response) == ["Pedro Alvarez now signs the documents applicants issue."]
    assert IssuedSignatory.objects.get().coordinator == colleague.coordinator

    text = _text(_download(client, application.applicant, application, "invitation"))
    assert _signature(text, "Pedro Alvarez", "Rotation Assistant", colleague.email)
    assert "Maria Okafor" not in text
    assert list(Notification.objects.filter(kind="issued_signed").values_list("user", flat=True)) == [colleague.pk]
    # An admin's re-issue bears the chosen signatory too, who is told it was the admin.
    admin = AdminFactory(first_name="Priya", last_name="Raman")
    _reissue(client, admin, application, "invitation")
    assert _current(application, IssuedKind.INVITATION).signatory == colleague
    assert Notification.objects.filter(kind="issued_signed", user=colleague).latest("pk").body.startswith(
        "Priya Raman (Rotamatch) issued")


def test_a_chosen_signatory_who_left_the_institution_no_longer_signs(client):
    application, signatory, colleague = _scene()
    services_issued.signatory_choose(by=signatory, coordinator=colleague.coordinator)
    colleague.coordinator.institution = InstitutionFactory()
    colleague.coordinator.save()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    assert document.signatory == signatory


def test_the_signatory_page_lists_the_institutions_coordinators(client):
    application, signatory, colleague = _scene()
    CoordinatorFactory(user__first_name="Olga", user__last_name="Elsewhere")
    client.force_login(colleague)
    response = client.get(reverse("matching:issued_signatory"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Who signs your documents · Rotamatch</title>" in page
    assert "Maria Okafor, Director of Graduate Medical Education (m.okafor@lakeshore.example)" in page
    assert "Pedro Alvarez, Rotation Assistant" in page and "Olga" not in page
    assert re.search(rf'value="{signatory.coordinator.pk}"[^>]*checked', page)  # the first signs until one is chosen
    # The review page says who signs and links here.
    review = client.get(reverse("matching:review", args=[application.pk])).content.decode()
    assert "Those the applicant issues are signed by\n    Maria Okafor." in review
    assert reverse("matching:issued_signatory") in review


def test_a_coordinator_of_another_institution_cannot_be_chosen(client):
    application, signatory, _ = _scene()
    other = CoordinatorFactory()
    client.force_login(signatory)
    response = client.post(reverse("matching:issued_signatory"), {"coordinator": other.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not IssuedSignatory.objects.exists()
    with pytest.raises(PermissionDenied):
        services_issued.signatory_choose(by=signatory, coordinator=other)


@pytest.mark.parametrize("role", ["applicant", "admin_user", "preceptor", "anonymous"])
def test_only_coordinators_choose_who_signs(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.post(reverse("matching:issued_signatory"), {"coordinator": "1"})
    assert _refused(response), f"{role} got {response.status_code}"
    assert not IssuedSignatory.objects.exists()


# The PDF's metadata

def test_each_pdf_has_a_title_in_its_metadata(client):
    application, _, _ = _scene()
    letter = PdfReader(io.BytesIO(_download(client, application.applicant, application, "invitation"))).metadata
    code = _current(application, IssuedKind.INVITATION).grouped_code
    assert letter.title == "Invitation letter for Amina Oluwaseun Yusuf, Lakeshore General Hospital"
    assert (letter.author, letter.subject) == ("Lakeshore General Hospital", f"Verification code {code}")

    completed, _ = _completed_scene()
    certificate = PdfReader(io.BytesIO(_download(client, completed.applicant, completed, "certificate"))).metadata
    assert certificate.title == "Certificate of completion for Rahul Venkat Iyer, Riverbend Medical Center"
    assert certificate.author == "Riverbend Medical Center"


# The checker's address behind a proxy

def test_checkers_behind_one_trusted_proxy_are_limited_each_by_their_own_address(client, settings):
    settings.VERIFY_FAILURES_PER_WINDOW = 2
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    first = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "192.0.2.10"}
    second = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "192.0.2.11"}
    assert [_verify(client, new_verification_code(), **first).status_code for _ in range(2)] == [404, 404]
    assert _verify(client, document.code, **first).status_code == 429
    assert _verify(client, document.code, **second).status_code == 200  # another checker, the same proxy
    # An address the first checker puts before the one the proxy saw does not make them someone else.
    forged = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "198.51.100.200, 192.0.2.10"}
    assert _verify(client, document.code, **forged).status_code == 429


def test_without_a_trusted_proxy_a_forwarded_for_header_changes_nothing(client, settings):
    settings.VERIFY_FAILURES_PER_WINDOW = 2
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    application, _, _ = _scene()
    document = services_issued.issue(application=application, kind="invitation", by=application.applicant)
    for forged in ("192.0.2.10", "192.0.2.11"):
        assert _verify(client, "nonsense", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=forged).status_code == 404
    assert _verify(client, document.code, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429

