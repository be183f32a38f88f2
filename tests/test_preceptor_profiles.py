"""Issue 10, preceptor profiles: the NPI check, disputes, verification and the registry, photos,
memberships on listings, the public page, the API, and who may use each new page."""

import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from institutions import registry
from institutions.forms import PreceptorProfileForm
from institutions.models import NpiDispute, Preceptor, PreceptorMembership
from institutions.profiles import (
    npi_dispute_resolve,
    preceptor_profile_update,
    preceptor_verification_decide,
)
from institutions.services import invitation_accept
from institutions.validation import NPI_INVALID, npi_is_valid
from notifications.models import Notification
from rotations.choices import ListingStatus
from rotations.services import listing_save

from .factories import (
    AdminFactory,
    CoordinatorFactory,
    InstitutionFactory,
    InvitationFactory,
    ListingFactory,
    PreceptorFactory,
    UserFactory,
)

VALID = ["1234567893", "1558598797"]


# --- The NPI check digit ------------------------------------------------------------------------

@pytest.mark.parametrize("npi", VALID)
def test_valid_npis_pass(npi):
    assert npi_is_valid(npi) is True


def test_an_npi_with_a_wrong_check_digit_fails():
    assert npi_is_valid("1234567890") is False


@pytest.mark.parametrize("npi", VALID)
def test_every_single_digit_change_of_a_valid_npi_fails(npi):
    changed = [npi[:i] + d + npi[i + 1:] for i in range(10) for d in "0123456789" if d != npi[i]]
    assert len(changed) == 90
    assert [n for n in changed if npi_is_valid(n)] == []


@pytest.mark.parametrize("npi", ["", "123456789", "12345678931", "3234567893", "12345678a3", "１２３４５６７８９３"])
def test_malformed_npis_fail(npi):
    assert npi_is_valid(npi) is False


@pytest.mark.django_db
def test_the_profile_form_gives_a_field_error_for_a_bad_npi(client):
    preceptor = PreceptorFactory()
    client.force_login(preceptor.user)
    response = client.post(reverse("preceptors:profile_edit"), {"full_name": preceptor.full_name, "npi": "1234567890"})
    assert response.status_code == 400
    assert response.context["form"].errors["npi"] == [NPI_INVALID]
    preceptor.refresh_from_db()
    assert preceptor.npi == ""


# --- Disputes ------------------------------------------------------------------------------------

def _update(preceptor, **changes):
    return preceptor_profile_update(preceptor=preceptor, by=preceptor.user, changes=changes)


@pytest.mark.django_db
def test_an_npi_on_another_profile_opens_a_dispute_and_tells_the_claimant():
    holder = PreceptorFactory(npi="1558598797", status=Preceptor.Status.VERIFIED)
    claimant = PreceptorFactory()
    claimant = _update(claimant, npi="1558598797")
    dispute = NpiDispute.objects.get()
    assert (dispute.npi, dispute.holder, dispute.claimant, dispute.status) == (
        "1558598797", holder, claimant, NpiDispute.Status.OPEN)
    claimant.refresh_from_db()
    assert claimant.npi == "1558598797"
    assert claimant.status == Preceptor.Status.UNVERIFIED
    assert list(Notification.objects.filter(user=claimant.user).values_list("title", flat=True)) == [
        "Your NPI is under review"]


@pytest.mark.django_db
def test_a_disputed_npi_cannot_be_verified_until_settled():
    PreceptorFactory(npi="1558598797")
    claimant = PreceptorFactory()
    claimant = _update(claimant, npi="1558598797")
    with pytest.raises(ValidationError, match="under dispute"):
        preceptor_verification_decide(preceptor=claimant, by=AdminFactory(), verify=True)


@pytest.mark.django_db
def test_settling_a_dispute_for_the_claimant_takes_the_npi_from_the_holder():
    holder = PreceptorFactory(npi="1558598797", status=Preceptor.Status.VERIFIED)
    claimant = PreceptorFactory()
    claimant = _update(claimant, npi="1558598797")
    admin = AdminFactory()
    npi_dispute_resolve(dispute=NpiDispute.objects.get(), by=admin, claimant_wins=True, note="Checked the licence.")
    holder.refresh_from_db()
    assert (holder.npi, holder.status) == ("", Preceptor.Status.UNVERIFIED)
    dispute = NpiDispute.objects.get()
    assert (dispute.status, dispute.resolved_by) == (NpiDispute.Status.CLAIMANT, admin)
    assert Notification.objects.filter(kind="npi_dispute_resolved").count() == 2
    preceptor_verification_decide(preceptor=claimant, by=admin, verify=True)
    claimant.refresh_from_db()
    assert claimant.status == Preceptor.Status.VERIFIED


@pytest.mark.django_db
def test_settling_for_the_holder_clears_the_claimants_npi():
    PreceptorFactory(npi="1558598797")
    claimant = PreceptorFactory()
    claimant = _update(claimant, npi="1558598797")
    npi_dispute_resolve(dispute=NpiDispute.objects.get(), by=AdminFactory(), claimant_wins=False)
    claimant.refresh_from_db()
    assert claimant.npi == ""


@pytest.mark.django_db
def test_only_admins_settle_disputes():
    PreceptorFactory(npi="1558598797")
    claimant = PreceptorFactory()
    claimant = _update(claimant, npi="1558598797")
    with pytest.raises(PermissionDenied):
        npi_dispute_resolve(dispute=NpiDispute.objects.get(), by=claimant.user, claimant_wins=True)


@pytest.mark.django_db
def test_changing_the_npi_again_drops_the_open_claim():
    PreceptorFactory(npi="1558598797")
    claimant = PreceptorFactory()
    claimant = _update(claimant, npi="1558598797")
    _update(claimant, npi="1234567893")
    assert NpiDispute.objects.count() == 0


# --- Verification ---------------------------------------------------------------------------------

def _verified(**kwargs):
    preceptor = PreceptorFactory(npi="1234567893", **kwargs)
    preceptor_verification_decide(preceptor=preceptor, by=AdminFactory(), verify=True,
                                  registry_response={"result_count": 1})
    preceptor.refresh_from_db()
    return preceptor


@pytest.mark.django_db
def test_verifying_stores_who_when_and_the_registry_answer_and_notifies():
    preceptor = _verified()
    assert preceptor.status == Preceptor.Status.VERIFIED
    assert preceptor.verified_by.role == Role.ADMIN
    assert preceptor.verified_at is not None
    assert preceptor.registry_response == {"result_count": 1}
    assert Notification.objects.filter(user=preceptor.user, kind="preceptor_verified").count() == 1


@pytest.mark.django_db
def test_rejecting_needs_a_reason_and_tells_the_preceptor():
    preceptor = PreceptorFactory(npi="1234567893")
    admin = AdminFactory()
    with pytest.raises(ValidationError):
        preceptor_verification_decide(preceptor=preceptor, by=admin, verify=False, reason=" ")
    preceptor_verification_decide(preceptor=preceptor, by=admin, verify=False, reason="Wrong NPI.")
    preceptor.refresh_from_db()
    assert (preceptor.status, preceptor.rejection_reason) == (Preceptor.Status.REJECTED, "Wrong NPI.")
    assert "Wrong NPI." in Notification.objects.get(user=preceptor.user, kind="preceptor_rejected").body


@pytest.mark.django_db
@pytest.mark.parametrize("change", [{"npi": "1558598797"}, {"full_name": "Petra Okafor"}])
def test_changing_npi_or_name_drops_verification(change):
    preceptor = _verified()
    _update(preceptor, **change)
    preceptor.refresh_from_db()
    assert (preceptor.status, preceptor.verified_at, preceptor.verified_by) == (
        Preceptor.Status.UNVERIFIED, None, None)


@pytest.mark.django_db
def test_changing_other_facts_keeps_verification():
    preceptor = _verified()
    _update(preceptor, bio="Now teaching ultrasound.", languages="English, Spanish")
    preceptor.refresh_from_db()
    assert preceptor.status == Preceptor.Status.VERIFIED


@pytest.mark.django_db
def test_only_admins_verify():
    preceptor = PreceptorFactory(npi="1234567893")
    with pytest.raises(PermissionDenied):
        preceptor_verification_decide(preceptor=preceptor, by=CoordinatorFactory().user, verify=True)


# --- The NPI registry, against a local fake server ------------------------------------------------

class _FakeRegistry(BaseHTTPRequestHandler):
    answers: dict = {}
    queries: list = []

    def do_GET(self):  # noqa: N802
        type(self).queries.append(self.path)
        status, body = type(self).answers.get("next", (200, {"result_count": 0, "results": []}))
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body if isinstance(body, bytes) else json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_registry(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeRegistry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakeRegistry.answers, _FakeRegistry.queries = {}, []
    settings.NPI_REGISTRY_URL = f"http://127.0.0.1:{server.server_port}/api/"
    settings.NPI_REGISTRY_TIMEOUT = 2
    yield _FakeRegistry
    server.shutdown()
    server.server_close()


RECORD = {"result_count": 1, "results": [{
    "number": "1234567893", "enumeration_type": "NPI-1",
    "basic": {"first_name": "PETER", "last_name": "OKAFOR", "credential": "M.D."},
    "taxonomies": [{"desc": "Internal Medicine", "primary": True}],
}]}


def test_the_registry_is_off_without_a_url(settings):
    settings.NPI_REGISTRY_URL = ""
    assert registry.npi_lookup("1234567893") is None


def test_a_lookup_reads_the_record_and_matches_last_name_and_first_initial(fake_registry):
    fake_registry.answers["next"] = (200, RECORD)
    lookup = registry.npi_lookup("1234567893")
    assert fake_registry.queries == ["/api/?version=2.1&number=1234567893"]
    assert (lookup.first_name, lookup.last_name, lookup.taxonomy) == ("PETER", "OKAFOR", "Internal Medicine")
    assert registry.name_matches("Dr. Peter Okafor", lookup) is True
    assert registry.name_matches("Paul Okafor", lookup) is True  # the first initial only
    assert registry.name_matches("Peter Okoro", lookup) is False


@pytest.mark.parametrize("answer", [(500, {"error": "boom"}), (200, b"<html>not json"),
                                    (200, {"Errors": [{"description": "Invalid"}]})])
def test_a_failing_registry_reads_unavailable(fake_registry, answer):
    fake_registry.answers["next"] = answer
    assert registry.npi_lookup("1234567893").error == registry.UNAVAILABLE


def test_an_unreachable_registry_reads_unavailable(settings):
    settings.NPI_REGISTRY_URL = "http://127.0.0.1:9/api/"
    assert registry.npi_lookup("1234567893").error == registry.UNAVAILABLE


@pytest.mark.django_db
def test_the_queue_shows_the_record_beside_the_profile_and_the_decision_stores_it(client, fake_registry):
    fake_registry.answers["next"] = (200, RECORD)
    preceptor = PreceptorFactory(full_name="Peter Okafor", npi="1234567893")
    client.force_login(AdminFactory())
    page = client.get(reverse("institutions:preceptor_queue")).content.decode()
    assert "PETER OKAFOR, M.D." in page
    assert "Last name and first initial match" in page
    client.post(reverse("institutions:preceptor_decide", args=[preceptor.pk]), {"decision": "verify"})
    preceptor.refresh_from_db()
    assert preceptor.status == Preceptor.Status.VERIFIED
    assert preceptor.registry_response == RECORD


@pytest.mark.django_db
def test_the_queue_says_registry_unavailable(client, fake_registry):
    fake_registry.answers["next"] = (503, {})
    PreceptorFactory(npi="1234567893")
    client.force_login(AdminFactory())
    assert "Registry unavailable" in client.get(reverse("institutions:preceptor_queue")).content.decode()


# --- Photos ---------------------------------------------------------------------------------------

def _image(fmt="PNG", size=(1200, 900), exif=False):
    out = io.BytesIO()
    image = Image.new("RGB", size, "teal")
    kwargs = {}
    if exif:
        data = Image.Exif()
        data[0x010F] = "SecretCam"  # Make
        kwargs["exif"] = data
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


@pytest.mark.django_db
def test_a_photo_is_resized_and_stored_without_exif(client):
    preceptor = PreceptorFactory()
    client.force_login(preceptor.user)
    upload = SimpleUploadedFile("me.jpg", _image("JPEG", exif=True), content_type="image/jpeg")
    response = client.post(reverse("preceptors:profile_edit"),
                           {"full_name": preceptor.full_name, "photo_upload": upload})
    assert response.status_code == 302
    preceptor.refresh_from_db()
    with preceptor.photo.open("rb") as handle, Image.open(handle) as stored:
        assert (stored.format, max(stored.size)) == ("JPEG", 512)
        assert dict(stored.getexif()) == {}
    assert "me" not in preceptor.photo.name


@pytest.mark.django_db
@pytest.mark.parametrize("data", [b"GIF89a" + b"\0" * 40, b"\x89PNG\r\n\x1a\n" + b"garbage" * 10,
                                  b"<html><script>alert(1)</script>"])
def test_anything_but_a_real_png_or_jpeg_is_refused(data):
    form = PreceptorProfileForm({"full_name": "Dr. Lee"}, {"photo_upload": SimpleUploadedFile("x.png", data)})
    assert form.errors["photo_upload"] == ["This file is not a readable PNG or JPEG photo."]


# --- Memberships and listings ---------------------------------------------------------------------

@pytest.mark.django_db
def test_accepting_an_invitation_records_the_membership_with_its_proof():
    invitation = InvitationFactory(role=Role.PRECEPTOR)
    user = invitation_accept(token=invitation.token, first_name="Ada", last_name="Obi",
                             password="a-long-Password-1")
    membership = PreceptorMembership.objects.get(preceptor__user=user)
    assert (membership.institution, membership.invitation) == (invitation.institution, invitation)


@pytest.mark.django_db
def test_a_listing_names_a_member_whose_home_is_elsewhere_but_not_a_stranger():
    listing = ListingFactory(status=ListingStatus.DRAFT)
    coordinator = CoordinatorFactory(institution=listing.institution).user
    member = PreceptorFactory()  # home elsewhere
    PreceptorMembership.objects.create(preceptor=member, institution=listing.institution)
    listing_save(listing=listing, by=coordinator, preceptors=[member])
    assert list(listing.preceptors.all()) == [member]
    with pytest.raises(ValidationError) as refused:
        listing_save(listing=listing, by=coordinator, preceptors=[PreceptorFactory()])
    assert refused.value.message_dict == {
        "preceptors": ["Only the institution's own preceptors can be named."]}


# --- The public page ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_public_page_shows_the_profile_listings_badge_and_review_hook(client):
    preceptor = _verified(full_name="Peter Okafor", degree="md", specialty="internal_medicine")
    listing = ListingFactory(institution=preceptor.institution, title="Inpatient medicine")
    listing.preceptors.set([preceptor])
    ListingFactory(institution=preceptor.institution, title="Draft one", status=ListingStatus.DRAFT).preceptors.set([preceptor])
    response = client.get(reverse("preceptors:public", args=[preceptor.pk]))
    page = response.content.decode()
    assert "Peter Okafor, MD" in page
    assert "Internal Medicine" in page
    assert "Verified" in page
    assert "Inpatient medicine" in page
    assert "Draft one" not in page
    assert response.context["review_summary"]["text"] == "Not enough reviews yet"
    assert preceptor.email not in page and preceptor.npi not in page


@pytest.mark.django_db
def test_a_listing_links_to_its_preceptors_page(client):
    preceptor = PreceptorFactory()
    listing = ListingFactory(institution=preceptor.institution)
    listing.preceptors.set([preceptor])
    page = client.get(reverse("rotations:listing_detail", args=[listing.pk])).content.decode()
    assert reverse("preceptors:public", args=[preceptor.pk]) in page


# --- Access to the pages without an object in the URL ---------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("owner", 200), ("applicant", 403), ("coordinator", 403), ("admin", 403)])
def test_only_a_preceptor_opens_their_profile_form(client, who, status):
    owner = PreceptorFactory()
    users = {"owner": owner.user, "applicant": UserFactory(), "coordinator": CoordinatorFactory().user,
             "admin": AdminFactory()}
    client.force_login(users[who])
    assert client.get(reverse("preceptors:profile_edit")).status_code == status


@pytest.mark.django_db
def test_a_colleague_preceptor_edits_only_their_own_profile(client):
    owner = PreceptorFactory()
    colleague = PreceptorFactory(institution=owner.institution)
    client.force_login(colleague.user)
    client.post(reverse("preceptors:profile_edit"), {"full_name": "Changed Name"})
    owner.refresh_from_db()
    colleague.refresh_from_db()
    assert owner.full_name != "Changed Name"
    assert colleague.full_name == "Changed Name"


@pytest.mark.django_db
def test_the_profile_form_asks_anonymous_users_to_log_in(client):
    response = client.get(reverse("preceptors:profile_edit"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.django_db
@pytest.mark.parametrize("who, status", [("admin", 200), ("preceptor", 403), ("coordinator", 403), ("applicant", 403)])
def test_only_admins_open_the_verification_queue(client, who, status):
    users = {"admin": AdminFactory(), "preceptor": PreceptorFactory().user,
             "coordinator": CoordinatorFactory().user, "applicant": UserFactory()}
    client.force_login(users[who])
    assert client.get(reverse("institutions:preceptor_queue")).status_code == status


# --- The API ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_anyone_reads_public_profiles_without_npi_or_email(api):
    preceptor = PreceptorFactory(npi="1234567893")
    answer = api.get(reverse("api-preceptor-detail", args=[preceptor.pk])).json()
    assert answer["full_name"] == preceptor.full_name
    assert answer["institutions"] == [{"id": preceptor.institution.pk, "name": preceptor.institution.name,
                                       "city": preceptor.institution.city, "state": preceptor.institution.state}]
    assert "npi" not in answer and "email" not in answer


@pytest.mark.django_db
def test_the_list_endpoint_makes_the_same_queries_for_one_or_many(api, django_assert_num_queries):
    PreceptorFactory()
    with django_assert_num_queries(4):
        api.get(reverse("api-preceptor-list"))
    PreceptorFactory.create_batch(4)
    with django_assert_num_queries(4):
        assert len(api.get(reverse("api-preceptor-list")).json()["results"]) == 5


@pytest.mark.django_db
def test_a_preceptor_patches_their_own_profile_and_a_bad_npi_is_a_field_error(api):
    preceptor = _verified()
    api.force_authenticate(preceptor.user)
    answer = api.patch(reverse("api-preceptor-me"), {"bio": "Hello"}, format="json")
    assert (answer.status_code, answer.json()["bio"], answer.json()["status"]) == (200, "Hello", "verified")
    answer = api.patch(reverse("api-preceptor-me"), {"npi": "1234567890"}, format="json")
    assert (answer.status_code, answer.json()) == (400, {"npi": [NPI_INVALID]})
    answer = api.patch(reverse("api-preceptor-me"), {"full_name": "Peter Q. Okafor"}, format="json")
    assert answer.json()["status"] == "unverified"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.APPLICANT, Role.COORDINATOR, Role.ADMIN])
def test_other_roles_have_no_own_preceptor_profile(api, role):
    api.force_authenticate(AdminFactory() if role == Role.ADMIN else UserFactory(role=role))
    assert api.patch(reverse("api-preceptor-me"), {"bio": "x"}, format="json").status_code == 403


def test_the_schema_describes_the_preceptor_endpoints(client, db):
    paths = client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    assert {"/api/preceptors/", "/api/preceptors/{id}/", "/api/preceptors/me/"} <= set(paths)
    assert set(paths["/api/preceptors/me/"]) == {"get", "patch"}


@pytest.mark.django_db
def test_a_preceptor_without_an_account_is_listed_but_edits_nothing():
    preceptor = PreceptorFactory(user=None, institution=InstitutionFactory())
    assert preceptor.memberships.count() == 1
    with pytest.raises(PermissionDenied):
        preceptor_profile_update(preceptor=preceptor, by=UserFactory(), changes={"bio": "x"})


# --- A second institution: the invitation is the proof -------------------------------------------

def _second_invitation(client, preceptor):
    coordinator = CoordinatorFactory()
    client.force_login(coordinator.user)
    response = client.post(reverse("institutions:invitation_create"), {
        "email": preceptor.user.email.upper(), "role": Role.PRECEPTOR, "institution": coordinator.institution.pk})
    assert response.status_code == 302
    client.logout()
    return coordinator


@pytest.mark.django_db
def test_a_preceptor_with_an_account_joins_a_second_institution_by_its_invitation(client):
    preceptor = PreceptorFactory()
    coordinator = _second_invitation(client, preceptor)
    invitation = coordinator.institution.invitations.get()
    client.force_login(preceptor.user)
    url = reverse("institutions:invitation_accept", args=[invitation.token])
    assert "Accept and add" in client.get(url).content.decode()
    client.post(url)
    assert sorted(preceptor.memberships.values_list("institution_id", flat=True)) == sorted(
        [preceptor.institution_id, coordinator.institution_id])
    assert preceptor.memberships.get(institution=coordinator.institution).invitation == invitation
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert Notification.objects.filter(user=coordinator.user, kind="invitation_accepted").count() == 1


@pytest.mark.django_db
def test_another_account_cannot_take_a_preceptors_invitation(client):
    preceptor = PreceptorFactory()
    coordinator = _second_invitation(client, preceptor)
    invitation = coordinator.institution.invitations.get()
    client.force_login(PreceptorFactory().user)
    response = client.post(reverse("institutions:invitation_accept", args=[invitation.token]))
    assert response.status_code == 409
    assert preceptor.memberships.count() == 1


@pytest.mark.django_db
def test_a_preceptor_is_not_invited_twice_to_where_they_teach(client):
    preceptor = PreceptorFactory()
    coordinator = CoordinatorFactory(institution=preceptor.institution)
    client.force_login(coordinator.user)
    response = client.post(reverse("institutions:invitation_create"), {
        "email": preceptor.user.email, "role": Role.PRECEPTOR, "institution": preceptor.institution.pk})
    assert response.status_code == 400
    assert "already teaches at this institution" in response.content.decode()


@pytest.mark.django_db
def test_the_queue_asks_a_failing_registry_once(client, fake_registry):
    fake_registry.answers["next"] = (500, {})
    PreceptorFactory.create_batch(3, npi="1234567893")
    client.force_login(AdminFactory())
    assert client.get(reverse("institutions:preceptor_queue")).content.decode().count("Registry unavailable") == 3
    assert len(fake_registry.queries) == 1
