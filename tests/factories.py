"""factory_boy factories for the tests: one per model, with sensible defaults."""

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import Invitation, Role, User
from preceptors.models import Preceptor
from rotations.models import Coordinator, Institution

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
