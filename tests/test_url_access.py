"""Every URL that names an object, tried by every role against objects owned by others.

The table below lists, for each such route, who may use it; a guard test fails when a route with
parameters is added to the URLconf without a row here. Refused requests must change nothing.
"""

import io

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse
from PIL import Image

from institutions.models import NpiDispute
from notifications.models import Notification
from rotations.choices import ListingStatus
from rotations.models import Listing, Slot

from .factories import (
    REVIEW_DATA,
    AdminFactory,
    ApplicationFactory,
    CoordinatorFactory,
    DocumentFactory,
    EvaluationFactory,
    ExperienceEntryFactory,
    InvitationFactory,
    PreceptorFactory,
    ProfileFactory,
    ReviewFactory,
    ReviewResponseFactory,
    SlotFactory,
    UserFactory,
    completed_placement,
    letter_request,
    letter_shared,
    letter_uploaded,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "applicant", "other_applicant", "owner", "colleague", "stranger", "preceptor", "admin"]
TEAM = {"owner", "colleague"}

# route → (method, object key, extra kwargs, roles allowed)
TABLE = {
    "institutions:invitation_revoke": ("post", "invitation", {}, TEAM | {"admin"}),
    "institutions:invitation_accept": ("get", "invitation_token", {}, {"anonymous"}),
    "notifications:open": ("get", "notification", {}, {"applicant"}),
    "notifications:mark_read": ("post", "notification", {}, {"applicant"}),
    "rotations:listing_detail": ("get", "draft", {}, TEAM | {"admin"}),
    "rotations:listing_save": ("post", "draft", {}, set()),
    "rotations:compare_toggle": ("post", "draft", {}, set()),
    "rotations:coordinator_listing": ("get", "draft", {}, TEAM),
    "rotations:listing_edit": ("get", "draft", {}, TEAM),
    "rotations:slot_create": ("get", "draft", {}, TEAM),
    "rotations:slot_import": ("get", "draft", {}, TEAM),
    "rotations:listing_action": ("post", "draft", {"action": "submit"}, TEAM),
    "rotations:slot_edit": ("get", "slot", {}, TEAM),
    "rotations:slot_delete": ("post", "slot", {}, TEAM),
    "rotations:moderation_action": ("post", "submitted", {"action": "publish"}, {"admin"}),
    "api-listing-detail": ("get", "draft", {}, set()),
    "api-coordinator-listing-detail": ("get", "draft", {}, TEAM | {"admin"}),
    "api-coordinator-listing-archive": ("post", "draft", {}, TEAM | {"admin"}),
    "api-coordinator-listing-submit": ("post", "draft", {}, TEAM | {"admin"}),
    "api-coordinator-slot-detail": ("get", "slot", {}, TEAM | {"admin"}),
    "api-coordinator-listing-slots": ("get", "draft", {}, TEAM | {"admin"}),
    # Issue 5: the applicant's profile, documents, log and applications (the applicant applied to
    # the owner's institution, so owner and colleague see the application and verified documents).
    "applicants:document_delete": ("post", "document", {}, {"applicant"}),
    "applicants:document_download": ("get", "document", {}, {"applicant"} | TEAM | {"admin"}),
    "applicants:document_review": ("post", "pending_document", {}, {"admin"}),
    "applicants:experience_edit": ("get", "experience_entry", {}, {"applicant"}),
    "applicants:experience_delete": ("post", "experience_entry", {}, {"applicant"}),
    "matching:apply": ("get", "public_slot", {}, {"applicant", "other_applicant"}),
    "matching:application": ("get", "application", {}, {"applicant"}),
    "matching:move": ("post", "application", {"action": "withdraw"}, {"applicant"}),
    "matching:calendar_feed": ("get", "calendar_token", {}, set(ROLES)),
    "matching:review": ("get", "application", {}, TEAM | {"admin"}),
    "matching:offer_next": ("post", "public_slot", {}, TEAM),
    "api-document-detail": ("get", "document", {}, {"applicant"}),
    "api-application-detail": ("get", "application", {}, {"applicant"} | TEAM | {"admin"}),
    "api-application-move": ("post", "application", {}, {"applicant"}),
    # Issue 10: preceptor profiles. The public page, its photo and the API's profile are for all;
    # verification and NPI disputes for admins only.
    "preceptors:public": ("get", "preceptor", {}, set(ROLES)),
    "preceptors:photo": ("get", "preceptor", {}, set(ROLES)),
    "api-preceptor-detail": ("get", "preceptor", {}, set(ROLES)),
    "institutions:preceptor_decide": ("post", "unverified_preceptor", {}, {"admin"}),
    "institutions:dispute_resolve": ("post", "npi_dispute", {}, {"admin"}),
    # Issue 10: the completed placement (the world's preceptor is on its listing), its review and
    # evaluation pages, the host's response and the admins' moderation.
    "preceptors:review": ("get", "completed", {}, {"applicant"}),
    "preceptors:evaluate": ("get", "completed", {}, {"preceptor"}),
    "preceptors:evaluation": ("get", "completed", {}, {"applicant", "preceptor", "admin"} | TEAM),
    "preceptors:respond": ("post", "published_review", {}, {"preceptor"} | TEAM),
    "preceptors:moderate_review": ("post", "pending_review", {"action": "approve"}, {"admin"}),
    "preceptors:moderate_response": ("post", "pending_response", {"action": "approve"}, {"admin"}),
    "api-review-detail": ("get", "published_review", {}, set(ROLES)),
    "api-evaluation-detail": ("get", "evaluation", {}, {"applicant", "preceptor", "admin"} | TEAM),
    "api-review-resubmit": ("post", "rejected_review", {}, {"applicant"}),
    "api-review-respond": ("post", "published_review", {}, {"preceptor"} | TEAM),
    # Issue 11: letters. The applicant's requests and shares are theirs; the letter (unwaived here)
    # is downloaded by its applicant and its author, the world's preceptor; a link is for whoever
    # holds it; admins open or remove a letter with a reason. Coordinators never see a letter.
    "preceptors:letter_action": ("post", "pending_letter", {"action": "cancel"}, {"applicant"}),
    "preceptors:share_revoke": ("post", "share", {}, {"applicant"}),
    "preceptors:letter_download": ("get", "letter", {}, {"applicant", "preceptor"}),
    "preceptors:author_letter": ("get", "pending_letter", {}, {"preceptor"}),
    "preceptors:letter_upload": ("get", "upload_link", {}, set(ROLES)),
    "preceptors:letter_share": ("get", "share_link", {}, set(ROLES)),
    "preceptors:letter_share_download": ("get", "share_download", {}, set(ROLES)),
    "preceptors:admin_letter_open": ("post", "letter", {}, {"admin"}),
    "preceptors:admin_letter_remove": ("post", "letter", {}, {"admin"}),
    "api-letter-detail": ("get", "pending_letter", {}, {"applicant"}),
    "api-letter-cancel": ("post", "pending_letter", {}, {"applicant"}),
    "api-letter-share-detail": ("get", "share", {}, {"applicant"}),
    "api-letter-share-revoke": ("post", "share", {}, {"applicant"}),
    "api-pending-letter-detail": ("get", "pending_letter", {}, {"preceptor"}),
    # Issue 12: match rounds. Any applicant ranks in an open round and reads their own result; the
    # coordinators of the round's slots rank their slot's rankers; admins run rounds.
    "matching:round_rank": ("get", "open_round", {}, {"applicant", "other_applicant"}),
    "matching:round_result": ("get", "published_round", {}, {"applicant", "other_applicant"}),
    "matching:round_host": ("get", "open_round", {}, TEAM),
    "matching:slot_rank": ("get", "round_slot", {}, TEAM),
    "matching:round_admin": ("get", "open_round", {}, {"admin"}),
    "matching:round_progress": ("get", "open_round", {}, {"admin"}),
    "matching:round_instance": ("get", "open_round", {}, {"admin"}),
    "matching:round_result_download": ("get", "published_round", {}, {"admin"}),
    "matching:round_move": ("post", "draft_round", {"action": "open"}, {"admin"}),
    # Issue 15: documents issued from placements. The applicant, the institution's coordinators and
    # admins download the approved placement's invitation letter and issue the completed one's
    # certificate; only the institution's coordinators and admins revoke; anyone checks a code.
    "matching:placement_document": ("get", "approved", {"kind": "invitation"}, {"applicant"} | TEAM | {"admin"}),
    "matching:placement_document_issue": ("post", "completed", {"kind": "certificate"}, {"applicant"} | TEAM | {"admin"}),
    "matching:issued_revoke": ("post", "issued", {}, TEAM | {"admin"}),
    "matching:verify_code": ("get", "verify_code", {}, set(ROLES)),
}
# Request bodies for the routes that need one to succeed.
POST_DATA = {
    "applicants:document_review": {"verified": "1"},
    "api-application-move": {"action": "withdraw"},
    "institutions:preceptor_decide": {"decision": "reject", "reason": "The NPI belongs to someone else."},
    "institutions:dispute_resolve": {"winner": "holder"},
    "preceptors:respond": {"text": "Thank you for the review."},
    "api-review-respond": {"text": "Thank you for the review."},
    "api-review-resubmit": {**REVIEW_DATA, "text": "Rounds and clinic every day; I took out the names I had given."},
    "preceptors:admin_letter_open": {"reason": "A program says the file does not open."},
    "preceptors:admin_letter_remove": {"reason": "The author asked us to withdraw it."},
    "matching:issued_revoke": {"reason": "Issued for the wrong dates."},
}
# What an allowed POST does, as a test of the rows after it: a redirect alone proves nothing.
EFFECTS = {
    "institutions:invitation_revoke": lambda o: _row("institutions.Invitation", o["invitation"]).revoked_at is not None,
    "notifications:mark_read": lambda o: _row("notifications.Notification", o["notification"]).read_at is not None,
    "rotations:listing_action": lambda o: _row("rotations.Listing", o["draft"]).status == ListingStatus.SUBMITTED,
    "rotations:slot_delete": lambda o: _row("rotations.Slot", o["slot"]) is None,
    "rotations:moderation_action": lambda o: _row("rotations.Listing", o["submitted"]).status == ListingStatus.PUBLISHED,
    "api-coordinator-listing-archive": lambda o: _row("rotations.Listing", o["draft"]).status == ListingStatus.ARCHIVED,
    "api-coordinator-listing-submit": lambda o: _row("rotations.Listing", o["draft"]).status == ListingStatus.SUBMITTED,
    "applicants:document_delete": lambda o: _row("applicants.Document", o["document"]) is None,
    "applicants:document_review": lambda o: _row("applicants.Document", o["pending_document"]).status == "verified",
    "applicants:experience_delete": lambda o: _row("applicants.ExperienceEntry", o["experience_entry"]) is None,
    "matching:move": lambda o: _row("matching.Application", o["application"]).status == "withdrawn",
    "api-application-move": lambda o: _row("matching.Application", o["application"]).status == "withdrawn",
    "institutions:preceptor_decide": lambda o: _row("institutions.Preceptor", o["unverified_preceptor"]).status == "rejected",
    "institutions:dispute_resolve": lambda o: _row("institutions.NpiDispute", o["npi_dispute"]).status == "holder",
    "preceptors:respond": lambda o: _row("preceptors.ReviewResponse", {"review": o["published_review"]}) is not None,
    "preceptors:moderate_review": lambda o: _row("preceptors.Review", o["pending_review"]).status == "published",
    "preceptors:moderate_response": lambda o: _row("preceptors.ReviewResponse", o["pending_response"]).status == "published",
    "api-review-respond": lambda o: _row("preceptors.ReviewResponse", {"review": o["published_review"]}) is not None,
    "api-review-resubmit": lambda o: _row("preceptors.Review", o["rejected_review"]).status == "pending",
    "preceptors:letter_action": lambda o: _row("preceptors.LetterRequest", o["pending_letter"]).status == "cancelled",
    "api-letter-cancel": lambda o: _row("preceptors.LetterRequest", o["pending_letter"]).status == "cancelled",
    "preceptors:share_revoke": lambda o: _row("preceptors.LetterShare", o["share"]).revoked_at is not None,
    "api-letter-share-revoke": lambda o: _row("preceptors.LetterShare", o["share"]).revoked_at is not None,
    "preceptors:admin_letter_open": lambda o: _row("preceptors.LetterAccess", {"reason__startswith": "A program"}) is not None,
    "preceptors:admin_letter_remove": lambda o: _row("preceptors.LetterRequest", o["letter"]).status == "removed",
    "matching:round_move": lambda o: _row("matching.MatchRound", o["draft_round"]).status == "ranking_open",
    "matching:placement_document_issue": lambda o: _row("matching.IssuedDocument", {
        "application": o["completed"], "kind": "certificate", "superseded_at__isnull": True}) is not None,
    "matching:issued_revoke": lambda o: _row("matching.IssuedDocument", o["issued"]).revoked_at is not None,
}
# Allowed POSTs that rightly change nothing in this world: nobody is on the slot's waitlist.
NO_EFFECT = {"matching:offer_next"}
SKIPPED_PREFIXES = ("admin/", "accounts/")  # Django's admin and allauth guard their own URLs


def _routes_with_parameters(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes_with_parameters(pattern.url_patterns, prefix + str(pattern.pattern),
                                               pattern.namespace or namespace)
        elif "<" in prefix + str(pattern.pattern) and not (prefix + str(pattern.pattern)).startswith(SKIPPED_PREFIXES):
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_route_with_parameters_is_in_the_table():
    assert set(_routes_with_parameters(get_resolver().url_patterns)) == set(TABLE)


def test_every_allowed_post_has_its_effect_stated():
    posts = {route for route, (method, _, _, allowed) in TABLE.items() if method == "post" and allowed}
    assert posts == set(EFFECTS) | NO_EFFECT


def _row(model: str, pk):
    lookup = pk if isinstance(pk, dict) else {"pk": pk}
    return apps.get_model(model).objects.filter(**lookup).first()


def _world():
    owner = CoordinatorFactory()
    institution = owner.institution
    draft = SlotFactory(listing__institution=institution, listing__status=ListingStatus.DRAFT)
    submitted = SlotFactory(listing__institution=institution, listing__status=ListingStatus.SUBMITTED).listing
    applicant = UserFactory()
    users = {
        "anonymous": None, "applicant": applicant, "other_applicant": UserFactory(),
        "owner": owner.user, "colleague": CoordinatorFactory(institution=institution).user,
        "stranger": CoordinatorFactory().user, "preceptor": PreceptorFactory().user, "admin": AdminFactory(),
    }
    invitation = InvitationFactory(institution=institution)
    notification = Notification.objects.create(user=applicant, kind="test", category="team", title="Yours")
    public_slot = SlotFactory(listing__institution=institution)
    profile = ProfileFactory(user=applicant)
    application = ApplicationFactory(applicant=applicant, slot=public_slot)
    objects = {"draft": draft.listing.pk, "slot": draft.pk, "submitted": submitted.pk,
               "invitation": invitation.pk, "notification": notification.pk,
               "public_slot": public_slot.pk, "application": application.pk,
               "document": DocumentFactory(applicant=applicant).pk,
               "pending_document": DocumentFactory(applicant=applicant, kind="passport", status="pending").pk,
               "experience_entry": ExperienceEntryFactory(applicant=applicant).pk,
               "calendar_token": profile.calendar_token, **_preceptor_objects(institution),
               **_placement_world(applicant, institution, users)}
    objects.update(_letter_world(applicant, users))
    objects.update(_round_world(institution))
    objects.update(_issued_world(applicant, institution))
    return users, objects, invitation


def _preceptor_objects(institution):
    preceptor = PreceptorFactory(institution=institution, photo=ContentFile(_jpeg(), name="p.jpg"))
    holder = PreceptorFactory(npi="1558598797")
    claimant = PreceptorFactory(npi="1558598797")
    dispute = NpiDispute.objects.create(npi="1558598797", holder=holder, claimant=claimant)
    return {"preceptor": preceptor.pk, "unverified_preceptor": PreceptorFactory(institution=institution).pk,
            "npi_dispute": dispute.pk}


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(out, format="JPEG")
    return out.getvalue()


def _placement_world(applicant, institution, users):
    """A completed placement of the applicant's at the owner's institution, its listing
    supervised by the world's preceptor; three published, revealed reviews of it, one pending,
    and a pending response."""
    preceptor = users["preceptor"].preceptor
    completed = completed_placement(applicant=applicant, slot__listing__institution=institution, ended_days_ago=20,
                                    slot__capacity=6)
    completed.slot.listing.preceptors.add(preceptor)
    listing = completed.slot.listing
    published = [ReviewFactory(application=ApplicationFactory(slot=completed.slot, status="completed"),
                               listing=listing, status="published") for _ in range(3)]
    Listing.objects.filter(pk=listing.pk).update(review_count=3, review_average=4)
    pending = ReviewFactory(application=ApplicationFactory(slot=completed.slot, status="completed"), listing=listing)
    response = ReviewResponseFactory(review=published[1], author=users["owner"])
    evaluation = EvaluationFactory(application=completed, author=preceptor)
    rejected = ReviewFactory(application=completed, status="rejected", reject_reason="personal_data")
    return {"completed": completed.pk, "rejected_review": rejected.pk, "published_review": published[0].pk,
            "pending_review": pending.pk,
            "pending_response": response.pk, "evaluation": evaluation.pk}


def _letter_world(applicant, users):
    """An uploaded, unwaived letter of the applicant's by the world's preceptor, shared with a
    program, and a request to the same preceptor that awaits its letter."""
    from preceptors.services_letters import share_link, upload_link

    preceptor = users["preceptor"].preceptor
    letter = letter_uploaded(applicant=applicant, preceptor=preceptor, waived=False)
    pending = letter_request(applicant=applicant, preceptor=preceptor)
    share = letter_shared(letters=[letter])
    token = share_link(share).split("/")[-2]
    return {"letter": letter.pk, "pending_letter": pending.pk, "share": share.pk,
            "upload_link": {"token": upload_link(pending).split("/")[-2]}, "share_link": {"token": token},
            "share_download": {"token": token, "pk": letter.pk}}


def _round_world(institution):
    """Three rounds over slots of the owner's institution: a draft, one open for ranking (and one
    of its slots), and a published one."""
    from datetime import timedelta

    from django.utils import timezone

    from matching.models import MatchRound

    now = timezone.now()
    rounds = {}
    for key, status in (("draft_round", "draft"), ("open_round", "ranking_open"), ("published_round", "published")):
        match_round = MatchRound.objects.create(name=key, status=status, ranking_opens_at=now - timedelta(days=1),
                                                ranking_deadline=now + timedelta(days=3), match_at=now + timedelta(days=4))
        match_round.slots.add(SlotFactory(listing__institution=institution))
        rounds[key] = match_round.pk
    slot = MatchRound.objects.get(pk=rounds["open_round"]).slots.get()
    return {**rounds, "round_slot": {"pk": rounds["open_round"], "slot_pk": slot.pk}}


def _issued_world(applicant, institution):
    """An approved placement of the applicant's at the owner's institution, on dates of its own,
    with the invitation letter the applicant issued; its code, for the verification page."""
    from datetime import timedelta

    from django.utils import timezone

    from matching.services_issued import issue

    start = timezone.localdate() + timedelta(days=200)
    approved = ApplicationFactory(applicant=applicant, status="approved", slot=SlotFactory(
        listing__institution=institution, start_date=start, end_date=start + timedelta(days=27),
        application_deadline=start - timedelta(days=21)))
    letter = issue(application=approved, kind="invitation", by=applicant)
    return {"approved": approved.pk, "issued": letter.pk, "verify_code": {"code": letter.code}}


def _snapshot(objects):
    from applicants.models import Document, ExperienceEntry
    from institutions.models import Invitation, Preceptor
    from matching.models import Application
    from preceptors.models import Evaluation, Review, ReviewResponse

    return (
        sorted(Review.objects.values_list("pk", "status")),
        sorted(ReviewResponse.objects.values_list("pk", "status")),
        Evaluation.objects.count(),
        sorted(Listing.objects.values_list("pk", "status")),
        sorted(Slot.objects.values_list("pk", "capacity")),
        list(Invitation.objects.values_list("pk", "revoked_at")),
        list(Notification.objects.values_list("pk", "read_at")),
        sorted(Application.objects.values_list("pk", "status")),
        sorted(Document.objects.values_list("pk", "status")),
        sorted(ExperienceEntry.objects.values_list("pk", "hours", "start_date")),
        sorted(Preceptor.objects.values_list("pk", "status", "npi")),
        sorted(NpiDispute.objects.values_list("pk", "status")),
        sorted(apps.get_model("preceptors.LetterRequest").objects.values_list("pk", "status")),
        sorted(apps.get_model("preceptors.LetterShare").objects.values_list("pk", "revoked_at")),
        apps.get_model("preceptors.LetterAccess").objects.filter(reason__gt="").count(),
        sorted(apps.get_model("matching.MatchRound").objects.values_list("pk", "status")),
        sorted(apps.get_model("matching.IssuedDocument").objects.values_list("pk", "superseded_at", "revoked_at")),
        apps.get_model("matching.IssuedDocumentDownload").objects.count(),
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", TABLE)
def test_each_role_gets_only_what_is_theirs(client, route, role):
    method, key, extra, allowed = TABLE[route]
    users, objects, invitation = _world()
    if users[role]:
        client.force_login(users[role])
    if key == "invitation_token":
        kwargs = {"token": invitation.token}
    elif key == "calendar_token":
        kwargs = {"token": objects[key]}
    elif isinstance(objects[key], dict):  # a link's token (and the letter it names)
        kwargs = objects[key]
    else:
        kwargs = {"pk": objects[key], **extra}
    before = _snapshot(objects)
    data = {"data": POST_DATA[route]} if route in POST_DATA else {}
    response = getattr(client, method)(reverse(route, kwargs=kwargs), **data)
    if role in allowed:
        assert response.status_code in (200, 201, 302), response.status_code
        if response.status_code == 302:
            assert "/accounts/login/" not in response.url
        if route in NO_EFFECT:
            assert _snapshot(objects) == before
        elif method == "post":
            assert EFFECTS[route](objects), f"{role} got {response.status_code} on {route} but nothing changed"
    else:
        refused = response.status_code in (403, 404, 405, 409) or (
            response.status_code == 302 and "/accounts/login/" in response.url)
        assert refused, f"{role} got {response.status_code} on {route}"
        assert _snapshot(objects) == before
