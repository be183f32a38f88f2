"""Business logic for institutions: verification, inviting coordinators and preceptors, accepting invitations."""

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User

from . import hooks
from .emails import notify_invitation_accepted, send_invitation_email
from .models import Coordinator, Institution, Invitation, Preceptor, PreceptorMembership
from .selectors import institutions_user_may_invite_to


def institution_verify(*, institutions, by: User) -> int:
    """Mark these institutions verified (those not yet); return how many changed.

    Their published listings become public at once, so the apps above are told after commit
    (rotations forgets its cached searches).
    """
    return _verify(Institution.objects.filter(pk__in=[i.pk for i in institutions]), by,
                   institution_ids=lambda rows: rows.values_list("pk", flat=True))


def _verify(rows, by: User, *, institution_ids) -> int:
    if by.role != Role.ADMIN:
        raise PermissionDenied("Only an administrator may verify.")
    with transaction.atomic():
        pending = rows.select_for_update().filter(verified_at__isnull=True)
        ids = list(institution_ids(pending))
        updated = pending.update(verified_at=timezone.now())
        transaction.on_commit(lambda: hooks.verified(ids))
    return updated


def invitation_create(*, invited_by: User, email: str, role: str, institution) -> Invitation:
    """Invite `email` to join `institution` as a coordinator or preceptor, and e-mail the link.

    Admins may invite to any institution, a coordinator only to their own. Refuses an address
    that already has an account (roles are not combined on one login).
    """
    if not institutions_user_may_invite_to(invited_by).filter(pk=institution.pk).exists():
        raise PermissionDenied("You may not invite people to this institution.")
    email = email.strip().lower()
    teacher = _preceptor_with_account(email) if role == Role.PRECEPTOR else None
    if teacher is not None:
        # A preceptor who teaches at several institutions is invited by each: the invitation is the proof.
        if teacher.memberships.filter(institution=institution).exists():
            raise ValidationError({"email": "This preceptor already teaches at this institution."})
    elif address_taken(email):
        raise ValidationError({"email": "This address already has a Rotamatch account."})
    if Invitation.objects.pending().filter(email__iexact=email).exists():
        raise ValidationError({"email": "This address already has a pending invitation; "
                                         "withdraw it first to send a new one."})
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email, role=role, institution=institution, invited_by=invited_by
        )
        send_invitation_email(invitation)
    return invitation


def _preceptor_with_account(email: str) -> Preceptor | None:
    return Preceptor.objects.filter(user__email__iexact=email, user__role=Role.PRECEPTOR).first()


def address_taken(email: str) -> bool:
    """An account uses the address, as its login or as a verified second address in allauth."""
    return (User.objects.filter(email__iexact=email).exists()
            or EmailAddress.objects.filter(email__iexact=email, verified=True).exists())


def invitation_revoke(*, invitation: Invitation, revoked_by: User) -> None:
    """Withdraw a pending invitation; its link stops working at once."""
    if invitation.status != "pending":
        raise ValidationError(f"This invitation is already {invitation.status}.")
    invitation.revoked_at = timezone.now()
    invitation.revoked_by = revoked_by
    invitation.save(update_fields=["revoked_at", "revoked_by"])


def invitation_accept(*, token: str, first_name: str, last_name: str, password: str) -> User:
    """Create the invited person's account with its role and membership, in one transaction.

    Following the e-mailed link proves the address, so it is stored as verified. The invitation
    row is locked, so two submissions of the same link create one account.
    """
    with transaction.atomic():
        invitation = (Invitation.objects.pending().select_for_update()
                      .select_related("institution").filter(token=token).first())
        if invitation is None:
            raise ValidationError("This invitation link is no longer valid.")
        if address_taken(invitation.email):
            raise ValidationError("This address already has a Rotamatch account; sign in instead.")
        user = User(email=invitation.email, first_name=first_name, last_name=last_name,
                    role=invitation.role)
        validate_password(password, user)
        user.set_password(password)
        user.save()
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        _create_membership(user, invitation)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        notify_invitation_accepted(invitation)
    return user


def invitation_accept_as_member(*, token: str, user: User) -> PreceptorMembership:
    """An existing preceptor accepts an invitation to teach at one more institution.

    Only the account whose login is the invited address may; the invitation is locked, marked
    accepted and kept as the membership's proof; the inviter is told.
    """
    with transaction.atomic():
        invitation = (Invitation.objects.pending().select_for_update()
                      .select_related("institution").filter(token=token).first())
        if invitation is None:
            raise ValidationError("This invitation link is no longer valid.")
        preceptor = Preceptor.objects.filter(user=user).first()
        if (invitation.role != Role.PRECEPTOR or preceptor is None
                or user.email.lower() != invitation.email.lower()):
            raise PermissionDenied("This invitation is for another address.")
        membership = preceptor_membership_confirm(preceptor=preceptor, invitation=invitation)
        invitation.accepted_at = timezone.now()  # accepted_by stays the first invitation's (one per user)
        invitation.save(update_fields=["accepted_at"])
        notify_invitation_accepted(invitation, member=user)
    return membership


def _create_membership(user: User, invitation: Invitation) -> None:
    if invitation.role == Role.COORDINATOR:
        Coordinator.objects.create(user=user, institution=invitation.institution)
        return
    # A preceptor may already be listed (by e-mail) before having an account: link, don't duplicate.
    preceptor = Preceptor.objects.filter(email__iexact=user.email, user__isnull=True,
                                         institution=invitation.institution).first()
    if preceptor is None:
        preceptor = Preceptor(email=user.email, institution=invitation.institution)
    preceptor.user = user
    preceptor.full_name = user.get_full_name()
    preceptor.save()
    preceptor_membership_confirm(preceptor=preceptor, invitation=invitation)


def preceptor_membership_confirm(*, preceptor: Preceptor, invitation: Invitation | None = None,
                                 institution: Institution | None = None) -> PreceptorMembership:
    """Record that `preceptor` teaches at the invitation's institution (the invitation is the proof).

    Without an invitation (a preceptor an admin adds), the membership is for `institution`.
    """
    institution = invitation.institution if invitation else institution
    membership, _ = PreceptorMembership.objects.update_or_create(
        preceptor=preceptor, institution=institution,
        defaults={"invitation": invitation} if invitation else {},
    )
    return membership
