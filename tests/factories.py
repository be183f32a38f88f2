"""factory_boy factories for the tests: one per model, with sensible defaults."""

from datetime import date, timedelta

import factory
from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from institutions.models import Coordinator, Institution, Invitation, Preceptor, PreceptorMembership
from notifications import kinds
from notifications.models import Category, Notification, OutgoingEmail
from notifications.services import notify
from rotations.choices import Audience, ListingStatus, RotationType, Setting, Specialty
from rotations.models import Listing, Slot
from rotations.services import listings_refresh_search

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Riverside Hospital {n}")
    kind = Institution.Kind.COMMUNITY_HOSPITAL
    address = "1 Main Street"
    city = "Springfield"
    state = "IL"
    zip_code = "62701"
    verified_at = factory.LazyFunction(timezone.now)


class CoordinatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coordinator

    user = factory.SubFactory(UserFactory, role=Role.COORDINATOR)
    institution = factory.SubFactory(InstitutionFactory)


class PreceptorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preceptor
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory, role=Role.PRECEPTOR)
    institution = factory.SubFactory(InstitutionFactory)
    full_name = factory.LazyAttribute(lambda o: o.user.get_full_name() if o.user else "Dr. Lee")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "lee@example.org")
    credentials = "MD"

    @factory.post_generation
    def teaches_at_home(obj, create, extracted, **kwargs):
        # Like the data migration and an accepted invitation: a preceptor teaches at their home institution.
        if create:
            PreceptorMembership.objects.get_or_create(preceptor=obj, institution=obj.institution)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.COORDINATOR
    institution = factory.SubFactory(InstitutionFactory)


class ListingFactory(factory.django.DjangoModelFactory):
    """A published listing of a verified institution, with its search document built."""

    class Meta:
        model = Listing
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    title = factory.Sequence(lambda n: f"Internal Medicine Observership {n}")
    specialty = Specialty.INTERNAL_MEDICINE
    rotation_type = RotationType.OBSERVERSHIP
    setting = Setting.INPATIENT
    city = factory.LazyAttribute(lambda o: o.institution.city)
    state = factory.LazyAttribute(lambda o: o.institution.state)
    audience = Audience.BOTH
    visas = factory.LazyFunction(lambda: ["b1", "b2"])
    duration_weeks = 4
    fee_usd = 1500
    description = "Rounds with the team, morning report and clinic."
    status = ListingStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def search_document(obj, create, extracted, **kwargs):
        if create:
            listings_refresh_search(ids=[obj.pk])


class SlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Slot

    listing = factory.SubFactory(ListingFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=27))
    application_deadline = factory.LazyAttribute(lambda o: o.start_date - timedelta(days=21))
    capacity = 2


# Applicants and applications (issue 5).

def accepted_invitation(inviter, *, member_name=("Grace", "Hopper"), institution="Lakeside Clinic"):
    """An invitation of `inviter`'s, accepted by a new member of a new institution."""
    member = UserFactory(first_name=member_name[0], last_name=member_name[1])
    return InvitationFactory(invited_by=inviter, accepted_by=member, accepted_at=timezone.now(),
                             institution=InstitutionFactory(name=institution))


# The notifications app's rows.

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


def notify_accepted(user, invitation):
    """The notification (and e-mail row) of an accepted invitation, through `notify`."""
    return notify(user=user, kind=kinds.INVITATION_ACCEPTED,
                  context={"invitation": invitation, "member": invitation.accepted_by}, url="/")


def pdf_bytes(text: str = "Rotamatch test document") -> bytes:
    """A small real PDF (one page), as a scanner or a word processor would give."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG") -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, format=fmt)
    return buffer.getvalue()


def uploaded(data: bytes | None = None, name: str = "document.pdf", content_type: str = "application/pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, content_type=content_type)


def multipart_body(fields: dict, *, file_name: str, data: bytes) -> tuple[bytes, str]:
    """A multipart body (and its content type) with a file of any name: `uploaded` cannot make
    one, because Django's UploadedFile cuts names to 255 characters."""
    boundary = "RotamatchBoundary"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                 f"Content-Type: application/pdf\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def stored_files() -> set[str]:
    """Every file in the private storage (one throw-away directory for the whole test run), to
    show that a refused upload stored nothing and deleted nothing."""
    from pathlib import Path

    from django.core.files.storage import default_storage

    root = Path(default_storage.location)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()}


def login(api, user):
    """Sign the API client in as `user` (None: stay anonymous); returns the client."""
    if user is not None:
        api.force_login(user)
    return api


def ids(response) -> list[int]:
    """The ids of a paginated API list, in order."""
    return [item["id"] for item in response.json()["results"]]


def messages_of(response) -> list[str]:
    """The flash messages a (followed) response shows."""
    return [str(message) for message in response.context["messages"]]


class ProfileFactory(factory.django.DjangoModelFactory):
    """A complete profile: a graduate with Step 1 and Step 2 CK passed, on a B-1 visa."""

    class Meta:
        model = "applicants.Profile"

    user = factory.SubFactory(UserFactory)
    legal_name = factory.LazyAttribute(lambda o: o.user.get_full_name() or "Amina Yusuf")
    citizenship = "NG"
    medical_school = "University of Lagos College of Medicine"
    school_country = "NG"
    stage = "graduate"
    graduation_year = 2024
    ecfmg_status = "certified"
    step1_status = "passed"
    step2_status = "passed"
    step2_score = 245
    visa_status = "b1"
    languages = factory.LazyFunction(lambda: ["English", "Yoruba"])
    specialties = factory.LazyFunction(lambda: ["internal_medicine"])
    preferred_states = factory.LazyFunction(lambda: ["IL", "NY"])
    budget_usd = 3000


class DocumentFactory(factory.django.DjangoModelFactory):
    """A verified document with a real PDF stored under a random key."""

    class Meta:
        model = "applicants.Document"

    applicant = factory.SubFactory(UserFactory)
    kind = "cv"
    file = factory.LazyFunction(lambda: uploaded())
    original_name = "document.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: o.file.size)
    status = "verified"
    expires_on = factory.LazyAttribute(
        lambda o: timezone.localdate() + timedelta(days=365) if o.kind in _expiring_kinds() else None)


def _expiring_kinds():
    from applicants.choices import EXPIRING_KINDS

    return EXPIRING_KINDS


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application in any state; `offered` ones get a deadline a week ahead.

    Created straight in the database (the trigger still counts seats): tests of the moves
    themselves go through `application_transition`.
    """

    class Meta:
        model = "matching.Application"

    applicant = factory.SubFactory(UserFactory)
    slot = factory.SubFactory(SlotFactory)
    statement = "I want to learn how a US inpatient team works."
    status = "submitted"
    offer_deadline = factory.LazyAttribute(
        lambda o: timezone.now() + timedelta(days=7) if o.status == "offered" else None)
    waitlisted_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == "waitlisted" else None)


class ExperienceEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applicants.ExperienceEntry"

    applicant = factory.SubFactory(UserFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=120))
    end_date = factory.LazyAttribute(lambda o: o.start_date + timedelta(days=27))
    institution = "Lagos University Teaching Hospital"
    specialty = "internal_medicine"
    setting = "inpatient"
    hours = 160
    duties = "Ward rounds, admissions, discharge summaries."
    supervisor = "Dr. Bello"


# Builders of a few rows at once, for the tests that need the same scene.

def placement_needing(applicant, kind, status="approved", **slot):
    """A placement (accepted or approved) at "Cardiology", Mercy, whose listing requires `kind`."""
    return ApplicationFactory(applicant=applicant, status=status, slot__listing__title="Cardiology",
                              slot__listing__institution__name="Mercy", slot__listing__required_documents=[kind],
                              **{f"slot__{name}": value for name, value in slot.items()})


def placement_entry(applicant):
    """A log entry made from a completed placement."""
    application = ApplicationFactory(applicant=applicant, status="completed")
    return ExperienceEntryFactory(applicant=applicant, application=application,
                                  start_date=date(2025, 3, 3), end_date=date(2025, 3, 30),
                                  institution="Riverside Hospital", specialty="cardiology")


@transaction.atomic  # one commit for the whole set-up, not one per row
def offers_on_one_slot(*, capacity, taken, count):
    """A slot of `capacity` with `taken` seats accepted, and `count` open offers on it."""
    slot = SlotFactory(capacity=capacity)
    for _ in range(taken):
        ApplicationFactory(slot=slot, status="accepted")
    return slot, [ApplicationFactory(slot=slot, status="offered") for _ in range(count)]


def slot_starting_in(days, weeks=4, **kwargs):
    """A slot starting `days` from today, `weeks` long, its deadline three weeks before."""
    start = timezone.localdate() + timedelta(days=days)
    return SlotFactory(start_date=start, end_date=start + timedelta(weeks=weeks, days=-1),
                       application_deadline=start - timedelta(days=21), **kwargs)


# Reviews and evaluations (issue 10).

REVIEW_DATA = {"overall": 4, "teaching": 5, "hands_on": 3, "organisation": 4, "value": 4, "would_recommend": True,
               "text": "Daily rounds with the team, two clinic days a week and a case presentation at the end."}
EVALUATION_DATA = {"patient_care": 4, "medical_knowledge": 3, "practice_based_learning": 0,
                   "interpersonal_communication": 5, "professionalism": 5, "systems_based_practice": 2,
                   "overall": 4, "strengths": "Thorough histories; kind with patients.",
                   "improvements": "Commit to a differential sooner.", "would_write_letter": True}


def completed_placement(*, ended_days_ago=3, status="completed", **kwargs):
    """A placement whose four-week rotation ended `ended_days_ago` days ago, with one preceptor
    (an account of the listing's institution) attached to its listing."""
    end = timezone.localdate() - timedelta(days=ended_days_ago)
    start = end - timedelta(days=27)
    institution = kwargs.pop("slot__listing__institution", None)
    preceptor = PreceptorFactory(institution=institution) if institution else PreceptorFactory()
    application = ApplicationFactory(
        status=status, slot__start_date=start, slot__end_date=end, slot__application_deadline=start - timedelta(days=21),
        slot__listing__institution=preceptor.institution, **kwargs)
    application.slot.listing.preceptors.add(preceptor)
    return application


def preceptor_of(application):
    return application.slot.listing.preceptors.first().user


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "preceptors.Review"

    application = factory.LazyFunction(completed_placement)
    listing = factory.LazyAttribute(lambda o: o.application.slot.listing)
    overall, teaching, hands_on, organisation, value = 4, 5, 3, 4, 4
    would_recommend = True
    text = REVIEW_DATA["text"]
    status = "pending"
    published_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == "published" else None)


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "preceptors.Evaluation"

    application = factory.LazyFunction(completed_placement)
    author = factory.LazyAttribute(lambda o: o.application.slot.listing.preceptors.first())
    patient_care, medical_knowledge, practice_based_learning = 4, 3, 0
    interpersonal_communication, professionalism, systems_based_practice = 5, 5, 2
    overall = 4
    strengths = EVALUATION_DATA["strengths"]
    improvements = EVALUATION_DATA["improvements"]
    would_write_letter = True


class ReviewResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "preceptors.ReviewResponse"

    review = factory.SubFactory(ReviewFactory, status="published")
    text = "Thank you for writing; we have changed the clinic schedule since."


LETTER_TEXT = "LETTER-BODY-7f3a: I recommend this applicant without reservation."


def letter_request(*, applicant=None, waived=True, **data):
    """A letter request through the service (so its e-mail to the author is in the outbox): to the
    preceptor of a completed placement of `applicant`, unless author fields are given."""
    from preceptors.services_letters import letter_request_create

    if "preceptor" not in data and "author_email" not in data:
        placement = completed_placement(**({"applicant": applicant} if applicant else {}))
        applicant = placement.applicant
        data["preceptor"] = placement.slot.listing.preceptors.first()
    return letter_request_create(applicant=applicant, data={
        "specialty_label": "Internal Medicine", "message": "Thank you for the month on your team.",
        "waived": waived, **data})


def letter_uploaded(*, text: str = LETTER_TEXT, **kwargs):
    """A request whose author uploaded a real PDF through their link."""
    from preceptors.services_letters import letter_upload

    letter = letter_request(**kwargs)
    letter_upload(letter=letter, upload=uploaded(pdf_bytes(text), name="letter.pdf"), link_nonce=letter.link_nonce)
    letter.refresh_from_db()
    return letter


def letter_shared(*, letters=None, program="Mercy Hospital IM Residency", email="gme@mercy.example", **kwargs):
    from preceptors.services_letters import letter_share_create

    letters = letters or [letter_uploaded(**kwargs)]
    return letter_share_create(applicant=letters[0].applicant, letters=letters, program_name=program,
                               recipient_email=email)
