"""Moving institutions, coordinators, preceptors and invitations into their own app keeps every row.

The schema before the move is built by migrating back to it; rows are written there with the
models of that time; migrating forward must find the same rows, with the same keys and links,
under the new app, and the admin's permissions must follow the models.
"""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("institutions", None),
    ("accounts", "0004_invitation_revoked_by"),
    ("preceptors", "0001_initial"),
    ("rotations", "0005_refuse_direction_controls"),
]
AFTER = [
    ("accounts", "0005_invitation_moved_to_institutions"),
    ("institutions", "0001_initial"),
    ("preceptors", "0002_preceptor_moved_to_institutions"),
    ("rotations", "0007_institution_moved_to_institutions"),
]

pytestmark = pytest.mark.django_db(transaction=True)


class Migrator:
    """Moves the test database between migration states and hands out the models of each."""

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        return executor.migrate(targets)

    apply_initial_migration = apply_tested_migration = migrate


@pytest.fixture
def migrator():
    yield Migrator()
    call_command("migrate", verbosity=0)  # the rest of the suite runs on the latest schema


def _old_rows(apps) -> dict:
    user_model = apps.get_model("accounts", "User")
    institution_model = apps.get_model("rotations", "Institution")
    coordinator_user = user_model.objects.create(email="carla@brookside.test", role="coordinator")
    preceptor_user = user_model.objects.create(email="peter@brookside.test", role="preceptor")
    institution = institution_model.objects.create(
        name="Brookside Community Hospital", kind="community_hospital", address="1200 Brookside Avenue",
        city="Columbus", state="OH", zip_code="43215", verified_at=timezone.now())
    coordinator = apps.get_model("rotations", "Coordinator").objects.create(
        user=coordinator_user, institution=institution, title="Rotation coordinator")
    preceptor = apps.get_model("preceptors", "Preceptor").objects.create(
        user=preceptor_user, institution=institution, full_name="Peter Okafor", email=preceptor_user.email,
        credentials="MD")
    invitation = apps.get_model("accounts", "Invitation").objects.create(
        email="new@brookside.test", role="preceptor", institution=institution, invited_by=coordinator_user,
        token="kept-token", expires_at=timezone.now() + timedelta(days=14))
    listing = apps.get_model("rotations", "Listing").objects.create(
        institution=institution, title="Internal Medicine Observership", specialty="internal_medicine",
        rotation_type="observership", setting="inpatient", city="Columbus", state="OH", audience="both",
        duration_weeks=4, description="Rounds with the team.")
    listing.preceptors.add(preceptor)
    return {"institution": institution.pk, "coordinator": coordinator.pk, "preceptor": preceptor.pk,
            "invitation": invitation.pk, "listing": listing.pk, "coordinator_user": coordinator_user.pk,
            "preceptor_user": preceptor_user.pk}


def test_every_row_is_found_under_the_institutions_app_after_the_move(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    ids = _old_rows(old.apps)

    new = migrator.apply_tested_migration(AFTER)
    institution = new.apps.get_model("institutions", "Institution").objects.get()
    assert (institution.pk, institution.name, institution.city) == (
        ids["institution"], "Brookside Community Hospital", "Columbus")
    coordinator = new.apps.get_model("institutions", "Coordinator").objects.get()
    assert (coordinator.pk, coordinator.user_id, coordinator.institution_id, coordinator.title) == (
        ids["coordinator"], ids["coordinator_user"], ids["institution"], "Rotation coordinator")
    preceptor = new.apps.get_model("institutions", "Preceptor").objects.get()
    assert (preceptor.pk, preceptor.user_id, preceptor.institution_id, preceptor.full_name) == (
        ids["preceptor"], ids["preceptor_user"], ids["institution"], "Peter Okafor")
    invitation = new.apps.get_model("institutions", "Invitation").objects.get()
    assert (invitation.pk, invitation.token, invitation.institution_id, invitation.invited_by_id) == (
        ids["invitation"], "kept-token", ids["institution"], ids["coordinator_user"])
    listing = new.apps.get_model("rotations", "Listing").objects.get()
    assert (listing.pk, listing.institution_id) == (ids["listing"], ids["institution"])
    assert list(listing.preceptors.values_list("pk", flat=True)) == [ids["preceptor"]]


def test_new_rows_take_fresh_keys_after_the_move(migrator):
    """The identity sequences travel with the renamed tables: the next row does not collide."""
    old = migrator.apply_initial_migration(BEFORE)
    ids = _old_rows(old.apps)

    new = migrator.apply_tested_migration(AFTER)
    institution = new.apps.get_model("institutions", "Institution").objects.create(
        name="Lakeside University Medical Center", kind="academic_hospital", address="5841 South Maryland Avenue",
        city="Chicago", state="IL", zip_code="60637")
    assert institution.pk > ids["institution"]


def test_the_admin_permissions_follow_the_models(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    content_type = old.apps.get_model("contenttypes", "ContentType")
    before = content_type.objects.get_or_create(app_label="rotations", model="institution")[0].pk

    new = migrator.apply_tested_migration(AFTER)
    moved = new.apps.get_model("contenttypes", "ContentType").objects.get(pk=before)
    assert (moved.app_label, moved.model) == ("institutions", "institution")
