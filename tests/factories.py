"""factory_boy factories for the tests: one per model, with sensible defaults."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Invitation, Role, User
from preceptors.models import Preceptor
from rotations.choices import Audience, ListingStatus, RotationType, Setting, Specialty
from rotations.models import Coordinator, Institution, Listing, Slot
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

    user = factory.SubFactory(UserFactory, role=Role.PRECEPTOR)
    institution = factory.SubFactory(InstitutionFactory)
    full_name = factory.LazyAttribute(lambda o: o.user.get_full_name() if o.user else "Dr. Lee")
    email = factory.LazyAttribute(lambda o: o.user.email if o.user else "lee@example.org")
    credentials = "MD"


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
