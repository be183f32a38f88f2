"""Institutions 0003: every existing preceptor teaches at its home institution, and free-text
specialties become codes of the controlled list (or empty when none matches)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate([target])


@pytest.fixture
def back_to_0002():
    yield _migrate(("institutions", "0002_preceptor_profiles"))
    call_command("migrate", verbosity=0)  # the rest of the suite runs on the latest schema


def test_existing_preceptors_get_a_membership_and_a_specialty_code(back_to_0002):
    apps = back_to_0002.apps
    institution = apps.get_model("institutions", "Institution").objects.create(
        name="Brookside", kind="clinic", address="1 Main St", city="Columbus", state="OH", zip_code="43215")
    preceptor_model = apps.get_model("institutions", "Preceptor")
    known = preceptor_model.objects.create(institution=institution, full_name="Dr. A", email="a@x.org",
                                           specialty="Internal Medicine")
    unknown = preceptor_model.objects.create(institution=institution, full_name="Dr. B", email="b@x.org",
                                             specialty="Sports medicine, mostly")

    new = _migrate(("institutions", "0003_preceptor_memberships_and_specialties")).apps
    preceptors = new.get_model("institutions", "Preceptor").objects
    assert preceptors.get(pk=known.pk).specialty == "internal_medicine"
    assert preceptors.get(pk=unknown.pk).specialty == ""
    memberships = new.get_model("institutions", "PreceptorMembership").objects
    assert sorted(memberships.values_list("preceptor_id", "institution_id")) == [
        (known.pk, institution.pk), (unknown.pk, institution.pk)]
