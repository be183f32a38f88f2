"""Coordinators and preceptors join by an e-mailed invitation; each institution sees only its own."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, User
from institutions.models import Coordinator, Invitation, Preceptor

from .factories import InstitutionFactory, InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _invite(client, user, institution, email="new.person@example.org", role=Role.COORDINATOR):
    client.force_login(user)
    return client.post(reverse("institutions:invitation_create"),
                       {"email": email, "role": role, "institution": institution.pk})


def test_coordinator_invites_a_colleague_by_email(client, coordinator):
    institution = coordinator.coordinator.institution
    response = _invite(client, coordinator, institution)
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.institution) == (
        "new.person@example.org", Role.COORDINATOR, institution)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.person@example.org"]
    assert reverse("institutions:invitation_accept", args=[invitation.token]) in mail.outbox[0].body


def test_coordinator_cannot_invite_to_another_institution(client, coordinator):
    other = InstitutionFactory()
    response = _invite(client, coordinator, other)
    assert response.status_code == 400
    assert Invitation.objects.count() == 0
    assert len(mail.outbox) == 0


def test_admin_invites_to_any_institution(client, admin_user):
    institution = InstitutionFactory()
    assert _invite(client, admin_user, institution, role=Role.PRECEPTOR).status_code == 302
    assert Invitation.objects.get().institution == institution


def test_applicants_cannot_invite(client, applicant):
    assert _invite(client, applicant, InstitutionFactory()).status_code == 403
    assert Invitation.objects.count() == 0


def test_invitation_to_an_existing_account_is_refused(client, coordinator):
    UserFactory(email="taken@example.org")
    response = _invite(client, coordinator, coordinator.coordinator.institution, email="Taken@Example.org")
    assert response.status_code == 400
    assert "already has a Rotamatch account" in response.content.decode()
    assert Invitation.objects.count() == 0


def _accept(client, invitation, password="a-long-and-good-passphrase"):
    return client.post(reverse("institutions:invitation_accept", args=[invitation.token]), {
        "first_name": "Grace", "last_name": "Hopper", "password1": password, "password2": password,
    })


def test_accepting_a_coordinator_invitation_creates_a_verified_member(client):
    invitation = InvitationFactory(role=Role.COORDINATOR)
    response = _accept(client, invitation)
    assert response.status_code == 302
    assert response.url == reverse("dashboards:coordinator")
    user = User.objects.get(email=invitation.email)
    assert user.role == Role.COORDINATOR
    assert Coordinator.objects.get(user=user).institution == invitation.institution
    assert EmailAddress.objects.get(user=user).verified is True
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


def test_accepting_a_preceptor_invitation_links_the_listed_preceptor(client):
    invitation = InvitationFactory(role=Role.PRECEPTOR, email="dr.lee@example.org")
    listed = Preceptor.objects.create(institution=invitation.institution, full_name="Dr. Lee",
                                      email="dr.lee@example.org")
    _accept(client, invitation)
    listed.refresh_from_db()
    assert listed.user.email == "dr.lee@example.org"
    assert listed.user.role == Role.PRECEPTOR
    assert Preceptor.objects.count() == 1


def test_an_invitation_link_works_once(client):
    invitation = InvitationFactory()
    _accept(client, invitation)
    client.logout()
    response = _accept(client, invitation)
    assert response.status_code == 404
    assert User.objects.filter(email=invitation.email).count() == 1


def test_an_expired_invitation_is_refused(client):
    invitation = InvitationFactory(expires_at=timezone.now() - timedelta(minutes=1))
    assert _accept(client, invitation).status_code == 404
    assert User.objects.count() == 0


def test_a_weak_password_gets_a_field_error_and_creates_nothing(client):
    invitation = InvitationFactory()
    response = _accept(client, invitation, password="12345")
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    assert User.objects.count() == 0


def test_logged_in_users_are_asked_to_log_out_before_accepting(client, applicant):
    invitation = InvitationFactory()
    client.force_login(applicant)
    assert client.get(reverse("institutions:invitation_accept", args=[invitation.token])).status_code == 409


# Owner / colleague / stranger on an institution's invitations.

def test_colleague_can_withdraw_an_invitation_of_their_institution(client, coordinator, colleague):
    invitation = InvitationFactory(institution=coordinator.coordinator.institution, invited_by=coordinator)
    client.force_login(colleague)
    response = client.post(reverse("institutions:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"


def test_stranger_cannot_withdraw_another_institutions_invitation(client, coordinator, stranger):
    invitation = InvitationFactory(institution=coordinator.coordinator.institution, invited_by=coordinator)
    client.force_login(stranger)
    response = client.post(reverse("institutions:invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_dashboard_lists_only_the_institutions_own_invitations(client, coordinator, stranger):
    mine = InvitationFactory(institution=coordinator.coordinator.institution)
    InvitationFactory(institution=stranger.coordinator.institution)
    client.force_login(coordinator)
    response = client.get(reverse("dashboards:coordinator"))
    assert list(response.context["invitations"]) == [mine]


def test_a_nul_byte_in_an_invitation_link_is_not_found(client):
    assert client.get("/invitations/accept/abc%00def/").status_code == 404


def test_an_address_verified_on_another_account_cannot_be_invited(client, coordinator):
    other = UserFactory()
    EmailAddress.objects.create(user=other, email="second@example.org", verified=True, primary=False)
    response = _invite(client, coordinator, coordinator.coordinator.institution, email="second@example.org")
    assert response.status_code == 400
    assert Invitation.objects.count() == 0


def test_a_second_pending_invitation_to_the_same_address_is_refused(client, coordinator, admin_user):
    InvitationFactory(email="twice@example.org")
    response = _invite(client, coordinator, coordinator.coordinator.institution, email="twice@example.org")
    assert response.status_code == 400
    assert "pending invitation" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_very_long_names_are_accepted(client, coordinator):
    invitation = InvitationFactory(institution=coordinator.coordinator.institution, invited_by=coordinator)
    response = client.post(reverse("institutions:invitation_accept", args=[invitation.token]), {
        "first_name": "A" * 150, "last_name": "B" * 150,
        "password1": "a-long-and-good-passphrase", "password2": "a-long-and-good-passphrase",
    })
    assert response.status_code == 302
    assert len(coordinator.notifications.get().title) == 200


def test_a_preceptor_listed_at_another_institution_gets_a_record_at_the_inviting_one(client):
    invitation = InvitationFactory(role=Role.PRECEPTOR, email="dr.kim@example.org")
    elsewhere = Preceptor.objects.create(institution=InstitutionFactory(), full_name="Dr. Kim",
                                         email="dr.kim@example.org")
    _accept(client, invitation)
    elsewhere.refresh_from_db()
    assert elsewhere.user is None
    assert Preceptor.objects.get(user__email="dr.kim@example.org").institution == invitation.institution


def test_withdrawing_records_who_did_it(client, coordinator, colleague):
    invitation = InvitationFactory(institution=coordinator.coordinator.institution)
    client.force_login(colleague)
    client.post(reverse("institutions:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_by == colleague


def test_the_inviter_is_told_when_the_invitation_is_accepted(client, coordinator):
    invitation = InvitationFactory(institution=coordinator.coordinator.institution, invited_by=coordinator)
    _accept(client, invitation)
    notification = coordinator.notifications.get()
    assert notification.title == f"Grace Hopper joined {invitation.institution.name}"
    assert notification.url == reverse("dashboards:coordinator")


def test_admins_choose_the_institution_and_coordinators_do_not(client, admin_user, coordinator):
    client.force_login(admin_user)
    assert 'name="institution"' in client.get(reverse("dashboards:staff")).content.decode()
    assert '<select name="institution"' in client.get(reverse("dashboards:staff")).content.decode()
    client.force_login(coordinator)
    page = client.get(reverse("dashboards:coordinator")).content.decode()
    assert '<input type="hidden" name="institution"' in page


def test_invitations_cannot_be_added_in_the_django_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:institutions_invitation_add")).status_code == 403
